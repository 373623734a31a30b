#pragma once

#include "invisiblerun.h"
#include "kyozocontainer.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <optional>

namespace Kyozo::Stego {

// Hides bytes in zero-width characters inside a cover text and finds them again (SPEC §3).
// A Kyozo run is U+2064 U+2063 followed by four digits per container byte, most significant
// first, from U+200B (0), U+200C (1), U+200D (2), U+2060 (3). StegCloak's runs begin with
// one of U+200C, U+200D, U+2061 and never hold U+200B, which every Kyozo run holds (the
// magic "KZ"): a run is StegCloak's if it parses whole as StegCloak, else it is split at
// Kyozo markers — StegCloak streams may contain U+2064 U+2063 (its run-length characters).
class ZeroWidthCodec
{
public:
    struct Payload
    {
        InvisibleRun run;
        std::optional<QByteArray> bytes; // nullopt when it did not open
        QString error;                   // why not, in one line
    };

    // The cover with the payload's run placed right after its first word (so it stays
    // attached to that word through line-ending and normalisation changes).
    static std::optional<QByteArray> encode(QByteArrayView coverUtf8, QByteArrayView payload,
                                            const Container::SealOptions &options, QString *error);
    // Every Kyozo payload in the text, opened with the passphrase (if any).
    static QList<Payload> decode(QByteArrayView textUtf8, QByteArrayView passphrase = {});
    // The container bytes a run carries, if it is a Kyozo run at all.
    static std::optional<QByteArray> containerOf(QByteArrayView runUtf8);
    // A run split where each Kyozo marker starts: text hidden twice after the same word is
    // one invisible run holding two payloads.
    static QList<InvisibleRun> segments(QByteArrayView textUtf8, const InvisibleRun &run);
    // The run parses as a payload without needing a password (`stego detect` "decodes").
    static bool decodes(QByteArrayView runUtf8);
};

} // namespace Kyozo::Stego
