#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <optional>

namespace Kyozo::Protocol {

// The shapes of the payloads a client pushes for its cursor and selection and the server
// relays to the others (SPEC §11 socket rules). One definition: the server validates with
// fromJson, the app builds with toJson. Anything else — another key, a key of another type,
// a fraction, a negative number, a number above the bounds below — is not one of them, and
// the server answers it `bad_payload` rather than relaying it.

// Lines, columns and UTF-16 offsets fit an int (what QTextCursor positions are); a document
// is at most max_notebook_bytes (64 MiB by default) long.
inline constexpr qint64 MaxTextCoordinate = 2147483647;
// Revisions count operations; 2^53 - 1 is the largest integer a JavaScript client holds exactly.
inline constexpr qint64 MaxRevision = 9007199254740991;

struct TextPosition
{
    qint64 line = 0;
    qint64 column = 0;

    // Exactly {"line": int, "column": int}.
    static std::optional<TextPosition> fromJson(const QJsonValue &value);
    QJsonObject toJson() const;
    friend bool operator==(const TextPosition &, const TextPosition &) = default;
};

// `cursor_move {position, revision?, offset?}`, relayed as `cursor {user_id, name, color, …}`.
struct CursorMove
{
    TextPosition position;
    std::optional<qint64> revision;
    std::optional<qint64> offset; // UTF-16 code units from the start of the document

    static std::optional<CursorMove> fromJson(const QJsonValue &payload);
    QJsonObject toJson() const;
    friend bool operator==(const CursorMove &, const CursorMove &) = default;
};

// `selection {anchor, head, revision?, anchor_offset?, head_offset?}`, relayed as
// `selection {user_id, name, color, …}`.
struct SelectionChange
{
    TextPosition anchor;
    TextPosition head;
    std::optional<qint64> revision;
    std::optional<qint64> anchorOffset;
    std::optional<qint64> headOffset;

    static std::optional<SelectionChange> fromJson(const QJsonValue &payload);
    QJsonObject toJson() const;
    friend bool operator==(const SelectionChange &, const SelectionChange &) = default;
};

namespace Event {
    inline constexpr auto CursorMove = "cursor_move";
    inline constexpr auto Cursor = "cursor";
    inline constexpr auto Selection = "selection";
} // namespace Event

} // namespace Kyozo::Protocol
