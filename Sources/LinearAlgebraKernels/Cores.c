// The number of cores this process may run on.
#define _GNU_SOURCE
#include "LinearAlgebraKernels.h"

#if defined(__linux__)
#include <sched.h>
#endif

int ek_affinity_core_count(void) {
#if defined(__linux__)
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) return CPU_COUNT(&allowed);
#endif
    return 0;
}
