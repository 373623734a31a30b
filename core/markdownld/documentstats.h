#pragma once

#include "streamlistener.h"
#include "wordcount.h"

#include <QHash>
#include <QJsonObject>

#include <array>

namespace Kyozo::MarkdownLD {

// The figures of SPEC §11 `kyozo-ld stats`, gathered as a listener. Words are counted at
// Unicode word boundaries (countWords(), wordcount.h) in prose only: paragraphs, headings
// and tables, never code blocks, HTML blocks or front matter.
class DocumentStats : public StreamListener
{
public:
    void addBytes(QByteArrayView chunk);
    void blockClosed(const BlockEvent &event) override;
    void itemFound(const SemanticItem &item) override;
    QJsonObject toJson() const;

    qint64 words() const { return m_words; }

private:
    qint64 m_bytes = 0;
    qint64 m_newlines = 0;
    bool m_endsWithNewline = true;
    qint64 m_words = 0;
    // By BlockKind (a quint8): a block costs an increment, not a QString and a hash look-up.
    std::array<qint64, 256> m_blocks {};
    QHash<QString, qint64> m_items;
    qint64 m_itemCount = 0;
};

} // namespace Kyozo::MarkdownLD
