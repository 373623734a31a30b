#pragma once

// Operations written as ot.js JSON in tests of core/collab, and back.
#include "collab/textoperation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtGlobal>

namespace KyozoTest {

// `[5, "x", -2]` as a TextOperation; a literal that is no operation stops the test.
inline Kyozo::Collab::TextOperation op(const char *text)
{
    QString error;
    const auto parsed
        = Kyozo::Collab::TextOperation::fromJson(QJsonDocument::fromJson(text).array(), &error);
    if (!parsed)
        qFatal("bad test operation %s: %s", text, qPrintable(error));
    return *parsed;
}

// The operation's JSON on one line, for comparing with a literal.
inline QByteArray compact(const Kyozo::Collab::TextOperation &operation)
{
    return QJsonDocument(operation.toJson()).toJson(QJsonDocument::Compact);
}

} // namespace KyozoTest
