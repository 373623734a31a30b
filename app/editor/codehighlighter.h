#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QTextCharFormat>
#include <QTimer>
#include <optional>

class QProcess;

namespace Kyozo::App {

// Colours code cells with KSyntaxHighlighting's definitions (SPEC §9). Debian 12 ships only
// its Qt 5 build, which must never be loaded into this Qt 6 process, so this runs that
// build's `kate-syntax-highlighter` tool (libkf5syntaxhighlighting-tools) out of process:
// asynchronously, at most two at a time, cached by content.
class CodeHighlighter : public QObject
{
    Q_OBJECT
public:
    struct Span
    {
        int line = 0; // relative to the code's first line
        int start = 0;
        int length = 0;
        QTextCharFormat format;
    };

    explicit CodeHighlighter(QObject *parent = nullptr);
    ~CodeHighlighter() override;

    bool isAvailable() const { return !m_tool.isEmpty(); }
    // Why code is not coloured, for the status bar; empty when it is.
    QString unavailableReason() const;
    void setDarkTheme(bool dark);

    // The spans of this code, or nullptr while they are being computed (highlighted()
    // follows) or when the language has no definition.
    const QList<Span> *spans(const QString &info, const QString &code);
    // `<pre>` body of the tool's HTML output, for the preview and export; empty if none.
    // Without waiting it is empty until computed (highlighted() follows); export waits.
    enum class Wait { No, Yes };
    QString html(const QString &info, const QString &code, Wait wait);

    // The definition for a fence info string: "python" → "Python", "js" → "JavaScript".
    // The tool takes definition names exactly as it lists them.
    static QString definitionFor(const QString &info, const QStringList &definitions);
    // The formats of ANSI SGR output (`-f ansi` / `ansi256Colors`), by line and UTF-16 column.
    static QList<Span> parseAnsi(const QByteArray &output);

signals:
    void highlighted();

private:
    struct Job
    {
        QString definition;
        QString code;
        bool html = false;
    };
    QString definition(const QString &info);
    void request(const QString &key, const Job &job);
    void startNext();
    QStringList arguments(const Job &job) const;
    void store(const QString &key, const Job &job, const std::optional<QByteArray> &output);
    static QString preBody(const QByteArray &page);

    QString m_tool;
    QString m_theme = QStringLiteral("Breeze Light");
    QStringList m_definitions; // loaded on first use
    bool m_definitionsLoaded = false;
    QHash<QString, QList<Span>> m_cache;
    QHash<QString, QString> m_htmlCache;
    QStringList m_queue;                       // cache keys waiting for a process
    QHash<QString, Job> m_pending;
    int m_running = 0;
    QTimer m_startDelay;
};

} // namespace Kyozo::App
