#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <errno.h>
#include <ftw.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privs.h"

int privs_lookup(const char *user, uid_t *uid, gid_t *gid, struct diag *d)
{
    const char *colon = strchr(user, ':');
    struct passwd *pw;

    if (colon) {                        /* validated: two integers */
        *uid = strtoul(user, NULL, 10);
        *gid = strtoul(colon + 1, NULL, 10);
        return 0;
    }
    errno = 0;
    pw = getpwnam(user);
    if (!pw) {
        diag_add(d, "REDIS_USER=\"%s\": no such user in /etc/passwd: expected "
                 "a user name that exists, or uid:gid", user);
        return -1;
    }
    *uid = pw->pw_uid;
    *gid = pw->pw_gid;
    return 0;
}

static uid_t walk_uid;
static gid_t walk_gid;

static int give(const char *path, const struct stat *st, int type,
                struct FTW *ftw)
{
    (void)type;
    (void)ftw;
    if (st->st_uid != walk_uid || st->st_gid != walk_gid)
        if (lchown(path, walk_uid, walk_gid) < 0)
            return -1;
    return 0;
}

/* Create path's missing parents 0755 (whatever the umask), path 0700. */
static int mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            int rc = mkdir(path, 0755);
            if (rc == 0 && chmod(path, 0755) < 0)
                rc = -1;
            *p = '/';
            if (rc < 0 && errno != EEXIST)
                return -1;
        }
    return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/* Can uid:gid (with no supplementary groups) search dir? */
static int can_search(const struct stat *st, uid_t uid, gid_t gid)
{
    if (uid == 0)
        return 1;
    if (st->st_uid == uid)
        return st->st_mode & S_IXUSR;
    if (st->st_gid == gid)
        return st->st_mode & S_IXGRP;
    return st->st_mode & S_IXOTH;
}

/* The first parent of dir that uid:gid cannot pass through, or NULL. */
static char *unreachable(const char *dir, uid_t uid, gid_t gid)
{
    char *p = strdup(dir);
    struct stat st;

    if (!p)
        return NULL;
    for (char *s = p + 1; ; s++) {
        char c = *s;
        if (c == '/' || c == 0) {
            *s = 0;
            if (stat(p, &st) == 0 && S_ISDIR(st.st_mode) && c == '/' &&
                !can_search(&st, uid, gid))
                return p;
            *s = c;
        }
        if (!c)
            break;
    }
    free(p);
    return NULL;
}

int privs_prepare_dir(const char *dir, uid_t uid, gid_t gid, struct diag *d)
{
    char *path = strdup(dir), *real = NULL, *bad;

    if (!path || mkdirs(path) < 0) {
        diag_add(d, "REDIS_DATA_DIR=\"%s\": cannot create: %s", dir,
                 strerror(errno));
        free(path);
        return -1;
    }
    free(path);
    /* A symlinked data directory (a mounted volume's usual shape) is its
     * target: that is what Redis writes to and what must be given. */
    if (!(real = realpath(dir, NULL))) {
        diag_add(d, "REDIS_DATA_DIR=\"%s\": %s", dir, strerror(errno));
        return -1;
    }
    if (geteuid() != 0) {
        free(real);
        return 0;
    }
    if ((bad = unreachable(real, uid, gid))) {
        diag_add(d, "REDIS_DATA_DIR=\"%s\": user %u:%u cannot reach it: %s is "
                 "not searchable by it", dir, (unsigned)uid, (unsigned)gid, bad);
        free(bad);
        free(real);
        return -1;
    }
    walk_uid = uid;
    walk_gid = gid;
    if (nftw(real, give, 16, FTW_PHYS | FTW_MOUNT) != 0) {
        diag_add(d, "REDIS_DATA_DIR=\"%s\": cannot give it to %u:%u: %s", dir,
                 (unsigned)uid, (unsigned)gid, strerror(errno));
        free(real);
        return -1;
    }
    free(real);
    return 0;
}

int privs_drop(uid_t uid, gid_t gid, struct diag *d)
{
    if (geteuid() != 0)
        return 0;
    /* The system calls themselves: libc's setgroups/setgid/setuid also stop
     * every other thread to change it too (musl's __synccall, 2.2 KB of the
     * static binary), and redis-init has no other thread. */
    if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setgid, gid) < 0 ||
        syscall(SYS_setuid, uid) < 0) {
        diag_add(d, "cannot switch to user %u:%u: %s", (unsigned)uid,
                 (unsigned)gid, strerror(errno));
        return -1;
    }
    if (uid != 0 && syscall(SYS_setuid, 0) == 0) {
        diag_add(d, "dropping root failed: setuid(0) still works");
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        diag_add(d, "cannot set no_new_privs: %s", strerror(errno));
        return -1;
    }
    return 0;
}
