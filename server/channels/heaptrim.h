#pragma once

#include <QElapsedTimer>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace Kyozo::Server {

// Gives the heap pages that are free back to the kernel, so that the next allocations there
// start clean and only the pages they write become resident. glibc only; elsewhere a no-op.
inline void releaseFreedHeap()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

// The same, at most once per `intervalMs` (process-wide; call it from one thread), for calls
// on a hot path: one trim walks the whole heap, and a broadcast may ask for one per socket.
inline void releaseFreedHeapAtMostEvery(qint64 intervalMs)
{
    static QElapsedTimer last;
    if (last.isValid() && last.elapsed() < intervalMs)
        return;
    last.start();
    releaseFreedHeap();
}

} // namespace Kyozo::Server
