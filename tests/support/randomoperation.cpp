#include "randomoperation.h"

#include <QList>

using Kyozo::Collab::TextOperation;

namespace KyozoTest {

namespace {

    // Code-unit offsets of every code-point boundary of `text`, 0 and size() included.
    QList<qsizetype> boundaries(const QString &text)
    {
        QList<qsizetype> result { 0 };
        for (qsizetype i = 0; i < text.size(); ++i) {
            if (text.at(i).isHighSurrogate() && i + 1 < text.size()
                && text.at(i + 1).isLowSurrogate())
                ++i;
            result.append(i + 1);
        }
        return result;
    }

} // namespace

QString randomText(QRandomGenerator &random, int maxCodePoints)
{
    static const QList<QString> pieces = {
        QStringLiteral("a"),
        QStringLiteral("b"),
        QStringLiteral("z"),
        QStringLiteral(" "),
        QStringLiteral("\u00e9"),
        QStringLiteral("\u00df"),
        QStringLiteral("\u6771"),
        QStringLiteral("\u4eac"),
        QString::fromUcs4(U"\U0001F600"),
        QString::fromUcs4(U"\U0001F469"),
        QString::fromUcs4(U"\U00010348"),
        QStringLiteral("\r\n"),
        QStringLiteral("\n"),
        QStringLiteral("\r"),
        QStringLiteral("#"),
        QStringLiteral("{"),
    };
    if (maxCodePoints <= 0 || random.bounded(8) == 0)
        return {};
    const int n = 1 + random.bounded(maxCodePoints);
    QString text;
    for (int i = 0; i < n; ++i)
        text += pieces.at(random.bounded(qsizetype(pieces.size())));
    return text;
}

TextOperation randomOperation(QRandomGenerator &random, const QString &text, int edits)
{
    const QList<qsizetype> cuts = boundaries(text);
    const qsizetype codePoints = cuts.size() - 1;
    TextOperation op;
    qsizetype at = 0; // index into cuts
    const int style = random.bounded(10);
    if (style == 0) { // a no-op
        op.retain(text.size());
        return op;
    }
    if (style == 1) { // replace everything
        op.remove(text.size());
        op.insert(randomText(random, 6));
        return op;
    }
    const qsizetype step = std::max<qsizetype>(1, codePoints / std::max(1, edits));
    while (at < codePoints) {
        const qsizetype n = 1 + random.bounded(std::min(codePoints - at, step * 2));
        const qsizetype length = cuts.at(at + n) - cuts.at(at);
        switch (random.bounded(4)) {
        case 0:
            op.remove(length);
            break;
        case 1:
            op.insert(randomText(random, 4));
            op.retain(length);
            break;
        case 2:
            op.insert(randomText(random, 3));
            op.remove(length);
            break;
        default:
            op.retain(length);
        }
        at += n;
    }
    if (random.bounded(3) == 0)
        op.insert(randomText(random, 4));
    return op;
}

TextOperation randomEdit(QRandomGenerator &random, const QString &text, int maxDelete,
                         int maxInsert)
{
    const QList<qsizetype> cuts = boundaries(text);
    const qsizetype codePoints = cuts.size() - 1;
    const qsizetype at = random.bounded(codePoints + 1);
    const qsizetype deleted
        = maxDelete > 0 ? std::min<qsizetype>(codePoints - at, random.bounded(maxDelete + 1)) : 0;
    TextOperation op;
    op.retain(cuts.at(at));
    if (deleted == 0 || random.bounded(2) == 0)
        op.insert(randomText(random, maxInsert) + QStringLiteral("x"));
    op.remove(cuts.at(at + deleted) - cuts.at(at));
    op.retain(text.size() - cuts.at(at + deleted));
    return op;
}

} // namespace KyozoTest
