#include "textoperation.h"

#include <QStringList>

#include <dtl/dtl.hpp>

#include <cmath>

namespace Kyozo::Collab {

namespace {

    void setError(QString *error, const QString &message)
    {
        if (error)
            *error = message;
    }

    // Walks one operation's parts as ot.js's loops do: the current part may be a remainder
    // of a longer one (ot.js keeps `op1 = op1 - op2`).
    class PartReader
    {
    public:
        explicit PartReader(const std::vector<TextOperation::Part> &parts)
            : m_parts(parts)
        {
            next();
        }
        bool atEnd() const { return !m_current; }
        TextOperation::Part &current() { return *m_current; }
        void next()
        {
            if (m_index < m_parts.size())
                m_current = m_parts[m_index++];
            else
                m_current.reset();
        }

    private:
        const std::vector<TextOperation::Part> &m_parts;
        std::size_t m_index = 0;
        std::optional<TextOperation::Part> m_current;
    };

    // True when `position` of `text` falls between a high and a low surrogate.
    bool splitsPair(const QString &text, qsizetype position)
    {
        return position > 0 && position < text.size() && text.at(position - 1).isHighSurrogate()
            && text.at(position).isLowSurrogate();
    }

    // A remainder that has nothing left: a retain or delete counted down to zero, an insert
    // whose text was all taken.
    bool usedUp(const TextOperation::Part &part)
    {
        return part.count == 0 && part.text.isEmpty();
    }

    bool hasLoneSurrogate(const QString &text)
    {
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QChar c = text.at(i);
            if (c.isHighSurrogate()) {
                if (i + 1 == text.size() || !text.at(i + 1).isLowSurrogate())
                    return true;
                ++i;
            } else if (c.isLowSurrogate()) {
                return true;
            }
        }
        return false;
    }

    // `text` as code points; a lone surrogate stays one element of its own value (it is never
    // an astral code point, so it cannot be confused with one).
    std::vector<char32_t> codePoints(QStringView text)
    {
        std::vector<char32_t> result;
        result.reserve(text.size());
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QChar c = text.at(i);
            if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate()) {
                result.push_back(QChar::surrogateToUcs4(c, text.at(i + 1)));
                ++i;
            } else {
                result.push_back(c.unicode());
            }
        }
        return result;
    }

    qsizetype unitsOf(char32_t codePoint)
    {
        return codePoint > 0xFFFF ? 2 : 1;
    }

    QString textOf(char32_t codePoint)
    {
        if (codePoint > 0xFFFF)
            return QString::fromUcs4(&codePoint, 1);
        return QString(QChar(char16_t(codePoint)));
    }

} // namespace

TextOperation &TextOperation::retain(qsizetype n)
{
    Q_ASSERT(n >= 0);
    if (n <= 0)
        return *this;
    m_baseLength += n;
    m_targetLength += n;
    if (!m_parts.empty() && m_parts.back().isRetain())
        m_parts.back().count += n;
    else
        m_parts.push_back({ n, {} });
    return *this;
}

TextOperation &TextOperation::insert(const QString &text)
{
    if (text.isEmpty())
        return *this;
    m_targetLength += text.size();
    // ot.js: an insert always goes before a delete at the same place, so that operations
    // with the same effect are equal.
    if (!m_parts.empty() && m_parts.back().isInsert()) {
        m_parts.back().text += text;
    } else if (!m_parts.empty() && m_parts.back().isDelete()) {
        if (m_parts.size() >= 2 && m_parts[m_parts.size() - 2].isInsert())
            m_parts[m_parts.size() - 2].text += text;
        else
            m_parts.insert(m_parts.end() - 1, Part { 0, text });
    } else {
        m_parts.push_back({ 0, text });
    }
    return *this;
}

TextOperation &TextOperation::remove(qsizetype n)
{
    Q_ASSERT(n >= 0);
    if (n <= 0)
        return *this;
    m_baseLength += n;
    if (!m_parts.empty() && m_parts.back().isDelete())
        m_parts.back().count -= n;
    else
        m_parts.push_back({ -n, {} });
    return *this;
}

bool TextOperation::isNoop() const
{
    return m_parts.empty() || (m_parts.size() == 1 && m_parts.front().isRetain());
}

bool TextOperation::operator==(const TextOperation &other) const
{
    return m_baseLength == other.m_baseLength && m_targetLength == other.m_targetLength
        && m_parts == other.m_parts;
}

QJsonArray TextOperation::toJson() const
{
    QJsonArray array;
    for (const Part &part : m_parts) {
        if (part.isInsert())
            array.append(part.text);
        else
            array.append(qint64(part.count));
    }
    return array;
}

