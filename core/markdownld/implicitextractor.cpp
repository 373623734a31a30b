#include "implicitextractor.h"

#include "contentmap.h"
#include "inlinescanner.h"
#include "jsonldextractor.h"

#include <QSet>
#include <QUrl>

#include <algorithm>
#include <cstring>

namespace Kyozo::MarkdownLD {

namespace {

    // Each rule's precision measured on tests/data/semantics-corpus by tst_implicitcorpus
    // (docs/semantics.md has the figures), rounded to two places and at most 0.98: a rule that
    // made no mistake on 92 notebooks is not certain. The test fails when a confidence here is
    // more than 0.05 from its rule's measured precision.
    constexpr std::array<ImplicitRuleInfo, kImplicitRuleCount> kRules { {
        { ImplicitRule::Outline, "outline", 0.98 },
        { ImplicitRule::HowTo, "howto", 0.98 },
        { ImplicitRule::Question, "question", 0.98 },
        { ImplicitRule::FaqPage, "faq-page", 0.98 },
        { ImplicitRule::Code, "code", 0.94 },
        { ImplicitRule::Table, "table", 0.98 },
        { ImplicitRule::Date, "date", 0.98 },
        { ImplicitRule::Email, "email", 0.98 },
        { ImplicitRule::MailtoName, "mailto-name", 0.98 },
        { ImplicitRule::ProfileLink, "profile-link", 0.88 },
    } };

    QString text(QByteArrayView v)
    {
        return QString::fromUtf8(v).trimmed();
    }

    // At most kMaxTextBytes of UTF-8, cut before a continuation byte.
    QString capped(QByteArrayView v)
    {
        if (v.size() > ImplicitExtractor::kMaxTextBytes) {
            qsizetype n = ImplicitExtractor::kMaxTextBytes;
            while (n > 0 && (static_cast<unsigned char>(v[n]) & 0xC0) == 0x80)
                --n;
            v = v.first(n);
        }
        return text(v).simplified();
    }

    // Heading text as the rules compare it: case-folded, without a trailing ':' and spaces.
    QString normalised(const QString &heading)
    {
        QString h = heading.toCaseFolded().simplified();
        while (h.endsWith(QLatin1Char(':')) || h.endsWith(QLatin1Char('.')))
            h.chop(1);
        return h.trimmed();
    }

    // HowTo headings. English first; German, French and Spanish as the docs say.
    const QSet<QString> &stepHeadings()
    {
        static const QSet<QString> s {
            // English
            "steps",
            "instructions",
            "directions",
            "method",
            "procedure",
            "preparation",
            "installation",
            "install",
            "installing",
            "quickstart",
            "quick start",
            "getting started",
            "upgrading",
            "how-to",
            "walkthrough",
            // German
            "schritte",
            "anleitung",
            "zubereitung",
            "vorgehen",
            "vorgehensweise",
            "einrichtung",
            // French
            "étapes",
            "etapes",
            "préparation",
            "méthode",
            "procédure",
            "marche à suivre",
            // Spanish
            "pasos",
            "instrucciones",
            "preparación",
            "procedimiento",
            "elaboración",
        };
        return s;
    }
    bool isStepPrefix(const QString &h)
    {
        for (const char *p : { "how to ", "how-to ", "steps to ", "step by step",
                               "schritt für schritt", "comment ", "cómo ", "como " })
            if (h.startsWith(QLatin1String(p)))
                return true;
        return false;
    }

    bool isFaqHeading(const QString &h)
    {
        static const QSet<QString> s { "faq",
                                       "faqs",
                                       "frequently asked questions",
                                       "questions and answers",
                                       "q&a",
                                       "häufige fragen",
                                       "häufig gestellte fragen",
                                       "questions fréquentes",
                                       "foire aux questions",
                                       "preguntas frecuentes" };
        return s.contains(h);
    }

    // A question: ends with '?', a full-width '？' or an Arabic '؟' ("¿…?" ends with '?').
    bool isQuestion(const QString &h)
    {
        return h.endsWith(QLatin1Char('?')) || h.endsWith(QChar(0xFF1F))
            || h.endsWith(QChar(0x061F));
    }

    // Fence info words that say the block is not code (issue 16: a fenced block is
    // SoftwareSourceCode unless its info string says it is text or data).
    bool isNotCode(const QString &word)
    {
        static const QSet<QString> s { "text", "txt", "plain", "plaintext",  "output",
                                       "log",  "csv", "tsv",   "nohighlight" };
        return s.contains(word);
    }

