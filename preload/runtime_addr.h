/* Where the Runtime API listens (AWS_LAMBDA_RUNTIME_API, "host:port"), and whether a
 * connect() goes there. */
#ifndef LWRAP_RUNTIME_ADDR_H
#define LWRAP_RUNTIME_ADDR_H

#include <stdbool.h>
#include <sys/socket.h>

/* Parse the variable; false (observer off) when it is missing or unusable. */
bool runtime_addr_init(void);
bool runtime_addr_match(const struct sockaddr *sa, socklen_t len);
/* An address to connect our own extension socket to. */
bool runtime_addr_sockaddr(struct sockaddr_storage *ss, socklen_t *len);
/* "host:port" as given, for the Host header. */
const char *runtime_addr_text(void);

#endif
