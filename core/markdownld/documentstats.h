#pragma once

#include "streamlistener.h"
#include "wordcount.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>

#include <array>

namespace Kyozo::MarkdownLD {

// The figures of SPEC §11 `kyozo-ld stats`, gathered as a listener. Words are counted at
// Unicode word boundaries (countWords(), wordcount.h) in prose only: paragraphs, headings
// and tables, never code blocks, HTML blocks or front matter. Density (SPEC §2.3) is
// confidence-weighted items per 1,000 words, for the document and for each section (a
// heading and what follows it up to the next heading; what comes before the first heading
// is a section of level 0); error items are no linked data and do not count.
class DocumentStats : public StreamListener
{
public:
    void addBytes(QByteArrayView chunk);
    void blockClosed(const BlockEvent &event) override;
    void itemFound(const SemanticItem &item) override;
    QJsonObject toJson() const;

    qint64 words() const { return m_words; }
    double density() const;
    static constexpr int kMaxSections = 1000; // listed in "sections"; later ones only in the totals

private:
    qint64 m_bytes = 0;
    qint64 m_newlines = 0;
    bool m_endsWithNewline = true;
    qint64 m_words = 0;
    // By BlockKind (a quint8): a block costs an increment, not a QString and a hash look-up.
    std::array<qint64, 256> m_blocks {};
    QHash<QString, qint64> m_items;
    double m_weightedItems = 0;

    struct Section
    {
        QString name;
        int level = 0;
        qint64 startLine = 1;
        qint64 words = 0;
        double weightedItems = 0;
    };
    static QJsonObject sectionJson(const Section &section);
    Section m_section;
    QJsonArray m_sections; // the closed ones, at most kMaxSections
};

} // namespace Kyozo::MarkdownLD
