/* The telemetry log fd (_LAMBDA_TELEMETRY_LOG_FD), captured in the constructor before the
 * runtime reads and deletes the variable. Owner: preload core (telemetry.c). */
#ifndef LWRAP_TELEMETRY_H
#define LWRAP_TELEMETRY_H

#include <stddef.h>
#include <stdint.h>

/* Frame types: text and JSON, with the level in bits 2-4 (see lambda-facts.md). */
#define TELEMETRY_FRAME_TEXT 0xA55A0003u
#define TELEMETRY_FRAME_JSON 0xA55A0002u
enum telemetry_level {
    TELEMETRY_LEVEL_NONE = 0x00,
    TELEMETRY_LEVEL_TRACE = 0x04,
    TELEMETRY_LEVEL_DEBUG = 0x08,
    TELEMETRY_LEVEL_INFO = 0x0C,
    TELEMETRY_LEVEL_WARN = 0x10,
    TELEMETRY_LEVEL_ERROR = 0x14,
    TELEMETRY_LEVEL_FATAL = 0x18,
};

/* From the constructor, before the runtime reads and deletes the variable. */
void telemetry_capture(void);

/* The runtime's telemetry fd, or -1 when it has none. */
int telemetry_fd(void);

/* Write one frame whole (header and message; threads never interleave)
 * through the sink. Returns 0, or -1 with errno set. */
int telemetry_write_frame(uint32_t type, uint64_t timestamp_us, const void *msg, size_t len);

#endif
