#pragma once

#include <QByteArray>

// The LZUTF8 format (npm `lzutf8` 0.5.x, which StegCloak compresses with): UTF-8 bytes
// where a byte >= 0xC0 followed by a byte < 0x80 — never valid UTF-8 — is a back-reference:
// 110LLLLL DDDDDDDD (distance < 128) or 111LLLLL 0DDDDDDD DDDDDDDD, length 4..31. Debian has
// no C/C++ implementation, hence this one file; it is tested byte for byte against npm's.
namespace Kyozo::Stego::Lzutf8 {

// Compresses one block exactly as lzutf8's Compressor (custom hash table) does.
QByteArray compress(QByteArrayView utf8);
// Decompresses one block as lzutf8's Decompressor does, including its handling of a
// truncated tail (dropped, as a single-block decompress drops it).
QByteArray decompress(QByteArrayView compressed);

} // namespace Kyozo::Stego::Lzutf8
