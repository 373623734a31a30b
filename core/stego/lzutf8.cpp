#include "lzutf8.h"

#include <QList>
#include <unordered_map>
#include <vector>

namespace Kyozo::Stego::Lzutf8 {

namespace {
constexpr int kMinimumSequenceLength = 4;
constexpr int kMaximumSequenceLength = 31;
constexpr int kMaximumMatchDistance = 32767;
constexpr quint32 kPrefixHashTableSize = 65537;
constexpr qsizetype kMaximumBucketCapacity = 64;
} // namespace

QByteArray compress(QByteArrayView in)
{
    const auto *input = reinterpret_cast<const uchar *>(in.data());
    const qsizetype n = in.size();
    QByteArray out;
    out.reserve(n);
    // Each bucket keeps stream positions (position + 1), newest last; when it holds 63 it is
    // cut to its newest 32 before the next is added (lzutf8's CompressorCustomHashTable).
    // Sparse: messages are small, and 65,537 empty buckets per call would dominate.
    std::unordered_map<quint32, std::vector<qsizetype>> buckets;
    buckets.reserve(size_t(qMin<qsizetype>(n, kPrefixHashTableSize)));
    qsizetype latestMatchEnd = 0;
    for (qsizetype pos = 0; pos < n; ++pos) {
        bool within = pos < latestMatchEnd;
        if (pos > n - kMinimumSequenceLength) {
            if (!within)
                out.append(char(input[pos]));
            continue;
        }
        const quint32 bucketIndex = (quint32(input[pos]) * 7880599u + quint32(input[pos + 1]) * 39601u
                                     + quint32(input[pos + 2]) * 199u + quint32(input[pos + 3]))
                % kPrefixHashTableSize;
        std::vector<qsizetype> &bucket = buckets[bucketIndex];
        if (!within && !bucket.empty()) {
            qsizetype bestDistance = -1, bestLength = 0;
            bool maximal = false;
            for (auto it = bucket.rbegin(); it != bucket.rend(); ++it) {
                const qsizetype tested = *it - 1;
                const qsizetype distance = pos - tested;
                qsizetype toSurpass;
                if (bestDistance < 0)
                    toSurpass = kMinimumSequenceLength - 1;
                else if (bestDistance < 128 && distance >= 128)
                    toSurpass = bestLength + (bestLength >> 1);
                else
                    toSurpass = bestLength;
                if (distance > kMaximumMatchDistance || toSurpass >= kMaximumSequenceLength || pos + toSurpass >= n)
                    break;
                if (input[tested + toSurpass] != input[pos + toSurpass])
                    continue;
                for (qsizetype offset = 0;; ++offset) {
                    if (pos + offset == n || input[tested + offset] != input[pos + offset]) {
                        if (offset > toSurpass) {
                            bestDistance = distance;
                            bestLength = offset;
                        }
                        break;
                    }
                    if (offset == kMaximumSequenceLength) {
                        bestDistance = distance;
                        bestLength = kMaximumSequenceLength;
                        maximal = true;
                        break;
                    }
                }
                if (maximal)
                    break;
            }
            if (bestDistance >= 0) {
                if (bestDistance < 128) {
                    out.append(char(0xC0 | bestLength));
                    out.append(char(bestDistance));
                } else {
                    out.append(char(0xE0 | bestLength));
                    out.append(char(bestDistance >> 8));
                    out.append(char(bestDistance & 0xFF));
                }
                latestMatchEnd = pos + bestLength;
                within = true;
            }
        }
        if (!within)
            out.append(char(input[pos]));
        if (qsizetype(bucket.size()) == kMaximumBucketCapacity - 1)
            bucket.erase(bucket.begin(), bucket.begin() + (kMaximumBucketCapacity - 1 - kMaximumBucketCapacity / 2));
        bucket.push_back(pos + 1);
    }
    return out;
}

QByteArray decompress(QByteArrayView in)
{
    const auto *input = reinterpret_cast<const uchar *>(in.data());
    const qsizetype n = in.size();
    QByteArray out;
    out.reserve(n * 2);
    for (qsizetype pos = 0; pos < n; ++pos) {
        const uchar value = input[pos];
        if ((value >> 6) != 3) {
            out.append(char(value));
            continue;
        }
        const int identifier = value >> 5;
        if (pos == n - 1 || (pos == n - 2 && identifier == 7))
            break; // a truncated reference: lzutf8 keeps it for a next block that never comes
        if ((input[pos + 1] >> 7) == 1) {
            out.append(char(value)); // a UTF-8 lead byte, not a reference
            continue;
        }
        const int length = value & 31;
        qsizetype distance;
        if (identifier == 6) {
            distance = input[pos + 1];
            pos += 1;
        } else {
            distance = (qsizetype(input[pos + 1]) << 8) | input[pos + 2];
            pos += 2;
        }
        const qsizetype from = out.size() - distance;
        for (int k = 0; k < length; ++k)
            out.append(from + k >= 0 && from + k < out.size() ? out.at(from + k) : '\0');
    }
    // A multi-byte sequence cut at the end is held back by lzutf8, i.e. dropped here.
    for (qsizetype offset = 1; offset <= 4 && out.size() - offset >= 0; ++offset) {
        const uchar v = uchar(out.at(out.size() - offset));
        if ((offset < 4 && (v >> 3) == 30) || (offset < 3 && (v >> 4) == 14) || (offset < 2 && (v >> 5) == 6)) {
            out.chop(offset);
            break;
        }
    }
    return out;
}

} // namespace Kyozo::Stego::Lzutf8
