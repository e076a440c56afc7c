/* wrapper/otlp_url.c built into the preload too: one reading of LWRAP_TRACE_OTLP, so
 * lwrap refuses exactly the URLs the preload cannot send to, in the same words. */
#include "../wrapper/otlp_url.c"
