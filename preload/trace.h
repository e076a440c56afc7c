/* The startup trace (LWRAP_TRACE=text|json|emf): one record when init ends. */
#ifndef LWRAP_TRACE_H
#define LWRAP_TRACE_H

#include <stdbool.h>

/* Write the record once (later calls do nothing); init_error: init ended with
 * /init/error instead of the first `next`. */
void trace_emit(bool init_error);

#endif
