#include "codehighlighter.h"

#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>

Q_LOGGING_CATEGORY(lcCode, "kyozo.code")

namespace Kyozo::App {

namespace {

constexpr int kMaxRunning = 2;
constexpr int kMaxQueued = 16;
constexpr qsizetype kMaxCacheEntries = 512;
constexpr int kStartDelayMs = 120;

QString cacheKey(const QString &definition, const QString &code)
{
    return definition + QChar(0) + code;
}

QColor xterm256(int n)
{
    static const int basic[16][3] = { { 0, 0, 0 },       { 205, 0, 0 },     { 0, 205, 0 },   { 205, 205, 0 },
                                      { 0, 0, 238 },     { 205, 0, 205 },   { 0, 205, 205 }, { 229, 229, 229 },
                                      { 127, 127, 127 }, { 255, 0, 0 },     { 0, 255, 0 },   { 255, 255, 0 },
                                      { 92, 92, 255 },   { 255, 0, 255 },   { 0, 255, 255 }, { 255, 255, 255 } };
    if (n < 16)
        return QColor(basic[n][0], basic[n][1], basic[n][2]);
    if (n < 232) {
        static const int level[6] = { 0, 95, 135, 175, 215, 255 };
        n -= 16;
        return QColor(level[n / 36], level[(n / 6) % 6], level[n % 6]);
    }
    const int grey = 8 + 10 * (n - 232);
    return QColor(grey, grey, grey);
}

void applySgr(const QList<int> &params, QTextCharFormat *format)
{
    for (qsizetype i = 0; i < params.size(); ++i) {
        const int p = params[i];
        if (p == 0) {
            *format = QTextCharFormat();
        } else if (p == 1) {
            format->setFontWeight(QFont::Bold);
        } else if (p == 21 || p == 22) {
            format->clearProperty(QTextFormat::FontWeight);
        } else if (p == 3) {
            format->setFontItalic(true);
        } else if (p == 23) {
            format->clearProperty(QTextFormat::FontItalic);
        } else if (p == 4) {
            format->setFontUnderline(true);
        } else if (p == 24) {
            format->clearProperty(QTextFormat::TextUnderlineStyle);
        } else if (p == 39) {
            format->clearForeground();
        } else if (p == 38 && i + 1 < params.size()) {
            if (params[i + 1] == 5 && i + 2 < params.size()) {
                format->setForeground(xterm256(params[i + 2]));
                i += 2;
            } else if (params[i + 1] == 2 && i + 4 < params.size()) {
                format->setForeground(QColor(params[i + 2], params[i + 3], params[i + 4]));
                i += 4;
            }
        } else if (p == 48 && i + 1 < params.size()) {
            i += params[i + 1] == 5 ? 2 : params[i + 1] == 2 ? 4 : 1; // backgrounds follow the editor's palette
        }
    }
}

} // namespace

CodeHighlighter::CodeHighlighter(QObject *parent)
    : QObject(parent), m_tool(QStandardPaths::findExecutable(QStringLiteral("kate-syntax-highlighter")))
{
    m_startDelay.setSingleShot(true);
    m_startDelay.setInterval(kStartDelayMs);
    connect(&m_startDelay, &QTimer::timeout, this, &CodeHighlighter::startNext);
}

CodeHighlighter::~CodeHighlighter()
{
    for (QProcess *process : findChildren<QProcess *>()) {
        process->disconnect(this);
        process->kill();
        process->waitForFinished(1000);
    }
}

QString CodeHighlighter::unavailableReason() const
{
    if (isAvailable())
        return {};
    return tr("Code cells are shown without colour: kate-syntax-highlighter "
              "(package libkf5syntaxhighlighting-tools) was not found.");
}

void CodeHighlighter::setDarkTheme(bool dark)
{
    const QString theme = dark ? QStringLiteral("Breeze Dark") : QStringLiteral("Breeze Light");
    if (theme == m_theme)
        return;
    m_theme = theme;
    m_cache.clear();
    m_htmlCache.clear();
}

QString CodeHighlighter::definitionFor(const QString &info, const QStringList &definitions)
{
    static const QHash<QString, QString> aliases = {
        { QStringLiteral("py"), QStringLiteral("Python") },      { QStringLiteral("python3"), QStringLiteral("Python") },
        { QStringLiteral("js"), QStringLiteral("JavaScript") },  { QStringLiteral("node"), QStringLiteral("JavaScript") },
        { QStringLiteral("ts"), QStringLiteral("TypeScript") },  { QStringLiteral("sh"), QStringLiteral("Bash") },
        { QStringLiteral("shell"), QStringLiteral("Bash") },     { QStringLiteral("console"), QStringLiteral("Bash") },
        { QStringLiteral("zsh"), QStringLiteral("Zsh") },        { QStringLiteral("cpp"), QStringLiteral("C++") },
        { QStringLiteral("c++"), QStringLiteral("C++") },        { QStringLiteral("cxx"), QStringLiteral("C++") },
        { QStringLiteral("h"), QStringLiteral("C") },            { QStringLiteral("cs"), QStringLiteral("C#") },
        { QStringLiteral("csharp"), QStringLiteral("C#") },      { QStringLiteral("rb"), QStringLiteral("Ruby") },
        { QStringLiteral("rs"), QStringLiteral("Rust") },        { QStringLiteral("yml"), QStringLiteral("YAML") },
        { QStringLiteral("md"), QStringLiteral("Markdown") },    { QStringLiteral("kt"), QStringLiteral("Kotlin") },
        { QStringLiteral("golang"), QStringLiteral("Go") },      { QStringLiteral("html"), QStringLiteral("HTML") },
        { QStringLiteral("xml"), QStringLiteral("XML") },        { QStringLiteral("sql"), QStringLiteral("SQL") },
        { QStringLiteral("dockerfile"), QStringLiteral("Dockerfile") }, { QStringLiteral("toml"), QStringLiteral("TOML") },
        { QStringLiteral("json"), QStringLiteral("JSON") },      { QStringLiteral("tex"), QStringLiteral("LaTeX") },
    };
    // "{.python}" and "python title=x" both name Python.
    QString word = info.trimmed().section(QRegularExpression(QStringLiteral("[\\s{}]+")), 0, 0, QString::SectionSkipEmpty);
    if (word.startsWith(u'.'))
        word.remove(0, 1);
    const QString lower = word.toLower();
    const QString alias = aliases.value(lower);
    if (!alias.isEmpty() && definitions.contains(alias))
        return alias;
    for (const QString &name : definitions)
        if (name.compare(word, Qt::CaseInsensitive) == 0)
            return name;
    return {};
}

QList<CodeHighlighter::Span> CodeHighlighter::parseAnsi(const QByteArray &output)
{
    QList<Span> spans;
    const QString text = QString::fromUtf8(output);
    QTextCharFormat format;
    int line = 0;
    int column = 0;
    auto extend = [&](int units) {
        if (format.isEmpty())
            return;
        if (!spans.isEmpty() && spans.last().line == line && spans.last().start + spans.last().length == column
            && spans.last().format == format)
            spans.last().length += units;
        else
            spans.append({ line, column, units, format });
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == u'\x1b' && i + 1 < text.size() && text.at(i + 1) == u'[') {
            qsizetype j = i + 2;
            while (j < text.size() && (text.at(j).isDigit() || text.at(j) == u';'))
                ++j;
            if (j < text.size() && text.at(j) == u'm') {
                QList<int> params;
                for (const QStringView p : QStringView(text).sliced(i + 2, j - i - 2).split(u';'))
                    params.append(p.isEmpty() ? 0 : p.toInt());
                applySgr(params, &format);
            }
            i = j; // other sequences (erase line: K) carry no text
            continue;
        }
        if (c == u'\n') {
            ++line;
            column = 0;
            continue;
        }
        extend(1);
        ++column;
    }
    return spans;
}

