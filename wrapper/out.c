/* Line output without stdio: a line is assembled here and written once, so two
 * processes sharing stderr (the runtime, other wrappers) never split our lines. */
#include "out.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static char buf[4096];
static size_t len;
static int out_fd = 2;

static void flush(void)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(out_fd, buf + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* nowhere to report it: diagnostics must never stop the start */
        off += (size_t)n;
    }
    len = 0;
}

void line_start(int fd)
{
    out_fd = fd;
    len = 0;
}

void line_mem(const char *s, size_t n)
{
    while (n > 0) {
        if (len == sizeof buf)
            flush(); /* an overlong line is still written, just not atomically */
        size_t k = sizeof buf - len < n ? sizeof buf - len : n;
        memcpy(buf + len, s, k);
        len += k;
        s += k;
        n -= k;
    }
}

void line_str(const char *s)
{
    line_mem(s, strlen(s));
}

void line_escaped(const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\') {
            line_mem("\\\\", 2);
        } else if (c < 0x20 || c == 0x7f) {
            char e[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            line_mem(e, 4);
        } else {
            line_mem((const char *)&s[i], 1);
        }
    }
}

const char *decimal(char digits[24], unsigned long long v)
{
    size_t i = 23;
    digits[i] = '\0';
    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return digits + i;
}

void line_uint(unsigned long long v)
{
    char d[24];
    line_str(decimal(d, v));
}

void line_end(void)
{
    line_mem("\n", 1);
    flush();
}
