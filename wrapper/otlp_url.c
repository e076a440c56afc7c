/* LWRAP_TRACE_OTLP's URL (see otlp_url.h). Strict, because what passes ends up in an
 * HTTP request line and Host header: a blank, CR/LF or a stray byte would make a
 * malformed request or a different one. */
#include "otlp_url.h"

#include <arpa/inet.h>
#include <string.h>

/* RFC 3986's pchar and '/': unreserved, sub-delims, ':', '@' and %XX. Anything else (a
 * blank, CR/LF, '?', '#', a control byte) would make a malformed or different request. */
static int path_ok(const char *p, const char *end)
{
    static const char hex[] = "0123456789abcdefABCDEF";
    for (; p < end; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '%') {
            if (end - p < 3 || !p[1] || !p[2] || !strchr(hex, p[1]) || !strchr(hex, p[2]))
                return 0;
            p += 2;
        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     (c && strchr("-._~!$&'()*+,;=:@/", c)))) {
            return 0;
        }
    }
    return 1;
}

/* The port: 1 to 5 digits, 1-65535 (strtoul would take "+4318" and " 4318"). */
static int port_ok(const char *d, const char *end, unsigned *port)
{
    unsigned long n = 0;
    if (d == end || end - d > 5)
        return 0;
    for (; d < end; d++) {
        if (*d < '0' || *d > '9')
            return 0;
        n = n * 10 + (unsigned long)(*d - '0');
    }
    *port = (unsigned)n;
    return n >= 1 && n <= 65535;
}

const char *otlp_url_parse(const char *url, struct otlp_url *u)
{
    if (strncmp(url, "http://", 7) != 0)
        return "want http://HOST:PORT (plain HTTP to a collector on the sandbox)";
    const char *h = url + 7, *end = h + strcspn(h, "/"), *colon = NULL, *hend;
    if (memchr(h, '@', (size_t)(end - h)))
        return "user:password@ in the URL is not supported (a collector on the sandbox takes "
               "no credentials here)";
    if (*h == '[') {
        const char *close = memchr(h, ']', (size_t)(end - h));
        if (!close || (close + 1 != end && close[1] != ':'))
            return "bad IPv6 address";
        colon = close + 1 != end ? close + 1 : NULL;
        h++;
        hend = close;
    } else {
        colon = memchr(h, ':', (size_t)(end - h));
        hend = colon ? colon : end;
        if (hend == h)
            return "no host";
    }
    if ((size_t)(hend - h) >= sizeof u->host)
        return "host too long";
    memcpy(u->host, h, (size_t)(hend - h));
    u->host[hend - h] = '\0';
    unsigned char addr[16];
    if (strcmp(u->host, "localhost") != 0 && inet_pton(AF_INET, u->host, addr) != 1 &&
        inet_pton(AF_INET6, u->host, addr) != 1)
        return "the host must be an IP address or localhost";
    u->port = 80;
    if (colon && !port_ok(colon + 1, end, &u->port))
        return "bad port (want 1 to 65535, digits only)";
    size_t plen = strlen(end);
    if (!path_ok(end, end + plen))
        return "the path may hold only RFC 3986 path characters (use %XX for others; no blank, "
               "control byte, '?' or '#')";
    while (plen && end[plen - 1] == '/')
        plen--;
    u->add_traces = !(plen >= 10 && memcmp(end + plen - 10, "/v1/traces", 10) == 0);
    if (plen + (u->add_traces ? 10 : 0) > OTLP_URL_PATH_MAX)
        return "path too long";
    u->hostport = url + 7;
    u->hostport_len = (size_t)(end - u->hostport);
    u->path = end;
    u->path_len = plen;
    return NULL;
}
