#pragma once

#include <QTextBlock>
#include <QTextCharFormat>
#include <QTextLayout>

// The format the highlighter left on one character of a block, read back from its layout.
inline QTextCharFormat formatAt(const QTextBlock &block, int column)
{
    QTextCharFormat format;
    for (const QTextLayout::FormatRange &r : block.layout()->formats())
        if (r.start <= column && column < r.start + r.length)
            format.merge(r.format);
    return format;
}
