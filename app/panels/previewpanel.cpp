#include "previewpanel.h"

#include <QScrollBar>

namespace Kyozo::App {

PreviewPanel::PreviewPanel(QWidget *parent) : QTextBrowser(parent)
{
    setObjectName(QStringLiteral("previewPanel"));
    setOpenExternalLinks(true);
}

void PreviewPanel::showMarkdown(const QByteArray &markdown, const CodeHtml &codeHtml)
{
    const QString html = renderMarkdown(markdown, codeHtml);
    if (html == m_html)
        return;
    m_html = html;
    // Keep the reader's place while the writer types.
    const int scroll = verticalScrollBar()->value();
    setHtml(html);
    verticalScrollBar()->setValue(scroll);
}

} // namespace Kyozo::App
