// The cursor and selection payloads of SPEC §11 (socket rules): the documented shapes are
// read and written back as they were; every other shape is refused. Expected values are
// written by hand from the spec's text.
#include "protocol/cursorpayload.h"

#include <QJsonDocument>
#include <QtTest>

using namespace Kyozo::Protocol;

namespace {
QJsonValue json(const char *text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray("[") + text + "]", &error);
    Q_ASSERT(error.error == QJsonParseError::NoError);
    return doc.array().at(0);
}
} // namespace

class TestCursorPayload : public QObject
{
    Q_OBJECT
private slots:
    void cursorMovesOfTheDocumentedShapeRoundTrip_data()
    {
        QTest::addColumn<QString>("payload");
        QTest::newRow("position") << R"({"position":{"line":3,"column":14}})";
        QTest::newRow("zero") << R"({"position":{"line":0,"column":0}})";
        QTest::newRow("revision and offset")
            << R"({"position":{"line":1,"column":2},"revision":7,"offset":40})";
        QTest::newRow("revision only") << R"({"position":{"line":1,"column":2},"revision":0})";
        QTest::newRow("largest")
            << R"({"position":{"line":2147483647,"column":2147483647},"revision":9007199254740991,"offset":2147483647})";
    }
    void cursorMovesOfTheDocumentedShapeRoundTrip()
    {
        QFETCH(QString, payload);
        const QJsonValue in = json(payload.toUtf8().constData());
        const auto move = CursorMove::fromJson(in);
        QVERIFY(move);
        QCOMPARE(QJsonValue(move->toJson()), in);
    }

    void cursorMoveFields()
    {
        const auto move
            = CursorMove::fromJson(json(R"({"position":{"line":5,"column":9},"offset":77})"));
        QVERIFY(move);
        QCOMPARE(move->position, (TextPosition { 5, 9 }));
        QCOMPARE(move->offset, std::optional<qint64>(77));
        QVERIFY(!move->revision);
    }

    void otherCursorShapesAreRefused_data()
    {
        QTest::addColumn<QString>("payload");
        QTest::newRow("empty") << "{}";
        QTest::newRow("not an object") << "[1,2]";
        QTest::newRow("null") << "null";
        QTest::newRow("position a string") << R"({"position":"1:2"})";
        QTest::newRow("no column") << R"({"position":{"line":1}})";
        QTest::newRow("extra key in position")
            << R"({"position":{"line":1,"column":2,"pad":"xxxx"}})";
        QTest::newRow("extra key") << R"({"position":{"line":1,"column":2},"colour":"red"})";
        QTest::newRow("fraction") << R"({"position":{"line":1.5,"column":2}})";
        QTest::newRow("negative") << R"({"position":{"line":-1,"column":2}})";
        QTest::newRow("above int") << R"({"position":{"line":2147483648,"column":2}})";
        QTest::newRow("huge") << R"({"position":{"line":1e300,"column":2}})";
        QTest::newRow("string line") << R"({"position":{"line":"1","column":2}})";
        QTest::newRow("bool column") << R"({"position":{"line":1,"column":true}})";
        QTest::newRow("null revision") << R"({"position":{"line":1,"column":2},"revision":null})";
        QTest::newRow("fractional offset") << R"({"position":{"line":1,"column":2},"offset":0.25})";
        QTest::newRow("revision above 2^53")
            << R"({"position":{"line":1,"column":2},"revision":9007199254740993})";
        QTest::newRow("selection keys")
            << R"({"position":{"line":1,"column":2},"anchor_offset":1})";
    }
    void otherCursorShapesAreRefused()
    {
        QFETCH(QString, payload);
        QVERIFY(!CursorMove::fromJson(json(payload.toUtf8().constData())));
    }

    void selectionsOfTheDocumentedShapeRoundTrip_data()
    {
        QTest::addColumn<QString>("payload");
        QTest::newRow("anchor and head")
            << R"({"anchor":{"line":1,"column":1},"head":{"line":2,"column":5}})";
        QTest::newRow("all")
            << R"({"anchor":{"line":1,"column":1},"head":{"line":2,"column":5},"revision":3,"anchor_offset":0,"head_offset":12})";
    }
    void selectionsOfTheDocumentedShapeRoundTrip()
    {
        QFETCH(QString, payload);
        const QJsonValue in = json(payload.toUtf8().constData());
        const auto selection = SelectionChange::fromJson(in);
        QVERIFY(selection);
        QCOMPARE(QJsonValue(selection->toJson()), in);
    }

    void otherSelectionShapesAreRefused_data()
    {
        QTest::addColumn<QString>("payload");
        QTest::newRow("no head") << R"({"anchor":{"line":1,"column":1}})";
        QTest::newRow("extra key in head")
            << R"({"anchor":{"line":1,"column":1},"head":{"line":2,"column":5,"x":1}})";
        QTest::newRow("extra key")
            << R"({"anchor":{"line":1,"column":1},"head":{"line":2,"column":5},"position":{"line":1,"column":1}})";
        QTest::newRow("cursor offset")
            << R"({"anchor":{"line":1,"column":1},"head":{"line":2,"column":5},"offset":1})";
        QTest::newRow("fraction")
            << R"({"anchor":{"line":1,"column":1},"head":{"line":2,"column":5.5}})";
        QTest::newRow("string offset")
            << R"({"anchor":{"line":1,"column":1},"head":{"line":2,"column":5},"head_offset":"3"})";
    }
    void otherSelectionShapesAreRefused()
    {
        QFETCH(QString, payload);
        QVERIFY(!SelectionChange::fromJson(json(payload.toUtf8().constData())));
    }
};

QTEST_GUILESS_MAIN(TestCursorPayload)
#include "tst_cursorpayload.moc"
