/* Packages from paths, for the timeline's rows and the trace record's summary:
 * node_modules/<pkg> (and @scope/pkg), site-packages/<pkg> or Debian's dist-packages/<pkg>,
 * a *.jar, a gem's gems/<name-version>. Built from the span store when init ends (never
 * in a hook); no allocation. */
#ifndef LWRAP_TRACE_PACKAGES_H
#define LWRAP_TRACE_PACKAGES_H

#include <stddef.h>
#include <stdint.h>

#include "trace_spans.h"

/* As many as there can be spans: every package that has a span has its row and its exact
 * sums, however many there are (the top 10 are right with 2,000 npm packages). */
#define TRACE_PACKAGES_MAX TRACE_SPANS_MAX
#define TRACE_PACKAGE_NAME 96
#define TRACE_PACKAGES_TOP 10 /* in the trace record and the OTLP spans */

enum trace_ecosystem { ECO_NODE = 1, ECO_PYTHON, ECO_JAVA, ECO_RUBY };

struct trace_package {
    char name[TRACE_PACKAGE_NAME];
    uint8_t eco;
    uint32_t files;
    uint64_t bytes;
    uint64_t ns;        /* time attributed to its files (trace_spans.h) */
    uint64_t import_ns; /* Python: the cumulative import time of the module of that name */
    uint64_t first_ns, last_ns; /* its files' first open and last close */
};

/* The package a path belongs to: writes its name to out (NUL-terminated) and returns
 * its length, or 0 for none. */
size_t trace_package_of(const char *path, char *out, size_t cap, uint8_t *eco);

/* Group the published spans (ended at end_ns when still open) by package; returns how
 * many packages (the table is sorted by time, longest first). */
unsigned trace_packages_build(uint64_t end_ns);
extern struct trace_package trace_packages[TRACE_PACKAGES_MAX];
/* The package row of span i after a build: index + 1, 0 for none. */
extern uint16_t trace_span_package[];

const char *trace_ecosystem_name(uint8_t eco);

#endif
