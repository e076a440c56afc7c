/* The config file: KEY=value lines, # comments, blank lines. The environment wins,
 * so a file baked into the function can be overridden from the Lambda console. */
#include "conf.h"

#include "conf_text.h"
#include "diag.h"
#include "nameidx.h"
#include "trust.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CONF_MAX_BYTES (1u << 20)

const char *conf_path;
/* The LWRAP_* entries of the starting environment and the file's settings, each
 * indexed by name once: a lookup costs the same with 50,000 settings as with five. */
static struct setting *env_settings;
static size_t n_env_settings;
static struct nameidx env_idx;  /* name -> its first entry (what getenv sees) */
static const char *task_root;
static struct setting *entries;
static size_t n_entries;
static struct nameidx file_idx; /* name -> its last line (later lines win) */

static const char *env_lookup(const char *name, size_t len)
{
    struct nameidx_slot *s = nameidx_find(&env_idx, name, len);
    return s ? env_settings[s->at].value : NULL;
}

/* Two passes over the environment: count, then fill an exactly sized array. */
static void index_env(char **envp)
{
    size_t n = 0;
    for (char **e = envp; e && *e; e++) {
        if ((*e)[0] == 'L' && strncmp(*e, "LWRAP_", 6) == 0)
            n++;
        else if ((*e)[0] == 'L' && !task_root && strncmp(*e, "LAMBDA_TASK_ROOT=", 17) == 0)
            task_root = *e + 17;
    }
    if (n == 0)
        return;
    env_settings = xmalloc(n * sizeof *env_settings);
    nameidx_init(&env_idx, n);
    for (char **e = envp; *e; e++) {
        if (!((*e)[0] == 'L' && strncmp(*e, "LWRAP_", 6) == 0))
            continue;
        const char *eq = strchr(*e, '=');
        if (!eq)
            continue;
        size_t len = (size_t)(eq - *e);
        /* a duplicated name: the first one is what getenv and the runtime see */
        struct nameidx_slot *s = nameidx_put(&env_idx, *e, len);
        if (s->at != NAMEIDX_NONE)
            continue;
        s->at = n_env_settings;
        env_settings[n_env_settings++] = (struct setting){*e, len, eq + 1, 0};
    }
}

/* "lwrap: LWRAP_CONFIG: PATH: why; ignored", or "lwrap: PATH: why; ignored" for the
 * conventional files. */
static void file_error(const char *item, const char *path, const char *why)
{
    if (item)
        report_item(item, path, ": ", why, NULL);
    else
        report_item(path, why, NULL);
}

static int absent(int err)
{
    return err == ENOENT || err == ENOTDIR;
}

/* Reads the whole file into one exactly sized buffer. Returns 0 when it does not exist,
 * 1 when it does, read or not: only the first file that exists counts, so an unreadable
 * one is reported instead of silently giving way to the next. */
static int read_file(const char *path, int must_exist, const char *item)
{
    /* O_NONBLOCK: opening a FIFO with no writer would otherwise hang the start until
     * Lambda's init timeout; fstat below then refuses anything but a regular file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        int err = errno;
        struct stat st;
        /* Out of descriptors (EMFILE) says nothing about the file: ask stat. */
        if (!must_exist && (absent(err) || (stat(path, &st) != 0 && absent(errno))))
            return 0;
        file_error(item, path, err == EACCES ? "cannot be read (permission denied; files in a "
                                               "Lambda zip need mode 644)"
                                             : strerror(err));
        return 1;
    }
    struct stat st;
    const char *why = fstat(fd, &st) != 0 ? strerror(errno)
                      : S_ISDIR(st.st_mode) ? "is a directory"
                      : !S_ISREG(st.st_mode) ? "not a regular file"
                      : st.st_size > CONF_MAX_BYTES ? "larger than 1 MiB" : trust_config(fd);
    if (why) {
        file_error(item, path, why);
        close(fd);
        return 1;
    }
    size_t size = (size_t)st.st_size;
    char *text = xmalloc(size + 1);
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, text + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    text[got] = '\0';
    conf_path = path;
    entries = conf_parse(text, got, path, &n_entries);
    nameidx_init(&file_idx, n_entries);
    for (size_t i = 0; i < n_entries; i++)
        nameidx_put(&file_idx, entries[i].name, entries[i].name_len)->at = i;
    if (n_entries == 0)
        free(text); /* nothing points into it */
    return 1;
}