    enum class Agent { None, Person, Organization };

    QString stripPunct(QString token)
    {
        while (!token.isEmpty() && !token.back().isLetterOrNumber())
            token.chop(1);
        while (!token.isEmpty() && !token.front().isLetterOrNumber())
            token.remove(0, 1);
        return token;
    }

    bool isOrganisationWord(const QString &token)
    {
        static const QSet<QString> s {
            // English
            "inc",
            "ltd",
            "llc",
            "plc",
            "corp",
            "corporation",
            "company",
            "co",
            "foundation",
            "institute",
            "university",
            "college",
            "school",
            "council",
            "department",
            "team",
            "group",
            "lab",
            "labs",
            "laboratory",
            "society",
            "association",
            "agency",
            "ministry",
            "office",
            "project",
            "community",
            "committee",
            "consortium",
            "network",
            "club",
            "union",
            "bank",
            "press",
            "studio",
            "studios",
            "systems",
            "software",
            "technologies",
            "partners",
            "organization",
            "organisation",
            // German
            "gmbh",
            "ag",
            "verein",
            "stiftung",
            "universität",
            "institut",
            "abteilung",
            "e.v",
            // French, Spanish
            "sa",
            "sarl",
            "fondation",
            "université",
            "universidad",
            "fundación",
            "asociación",
        };
        const QString t = stripPunct(token).toCaseFolded();
        return s.contains(t) || t.endsWith(QLatin1String("-abteilung"));
    }

    bool isPlaceWord(const QString &token)
    {
        static const QSet<QString> s {
            "city",    "town",   "village",  "lake",     "river",   "mount",  "mountain", "island",
            "islands", "county", "province", "republic", "kingdom", "state",  "states",   "park",
            "street",  "bay",    "valley",   "sea",      "ocean",   "desert", "forest",   "road",
            "square",  "bridge", "castle",   "airport",  "station", "beach",  "coast",    "canyon"
        };
        return s.contains(stripPunct(token).toCaseFolded());
    }

    bool isParticle(const QString &token)
    {
        static const QSet<QString> s { "de", "da", "del", "van", "von", "der", "den", "di",
                                       "le", "la", "bin", "al",  "ibn", "du",  "dos", "y" };
        return s.contains(token);
    }

    // Who a link's text names. A person's name is one to four words (two to four when
    // `fullName`: a Wikipedia article's text must look like a full name), each capitalised
    // or a particle (van, de, bin…), made of letters, hyphens, apostrophes and dots only.
    Agent agentNamed(const QString &name, bool fullName)
    {
        const QStringList tokens = name.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (tokens.isEmpty())
            return Agent::None;
        for (const QString &t : tokens) {
            if (isOrganisationWord(t))
                return Agent::Organization;
            // An acronym (IBM, NASA, "Mistral AI") is no part of a person's name.
            const QString letters = stripPunct(t);
            if (letters.size() >= 2 && letters == letters.toUpper() && letters != letters.toLower())
                return Agent::Organization;
        }
        if (tokens.size() > 4 || (fullName && tokens.size() < 2))
            return Agent::None;
        int capitalised = 0;
        for (const QString &t : tokens) {
            if (isPlaceWord(t))
                return Agent::None;
            if (isParticle(t))
                continue;
            if (!t.front().isUpper())
                return Agent::None;
            for (const QChar c : t)
                if (!c.isLetter() && c != QLatin1Char('-') && c != QLatin1Char('\'')
                    && c != QLatin1Char('.') && c != QChar(0x2019))
                    return Agent::None;
            ++capitalised;
        }
        return capitalised > 0 ? Agent::Person : Agent::None;
    }

    const char *agentType(Agent a)
    {
        return a == Agent::Organization ? "schema:Organization" : "schema:Person";
    }

    // github.com/NAME, orcid.org/0000-0000-0000-000X, LANG.wikipedia.org/wiki/TITLE, read
    // from the destination's bytes. These were regular expressions matched on a QString
    // for every such link; this is the same grammar (bench/README.md, issue 16: most GitHub
    // links are to repositories and fail at the second path segment, now before any
    // conversion):
    //   ^https?://(?:www\.)?github\.com/([A-Za-z0-9][A-Za-z0-9-]{0,38})/?(?:[?#].*)?$
    //   ^https?://(?:www\.)?orcid\.org/(\d{4}-\d{4}-\d{4}-\d{3}[\dX])/?$
    //   ^https?://([a-z]{2,3}(?:-[a-z]+)?)\.(?:m\.)?wikipedia\.org/wiki/([^?#]+)
    enum class Profile { None, GitHub, Orcid, Wikipedia };

