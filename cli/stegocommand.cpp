#include "stegocommand.h"

#include "clioutput.h"
#include "commandline.h"
#include "inputsource.h"
#include "stego/stegcloakcodec.h"
#include "stego/zerowidthcodec.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Kyozo::Stego;

namespace {

QString tr(const char *text) { return QCoreApplication::translate("kyozo-ld", text); }

// Hidden data lives in covers people paste: whole-text commands read all of it, up to this.
constexpr qsizetype kMaxInput = 256 * 1024 * 1024;

bool readAll(const QString &path, QByteArray *out, QString *error)
{
    InputSource input;
    if (!input.open(path, error))
        return false;
    for (;;) {
        const QByteArray chunk = input.read(error);
        if (!error->isEmpty())
            return false;
        if (chunk.isEmpty())
            return true;
        if (out->size() + chunk.size() > kMaxInput) {
            *error = tr("input is larger than %1 bytes").arg(kMaxInput);
            return false;
        }
        out->append(chunk);
    }
}

} // namespace

int runStego(const QStringList &arguments)
{
    const QString verb = arguments.value(1);
    QStringList args = arguments;
    if (args.size() > 1)
        args.removeAt(1); // the verb's parser sees "kyozo-ld OPTIONS FILE"
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption message(QStringLiteral("message"), tr("The text to hide."), QStringLiteral("TEXT"));
    const QCommandLineOption messageFile(QStringLiteral("message-file"), tr("A file whose bytes to hide."), QStringLiteral("F"));
    const QCommandLineOption password(QStringLiteral("password"), tr("Encrypt (encode) or decrypt (decode) with this password."), QStringLiteral("P"));
    const QCommandLineOption format(QStringLiteral("format"), tr("kyozo or stegcloak (decode: also auto)."), QStringLiteral("FORMAT"));
    const QCommandLineOption noCompress(QStringLiteral("no-compress"), tr("Do not deflate the payload."));
    const QCommandLineOption noIntegrity(QStringLiteral("no-integrity"), tr("StegCloak: no HMAC."));
    const QCommandLineOption all(QStringLiteral("all"), tr("decode: every payload as jsonl; strip: legitimate joiners too."));
    if (verb == QLatin1String("encode"))
        parser.addOptions({ message, messageFile, password, format, noCompress, noIntegrity });
    else if (verb == QLatin1String("decode"))
        parser.addOptions({ password, format, all });
    else if (verb == QLatin1String("strip"))
        parser.addOptions({ all });
    else if (verb != QLatin1String("detect")) {
        printError(tr("usage: kyozo-ld stego encode|decode|detect|strip [options] FILE|-"));
        return ExitUsage;
    }
    parser.addPositionalArgument(QStringLiteral("FILE"), tr("The cover text, or - for standard input."));
    if (const auto exit = parseCommandLine(parser, args, QStringLiteral("stego ") + verb))
        return *exit;
    const bool hasFormat = verb == QLatin1String("encode") || verb == QLatin1String("decode");
    const QString fmt = hasFormat && parser.isSet(format)
            ? parser.value(format)
            : (verb == QLatin1String("decode") ? QStringLiteral("auto") : QStringLiteral("kyozo"));
    if (fmt == QLatin1String("stegcloak") && verb == QLatin1String("encode") && parser.isSet(noCompress)) {
        printError(tr("--no-compress: StegCloak always compresses"));
        return ExitUsage;
    }
    if (fmt != QLatin1String("kyozo") && fmt != QLatin1String("stegcloak")
        && !(fmt == QLatin1String("auto") && verb == QLatin1String("decode"))) {
        printError(tr("unknown format %1").arg(fmt));
        return ExitUsage;
    }

    QByteArray text;
    QString error;
    if (!readAll(parser.positionalArguments().first(), &text, &error)) {
        printError(error);
        return ExitInputError;
    }

    if (verb == QLatin1String("encode")) {
        QByteArray payload;
        if (parser.isSet(message) == parser.isSet(messageFile)) {
            printError(tr("stego encode needs exactly one of --message and --message-file"));
            return ExitUsage;
        }
        if (parser.isSet(message)) {
            payload = parser.value(message).toUtf8();
        } else {
            QFile f(parser.value(messageFile));
            if (!f.open(QIODevice::ReadOnly)) {
                printError(tr("cannot read %1: %2").arg(f.fileName(), f.errorString()));
                return ExitInputError;
            }
            payload = f.readAll();
        }
        std::optional<QByteArray> encoded;
        if (fmt == QLatin1String("stegcloak")) {
            // SPEC §11 defaults: encrypted when a password is given, with HMAC unless --no-integrity.
            StegCloakCodec::Options options;
            options.password = parser.value(password).toUtf8();
            options.integrity = !parser.isSet(noIntegrity);
            encoded = StegCloakCodec::encode(text, payload, options, &error);
        } else {
            Container::SealOptions options;
            options.compress = !parser.isSet(noCompress);
            options.passphrase = parser.value(password).toUtf8();
            encoded = ZeroWidthCodec::encode(text, payload, options, &error);
        }
        if (!encoded) {
            printError(error);
            return ExitInputError;
        }
        writeOut(*encoded);
        return ExitOk;
    }
    if (verb == QLatin1String("decode")) {
        const QByteArray pass = parser.value(password).toUtf8();
        const QList<ZeroWidthCodec::Payload> payloads = fmt == QLatin1String("stegcloak")
                ? QList<ZeroWidthCodec::Payload>{}
                : ZeroWidthCodec::decode(text, pass);
        if (payloads.isEmpty() && fmt != QLatin1String("kyozo")) {
            // StegCloak's own rule: one payload, in the last word that holds its characters.
            const auto message = StegCloakCodec::decode(text, pass, &error);
            if (!message) {
                printError(error);
                return ExitInputError;
            }
            if (parser.isSet(all))
                writeOut(QJsonDocument(QJsonObject{ { "format", QStringLiteral("stegcloak") },
                                                    { "payload_base64", QString::fromLatin1(message->toBase64()) } })
                                 .toJson(QJsonDocument::Compact)
                         + '\n');
            else
                writeOut(*message);
            return ExitOk;
        }
        if (payloads.isEmpty()) {
            printError(tr("no hidden payload found"));
            return ExitInputError;
        }
        if (!parser.isSet(all)) {
            // The first payload, or its error: never partial or wrong bytes on stdout.
            if (!payloads.first().bytes) {
                printError(payloads.first().error);
                return ExitInputError;
            }
            writeOut(*payloads.first().bytes);
            return ExitOk;
        }
        int failed = 0;
        for (const auto &p : payloads) {
            QJsonObject o{ { "start", p.run.start }, { "end", p.run.end }, { "line", p.run.line } };
            if (p.bytes)
                o.insert(QLatin1String("payload_base64"), QString::fromLatin1(p.bytes->toBase64()));
            else {
                o.insert(QLatin1String("error"), p.error);
                ++failed;
            }
            writeOut(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
        }
        return failed ? ExitInputError : ExitOk;
    }
    if (verb == QLatin1String("detect")) {
        for (const InvisibleRun &run : detectRuns(text)) {
            const QJsonObject o{ { "start", run.start }, { "end", run.end }, { "line", run.line },
                                 { "column", run.column }, { "codepoints", run.codePoints },
                                 { "decodes", ZeroWidthCodec::decodes(QByteArrayView(text).sliced(run.start, run.end - run.start))
                                                      || StegCloakCodec::decodes(QByteArrayView(text).sliced(run.start, run.end - run.start)) } };
            writeOut(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
        }
        return ExitOk;
    }
    writeOut(stripRuns(text, parser.isSet(all)));
    return ExitOk;
}
