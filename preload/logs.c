/* Stub until the log pipeline lands: logs are off, every write passes through. */
#include "logs.h"

bool logs_enabled;

void logs_init(void) {}
bool logs_intercept(int fd, const struct iovec *iov, int iovcnt, ssize_t *result)
{
    (void)fd; (void)iov; (void)iovcnt; (void)result;
    return false;
}
void logs_on_runtime_ready(void) {}
void logs_on_invoke_start(const char *request_id) { (void)request_id; }
void logs_on_invoke_end(const char *request_id) { (void)request_id; }
void logs_flush_all(void) {}
