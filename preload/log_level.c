/* Level names as Lambda spells them, and the spellings runtimes and loggers use. */
#include "log_internal.h"

#include <strings.h>

static const char *const names[] = {"", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};

const char *log_level_name(int level)
{
    return level > LOG_LVL_NONE && level <= LOG_LVL_FATAL ? names[level] : "INFO";
}

struct level_word {
    const char *name;
    int level;
};

static int lookup(const struct level_word *map, size_t count, const char *s, size_t n)
{
    for (size_t i = 0; i < count; i++) {
        size_t len = __builtin_strlen(map[i].name);
        if (len == n && strncasecmp(s, map[i].name, n) == 0)
            return map[i].level;
    }
    return LOG_LVL_NONE;
}

/* Lambda's names (LWRAP_LOG_LEVEL, the runtimes' text prefixes, Python logging's
 * "WARNING:name:" prefix): strict, so that ordinary text is not taken for a level. */
int log_level_parse(const char *s, size_t n)
{
    static const struct level_word map[] = {
        {"TRACE", LOG_LVL_TRACE}, {"DEBUG", LOG_LVL_DEBUG}, {"INFO", LOG_LVL_INFO},
        {"WARN", LOG_LVL_WARN},   {"WARNING", LOG_LVL_WARN}, {"ERROR", LOG_LVL_ERROR},
        {"FATAL", LOG_LVL_FATAL}, {"CRITICAL", LOG_LVL_FATAL},
    };
    return lookup(map, sizeof map / sizeof map[0], s, n);
}

/* The value of a JSON logger's level field (any case): Lambda's names plus log4j/
 * SLF4J, Python logging, pino/bunyan, zap, zerolog, Go slog, .NET (Information,
 * Critical), Serilog (Verbose, and its three-letter forms VRB DBG INF WRN ERR FTL),
 * java.util.logging (SEVERE, CONFIG, FINE...) and syslog/Google Cloud severities
 * (NOTICE, CRIT, ALERT, EMERG, EMERGENCY). NONE when not one of them. */
int log_level_word(const char *s, size_t n)
{
    static const struct level_word map[] = {
        {"TRACE", LOG_LVL_TRACE},     {"TRC", LOG_LVL_TRACE},      {"VERBOSE", LOG_LVL_TRACE},
        {"VRB", LOG_LVL_TRACE},       {"FINER", LOG_LVL_TRACE},    {"FINEST", LOG_LVL_TRACE},
        {"DEBUG", LOG_LVL_DEBUG},     {"DBG", LOG_LVL_DEBUG},      {"FINE", LOG_LVL_DEBUG},
        {"INFO", LOG_LVL_INFO},       {"INF", LOG_LVL_INFO},       {"INFORMATION", LOG_LVL_INFO},
        {"NOTICE", LOG_LVL_INFO},     {"CONFIG", LOG_LVL_INFO},    {"WARN", LOG_LVL_WARN},
        {"WARNING", LOG_LVL_WARN},    {"WRN", LOG_LVL_WARN},       {"ERROR", LOG_LVL_ERROR},
        {"ERR", LOG_LVL_ERROR},       {"SEVERE", LOG_LVL_ERROR},   {"DPANIC", LOG_LVL_ERROR},
        {"FATAL", LOG_LVL_FATAL},     {"FTL", LOG_LVL_FATAL},      {"CRITICAL", LOG_LVL_FATAL},
        {"CRIT", LOG_LVL_FATAL},      {"PANIC", LOG_LVL_FATAL},    {"ALERT", LOG_LVL_FATAL},
        {"EMERG", LOG_LVL_FATAL},     {"EMERGENCY", LOG_LVL_FATAL},
    };
    return lookup(map, sizeof map / sizeof map[0], s, n);
}

/* A numeric level field: pino/bunyan (10 trace, 20 debug, 30 info, 40 warn, 50 error,
 * 60 fatal) and Google Cloud's LogSeverity numbers (100 DEBUG, 200 INFO, 300 NOTICE,
 * 400 WARNING, 500 ERROR, 600 CRITICAL, 700 ALERT, 800 EMERGENCY). Only these exact
 * integers: anything else is NONE (an unknown level, kept by the filter). */
int log_level_number(const char *s, size_t n)
{
    static const int pino[] = {LOG_LVL_TRACE, LOG_LVL_DEBUG, LOG_LVL_INFO,
                               LOG_LVL_WARN,  LOG_LVL_ERROR, LOG_LVL_FATAL};
    static const int gcp[] = {LOG_LVL_DEBUG, LOG_LVL_INFO,  LOG_LVL_INFO,  LOG_LVL_WARN,
                              LOG_LVL_ERROR, LOG_LVL_FATAL, LOG_LVL_FATAL, LOG_LVL_FATAL};
    if (n < 2 || n > 3 || s[0] < '1' || s[0] > '9')
        return LOG_LVL_NONE;
    for (size_t i = 1; i < n; i++)
        if (s[i] != '0')
            return LOG_LVL_NONE;
    int d = s[0] - '0';
    if (n == 2)
        return d <= 6 ? pino[d - 1] : LOG_LVL_NONE;
    return d <= 8 ? gcp[d - 1] : LOG_LVL_NONE;
}
