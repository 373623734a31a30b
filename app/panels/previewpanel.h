#pragma once

#include "editor/markdownrenderer.h"

#include <QTextBrowser>

namespace Kyozo::App {

// SPEC §9 rendered preview: cmark-gfm's HTML in a QTextBrowser (no web engine), with
// Markdown-LD's own blocks rendered as renderNotebook() does.
class PreviewPanel : public QTextBrowser
{
    Q_OBJECT
public:
    explicit PreviewPanel(QWidget *parent = nullptr);
    void showNotebook(const QByteArray &markdown, const PreviewOptions &options,
                      const CodeHtml &codeHtml);
    // Relative image paths resolve against the notebook's folder.
    void setNotebookFolder(const QString &folder);
    QString renderedHtml() const { return m_html; }

private:
    QString m_html;
};

} // namespace Kyozo::App
