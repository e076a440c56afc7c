#include "trust.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

int trust_absolute(const char *path)
{
    return path && path[0] == '/';
}

const char *trust_config(int fd)
{
    struct stat st;
    struct statvfs vfs;
    if (fstat(fd, &st) != 0)
        return "cannot be checked (fstat failed)";
    if (fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY))
        return NULL;
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return "writable by group or others (chmod go-w it)";
    if (st.st_uid != 0 && st.st_uid != geteuid())
        return "owned by another user (not root, not the user lwrap runs as)";
    return NULL;
}
