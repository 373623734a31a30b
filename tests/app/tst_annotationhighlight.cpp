// Issue 16 item 7: the editor's formats for inline annotations (defined with issue 6, unused
// until the parser produced annotations) now show on what the parser finds, and RDFa blocks
// take the HTML-metadata look. Offscreen platform; formats read back from each block's layout.
#include "appformats.h"
#include "editor/notebookeditor.h"
#include "editor/semantichighlighter.h"

#include <QtTest>

using namespace Kyozo::App;

class TestAnnotationHighlight : public QObject
{
    Q_OBJECT
private slots:
    void annotationSpanIsUnderlined()
    {
        NotebookEditor editor;
        editor.resize(600, 400);
        editor.show();
        // Line 1: the span starts at column 11 ('[') and ends at column 60 ('}').
        const QByteArray doc = "Written by [Ada]{typeof=schema:Person property=schema:author} today.\n\n"
                               "Code `[no]{property=schema:name}` stays plain.\n\n"
                               "<div vocab=\"https://schema.org/\" typeof=\"Person\">\n"
                               "<span property=\"name\">Ada</span>\n</div>\n";
        QString error;
        QVERIFY2(editor.loadBytes(doc, &error), qPrintable(error));
        const QTextCharFormat annotation = editor.highlighter()->formatFor(Role::Annotation);
        QCOMPARE(annotation.underlineStyle(), QTextCharFormat::SingleUnderline);
        const QTextBlock first = editor.document()->findBlockByNumber(0);
        QTRY_COMPARE(formatAt(first, 11).underlineStyle(), QTextCharFormat::SingleUnderline);
        QCOMPARE(formatAt(first, 11).underlineColor(), annotation.underlineColor());
        QCOMPARE(formatAt(first, 60).underlineStyle(), QTextCharFormat::SingleUnderline);
        QCOMPARE(formatAt(first, 10).underlineStyle(), QTextCharFormat::NoUnderline);
        QCOMPARE(formatAt(first, 61).underlineStyle(), QTextCharFormat::NoUnderline);
        // Not inside a code span: no annotation there.
        const QTextBlock code = editor.document()->findBlockByNumber(2);
        QCOMPARE(formatAt(code, 6).underlineStyle(), QTextCharFormat::NoUnderline);
        // The RDFa block, lines 5-7, has the metadata background.
        const QColor metadata = editor.highlighter()->formatFor(Role::Metadata).background().color();
        for (int l = 4; l <= 6; ++l)
            QCOMPARE(formatAt(editor.document()->findBlockByNumber(l), 1).background().color(), metadata);
    }
};

QTEST_MAIN(TestAnnotationHighlight)
#include "tst_annotationhighlight.moc"
