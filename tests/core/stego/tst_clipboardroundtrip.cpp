// Hidden payloads survive a copy and paste between two processes through the X clipboard
// (issue 5): a real Xvfb started by the test, one xclip owning the CLIPBOARD selection,
// another reading it. Both formats.
#include "requiredtool.h"
#include "stego/stegcloakcodec.h"
#include "stego/zerowidthcodec.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QThread>
#include <QStandardPaths>
#include <QtTest>

using namespace Kyozo::Stego;

class TestClipboardRoundTrip : public QObject
{
    Q_OBJECT
    QProcess xvfb;
    QString display;

    QByteArray throughClipboard(const QByteArray &text)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DISPLAY"), display);
        QProcess copy;
        copy.setProcessEnvironment(env);
        // xclip keeps serving the selection from a child process after its input ends.
        copy.start(QStringLiteral("xclip"), { QStringLiteral("-selection"), QStringLiteral("clipboard"), QStringLiteral("-i") });
        copy.waitForStarted(5000);
        copy.write(text);
        copy.closeWriteChannel();
        copy.waitForFinished(5000);
        // That child takes the selection a moment after the parent exits: until it has, a
        // paste gets what was there before (the previous case's text, or nothing). So paste
        // until the text comes back or 5 s have passed; a clipboard that changed the text
        // never gives it back and the comparison after this fails on what it gave instead.
        QElapsedTimer waited;
        waited.start();
        QByteArray pasted;
        do {
            QProcess paste;
            paste.setProcessEnvironment(env);
            paste.start(QStringLiteral("xclip"), { QStringLiteral("-selection"), QStringLiteral("clipboard"), QStringLiteral("-o") });
            paste.waitForFinished(5000);
            pasted = paste.readAllStandardOutput();
            if (pasted != text)
                QThread::msleep(50);
        } while (pasted != text && waited.elapsed() < 5000);
        return pasted;
    }

private slots:
    void initTestCase()
    {
        const QString xvfbPath = QStandardPaths::findExecutable(QStringLiteral("Xvfb"));
        KYOZO_REQUIRE(!xvfbPath.isEmpty(), QStringLiteral("Xvfb"));
        KYOZO_REQUIRE(!QStandardPaths::findExecutable(QStringLiteral("xclip")).isEmpty(), QStringLiteral("xclip"));
        // -displayfd: Xvfb picks a free display and writes its number once it is ready.
        xvfb.start(xvfbPath, { QStringLiteral("-displayfd"), QStringLiteral("1"), QStringLiteral("-nolisten"), QStringLiteral("tcp") });
        QVERIFY(xvfb.waitForStarted(5000));
        QByteArray number;
        while (!number.contains('\n') && xvfb.waitForReadyRead(10000))
            number += xvfb.readAllStandardOutput();
        QVERIFY2(!number.trimmed().isEmpty(), "Xvfb did not report its display");
        display = QLatin1Char(':') + QString::fromLatin1(number.trimmed());
    }
    void cleanupTestCase()
    {
        xvfb.terminate();
        xvfb.waitForFinished(5000);
    }

    void kyozoPayload()
    {
        QString error;
        Container::SealOptions o;
        o.passphrase = "pw";
        o.scryptLog2N = 4;
        const auto hidden = ZeroWidthCodec::encode("Copied from an e-mail: see you at noon.\n", "the real plan", o, &error);
        QVERIFY(hidden);
        const QByteArray pasted = throughClipboard(*hidden);
        QCOMPARE(pasted, *hidden);
        const auto found = ZeroWidthCodec::decode(pasted, "pw");
        QCOMPARE(found.size(), 1);
        QCOMPARE(*found.first().bytes, QByteArray("the real plan"));
    }

    void stegcloakPayload()
    {
        QString error;
        StegCloakCodec::Options o;
        o.password = "pw";
        const auto hidden = StegCloakCodec::encode("A perfectly ordinary sentence to share", "under the table", o, &error);
        QVERIFY(hidden);
        const QByteArray pasted = throughClipboard(*hidden);
        QCOMPARE(pasted, *hidden);
        QCOMPARE(*StegCloakCodec::decode(pasted, "pw", &error), QByteArray("under the table"));
    }
};

QTEST_GUILESS_MAIN(TestClipboardRoundTrip)
#include "tst_clipboardroundtrip.moc"
