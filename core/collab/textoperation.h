#pragma once

#include <QJsonArray>
#include <QJsonValue>
#include <QString>

#include <optional>
#include <utility>
#include <vector>

namespace Kyozo::Collab {

// A text operation of operational transformation (SPEC §5, issue 15 item 1) with the
// semantics and the JSON form of ot.js 0.0.15's `TextOperation`
// (https://github.com/Operational-Transformation/ot.js, lib/text-operation.js): a sequence
// of parts that walk the whole base text once — retain n (a positive JSON integer), insert
// text (a JSON string), delete n (a negative JSON integer) — over UTF-16 code units, as Qt
// and JavaScript count. The parts are always in ot.js's canonical form: no empty part,
// adjacent parts of one kind merged, an insert before a delete at the same place; two
// operations with the same effect on every text of the right length are equal.
class TextOperation
{
public:
    // One part: `count` > 0 retain, `count` < 0 delete, `count` == 0 insert `text`.
    struct Part
    {
        qsizetype count = 0;
        QString text;

        bool isRetain() const { return count > 0; }
        bool isDelete() const { return count < 0; }
        bool isInsert() const { return count == 0; }
        friend bool operator==(const Part &, const Part &) = default;
    };

    // A count in a JSON operation is at most this (far beyond max_notebook_bytes; keeps every
    // sum of counts of an operation that fits a frame exact in a qsizetype and a double).
    static constexpr qsizetype MaxCount = qsizetype(1) << 40;

    // Builders (ot.js retain/insert/delete). Zero-length parts are ignored.
    TextOperation &retain(qsizetype n);
    TextOperation &insert(const QString &text);
    TextOperation &remove(qsizetype n); // ot.js `delete`; n > 0

    qsizetype baseLength() const { return m_baseLength; }
    qsizetype targetLength() const { return m_targetLength; }
    const std::vector<Part> &parts() const { return m_parts; }
    // No effect: no parts, or one retain (ot.js isNoop).
    bool isNoop() const;
    bool operator==(const TextOperation &other) const;

    // [5, "héllo", -3]
    QJsonArray toJson() const;
    // The shape only: an array of non-zero whole numbers of magnitude <= MaxCount and
    // non-empty strings; anything else is refused with `error` naming the offending part.
    // Adjacent parts of a kind are merged as ot.js's fromJSON does.
    static std::optional<TextOperation> fromJson(const QJsonValue &json, QString *error);

    // The text this operation makes of `text`. Refused (nullopt, `error` says why) when
    // baseLength() != text.size(), when a part boundary falls between the two halves of a
    // surrogate pair of `text`, or when an insert holds a lone surrogate: applied, either
    // would leave text that is not Unicode (ot.js, counting code units, would not notice).
    std::optional<QString> apply(const QString &text, QString *error = nullptr) const;
    // The one operation doing this and then `next` (ot.js compose); nullopt when
    // targetLength() != next.baseLength().
    std::optional<TextOperation> compose(const TextOperation &next) const;
    // Two operations on the same text -> (a', b') with b' applied after a equal to a'
    // applied after b (ot.js transform). Where both insert at one place, a's insert comes
    // first. nullopt when the base lengths differ.
    static std::optional<std::pair<TextOperation, TextOperation>> transform(const TextOperation &a,
                                                                            const TextOperation &b);
    // The operation undoing this one; `base` is the text this one applies to (ot.js invert).
    TextOperation invert(const QString &base) const;
    // A position in the base text (a cursor, one end of a selection) moved through this
    // operation as ot.js's Selection.Range.transform moves an index: an insert at the
    // position moves it right, a deleted range collapses to its start.
    qsizetype transformPosition(qsizetype position) const;

    // The operation turning `from` into `to`: a shortest edit script over code points (so
    // no boundary splits a surrogate pair), from dtl's Wu–Manber–Myers diff, after the
    // common prefix and suffix. When what differs is longer than MaxDiffCodePoints on either
    // side, that whole stretch is one replacement (linear, and still exact).
    static constexpr qsizetype MaxDiffCodePoints = 4096;
    static TextOperation diff(const QString &from, const QString &to);

    // A one-line, human-readable form for test failures ("retain 3, insert 'x', delete 2").
    QString toString() const;

private:
    std::vector<Part> m_parts;
    qsizetype m_baseLength = 0;
    qsizetype m_targetLength = 0;
};

} // namespace Kyozo::Collab
