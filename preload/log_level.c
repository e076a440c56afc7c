/* Level names as Lambda spells them, and the spellings runtimes and loggers use. */
#include "log_internal.h"

#include <strings.h>

static const char *const names[] = {"", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};

const char *log_level_name(int level)
{
    return level > LOG_LVL_NONE && level <= LOG_LVL_FATAL ? names[level] : "INFO";
}

int log_level_parse(const char *s, size_t n)
{
    static const struct {
        const char *name;
        int level;
    } map[] = {
        {"TRACE", LOG_LVL_TRACE}, {"DEBUG", LOG_LVL_DEBUG}, {"INFO", LOG_LVL_INFO},
        {"WARN", LOG_LVL_WARN},   {"WARNING", LOG_LVL_WARN}, {"ERROR", LOG_LVL_ERROR},
        {"FATAL", LOG_LVL_FATAL}, {"CRITICAL", LOG_LVL_FATAL},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        size_t len = __builtin_strlen(map[i].name);
        if (len == n && strncasecmp(s, map[i].name, n) == 0)
            return map[i].level;
    }
    return LOG_LVL_NONE;
}
