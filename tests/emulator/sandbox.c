/* The names "sandbox" and "sandbox.localdomain", which Lambda resolves to the execution
 * environment and which Telemetry/Logs API extensions put in their listener URIs, made to
 * resolve (to 127.0.0.1) for the runtime and the extensions, without touching the
 * machine's /etc/hosts: each child gets a private mount namespace in which a copy of
 * /etc/hosts with the two names added is bind-mounted over /etc/hosts. That needs
 * CAP_SYS_ADMIN (root, as in CI and containers); without it one line says what to do. */

#include "emu.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char hosts_path[64];
static bool use_ns;

static bool names_resolve_already(const char *hosts, size_t n)
{
    /* a hosts line naming both (any address): nothing to do */
    const char *p = hosts, *end = hosts + n;
    bool sb = false, sbl = false;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *save = NULL, *tok = strtok_r(line, " \t", &save);
        for (tok = tok ? strtok_r(NULL, " \t", &save) : NULL; tok; tok = strtok_r(NULL, " \t", &save)) {
            sb |= strcmp(tok, "sandbox") == 0;
            sbl |= strcmp(tok, "sandbox.localdomain") == 0;
        }
        p += len + 1;
    }
    return sb && sbl;
}

static void remove_hosts_copy(void)
{
    if (hosts_path[0])
        unlink(hosts_path);
}

static bool enter_namespace(void)
{
    return unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
           mount(hosts_path, "/etc/hosts", NULL, MS_BIND, NULL) == 0;
}

/* Root without CAP_SYS_ADMIN (an unprivileged container) cannot: find out once, here,
 * rather than in every child. */
static bool namespace_works(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(enter_namespace() ? 0 : 1);
    int st;
    while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Said once, and only when extensions run (the names matter only to them). */
static void cannot(const char *why)
{
    if (E.o.ext_dir)
        out_emu("sandbox / sandbox.localdomain do not resolve here and %s: add \"127.0.0.1 sandbox "
                "sandbox.localdomain\" to /etc/hosts for extensions that listen on them",
                why);
}

/* Once, in the emulator: the hosts copy, and whether the children can mount it. */
void sandbox_prepare(void)
{
    struct buf h = {0};
    int fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char tmp[8192];
        ssize_t n;
        while ((n = read(fd, tmp, sizeof tmp)) > 0)
            buf_add(&h, tmp, (size_t)n);
        close(fd);
    }
    if (names_resolve_already(h.p ? h.p : "", h.len)) {
        buf_free(&h);
        return;
    }
    if (geteuid() != 0) {
        cannot("a private /etc/hosts for the runtime and extensions needs root");
        buf_free(&h);
        return;
    }
    const char *dir = getenv("TMPDIR");
    snprintf(hosts_path, sizeof hosts_path, "%.30s/lambda-emu-hosts.XXXXXX", dir && *dir ? dir : "/tmp");
    fd = mkostemp(hosts_path, O_CLOEXEC);
    if (fd < 0) {
        snprintf(hosts_path, sizeof hosts_path, "/tmp/lambda-emu-hosts.XXXXXX");
        fd = mkostemp(hosts_path, O_CLOEXEC);
    }
    if (fd < 0) {
        out_emu("sandbox names: cannot create a hosts file: %s", strerror(errno));
        hosts_path[0] = 0;
        buf_free(&h);
        return;
    }
    if (h.len && h.p[h.len - 1] != '\n')
        buf_addc(&h, '\n');
    buf_adds(&h, "127.0.0.1\tsandbox sandbox.localdomain\n");
    bool ok = write(fd, h.p, h.len) == (ssize_t)h.len;
    fchmod(fd, 0644);
    close(fd);
    buf_free(&h);
    if (!ok) {
        unlink(hosts_path);
        hosts_path[0] = 0;
        return;
    }
    atexit(remove_hosts_copy);
    use_ns = namespace_works();
    if (!use_ns) {
        cannot("a private mount namespace is refused (no CAP_SYS_ADMIN)");
        unlink(hosts_path);
        hosts_path[0] = 0;
    }
}

/* In a child between fork and exec: only async-signal-safe calls (the probe above
 * succeeded; should this one fail, the child runs on without the names). */
void sandbox_enter_child(void)
{
    if (use_ns)
        enter_namespace();
}
