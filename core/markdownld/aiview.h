#pragma once

#include "documentstats.h"
#include "streamlistener.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Kyozo::MarkdownLD {

// SPEC §2.3, issue 16 item 6: the AI view — the document's entities, deduplicated across
// syntaxes, ranked by relevance and trimmed to a token budget, as one JSON object
//   {"document": {title, language, words, density}, "entities": [...], "omitted": n}
// with each entity {type, id, name, properties, relevance, sources: [{kind, startLine}]}.
// docs/semantics.md gives the formulas; `kyozo-ld extract --format ai` and the editor's
// "Copy for AI" both build it here.
class AiView : public StreamListener
{
public:
    // The token rule: one token per 4 bytes of UTF-8, rounded up.
    static qint64 tokens(qsizetype utf8Bytes) { return (qint64(utf8Bytes) + 3) / 4; }
    // Entities held at most; more are counted in `omitted` and not ranked.
    static constexpr qsizetype kMaxEntities = 100000;

    void blockClosed(const BlockEvent &event) override;
    void itemFound(const SemanticItem &item) override;

    // The view as it is printed: compact JSON and a final '\n'. budgetTokens <= 0: no
    // budget. With one, tokens(size) never exceeds it; nullopt and *error when even the
    // view without entities does not fit.
    std::optional<QByteArray> render(qint64 budgetTokens, QString *error) const;

    // Relevance of each entity, ranked (the "entities" of render() without a budget).
    QJsonArray rankedEntities() const;

    const DocumentStats &stats() const { return m_stats; }

    struct Entity
    {
        QJsonValue type = QJsonValue::Null;
        QString id;
        QString name;
        QJsonObject properties;
        QJsonArray sources;
        double confidence = 0;
        double position = 0;
        int implicitSources = 0;
        bool linkSourced = false; // found by an implicit rule from a link in the text
        qsizetype order = 0; // of its first source: ties keep document order
        double relevance = 0;
    };

private:
    void addEntity(Entity entity, const QString &typeKey);
    QList<Entity> ranked() const;
    QJsonObject documentObject() const;

    DocumentStats m_stats;
    QList<Entity> m_entities;
    QHash<QString, qsizetype> m_byId;
    QHash<QString, qsizetype> m_byTypeAndName;
    qint64 m_dropped = 0;
    QHash<QString, qint32> m_linkCounts; // link destinations in the text, capped
    int m_level = 0; // of the section being read; 0 before any heading
    QString m_frontMatterTitle;
    QString m_headingTitle;
    int m_headingTitleLevel = 7;
    QString m_language;
};

// The AI view of a whole document, implicit rules on: what the editor copies.
std::optional<QByteArray> aiViewOf(QByteArrayView document, qint64 budgetTokens, QString *error);

} // namespace Kyozo::MarkdownLD
