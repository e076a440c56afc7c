/* tests/sanitizer/sanitizer-env.so: what ld.so loads ahead of the ASan runtime in every
 * process of a `make test SANITIZE=address,undefined` run (scripts/sanitizer-env). */
#ifndef LWRAP_SANITIZER_ENV_H
#define LWRAP_SANITIZER_ENV_H

/* The process runs a program this build made (lwrap, lambda-emu): the ones whose leaks
 * and heap the run checks. Safe before the runtime is set up (raw system calls). */
int san_built_here(void);

#endif
