// Hidden payloads survive a copy and paste between two processes through the X clipboard
// (issue 5): a real Xvfb started by the test, one xclip owning the CLIPBOARD selection,
// another reading it. Both formats.
#include "requiredtool.h"
#include "stego/stegcloakcodec.h"
#include "stego/zerowidthcodec.h"

#include <QProcess>
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
        QProcess paste;
        paste.setProcessEnvironment(env);
        paste.start(QStringLiteral("xclip"), { QStringLiteral("-selection"), QStringLiteral("clipboard"), QStringLiteral("-o") });
        paste.waitForFinished(5000);
        return paste.readAllStandardOutput();
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