void conf_load(char **envp)
{
    index_env(envp);
    const char *cfg = env_lookup("LWRAP_CONFIG", 12);
    if (cfg) {
        /* LWRAP_CONFIG= (empty) turns config files off; a relative path would be read
         * from whatever the current directory is. */
        if (*cfg && !trust_absolute(cfg))
            report_item("LWRAP_CONFIG", cfg, ": not an absolute path", NULL);
        else if (*cfg)
            read_file(cfg, 1, "LWRAP_CONFIG");
        return;
    }
    const char *root = task_root;
    if (root && *root && !trust_absolute(root)) {
        report_item("LAMBDA_TASK_ROOT", root, ": not an absolute path; its lwrap.conf is not read", NULL);
        root = NULL;
    }
    if (root && *root) {
        size_t n = strlen(root);
        char *path = xmalloc(n + sizeof "/lwrap.conf");
        memcpy(path, root, n);
        memcpy(path + n, "/lwrap.conf", sizeof "/lwrap.conf");
        int exists = read_file(path, 0, NULL);
        if (conf_path != path) /* (kept only when the file was read) */
            free(path);
        if (exists)
            return;
    }
    read_file("/opt/lwrap.conf", 0, NULL);
}

/* Later lines win over earlier ones, as in a shell script. */
static const struct setting *file_lookup(const char *name, size_t len)
{
    struct nameidx_slot *s = nameidx_find(&file_idx, name, len);
    return s ? &entries[s->at] : NULL;
}

int conf_get(const char *name, struct setting *out)
{
    size_t len = strlen(name);
    const char *v = env_lookup(name, len);
    if (v) {
        out->name = name;
        out->name_len = len;
        out->value = v;
        out->line = 0;
        return 1;
    }
    const struct setting *f = file_lookup(name, len);
    if (f)
        *out = *f;
    return f != NULL;
}

const char *conf_value(const char *name)
{
    struct setting s;
    return conf_get(name, &s) ? s.value : NULL;
}

/* A file entry is live when neither the environment nor a later line overrides it. */
static int file_entry_live(size_t i)
{
    return !env_lookup(entries[i].name, entries[i].name_len) &&
           file_lookup(entries[i].name, entries[i].name_len) == &entries[i];
}

void conf_each(const char *prefix, void (*fn)(const struct setting *, void *), void *arg)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < n_env_settings; i++)
        if (strncmp(env_settings[i].name, prefix, plen) == 0)
            fn(&env_settings[i], arg);
    for (size_t i = 0; i < n_entries; i++)
        if (strncmp(entries[i].name, prefix, plen) == 0 && file_entry_live(i))
            fn(&entries[i], arg);
}

void conf_each_file(void (*fn)(const struct setting *, void *), void *arg)
{
    for (size_t i = 0; i < n_entries; i++)
        if (file_entry_live(i))
            fn(&entries[i], arg);
}

int conf_flag(const char *name)
{
    struct setting s;
    if (!conf_get(name, &s) || !*s.value || strcmp(s.value, "0") == 0)
        return 0;
    if (strcmp(s.value, "1") == 0)
        return 1;
    report_setting(&s, "expected 1 or 0, got \"", s.value, "\"", NULL);
    return 0;
}

void conf_items(const char *list, void (*fn)(const char *item, size_t n, void *), void *arg)
{
    for (const char *p = list; *p;) {
        while (*p == ',' || *p == ' ' || *p == '\t')
            p++;
        const char *q = p;
        while (*q && *q != ',')
            q++;
        size_t n = (size_t)(q - p);
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n > 0)
            fn(p, n, arg);
        p = q;
    }
}

size_t conf_count(void)
{
    return n_entries + n_env_settings;
}
