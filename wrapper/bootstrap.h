/* Custom runtimes (provided.al2, provided.al2023) ignore AWS_LAMBDA_EXEC_WRAPPER and
 * run the function's `bootstrap` directly: lwrap installed as `bootstrap` runs the
 * real one. */
#ifndef LWRAP_BOOTSTRAP_H
#define LWRAP_BOOTSTRAP_H
#include <stddef.h>

/* Whether lwrap was started as "bootstrap" (basename of argv[0]) other than as
 * AWS_LAMBDA_EXEC_WRAPPER. */
int bootstrap_mode(int argc, char **argv);
/* The real bootstrap command followed by extra[0..nextra): LWRAP_BOOTSTRAP (a command
 * line, split like LWRAP_ARGS), else $LAMBDA_TASK_ROOT/bootstrap.real, else
 * /opt/bootstrap.real. Exits 127 when there is none. */
char **bootstrap_command(char **extra, size_t nextra, size_t *n);

#endif
