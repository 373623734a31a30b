#pragma once

#include "markdownld/semanticitem.h"

#include <QString>

namespace Kyozo::App {

// One line saying what a hidden-data item holds: its decoded payload, "encrypted", or why
// it is undecodable (the Hidden data panel and the editor's marker tooltips).
QString hiddenPayloadText(const MarkdownLD::SemanticItem &item);

} // namespace Kyozo::App
