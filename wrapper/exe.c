/* An LWRAP_NEXT entry that the kernel would refuse gets one accurate line before the
 * exec (instead of "not found" for a file that exists); a static runtime is told apart
 * because liblwrap.so cannot load into it. */
#include "exe.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/bin:/bin:/usr/bin"

#if __SIZEOF_POINTER__ == 8
typedef Elf64_Ehdr Ehdr;
typedef Elf64_Phdr Phdr;
#define NATIVE_CLASS ELFCLASS64
#else
typedef Elf32_Ehdr Ehdr;
typedef Elf32_Phdr Phdr;
#define NATIVE_CLASS ELFCLASS32
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_DATA ELFDATA2LSB
#else
#define NATIVE_DATA ELFDATA2MSB
#endif

int exe_each_path(const char *name, char **envp, int (*fn)(const char *path, void *arg), void *arg)
{
    const char *path = DEFAULT_PATH;
    for (char **e = envp; e && *e; e++)
        if (strncmp(*e, "PATH=", 5) == 0) {
            path = *e + 5;
            break;
        }
    size_t flen = strlen(name);
    for (const char *p = path;; p++) {
        const char *q = strchrnul(p, ':');
        size_t dlen = (size_t)(q - p);
        char buf[PATH_MAX];
        if (dlen == 0) /* an empty entry means the current directory, as in sh */
            buf[0] = '.', dlen = 1;
        else if (dlen < sizeof buf)
            memcpy(buf, p, dlen);
        if (dlen + 1 + flen < sizeof buf) {
            buf[dlen] = '/';
            memcpy(buf + dlen + 1, name, flen + 1);
            if (fn(buf, arg))
                return 1;
        }
        if (!*q)
            return 0;
        p = q;
    }
}

struct found {
    char *out;
    int any; /* a regular file that is not executable: reported as such if nothing better */
};

static int executable(const char *path, void *arg)
{
    struct found *f = arg;
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    int x = access(path, X_OK) == 0;
    if (x || !f->any) {
        memcpy(f->out, path, strlen(path) + 1);
        f->any = 1;
    }
    return x;
}

/* The first PATH entry holding an executable regular file called name; else the first
 * holding a non-executable one (so it is reported as such), else 0. */
static int search(const char *name, char **envp, char out[PATH_MAX])
{
    struct found f = {out, 0};
    return exe_each_path(name, envp, executable, &f) || f.any;
}

/* Whether the ELF program in fd has no PT_INTERP (statically linked, static-pie too).
 * Only the native byte order and word size are read; anything else counts as dynamic. */
static int elf_static(int fd, const unsigned char *head, size_t n)
{
    Ehdr eh;
    if (n < sizeof eh || head[EI_CLASS] != NATIVE_CLASS || head[EI_DATA] != NATIVE_DATA)
        return 0;
    memcpy(&eh, head, sizeof eh);
    if ((eh.e_type != ET_EXEC && eh.e_type != ET_DYN) || eh.e_phentsize != sizeof(Phdr))
        return 0;
    for (size_t i = 0; i < eh.e_phnum; i++) {
        Phdr ph;
        if (pread(fd, &ph, sizeof ph, (off_t)(eh.e_phoff + i * sizeof ph)) != (ssize_t)sizeof ph)
            return 0;
        if (ph.p_type == PT_INTERP)
            return 0;
    }
    return 1;
}

/* The #! line of head[0..n): the interpreter path into interp; EXE_CRLF when the word
 * ends in '\r' (a file saved with Windows line ends). */
static enum exe_kind shebang(const char *head, size_t n, char interp[PATH_MAX])
{
    size_t i = 2;
    while (i < n && (head[i] == ' ' || head[i] == '\t'))
        i++;
    size_t s = i;
    while (i < n && head[i] != ' ' && head[i] != '\t' && head[i] != '\n')
        i++;
    size_t len = i - s < PATH_MAX - 1 ? i - s : PATH_MAX - 1;
    memcpy(interp, head + s, len);
    interp[len] = '\0';
    if (len && interp[len - 1] == '\r')
        return EXE_CRLF;
    return access(interp, X_OK) == 0 ? EXE_SCRIPT : EXE_NO_INTERP;
}

/* A NUL in the first line makes it a binary, as bash and dash judge it ("cannot execute
 * binary file"): not run with /bin/sh. */
static int text(const unsigned char *head, size_t n)
{
    const unsigned char *nl = memchr(head, '\n', n);
    return !memchr(head, '\0', nl ? (size_t)(nl - head) : n);
}

int exe_shell_script(const char *path)
{
    unsigned char head[80];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    ssize_t n = fd < 0 ? -1 : pread(fd, head, sizeof head, 0);
    if (fd >= 0)
        close(fd);
    return n >= 0 && text(head, (size_t)n);
}

void exe_inspect(const char *name, char **envp, struct exe *e)
{
    struct stat st;
    e->interp[0] = '\0';
    if (strchr(name, '/')) {
        size_t n = strlen(name);
        if (n >= PATH_MAX) {
            e->kind = EXE_MISSING;
            return;
        }
        memcpy(e->path, name, n + 1);
    } else if (!*name || !search(name, envp, e->path)) {
        e->kind = EXE_MISSING;
        return;
    }
    if (stat(e->path, &st) != 0) {
        e->kind = EXE_MISSING;
        return;
    }
    if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode) || access(e->path, X_OK) != 0) {
        e->kind = S_ISDIR(st.st_mode) ? EXE_DIR : EXE_NOEXEC;
        return;
    }
    unsigned char head[256];
    int fd = open(e->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    ssize_t n = fd < 0 ? -1 : pread(fd, head, sizeof head, 0);
    if (n < 0)
        e->kind = EXE_ELF; /* execute-only: the kernel may run it; nothing more to say */
    else if (n >= 4 && memcmp(head, ELFMAG, SELFMAG) == 0)
        e->kind = elf_static(fd, head, (size_t)n) ? EXE_ELF_STATIC : EXE_ELF;
    else if (n >= 2 && head[0] == '#' && head[1] == '!')
        e->kind = shebang((const char *)head, (size_t)n, e->interp);
    else
        e->kind = text(head, (size_t)n) ? EXE_SHELL : EXE_NOEXEC;
    if (fd >= 0)
        close(fd);
}

const char *exe_problem(const struct exe *e)
{
    switch (e->kind) {
    case EXE_MISSING:
        return "not found";
    case EXE_DIR:
        return "is a directory";
    case EXE_NOEXEC:
        return "not executable";
    case EXE_CRLF:
        return "its #! line ends in a carriage return (CRLF line ends; save it with LF)";
    case EXE_NO_INTERP:
        return "its #! interpreter is missing or cannot run";
    default:
        return NULL;
    }
}
