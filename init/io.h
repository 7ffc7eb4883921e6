/* io: whole files, read within a size bound and written durably. */
#ifndef REDIS_INIT_IO_H
#define REDIS_INIT_IO_H

#include <stddef.h>
#include <sys/types.h>

#include "diag.h"

struct io_text {
    char *data;                 /* malloc'd, NUL-terminated */
    size_t len;
};

/* Read path, which must be a regular file (a symlink to one is followed, as
 * Kubernetes secrets are) of at most max bytes. Never blocks: a FIFO, a
 * device or a directory is refused at once. 0, or -1 with *why set to a
 * static text. */
int io_read(const char *path, size_t max, struct io_text *out,
            const char **why);

/* Replace path with text: a 0600 temporary file beside it, owned by
 * uid:gid when root, written, fsync'd and closed (each checked), renamed
 * over path, and the directory fsync'd. -1 (d filled) on error. */
int io_install(const char *path, const char *text, uid_t uid, gid_t gid,
               struct diag *d);

/* "dir/name", malloc'd; NULL when out of memory. */
char *io_join(const char *dir, const char *name);

#endif
