#pragma once

#include "notebooktext.h"

#include <QPlainTextEdit>
#include <optional>

namespace Kyozo::App {

class CodeHighlighter;
class SemanticHighlighter;

// The notebook editor (SPEC §9): plain text with live semantic highlighting; zero-width
// runs, which take no room on screen, are drawn as small markers with their decoded payload
// in a tooltip.
class NotebookEditor : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit NotebookEditor(QWidget *parent = nullptr);
    ~NotebookEditor() override;

    // Replaces the text with a file's bytes; false with a one-line reason leaves it as it was.
    bool loadBytes(const QByteArray &bytes, QString *error);
    QByteArray saveBytes() const;

    SemanticHighlighter *highlighter() const { return m_highlighter; }
    CodeHighlighter *codeHighlighter() const { return m_code; }

    // Moves the cursor to a 1-based line and code-point column and shows it.
    void jumpTo(qint64 line, qint64 column);
    // Inserts a JSON-LD block template on its own lines after the cursor's line.
    void insertJsonLdBlock();
    // Replaces the selection with itself carrying `secret` in zero-width characters
    // (core/stego, Kyozo format), encrypted when `passphrase` is not empty.
    bool hideInSelection(const QString &secret, const QString &passphrase, QString *error);

    // The payload of the hidden run at a 1-based line and code-point column, opened with a
    // passphrase, as text; nullopt with a reason when it does not open.
    std::optional<QString> openHiddenData(qint64 line, qint64 column, const QString &passphrase, QString *error);
    // The tooltip for a point of the viewport: the decoded payload of the hidden run drawn
    // there, or an empty string.
    QString hiddenDataAt(const QPoint &viewportPos);

protected:
    void paintEvent(QPaintEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void followPalette();

    NotebookText m_file;
    CodeHighlighter *m_code;
    SemanticHighlighter *m_highlighter;
};

} // namespace Kyozo::App