std::optional<TextOperation> TextOperation::fromJson(const QJsonValue &json, QString *error)
{
    if (!json.isArray()) {
        setError(error, QStringLiteral("an operation is a JSON array"));
        return std::nullopt;
    }
    const QJsonArray array = json.toArray();
    TextOperation operation;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonValue part = array.at(i);
        if (part.isString()) {
            const QString text = part.toString();
            if (text.isEmpty()) {
                setError(error, QStringLiteral("part %1: an empty insert").arg(i));
                return std::nullopt;
            }
            operation.insert(text);
        } else if (part.isDouble()) {
            const double d = part.toDouble();
            if (!std::isfinite(d) || std::trunc(d) != d || d == 0
                || std::abs(d) > double(MaxCount)) {
                setError(error,
                         QStringLiteral("part %1: a retain or delete is a non-zero whole number "
                                        "of at most %2")
                             .arg(i)
                             .arg(MaxCount));
                return std::nullopt;
            }
            if (d > 0)
                operation.retain(qsizetype(d));
            else
                operation.remove(qsizetype(-d));
        } else {
            setError(error, QStringLiteral("part %1: neither a number nor a string").arg(i));
            return std::nullopt;
        }
        if (operation.m_baseLength > MaxCount || operation.m_targetLength > MaxCount) {
            setError(error,
                     QStringLiteral("part %1: the operation spans more than %2 code units")
                         .arg(i)
                         .arg(MaxCount));
            return std::nullopt;
        }
    }
    return operation;
}

std::optional<QString> TextOperation::apply(const QString &text, QString *error) const
{
    if (text.size() != m_baseLength) {
        setError(error,
                 QStringLiteral("the operation's base length %1 is not the text's length %2")
                     .arg(m_baseLength)
                     .arg(text.size()));
        return std::nullopt;
    }
    QString result;
    result.reserve(m_targetLength);
    qsizetype position = 0;
    for (const Part &part : m_parts) {
        if (splitsPair(text, position)) {
            setError(error,
                     QStringLiteral("a part boundary at %1 splits a surrogate pair").arg(position));
            return std::nullopt;
        }
        if (part.isRetain()) {
            result += QStringView(text).sliced(position, part.count);
            position += part.count;
        } else if (part.isDelete()) {
            position -= part.count;
        } else {
            if (hasLoneSurrogate(part.text)) {
                setError(error,
                         QStringLiteral("the insert at %1 holds a lone surrogate").arg(position));
                return std::nullopt;
            }
            result += part.text;
        }
    }
    // The last boundary is the text's end, never inside a pair.
    return result;
}

std::optional<TextOperation> TextOperation::compose(const TextOperation &next) const
{
    if (m_targetLength != next.m_baseLength)
        return std::nullopt;
    TextOperation composed;
    PartReader first(m_parts), second(next.m_parts);
    while (!first.atEnd() || !second.atEnd()) {
        if (!first.atEnd() && first.current().isDelete()) {
            composed.remove(-first.current().count);
            first.next();
            continue;
        }
        if (!second.atEnd() && second.current().isInsert()) {
            composed.insert(second.current().text);
            second.next();
            continue;
        }
        if (first.atEnd() || second.atEnd())
            return std::nullopt; // the lengths agree, so this does not happen
        Part &a = first.current();
        Part &b = second.current();
        if (a.isRetain() && b.isRetain()) {
            const qsizetype n = std::min(a.count, b.count);
            composed.retain(n);
            a.count -= n;
            b.count -= n;
        } else if (a.isInsert() && b.isDelete()) {
            const qsizetype n = std::min(a.text.size(), -b.count);
            a.text.remove(0, n);
            b.count += n;
        } else if (a.isInsert() && b.isRetain()) {
            const qsizetype n = std::min(a.text.size(), b.count);
            composed.insert(a.text.first(n));
            a.text.remove(0, n);
            b.count -= n;
        } else if (a.isRetain() && b.isDelete()) {
            const qsizetype n = std::min(a.count, -b.count);
            composed.remove(n);
            a.count -= n;
            b.count += n;
        } else {
            return std::nullopt;
        }
        if (usedUp(a))
            first.next();
        if (usedUp(b))
            second.next();
    }
    return composed;
}

