#pragma once

#include <sys/resource.h>

// Raises this process's open-file limit to its hard limit (children inherit it) and returns
// the new soft limit. Shared by the benchmark programs that hold thousands of sockets.
inline rlim_t raiseFdLimit()
{
    struct rlimit lim {};
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
    return lim.rlim_cur;
}
