/* Placeholder constructor until the preload core lands. */
#include "logs.h"

__attribute__((constructor)) static void lwrap_preload_init(void)
{
    logs_init();
}
