#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"

static const char *kind_of(mode_t m)
{
    return S_ISDIR(m) ? "a directory, not a file"
         : S_ISFIFO(m) ? "a FIFO, not a regular file"
         : S_ISCHR(m) || S_ISBLK(m) ? "a device, not a regular file"
         : S_ISSOCK(m) ? "a socket, not a regular file"
         : "not a regular file";
}

int io_read(const char *path, size_t max, struct io_text *out,
            const char **why)
{
    /* O_NONBLOCK: opening a FIFO with no writer must not hang PID 1. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    size_t n = 0;
    char *buf = NULL;

    out->data = NULL;
    out->len = 0;
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        *why = strerror(errno);
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = kind_of(st.st_mode);
        goto fail;
    }
    if ((size_t)st.st_size > max) {
        *why = "larger than the limit";
        goto fail;
    }
    /* One byte more than the limit tells a file that grew meanwhile. */
    if (!(buf = malloc(max + 2))) {
        *why = strerror(ENOMEM);
        goto fail;
    }
    for (;;) {
        ssize_t r = read(fd, buf + n, max + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            *why = strerror(errno);
            goto fail;
        }
        if (r == 0)
            break;
        n += r;
        if (n > max) {
            *why = "larger than the limit";
            goto fail;
        }
    }
    close(fd);                  /* read-only: nothing to lose on close */
    buf[n] = 0;
    out->data = buf;
    out->len = n;
    return 0;
fail:
    free(buf);
    close(fd);
    return -1;
}

char *io_join(const char *dir, const char *name)
{
    char *p;

    return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

/* fsync a directory so that a rename in it survives a crash. */
static int sync_dir(const char *path)
{
    char *dir = strdup(path), *slash;
    int fd, rc;

    if (!dir)
        return -1;
    slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = 0;
    else if (slash)
        *slash = 0;
    else
        strcpy(dir, ".");
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

int io_install(const char *path, const char *text, uid_t uid, gid_t gid,
               struct diag *d)
{
    size_t len = strlen(text), done = 0;
    char *tmp;
    int fd;

    if (asprintf(&tmp, "%s.redis-init.tmp", path) < 0) {
        diag_add(d, "cannot write %s: %s", path, strerror(ENOMEM));
        return -1;
    }
    unlink(tmp);                /* a leftover of a crash; absent is fine */
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        diag_add(d, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto fail;
        done += w;
    }
    /* Sentinel's myid and epochs live in its config: it must survive a
     * crash right after the rename. */
    if ((getuid() == 0 && fchown(fd, uid, gid) < 0) || fsync(fd) < 0)
        goto fail;
    if (close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    if (rename(tmp, path) < 0) {
        diag_add(d, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    if (sync_dir(path) < 0) {
        diag_add(d, "cannot sync the directory of %s: %s", path,
                 strerror(errno));
        return -1;
    }
    return 0;
fail:
    diag_add(d, "cannot write %s: %s", tmp,
             errno ? strerror(errno) : "short write");
    if (fd >= 0)
        close(fd);
    unlink(tmp);
    free(tmp);
    return -1;
}
