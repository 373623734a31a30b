#pragma once

#include "markdownld/semanticitem.h"

#include <QString>
#include <optional>

namespace Kyozo::App {

// One line saying what a hidden-data item holds: its decoded payload, "encrypted", or why
// it is undecodable (the Hidden data panel and the editor's marker tooltips).
QString hiddenPayloadText(const MarkdownLD::SemanticItem &item);

// Opens the hidden run that starts at a 1-based code-point column of one line with a
// passphrase (Kyozo or StegCloak format): its bytes, or nullopt with a one-line reason
// (wrong passphrase, damaged, no payload there).
std::optional<QByteArray> openHiddenRun(QByteArrayView lineUtf8, qint64 column, QByteArrayView passphrase,
                                        QString *error);

} // namespace Kyozo::App