    bool isAsciiDigit(char c)
    {
        return c >= '0' && c <= '9';
    }
    bool isAsciiLower(char c)
    {
        return c >= 'a' && c <= 'z';
    }
    bool isAsciiAlnum(char c)
    {
        return isAsciiDigit(c) || isAsciiLower(c) || (c >= 'A' && c <= 'Z');
    }

    // Consumes `prefix` at `*at` when it is there.
    bool take(QByteArrayView url, qsizetype *at, QByteArrayView prefix)
    {
        if (url.sliced(*at).startsWith(prefix)) {
            *at += prefix.size();
            return true;
        }
        return false;
    }

    // What `$` accepts at `at` (PCRE: the end, or a newline that ends the subject).
    bool atEnd(QByteArrayView url, qsizetype at)
    {
        return at == url.size() || (at + 1 == url.size() && url[at] == '\n');
    }

    // `.*$` from `at`: no newline before the end, but one that ends the subject.
    bool restIsOneLine(QByteArrayView url, qsizetype at)
    {
        const qsizetype nl = url.indexOf('\n', at);
        return nl < 0 || nl + 1 == url.size();
    }

    Profile profileOf(QByteArrayView url, QString *canonical, QString *wikiTitle)
    {
        static const QSet<QString> reserved { "features",
                                              "pricing",
                                              "about",
                                              "orgs",
                                              "settings",
                                              "marketplace",
                                              "explore",
                                              "topics",
                                              "trending",
                                              "collections",
                                              "sponsors",
                                              "login",
                                              "join",
                                              "enterprise",
                                              "team",
                                              "security",
                                              "site",
                                              "contact",
                                              "customer-stories",
                                              "readme",
                                              "apps",
                                              "search",
                                              "notifications",
                                              "new",
                                              "organizations",
                                              "issues",
                                              "pulls",
                                              "events",
                                              "codespaces",
                                              "discussions",
                                              "mobile",
                                              "premium-support",
                                              "signup" };
        qsizetype at = 0;
        if (!take(url, &at, "http://") && !take(url, &at, "https://"))
            return Profile::None;
        const qsizetype host = at;
        take(url, &at, "www.");
        if (take(url, &at, "github.com/")) {
            const qsizetype name = at;
            while (at < url.size() && (isAsciiAlnum(url[at]) || url[at] == '-'))
                ++at;
            const qsizetype length = at - name;
            if (length < 1 || length > 39 || url[name] == '-')
                return Profile::None;
            qsizetype after = at;
            if (after < url.size() && url[after] == '/')
                ++after;
            if (!atEnd(url, after)
                && !(after < url.size() && (url[after] == '?' || url[after] == '#')
                     && restIsOneLine(url, after)))
                return Profile::None;
            const QString user = QString::fromLatin1(url.sliced(name, length));
            if (reserved.contains(user.toLower()))
                return Profile::None;
            *canonical = QStringLiteral("https://github.com/") + user;
            return Profile::GitHub;
        }
        if (take(url, &at, "orcid.org/")) {
            // 0000-0000-0000-000X: groups of four digits, the last one's check digit may be X.
            const qsizetype id = at;
            for (int i = 0; i < 19; ++i, ++at) {
                const char c = at < url.size() ? url[at] : 0;
                const bool ok = i % 5 == 4 ? c == '-' : (isAsciiDigit(c) || (i == 18 && c == 'X'));
                if (!ok)
                    return Profile::None;
            }
            qsizetype after = at;
            if (after < url.size() && url[after] == '/')
                ++after;
            if (!atEnd(url, after))
                return Profile::None;
            *canonical
                = QStringLiteral("https://orcid.org/") + QString::fromLatin1(url.sliced(id, 19));
            return Profile::Orcid;
        }
        at = host; // the language is no "www."
        const qsizetype lang = at;
        while (at < url.size() && isAsciiLower(url[at]))
            ++at;
        if (at - lang < 2 || at - lang > 3)
            return Profile::None;
        if (at < url.size() && url[at] == '-') {
            const qsizetype sub = ++at;
            while (at < url.size() && isAsciiLower(url[at]))
                ++at;
            if (at == sub)
                return Profile::None;
        }
        const qsizetype langEnd = at;
        if (!take(url, &at, "."))
            return Profile::None;
        take(url, &at, "m.");
        if (!take(url, &at, "wikipedia.org/wiki/"))
            return Profile::None;
        const qsizetype title = at;
        while (at < url.size() && url[at] != '?' && url[at] != '#')
            ++at;
        if (at == title)
            return Profile::None;
        const QByteArrayView titleBytes = url.sliced(title, at - title);
        *canonical = QStringLiteral("https://%1.wikipedia.org/wiki/%2")
                         .arg(QString::fromLatin1(url.sliced(lang, langEnd - lang)),
                              QString::fromUtf8(titleBytes));
        *wikiTitle = QUrl::fromPercentEncoding(titleBytes.toByteArray())
                         .replace(QLatin1Char('_'), QLatin1Char(' '));
        return Profile::Wikipedia;
    }