QString CodeHighlighter::definition(const QString &info)
{
    if (!m_definitionsLoaded && isAvailable()) {
        m_definitionsLoaded = true;
        QProcess list;
        list.start(m_tool, { QStringLiteral("--list") });
        if (list.waitForFinished(5000) && list.exitCode() == 0)
            m_definitions = QString::fromUtf8(list.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
        else
            qCWarning(lcCode) << "kate-syntax-highlighter --list failed:" << list.errorString();
    }
    return definitionFor(info, m_definitions);
}

QStringList CodeHighlighter::arguments(const Job &job) const
{
    // -b: no background, the editor's palette shows through; HTML keeps the theme's page.
    QStringList args = { QStringLiteral("--stdin"), QStringLiteral("-s"), job.definition, QStringLiteral("-t"), m_theme,
                         QStringLiteral("-f") };
    if (job.html)
        args << QStringLiteral("html");
    else
        args << QStringLiteral("ansi") << QStringLiteral("-b");
    return args;
}

void CodeHighlighter::store(const QString &key, const Job &job, const std::optional<QByteArray> &output)
{
    // A failed run is stored empty so the same code is not tried again and again.
    if (job.html) {
        if (m_htmlCache.size() >= kMaxCacheEntries)
            m_htmlCache.clear();
        m_htmlCache.insert(key, output ? preBody(*output) : QString());
    } else {
        if (m_cache.size() >= kMaxCacheEntries)
            m_cache.clear();
        m_cache.insert(key, output ? parseAnsi(*output) : QList<Span>{});
    }
}

QString CodeHighlighter::preBody(const QByteArray &page)
{
    // The tool writes a whole page; the preview wants what is inside its <pre>.
    const QString text = QString::fromUtf8(page);
    const qsizetype open = text.indexOf(QLatin1String("<pre>"));
    const qsizetype close = text.lastIndexOf(QLatin1String("</pre>"));
    return open >= 0 && close > open ? text.sliced(open + 5, close - open - 5) : QString();
}

void CodeHighlighter::request(const QString &key, const Job &job)
{
    if (m_pending.contains(key))
        return;
    m_pending.insert(key, job);
    m_queue.append(key);
    while (m_queue.size() > kMaxQueued) // typing in a cell: only recent versions matter
        m_pending.remove(m_queue.takeFirst());
    // Typing in a cell asks for a new version per keystroke; start only once it pauses.
    m_startDelay.start();
}

const QList<CodeHighlighter::Span> *CodeHighlighter::spans(const QString &info, const QString &code)
{
    const QString name = isAvailable() ? definition(info) : QString();
    if (name.isEmpty())
        return nullptr;
    const QString key = cacheKey(name, code);
    if (const auto it = m_cache.constFind(key); it != m_cache.cend())
        return &it.value();
    request(key, { name, code, false });
    return nullptr;
}

QString CodeHighlighter::html(const QString &info, const QString &code, Wait wait)
{
    const QString name = isAvailable() ? definition(info) : QString();
    if (name.isEmpty())
        return {};
    const QString key = QStringLiteral("html") + QChar(0) + cacheKey(name, code);
    if (const auto it = m_htmlCache.constFind(key); it != m_htmlCache.cend())
        return it.value();
    const Job job{ name, code, true };
    if (wait == Wait::No) {
        request(key, job);
        return {};
    }
    QProcess process;
    process.start(m_tool, arguments(job));
    process.write(code.toUtf8());
    process.closeWriteChannel();
    const bool ok = process.waitForFinished(5000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    store(key, job, ok ? std::optional(process.readAllStandardOutput()) : std::nullopt);
    return m_htmlCache.value(key);
}

void CodeHighlighter::startNext()
{
    while (m_running < kMaxRunning && !m_queue.isEmpty()) {
        const QString key = m_queue.takeLast();
        const Job job = m_pending.value(key);
        auto *process = new QProcess(this);
        ++m_running;
        connect(process, &QProcess::finished, this, [this, process, key, job](int exitCode, QProcess::ExitStatus status) {
            process->deleteLater();
            --m_running;
            m_pending.remove(key);
            const bool ok = status == QProcess::NormalExit && exitCode == 0;
            store(key, job, ok ? std::optional(process->readAllStandardOutput()) : std::nullopt);
            emit highlighted();
            startNext();
        });
        connect(process, &QProcess::errorOccurred, this, [process](QProcess::ProcessError error) {
            if (error == QProcess::FailedToStart)
                emit process->finished(-1, QProcess::CrashExit);
        });
        process->start(m_tool, arguments(job));
        process->write(job.code.toUtf8());
        process->closeWriteChannel();
    }
}

} // namespace Kyozo::App
