#pragma once

#include "editor/markdownrenderer.h"

#include <QTextBrowser>

namespace Kyozo::App {

// SPEC §9 rendered preview: cmark-gfm's HTML in a QTextBrowser (no web engine).
class PreviewPanel : public QTextBrowser
{
    Q_OBJECT
public:
    explicit PreviewPanel(QWidget *parent = nullptr);
    void showMarkdown(const QByteArray &markdown, const CodeHtml &codeHtml);
    QString renderedHtml() const { return m_html; }

private:
    QString m_html;
};

} // namespace Kyozo::App
