// UndoStack (issue 15 item 1): undo and redo of one's own edits only, ot.js 0.0.15's
// UndoManager semantics (lib/undo-manager.js). Expected texts and operations by hand.
#include "collab/undostack.h"
#include "operationliteral.h"

#include <QJsonDocument>
#include <QtTest>

using namespace Kyozo::Collab;
using KyozoTest::compact;
using KyozoTest::op;

namespace {

// A document with one local user's undo stack; remote edits transform it.
struct Document
{
    QString text;
    UndoStack undo;

    void local(const char *operation, bool merge = false)
    {
        undo.recordLocal(op(operation), text, merge);
        text = *op(operation).apply(text);
    }
    void remote(const char *operation)
    {
        undo.transform(op(operation));
        text = *op(operation).apply(text);
    }
    std::optional<TextOperation> undoStep()
    {
        auto step = undo.undo(text);
        if (step)
            text = *step->apply(text);
        return step;
    }
    std::optional<TextOperation> redoStep()
    {
        auto step = undo.redo(text);
        if (step)
            text = *step->apply(text);
        return step;
    }
};

} // namespace

class TestUndoStack : public QObject
{
    Q_OBJECT
private slots:
    void undoesOnlyOwnEditsWhereTheyNowAre()
    {
        Document d { "abc", {} };
        d.local(R"([3,"d"])");
        d.remote(R"(["X",4])");
        QCOMPARE(d.text, QStringLiteral("Xabcd"));
        QCOMPARE(compact(*d.undoStep()), QByteArray("[4,-1]"));
        QCOMPARE(d.text, QStringLiteral("Xabc")); // the other's X stays
        QVERIFY(!d.undo.canUndo());
        QCOMPARE(compact(*d.redoStep()), QByteArray(R"([4,"d"])"));
        QCOMPARE(d.text, QStringLiteral("Xabcd"));
    }

    void ownInsertBeforeARemoteOne()
    {
        Document d { "xyz", {} };
        d.local(R"(["a",3])");
        d.remote(R"([4,"B"])");
        d.undoStep();
        QCOMPARE(d.text, QStringLiteral("xyzB"));
    }

    void aRunOfTypingIsOneStep()
    {
        Document d { "", {} };
        d.local(R"(["a"])");
        d.local(R"([1,"b"])", true);
        d.local(R"([2,"c"])", true);
        QCOMPARE(compact(*d.undoStep()), QByteArray("[-3]"));
        QCOMPARE(d.text, QString());
        QVERIFY(!d.undo.canUndo());
        // After an undo the next edit starts a step of its own even when asked to merge.
        d.redoStep();
        d.local(R"([3,"!"])", true);
        d.undoStep();
        QCOMPARE(d.text, QStringLiteral("abc"));
    }

    void separateStepsUndoInOrder()
    {
        Document d { "abc", {} };
        d.local("[-1,2]");
        d.local(R"([2,"Z"])");
        QCOMPARE(d.text, QStringLiteral("bcZ"));
        d.undoStep();
        QCOMPARE(d.text, QStringLiteral("bc"));
        d.undoStep();
        QCOMPARE(d.text, QStringLiteral("abc"));
        d.redoStep();
        QCOMPARE(d.text, QStringLiteral("bc"));
        // A new edit drops what could be redone.
        d.local(R"(["q",2])");
        QVERIFY(!d.undo.canRedo());
    }

    void aStepWhoseTextOthersDeletedIsGone()
    {
        Document d { "", {} };
        d.local(R"(["hi"])");
        d.remote("[-2]");
        QVERIFY(!d.undo.canUndo());
        QVERIFY(!d.undoStep());
    }

    void undoRefusesADocumentOfAnotherLength()
    {
        UndoStack stack;
        stack.recordLocal(op(R"([3,"d"])"), "abc");
        QVERIFY(!stack.undo("ab"));
        QVERIFY(stack.canUndo());
    }

    void boundedInSteps()
    {
        Document d { "", {} };
        d.undo = UndoStack(3);
        for (int i = 0; i < 5; ++i)
            d.local(i == 0 ? R"(["x"])" : QStringLiteral("[%1,\"x\"]").arg(i).toUtf8().constData());
        int steps = 0;
        while (d.undoStep())
            ++steps;
        QCOMPARE(steps, 3);
        QCOMPARE(d.text, QStringLiteral("xx"));
    }
};

QTEST_GUILESS_MAIN(TestUndoStack)
#include "tst_undostack.moc"
