#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

class QIODevice;

namespace Kyozo::MarkdownLD {

// SPEC §2.5, §11 `kyozo-ld inject` (docs/injection.md): a JSON-LD block written into a
// document, every byte outside the block it writes (or replaces) left as it was.

enum class InjectPosition {
    FrontMatter, // right after the front matter; at the start when there is none
    AfterTitle, // after the first level-1 heading; at the start when there is none
    // ("the start" is after the front matter, which must stay first)
    End,
};
std::optional<InjectPosition> injectPositionFromName(QByteArrayView name);

// The data to inject, checked: a JSON object with "@context", or a non-empty array of such
// objects, as UTF-8, at most kMaxBytes. Its text is kept as written (key order, spacing),
// trimmed, with its line breaks made '\n'.
class InjectionData
{
public:
    static std::optional<InjectionData> fromJson(QByteArrayView json, QString *error);
    static constexpr qsizetype kMaxBytes = 512 * 1024;

    // The object's "@id"; empty for an array or an object without one.
    QString id() const { return m_id; }
    QByteArray text() const { return m_json; } // as a fence's content reads: '\n' between lines
    // The fenced block: "```json-ld", the text, the closing fence, lines ended by `eol` but
    // the last, which has none. The fence is longer than any run of backticks in the text.
    QByteArray block(QByteArrayView eol) const;

private:
    QByteArray m_json;
    QString m_id;
};

// Where and what to write: the bytes [startByte, endByte) of the document become `text`.
struct InjectionEdit
{
    qint64 startByte = 0;
    qint64 endByte = 0;
    QByteArray text;
    bool changesNothing = false; // a byte-equal block is there already
};

// The first of the two passes: fed the document in chunks of any size (O(1) memory: the
// stream parser's bounded block, a few offsets), then asked for the edit. `read(at, n)`
// gives up to n bytes of the document from `at` (the second pass's random access: a few
// bytes around the places found, and the blocks that may already be the one to write).
class InjectionPlanner
{
public:
    InjectionPlanner(const InjectionData &data, InjectPosition position);
    ~InjectionPlanner();
    InjectionPlanner(const InjectionPlanner &) = delete;
    InjectionPlanner &operator=(const InjectionPlanner &) = delete;

    // False at the first byte that is not UTF-8 (error() names its offset).
    bool feed(QByteArrayView chunk);
    bool finish();
    QString error() const;

    using Reader = std::function<QByteArray(qint64 at, qint64 size)>;
    InjectionEdit edit(const Reader &read) const;

private:
    struct State;
    std::unique_ptr<State> d;
};

// Both passes over a seekable device (a file; stdin goes to a temporary file first), the
// result written to `output`. False with *error set when the input cannot be read, is not
// UTF-8, or the output cannot be written.
bool inject(QIODevice &input, QIODevice &output, const InjectionData &data, InjectPosition position,
            QString *error);

// The same on a document in memory: the whole new document.
std::optional<QByteArray> injectInto(const QByteArray &document, const InjectionData &data,
                                     InjectPosition position, QString *error);

} // namespace Kyozo::MarkdownLD
