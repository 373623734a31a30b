#pragma once

#include "blockevent.h"
#include "semanticitem.h"

#include <QJsonArray>
#include <QString>

#include <array>
#include <functional>

namespace Kyozo::MarkdownLD {

// SPEC §2.2.6, issue 16 item 3: the implicit rules. Each is documented, with its confidence
// and the languages it understands, in docs/semantics.md; each confidence is the rule's
// precision measured on the labelled corpus (tests/data/semantics-corpus), and
// tst_implicitcorpus fails when the two drift more than 0.05 apart.
enum class ImplicitRule : quint8 {
    Outline, // the document's headings: schema:Article with schema:hasPart
    HowTo, // a list under a "Steps"/"Instructions"/"How to …" heading: schema:HowTo
    Question, // a question heading followed by text: schema:Question
    FaqPage, // a run of such questions: schema:FAQPage
    Code, // fenced code: schema:SoftwareSourceCode
    Table, // a GFM table: schema:Dataset
    Date, // an ISO 8601 date in the text: schema:Date
    Email, // an e-mail address, or an e-mail link naming nobody: schema:ContactPoint
    MailtoName, // an e-mail link whose text is a name: schema:Person / schema:Organization
    ProfileLink, // a GitHub, ORCID or Wikipedia link to someone: schema:Person /
                 // schema:Organization
};
constexpr int kImplicitRuleCount = 10;

struct ImplicitRuleInfo
{
    ImplicitRule rule;
    const char *name; // the `rule` key of its items
    double confidence;
};

// The committed confidence table, one row per rule, in enum order.
const std::array<ImplicitRuleInfo, kImplicitRuleCount> &implicitRules();

// The value of the first `lang` attribute in an HTML block (`<html lang="de">`), or empty.
QString htmlLangAttribute(QByteArrayView html);
// The document language an item states (front matter `lang`/`language`), or empty.
QString languageOf(const SemanticItem &item);

// Fed the stream's block events and the other extractors' items, in order, by StreamParser
// when Options::includeImplicit is set. Items go to the sink as soon as what they cover
// has closed; the Article and FAQPage items, which cover the whole document, at finish().
// State is constant apart from capped lists (sections, steps, questions).
class ImplicitExtractor
{
public:
    using Sink = std::function<void(const SemanticItem &)>;
    explicit ImplicitExtractor(Sink sink);

    void blockOpened(const BlockEvent &event);
    void blockClosed(const BlockEvent &event);
    void itemFound(const SemanticItem &item);
    void finish();

    QString language() const { return m_language; }

    static constexpr int kMaxSections = 256;
    static constexpr int kMaxSteps = 100;
    static constexpr int kMaxQuestions = 64;
    static constexpr qsizetype kMaxTextBytes = 300;

private:
    void emitRule(ImplicitRule rule, const char *type, const SourceRange &range,
                  QJsonObject properties, QJsonValue id = QJsonValue::Null);
    void heading(const BlockEvent &event);
    void inlines(const BlockEvent &event);
    void resolveQuestion();
    void noteEnd(const SourceRange &range);
    QString sectionTitleAbove(int level) const;

    Sink m_sink;
    QString m_language;
    QString m_frontMatterTitle;

    // Outline.
    int m_headings = 0;
    SourceRange m_firstHeading;
    QString m_firstTitle; // the first level-1 heading, else the first heading
    int m_firstTitleLevel = 7;
    QJsonArray m_sections;
    std::array<QString, 7> m_headingText; // the latest heading of each level above here
    qint64 m_endByte = 0;
    qint64 m_endLine = 0;

    // Whatever came right after the last heading (a list opening, a paragraph closing).
    bool m_justAfterHeading = false;
    int m_depth = 0; // open containers

    struct PendingQuestion
    {
        bool active = false;
        bool answered = false;
        int level = 1;
        SourceRange range;
        QString name;
        QString answer;
    } m_question;
    std::array<int, 7> m_questionsAtLevel {};
    std::array<int, 7> m_headingsAtLevel {};
    int m_questions = 0;
    SourceRange m_firstQuestion;
    QJsonArray m_questionNames;
    bool m_faqHeading = false;

    struct PendingHowTo
    {
        bool armed = false; // the heading asked for steps; the next block must be a list
        bool collecting = false;
        SourceRange range;
        QString name;
        int listDepth = 0;
        int stepItemOpen = 0; // 1 while a step's item is open and its text not yet taken
        QJsonArray steps;
    } m_howTo;
};

} // namespace Kyozo::MarkdownLD