    QStringList tableHeaderCells(QByteArrayView row)
    {
        QStringList cells;
        QByteArray cell;
        bool any = false;
        row = QByteArrayView(row.trimmed());
        if (row.startsWith('|'))
            row = row.sliced(1);
        for (qsizetype i = 0; i < row.size(); ++i) {
            const char c = row[i];
            if (c == '\\' && i + 1 < row.size() && row[i + 1] == '|') {
                cell.append('|');
                ++i;
            } else if (c == '|') {
                cells.append(text(cell));
                cell.clear();
                any = true;
            } else {
                cell.append(c);
            }
        }
        if (!cell.trimmed().isEmpty() || !any)
            cells.append(text(cell));
        QStringList names;
        for (const QString &c : std::as_const(cells))
            if (!c.isEmpty() && names.size() < 64)
                names.append(c.left(200));
        return names;
    }

} // namespace

const std::array<ImplicitRuleInfo, kImplicitRuleCount> &implicitRules()
{
    return kRules;
}

QString htmlLangAttribute(QByteArrayView html)
{
    // `lang=` as an attribute: after a space inside a tag, value quoted or bare (HTML 13.1.2.3).
    for (qsizetype at = html.indexOf("lang="); at >= 0; at = html.indexOf("lang=", at + 5)) {
        if (at == 0 || (html[at - 1] != ' ' && html[at - 1] != '\t' && html[at - 1] != '\n'))
            continue;
        qsizetype p = at + 5;
        const char quote = p < html.size() && (html[p] == '"' || html[p] == '\'') ? html[p] : 0;
        if (quote)
            ++p;
        qsizetype e = p;
        while (e < html.size() && e - p < 35
               && (quote ? html[e] != quote : (html[e] != ' ' && html[e] != '>' && html[e] != '/')))
            ++e;
        const QString lang = QString::fromUtf8(html.sliced(p, e - p)).trimmed();
        if (!lang.isEmpty())
            return lang;
    }
    return {};
}

QString languageOf(const SemanticItem &item)
{
    if (item.kind != ItemKind::FrontMatter)
        return {};
    const QJsonValue v = item.properties.value(QLatin1String("schema:inLanguage"));
    return v.isString() ? v.toString() : QString();
}

ImplicitExtractor::ImplicitExtractor(Sink sink)
    : m_sink(std::move(sink))
{
}

void ImplicitExtractor::emitRule(ImplicitRule rule, const char *type, const SourceRange &range,
                                 QJsonObject properties, QJsonValue id)
{
    SemanticItem item;
    item.kind = ItemKind::Implicit;
    item.type = QLatin1String(type);
    item.id = id;
    item.properties = std::move(properties);
    item.range = range;
    item.confidence = kRules[size_t(rule)].confidence;
    item.inferred = true;
    item.rule = QLatin1String(kRules[size_t(rule)].name);
    m_sink(item);
}

void ImplicitExtractor::noteEnd(const SourceRange &range)
{
    if (range.endByte > m_endByte) {
        m_endByte = range.endByte;
        m_endLine = range.endLine;
    }
}

QString ImplicitExtractor::sectionTitleAbove(int level) const
{
    for (int l = level - 1; l >= 1; --l)
        if (!m_headingText[size_t(l)].isEmpty())
            return m_headingText[size_t(l)];
    return m_frontMatterTitle;
}

void ImplicitExtractor::itemFound(const SemanticItem &item)
{
    if (item.kind != ItemKind::FrontMatter)
        return;
    if (m_language.isEmpty())
        m_language = languageOf(item);
    const QJsonValue title = item.properties.value(QLatin1String("schema:name"));
    if (title.isString() && m_frontMatterTitle.isEmpty())
        m_frontMatterTitle = title.toString();
}

void ImplicitExtractor::resolveQuestion()
{
    if (!m_question.active)
        return;
    PendingQuestion q = std::exchange(m_question, {});
    if (!q.answered)
        return;
    QJsonObject props { { "schema:name", q.name } };
    if (!q.answer.isEmpty())
        props.insert(QLatin1String("schema:acceptedAnswer"),
                     QJsonObject { { "@type", "schema:Answer" }, { "schema:text", q.answer } });
    emitRule(ImplicitRule::Question, "schema:Question", q.range, props);
    ++m_questionsAtLevel[size_t(q.level)];
    if (m_questions++ == 0)
        m_firstQuestion = q.range;
    if (m_questionNames.size() < kMaxQuestions)
        m_questionNames.append(q.name);
}

void ImplicitExtractor::heading(const BlockEvent &e)
{
    resolveQuestion();
    const int level = qBound(1, e.level, 6);
    const QString title = capped(e.content);
    ++m_headings;
    ++m_headingsAtLevel[size_t(level)];
    if (m_headings == 1)
        m_firstHeading = e.range;
    if (level < m_firstTitleLevel) {
        m_firstTitleLevel = level;
        m_firstTitle = title;
    }
    if (m_sections.size() < kMaxSections)
        m_sections.append(QJsonObject { { "@type", "schema:WebPageElement" },
                                        { "schema:name", title },
                                        { "schema:position", m_headings } });
    const QString h = normalised(title);
    if (isFaqHeading(h))
        m_faqHeading = true;

    m_howTo = {};
    const bool generic = stepHeadings().contains(h);
    if (generic || isStepPrefix(h)) {
        m_howTo.armed = true;
        m_howTo.range = e.range;
        const QString above = generic ? sectionTitleAbove(level) : QString();
        m_howTo.name = above.isEmpty() ? title : above;
    }
    if (isQuestion(title)) {
        m_question.active = true;
        m_question.range = e.range;
        m_question.name = title;
        m_question.level = level;
    }
    m_headingText[size_t(level)] = title;
    for (int l = level + 1; l <= 6; ++l)
        m_headingText[size_t(l)].clear();
}

void ImplicitExtractor::blockOpened(const BlockEvent &e)
{
    if (m_question.active)
        m_question.answered = true;
    if (e.kind == BlockKind::List && m_howTo.armed && m_justAfterHeading && !m_howTo.collecting) {
        m_howTo.collecting = true;
        m_howTo.listDepth = m_depth;
    } else if (e.kind == BlockKind::ListItem && m_howTo.collecting
               && m_depth == m_howTo.listDepth + 1) {
        m_howTo.stepItemOpen = 1;
    }
    if (!m_howTo.collecting)
        m_howTo.armed = false;
    ++m_depth;
    m_justAfterHeading = false;
}

void ImplicitExtractor::blockClosed(const BlockEvent &e)
{
    noteEnd(e.range);
    const bool container = e.kind == BlockKind::List || e.kind == BlockKind::ListItem
        || e.kind == BlockKind::BlockQuote;
    if (container)
        --m_depth;
    if (e.kind == BlockKind::FrontMatter)
        return;
    if (e.kind == BlockKind::Heading) {
        heading(e);
        inlines(e);
        m_justAfterHeading = true;
        return;
    }
    m_justAfterHeading = false;
    if (!m_howTo.collecting)
        m_howTo.armed = false;

    if (m_question.active && e.kind != BlockKind::ThematicBreak && !container) {
        m_question.answered = true;
        m_question.range.endByte = e.range.endByte;
        m_question.range.endLine = e.range.endLine;
        if (e.kind == BlockKind::Paragraph)
            m_question.answer = capped(e.content);
        resolveQuestion();
    }

    if (m_howTo.collecting) {
        if (e.kind == BlockKind::Paragraph && m_howTo.stepItemOpen
            && m_howTo.steps.size() < kMaxSteps) {
            m_howTo.stepItemOpen = 0;
            m_howTo.steps.append(QJsonObject { { "@type", "schema:HowToStep" },
                                               { "schema:position", m_howTo.steps.size() + 1 },
                                               { "schema:text", capped(e.content) } });
        } else if (e.kind == BlockKind::ListItem && m_depth == m_howTo.listDepth + 1) {
            m_howTo.stepItemOpen = 0;
        } else if (e.kind == BlockKind::List && m_depth == m_howTo.listDepth) {
            PendingHowTo h = std::exchange(m_howTo, {});
            // One bullet is no procedure.
            if (h.steps.size() >= 2) {
                SourceRange r = h.range;
                r.endByte = e.range.endByte;
                r.endLine = e.range.endLine;
                emitRule(ImplicitRule::HowTo, "schema:HowTo", r,
                         QJsonObject { { "schema:name", h.name }, { "schema:step", h.steps } });
            }
        }
    }

    switch (e.kind) {
    case BlockKind::FencedCode: {
        if (JsonLdExtractor::claimsFenceInfo(e.info))
            break;
        // The info string's first word (CommonMark: the language), up to a space or `{`.
        qsizetype end = 0;
        while (end < e.info.size() && e.info[end] != ' ' && e.info[end] != '\t'
               && e.info[end] != '{')
            ++end;
        const QString word = QString::fromUtf8(e.info.first(end)).toCaseFolded();
        if (isNotCode(word))
            break;
        emitRule(
            ImplicitRule::Code, "schema:SoftwareSourceCode", e.range,
            QJsonObject { { "schema:programmingLanguage",
                            word.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(word) } });
        break;
    }
    case BlockKind::Table: {
        const qsizetype nl = e.content.indexOf('\n');
        const QStringList columns = tableHeaderCells(nl < 0 ? e.content : e.content.first(nl));
        QJsonObject props { { "schema:variableMeasured", QJsonArray::fromStringList(columns) } };
        const QString section = sectionTitleAbove(7);
        if (!section.isEmpty())
            props.insert(QLatin1String("schema:name"), section);
        emitRule(ImplicitRule::Table, "schema:Dataset", e.range, props);
        inlines(e);
        break;
    }
    case BlockKind::Paragraph:
        inlines(e);
        break;
    case BlockKind::HtmlBlock:
        if (m_language.isEmpty())
            m_language = htmlLangAttribute(e.content);
        break;
    default:
        break;
    }
}

namespace {

