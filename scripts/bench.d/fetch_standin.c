/* fetch_standin PORT: the bench's stand-in for AWS's Parameters and Secrets extension.
 * Answers every request on 127.0.0.1:PORT with one fixed GetParameter answer, at once,
 * from one poll loop: what is measured is lwrap's side of a fetch, not a slow server.
 * (The test suite's stand-in, tests/fixtures/fetch/stand-in.py, checks requests; this
 * one only answers.) Prints "ready" once it listens; runs until killed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { MAX_CONN = 256 };

static const char answer[] =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 207\r\n\r\n"
    "{\"Parameter\":{\"ARN\":\"arn:aws:ssm:us-east-1:123456789012:parameter/bench/value\","
    "\"DataType\":\"text\",\"Name\":\"/bench/value\",\"Type\":\"SecureString\","
    "\"Value\":\"bench-value-0123456789\",\"Version\":1},\"ResultMetadata\":{}}";

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 128) != 0) {
        perror("fetch_standin");
        return 1;
    }
    puts("ready");
    fflush(stdout);
    struct pollfd pf[MAX_CONN + 1];
    char seen[MAX_CONN + 1][4];
    int n = 1;
    pf[0] = (struct pollfd){.fd = ls, .events = POLLIN};
    for (;;) {
        if (poll(pf, (nfds_t)n, -1) < 0)
            continue;
        if ((pf[0].revents & POLLIN) && n <= MAX_CONN) {
            int c = accept(ls, NULL, NULL);
            if (c >= 0) {
                pf[n] = (struct pollfd){.fd = c, .events = POLLIN};
                memset(seen[n], 0, 4);
                n++;
            }
        }
        for (int i = 1; i < n; i++) {
            if (!pf[i].revents)
                continue;
            char buf[4096];
            ssize_t k = read(pf[i].fd, buf, sizeof buf);
            int done = k <= 0;
            /* the request ends with an empty line; keep its last 4 bytes across reads */
            for (ssize_t j = 0; j < k && !done; j++) {
                memmove(seen[i], seen[i] + 1, 3);
                seen[i][3] = buf[j];
                if (memcmp(seen[i], "\r\n\r\n", 4) == 0) {
                    if (write(pf[i].fd, answer, sizeof answer - 1) < 0)
                        break;
                    done = 1;
                }
            }
            if (done) {
                close(pf[i].fd);
                pf[i] = pf[n - 1];
                memcpy(seen[i], seen[n - 1], 4);
                n--;
                i--;
            }
        }
    }
}
