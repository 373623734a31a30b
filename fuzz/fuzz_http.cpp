// libFuzzer target (issue 14 item 11): the HTTP request path, server/http's HttpRequestParser
// (Debian's libhttp-parser underneath), on any bytes as one connection's stream: pipelined
// requests, chunked bodies, garbage. It is driven as HttpConnection drives it: what a feed()
// does not consume is fed again with the next bytes, a request is taken when complete, and the
// stream stops where the server stops reading (a failure, an upgrade, a request that closes the
// connection). Oracles besides "no crash, no sanitizer report":
//  - the caps hold (issue 14 item 1): a head is complete within maxHeaderBytes, at most 256
//    headers, a body never longer than the cap the head's route was given;
//  - feed() keeps its contract: NeedMore consumed everything, a failure names an error with a
//    status and stays failed, and every call either consumes bytes or moves on;
//  - chunking does not change the result: the stream fed whole, and in chunks whose sizes the
//    input's own bytes choose (1..64 and 1..3), gives the same heads, requests and end state.
#include "http/httprequestparser.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>

using namespace Kyozo::Server;
using Event = HttpRequestParser::Event;

namespace {

// Caps small enough for fuzz inputs to reach: a 256-byte head, and a 2 KiB one that 257 tiny
// headers fit in, so that the parser's own cap on their number is reached too.
constexpr qint64 kHeadCaps[] = { 256, 2048 };
constexpr qint64 kMaxBodyBytes = 64;
constexpr qint64 kMaxNotebookBytes = 700; // a route with a larger cap, as notebooks have
constexpr qsizetype kMaxHeaders = 256; // httprequestparser.cpp's kMaxHeaders

void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "fuzz_http: %s\n", what);
        __builtin_trap();
    }
}

qint64 bodyLimit(const HttpRequest &head)
{
    return head.path.contains("/notebooks") ? kMaxNotebookBytes : kMaxBodyBytes;
}

QByteArray describe(const char *what, const HttpRequest &r)
{
    QByteArray out = QByteArray(what) + ' ' + r.method + ' ' + r.target + " path " + r.path
        + " query " + r.query + " HTTP/" + QByteArray::number(r.httpMajor) + '.'
        + QByteArray::number(r.httpMinor) + (r.keepAlive ? " keep-alive" : " close")
        + (r.upgrade ? " upgrade" : "") + '\n';
    for (const auto &[name, value] : r.headers)
        out += "  " + name + ": " + value + '\n';
    out += "  body " + QByteArray::number(r.body.size()) + ": " + r.body + '\n';
    return out;
}

void checkHead(const HttpRequest &head, qint64 maxHeaderBytes, qint64 bytesSinceRequestStart)
{
    check(bytesSinceRequestStart <= maxHeaderBytes, "a head longer than maxHeaderBytes completed");
    check(head.headers.size() <= kMaxHeaders, "more headers than the cap");
    qint64 held = head.target.size();
    for (const auto &[name, value] : head.headers)
        held += name.size() + value.size();
    check(held <= maxHeaderBytes, "the head holds more bytes than maxHeaderBytes");
    check(head.target.contains(head.path) && head.target.contains(head.query),
          "path or query is not part of the target");
    check(head.body.isEmpty(), "a body before the head completed");
}

// Everything the server would see of this stream, as text.
QByteArray drive(QByteArrayView input, qint64 maxHeaderBytes, int modulus)
{
    HttpRequestParser parser(maxHeaderBytes, &bodyLimit);
    QByteArray seen;
    QByteArray pending;
    qint64 sinceRequestStart = 0;
    int stalls = 0;
    qsizetype pos = 0;
    bool stopped = false;
    while (!stopped && pos < input.size()) {
        const qsizetype n = modulus ? 1 + quint8(input[pos]) % modulus : input.size();
        pending.append(input.sliced(pos, qMin(n, input.size() - pos)));
        pos += n;
        for (;;) {
            qsizetype consumed = -1;
            const Event event = parser.feed(pending.constData(), pending.size(), &consumed);
            check(consumed >= 0 && consumed <= pending.size(), "consumed is out of range");
            pending.remove(0, consumed);
            sinceRequestStart += consumed;
            stalls = consumed > 0 || event == Event::NeedMore ? 0 : stalls + 1;
            check(stalls < 3, "feed() neither consumes nor moves on");
            if (event == Event::NeedMore) {
                check(pending.isEmpty(), "NeedMore left bytes unconsumed");
                break;
            }
            if (event == Event::HeadComplete) {
                checkHead(parser.request(), maxHeaderBytes, sinceRequestStart);
                seen += describe("head", parser.request());
                if (parser.request().upgrade) { // handed to QWebSocketServer as it stands
                    stopped = true;
                    break;
                }
                continue;
            }
            if (event == Event::RequestComplete) {
                const HttpRequest request = parser.takeRequest();
                check(request.body.size() <= bodyLimit(request), "a body over its cap completed");
                check(parser.atRequestStart(), "takeRequest() did not start the next request");
                seen += describe("request", request);
                sinceRequestStart = 0;
                if (!request.keepAlive || request.upgrade) { // the server closes here
                    stopped = true;
                    break;
                }
                continue;
            }
            // Failed
            check(parser.error() != HttpRequestParser::Error::None, "a failure without an error");
            check(HttpRequestParser::statusFor(parser.error()) >= 400, "an error without a status");
            qsizetype again = -1;
            check(parser.feed("x", 1, &again) == Event::Failed && again == 0,
                  "a failed parser went on");
            seen += "failed " + QByteArray::number(HttpRequestParser::statusFor(parser.error()))
                + '\n';
            stopped = true;
            break;
        }
    }
    seen += "end" + QByteArray(stopped ? " stopped" : "")
        + (parser.atRequestStart() ? " at-request-start" : "") + (parser.inHead() ? " in-head" : "")
        + '\n';
    return seen;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    for (const qint64 headCap : kHeadCaps) {
        const QByteArray whole = drive(input, headCap, 0);
        for (const int modulus : { 64, 3 }) {
            const QByteArray split = drive(input, headCap, modulus);
            if (split != whole) {
                std::fprintf(stderr, "head cap %lld, whole:\n%s\nin chunks of 1..%d:\n%s\n",
                             headCap, whole.constData(), modulus, split.constData());
                check(false, "chunking changed what the server sees");
            }
        }
    }
    return 0;
}