std::optional<std::pair<TextOperation, TextOperation>>
TextOperation::transform(const TextOperation &a, const TextOperation &b)
{
    if (a.m_baseLength != b.m_baseLength)
        return std::nullopt;
    TextOperation aPrime, bPrime;
    PartReader first(a.m_parts), second(b.m_parts);
    while (!first.atEnd() || !second.atEnd()) {
        // ot.js: when both insert here, the first operation's insert goes first.
        if (!first.atEnd() && first.current().isInsert()) {
            aPrime.insert(first.current().text);
            bPrime.retain(first.current().text.size());
            first.next();
            continue;
        }
        if (!second.atEnd() && second.current().isInsert()) {
            aPrime.retain(second.current().text.size());
            bPrime.insert(second.current().text);
            second.next();
            continue;
        }
        if (first.atEnd() || second.atEnd())
            return std::nullopt; // the lengths agree, so this does not happen
        Part &x = first.current();
        Part &y = second.current();
        const qsizetype n = std::min(std::abs(x.count), std::abs(y.count));
        if (x.isRetain() && y.isRetain()) {
            aPrime.retain(n);
            bPrime.retain(n);
        } else if (x.isDelete() && y.isRetain()) {
            aPrime.remove(n);
        } else if (x.isRetain() && y.isDelete()) {
            bPrime.remove(n);
        }
        // Both delete the same text: neither needs to any more.
        x.count += x.isRetain() ? -n : n;
        y.count += y.isRetain() ? -n : n;
        if (usedUp(x))
            first.next();
        if (usedUp(y))
            second.next();
    }
    return std::pair { std::move(aPrime), std::move(bPrime) };
}

TextOperation TextOperation::invert(const QString &base) const
{
    Q_ASSERT(base.size() == m_baseLength);
    TextOperation inverse;
    qsizetype position = 0;
    for (const Part &part : m_parts) {
        if (part.isRetain()) {
            inverse.retain(part.count);
            position += part.count;
        } else if (part.isInsert()) {
            inverse.remove(part.text.size());
        } else {
            inverse.insert(base.mid(position, -part.count));
            position -= part.count;
        }
    }
    return inverse;
}

qsizetype TextOperation::transformPosition(qsizetype position) const
{
    // ot.js Selection.Range.transform's transformIndex, step by step.
    qsizetype index = position;
    qsizetype moved = position;
    for (const Part &part : m_parts) {
        if (part.isRetain()) {
            index -= part.count;
        } else if (part.isInsert()) {
            moved += part.text.size();
        } else {
            moved -= std::min(index, -part.count);
            index += part.count;
        }
        if (index < 0)
            break;
    }
    return moved;
}

TextOperation TextOperation::diff(const QString &from, const QString &to)
{
    // Common prefix and suffix, in code units, then moved back to code-point boundaries.
    qsizetype prefix = 0;
    const qsizetype shorter = std::min(from.size(), to.size());
    while (prefix < shorter && from.at(prefix) == to.at(prefix))
        ++prefix;
    if (splitsPair(from, prefix) || splitsPair(to, prefix))
        --prefix;
    qsizetype suffix = 0;
    while (suffix < shorter - prefix
           && from.at(from.size() - 1 - suffix) == to.at(to.size() - 1 - suffix))
        ++suffix;
    if (splitsPair(from, from.size() - suffix) || splitsPair(to, to.size() - suffix))
        --suffix;

    TextOperation operation;
    operation.retain(prefix);
    const QStringView oldMiddle = QStringView(from).sliced(prefix, from.size() - prefix - suffix);
    const QStringView newMiddle = QStringView(to).sliced(prefix, to.size() - prefix - suffix);
    const std::vector<char32_t> a = codePoints(oldMiddle);
    const std::vector<char32_t> b = codePoints(newMiddle);
    if (a.empty() || b.empty() || qsizetype(a.size()) > MaxDiffCodePoints
        || qsizetype(b.size()) > MaxDiffCodePoints) {
        operation.insert(newMiddle.toString());
        operation.remove(oldMiddle.size());
    } else {
        dtl::Diff<char32_t, std::vector<char32_t>> script(a, b);
        script.compose();
        for (const auto &[codePoint, info] : script.getSes().getSequence()) {
            if (info.type == dtl::SES_COMMON)
                operation.retain(unitsOf(codePoint));
            else if (info.type == dtl::SES_DELETE)
                operation.remove(unitsOf(codePoint));
            else
                operation.insert(textOf(codePoint));
        }
    }
    operation.retain(suffix);
    return operation;
}

QString TextOperation::toString() const
{
    QStringList parts;
    for (const Part &part : m_parts) {
        if (part.isRetain())
            parts.append(QStringLiteral("retain %1").arg(part.count));
        else if (part.isDelete())
            parts.append(QStringLiteral("delete %1").arg(-part.count));
        else
            parts.append(QStringLiteral("insert '%1'").arg(part.text));
    }
    return parts.join(QStringLiteral(", "));
}

} // namespace Kyozo::Collab
