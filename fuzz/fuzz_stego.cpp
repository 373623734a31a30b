// libFuzzer target (issue 5): detect, strip and decode of both payload formats, on any
// bytes. Key derivation is the expensive part and not what can crash, so scrypt is only
// attempted at a cost <= 2^4 and StegCloak is decoded without a password (PBKDF2 10,000x).
#include "stego/invisiblerun.h"
#include "stego/kyozocontainer.h"
#include "stego/lzutf8.h"
#include "stego/stegcloakcodec.h"
#include "stego/zerowidthcodec.h"

#include <cstddef>
#include <cstdint>

using namespace Kyozo::Stego;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));
    for (const InvisibleRun &run : detectRuns(text)) {
        const QByteArrayView bytes = text.sliced(run.start, run.end - run.start);
        ZeroWidthCodec::decodes(bytes);
        if (const auto stream = StegCloakCodec::parseRun(bytes)) {
            QString error;
            StegCloakCodec::open(*stream, {}, &error);
            StegCloakCodec::parseRun(StegCloakCodec::buildRun(*stream));
        }
    }
    stripRuns(text);
    stripRuns(text, true);
    for (const auto &p : ZeroWidthCodec::decode(text))
        (void)p.bytes;
    QString error;
    StegCloakCodec::decode(text, {}, &error);
    const bool cheapKdf = size > 8 && data[8] <= 4;
    Container::open(text, cheapKdf ? QByteArrayView("pw") : QByteArrayView(), &error);
    Lzutf8::decompress(text);
    return 0;
}
