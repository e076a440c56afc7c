/* What lwrap will read or load: only absolute paths (never the current directory), and
 * only config files that nobody but root or lwrap's own user can change. */
#ifndef LWRAP_TRUST_H
#define LWRAP_TRUST_H

/* 1 when path is absolute. */
int trust_absolute(const char *path);

/* Why the open file fd must not be trusted as a config file, or NULL: it is writable by
 * group or others, or owned by someone other than root or the effective user, on a file
 * system that is not mounted read-only (where no one can change it: /var/task and /opt
 * in Lambda, whatever modes the zip held). */
const char *trust_config(int fd);

#endif
