/* The pipeline's clock: CLOCK_REALTIME in microseconds (records carry wall-clock times,
 * and an invocation's deadline is one). Alone in its file so that a harness can run the
 * pipeline on a clock of its own (tests/fuzz/log_records.c). */
#include "log_internal.h"

#include <time.h>

uint64_t log_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
