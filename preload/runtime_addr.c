/* Matching connect() targets against AWS_LAMBDA_RUNTIME_API. Numeric IPv4/IPv6 hosts
 * are compared exactly (an IPv4-mapped IPv6 address counts as its IPv4 one);
 * "localhost" matches any loopback address; any other name cannot be resolved safely
 * inside a hook (the resolver itself connects), so only the port is compared. */
#include "runtime_addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum host_kind { HOST_V4, HOST_V6, HOST_LOOPBACK, HOST_ANY };

static struct {
    enum host_kind kind;
    struct in_addr v4;
    struct in6_addr v6;
    uint16_t port; /* network order */
    char text[128];
} api;

const char *runtime_addr_text(void)
{
    return api.text;
}

bool runtime_addr_init(void)
{
    const char *v = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!v || strlen(v) >= sizeof api.text)
        return false;
    strcpy(api.text, v);
    char host[128];
    const char *colon = strrchr(v, ':');
    if (!colon || colon == v)
        return false;
    size_t hlen = (size_t)(colon - v);
    if (v[0] == '[' && colon[-1] == ']') { /* [::1]:9001 */
        memcpy(host, v + 1, hlen - 2);
        host[hlen - 2] = 0;
    } else {
        memcpy(host, v, hlen);
        host[hlen] = 0;
    }
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port <= 0 || port > 65535)
        return false;
    api.port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &api.v4) == 1)
        api.kind = HOST_V4;
    else if (inet_pton(AF_INET6, host, &api.v6) == 1)
        api.kind = HOST_V6;
    else if (strcmp(host, "localhost") == 0)
        api.kind = HOST_LOOPBACK;
    else
        api.kind = HOST_ANY;
    return true;
}

static bool v4_matches(struct in_addr a)
{
    switch (api.kind) {
    case HOST_V4:
        return a.s_addr == api.v4.s_addr;
    case HOST_LOOPBACK:
        return (ntohl(a.s_addr) >> 24) == 127;
    case HOST_ANY:
        return true;
    default:
        return false;
    }
}

bool runtime_addr_match(const struct sockaddr *sa, socklen_t len)
{
    if (!sa || api.port == 0)
        return false;
    if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        return in->sin_port == api.port && v4_matches(in->sin_addr);
    }
    if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        if (in6->sin6_port != api.port)
            return false;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            struct in_addr a;
            memcpy(&a, &in6->sin6_addr.s6_addr[12], 4);
            return v4_matches(a);
        }
        switch (api.kind) {
        case HOST_V6:
            return memcmp(&in6->sin6_addr, &api.v6, sizeof api.v6) == 0;
        case HOST_LOOPBACK:
            return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
        case HOST_ANY:
            return true;
        default:
            return false;
        }
    }
    return false;
}

bool runtime_addr_sockaddr(struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    if (api.port == 0 || api.kind == HOST_ANY)
        return false;
    if (api.kind == HOST_V6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = api.port;
        in6->sin6_addr = api.v6;
        *len = sizeof *in6;
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = api.port;
        in->sin_addr.s_addr = api.kind == HOST_V4 ? api.v4.s_addr : htonl(INADDR_LOOPBACK);
        *len = sizeof *in;
    }
    return true;
}