    // Whether scanInlines() can find anything the rules read: a link needs ']' or '<', an
    // e-mail address '@', a date four digits and a '-'. Most paragraphs have none of them,
    // and memchr() over them costs a fraction of the scan (bench/README.md, issue 16).
    bool mayHoldInlineItems(QByteArrayView t)
    {
        const char *const data = t.data();
        const size_t size = size_t(t.size());
        if (std::memchr(data, '@', size) || std::memchr(data, ']', size)
            || std::memchr(data, '<', size))
            return true;
        for (const char *p = data;
             (p = static_cast<const char *>(std::memchr(p, '-', size - size_t(p - data)))); ++p) {
            if (p - data >= 4 && std::all_of(p - 4, p, [](char c) { return c >= '0' && c <= '9'; }))
                return true;
        }
        return false;
    }

} // namespace

void ImplicitExtractor::inlines(const BlockEvent &e)
{
    if (!e.contentLines || e.content.isEmpty() || !mayHoldInlineItems(e.content))
        return;
    InlineEvents events;
    scanInlines(e.content, &events);
    if (events.isEmpty())
        return;
    const ContentMap map(e.content, *e.contentLines);
    const QByteArrayView t = e.content;
    // An address inside a mailto link's text is that link's, not one of its own.
    qsizetype mailtoTextEnd = -1;
    for (const InlineEvent &ev : events) {
        const SourceRange r = map.rangeOf(ev.begin, ev.end);
        switch (ev.kind) {
        case InlineEvent::Date: {
            const QString date
                = QString::fromUtf8(t.sliced(ev.textBegin, ev.textEnd - ev.textBegin));
            emitRule(ImplicitRule::Date, "schema:Date", r,
                     QJsonObject { { "schema:value", date } });
            break;
        }
        case InlineEvent::Email: {
            if (ev.begin < mailtoTextEnd)
                break;
            const QString address
                = QString::fromUtf8(t.sliced(ev.textBegin, ev.textEnd - ev.textBegin));
            emitRule(ImplicitRule::Email, "schema:ContactPoint", r,
                     QJsonObject { { "schema:email", address } },
                     QStringLiteral("mailto:") + address);
            break;
        }
        case InlineEvent::Link: {
            // Most links are neither e-mail nor profile links: decided on the bytes, before any
            // conversion or regular expression.
            const QByteArrayView destBytes
                = t.sliced(ev.destinationBegin, ev.destinationEnd - ev.destinationBegin);
            const bool mailto
                = destBytes.size() > 7 && qstrnicmp(destBytes.data(), 7, "mailto:", 7) == 0;
            if (!mailto && !destBytes.contains("github.com/") && !destBytes.contains("orcid.org/")
                && !destBytes.contains("wikipedia.org/wiki/"))
                break;
            if (mailto) {
                const QString dest = QString::fromUtf8(destBytes);
                const QString label = capped(t.sliced(ev.textBegin, ev.textEnd - ev.textBegin));
                mailtoTextEnd = ev.textEnd;
                const QString address = dest.mid(7).section(QLatin1Char('?'), 0, 0);
                if (address.isEmpty())
                    break;
                const QString id = QStringLiteral("mailto:") + address;
                const Agent agent
                    = label.contains(QLatin1Char('@')) ? Agent::None : agentNamed(label, false);
                if (agent == Agent::None) {
                    emitRule(ImplicitRule::Email, "schema:ContactPoint", r,
                             QJsonObject { { "schema:email", address } }, id);
                } else {
                    emitRule(ImplicitRule::MailtoName, agentType(agent), r,
                             QJsonObject { { "schema:name", label }, { "schema:email", address } },
                             id);
                }
                break;
            }
            QString canonical, wikiTitle;
            const Profile profile = profileOf(destBytes, &canonical, &wikiTitle);
            if (profile == Profile::None)
                break;
            const QString dest = QString::fromUtf8(destBytes);
            const QString label = capped(t.sliced(ev.textBegin, ev.textEnd - ev.textBegin));
            const bool bare = label.isEmpty() || label == dest;
            const QString name = bare ? canonical.section(QLatin1Char('/'), -1) : label;
            Agent agent = Agent::None;
            if (profile == Profile::Orcid) {
                agent = Agent::Person; // ORCID identifies researchers only
            } else if (profile == Profile::GitHub) {
                agent = agentNamed(name, false) == Agent::Organization ? Agent::Organization
                                                                       : Agent::Person;
            } else {
                // A Wikipedia article may be about anything: a person when the text looks
                // like a full name and the title is no place ("Lake Placid, New York") or
                // disambiguated thing ("Mercury (planet)"); an organisation by its words.
                const Agent byTitle = agentNamed(wikiTitle, false);
                agent = agentNamed(name, true);
                if (byTitle == Agent::Organization)
                    agent = Agent::Organization;
                else if (agent == Agent::Person
                         && (wikiTitle.contains(QLatin1Char(','))
                             || wikiTitle.contains(QLatin1Char('('))))
                    agent = Agent::None;
            }
            if (agent == Agent::None)
                break;
            emitRule(ImplicitRule::ProfileLink, agentType(agent), r,
                     QJsonObject { { "schema:name", name }, { "schema:sameAs", canonical } },
                     canonical);
            break;
        }
        }
    }
}

void ImplicitExtractor::finish()
{
    resolveQuestion();
    if (m_questions >= 2) {
        bool listOfQuestions = m_faqHeading;
        for (size_t l = 1; l <= 6 && !listOfQuestions; ++l)
            listOfQuestions = m_questionsAtLevel[l] >= 2
                && m_questionsAtLevel[l] * 4 >= m_headingsAtLevel[l] * 3;
        if (listOfQuestions) {
            SourceRange r = m_firstQuestion;
            r.endByte = m_endByte;
            r.endLine = m_endLine;
            emitRule(ImplicitRule::FaqPage, "schema:FAQPage", r,
                     QJsonObject { { "schema:mainEntity", m_questionNames } });
        }
    }
    if (m_headings >= 2) {
        SourceRange r = m_firstHeading;
        r.endByte = m_endByte;
        r.endLine = m_endLine;
        QJsonObject props { { "schema:name",
                              m_frontMatterTitle.isEmpty() ? m_firstTitle : m_frontMatterTitle },
                            { "schema:hasPart", m_sections } };
        if (!m_language.isEmpty())
            props.insert(QLatin1String("schema:inLanguage"), m_language);
        emitRule(ImplicitRule::Outline, "schema:Article", r, props);
    }
}

} // namespace Kyozo::MarkdownLD
