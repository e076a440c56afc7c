/* Placeholder until the wrapper issue: exec the runtime command unchanged. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: lwrap RUNTIME [ARGS...]\n", stderr);
        return 125;
    }
    execvp(argv[1], argv + 1);
    fprintf(stderr, "lwrap: %s: %s\n", argv[1], strerror(errno));
    return errno == ENOENT ? 127 : 126;
}
