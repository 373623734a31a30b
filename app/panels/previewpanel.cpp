#include "previewpanel.h"

#include <QScrollBar>

namespace Kyozo::App {

PreviewPanel::PreviewPanel(QWidget *parent) : QTextBrowser(parent)
{
    setObjectName(QStringLiteral("previewPanel"));
    setAccessibleName(tr("Preview"));
    setOpenExternalLinks(true);
}

void PreviewPanel::setNotebookFolder(const QString &folder)
{
    setSearchPaths(folder.isEmpty() ? QStringList() : QStringList { folder });
}

void PreviewPanel::showNotebook(const QByteArray &markdown, const PreviewOptions &options,
                                const CodeHtml &codeHtml)
{
    const QString html = renderNotebook(markdown, options, codeHtml).body;
    if (html == m_html)
        return;
    m_html = html;
    // Keep the reader's place while the writer types.
    const int scroll = verticalScrollBar()->value();
    setHtml(html);
    verticalScrollBar()->setValue(scroll);
}

} // namespace Kyozo::App
