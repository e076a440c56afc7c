/* The runtime's telemetry log fd (see telemetry.h). AWS's runtime clients read and then
 * delete _LAMBDA_TELEMETRY_LOG_FD, so the constructor captures it first. */
#include "telemetry.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "sink.h"

static int captured = -1;

void telemetry_capture(void)
{
    const char *v = getenv("_LAMBDA_TELEMETRY_LOG_FD");
    if (!v || !*v)
        return;
    char *end;
    long fd = strtol(v, &end, 10);
    if (*end == 0 && fd >= 0 && fd < 1 << 20)
        captured = (int)fd;
}

int telemetry_fd(void)
{
    return captured;
}

static void be32(unsigned char *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static void be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

int telemetry_write_frame(uint32_t type, uint64_t timestamp_us, const void *msg, size_t len)
{
    if (captured < 0 || len > UINT32_MAX)
        return -1;
    unsigned char head[16];
    be32(head, type);
    be32(head + 4, (uint32_t)len);
    be64(head + 8, timestamp_us);
    struct iovec iov[2] = {{head, sizeof head}, {(void *)msg, len}};
    return sink_writev(captured, iov, 2, SINK_ONE);
}
