/* Log writer for the throughput bench: `logspam short N` writes N short lines,
 * `logspam big N` writes N lines of 64 KiB (65,535 bytes + '\n'), each with exactly
 * one write(2) on stdout, as Node's console.log and an unbuffered Python print of a
 * whole line do. Every tenth short line carries "hunter2" so a redaction pattern has
 * something to mask. Dynamically linked on purpose: the preload must be able to load. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_all(const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static int write_short(long count)
{
    char line[96];
    for (long i = 0; i < count; i++) {
        int len = snprintf(line, sizeof line, "%s request handled id=%08ld status=200\n",
                           i % 10 == 0 ? "INFO hunter2" : "INFO", i);
        if (write_all(line, (size_t)len) != 0)
            return -1;
    }
    return 0;
}

static int write_big(long count)
{
    enum { BIG = 64 * 1024 };
    char *line = malloc(BIG);
    if (line == NULL)
        return -1;
    for (size_t i = 0; i < BIG - 1; i++)
        line[i] = (char)('a' + i % 26);
    line[BIG - 1] = '\n';
    int rc = 0;
    for (long i = 0; i < count && rc == 0; i++)
        rc = write_all(line, BIG);
    free(line);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: logspam short|big COUNT\n", stderr);
        return 2;
    }
    long count = strtol(argv[2], NULL, 10);
    int rc = strcmp(argv[1], "big") == 0 ? write_big(count) : write_short(count);
    if (rc != 0) {
        perror("logspam: write");
        return 1;
    }
    return 0;
}
