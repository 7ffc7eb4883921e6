#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "privs.h"

int privs_lookup(const char *user, uid_t *uid, gid_t *gid, struct diag *d)
{
    const char *colon = strchr(user, ':');
    struct passwd *pw;

    if (colon) {
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

static int mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            int rc = mkdir(path, 0755);
            *p = '/';
            if (rc < 0 && errno != EEXIST)
                return -1;
        }
    return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

int privs_prepare_dir(const char *dir, uid_t uid, gid_t gid, struct diag *d)
{
    char path[256];

    snprintf(path, sizeof path, "%s", dir);
    if (mkdirs(path) < 0) {
        diag_add(d, "REDIS_DATA_DIR=\"%s\": cannot create: %s", dir,
                 strerror(errno));
        return -1;
    }
    if (geteuid() != 0)
        return 0;
    walk_uid = uid;
    walk_gid = gid;
    if (nftw(dir, give, 16, FTW_PHYS | FTW_MOUNT) != 0) {
        diag_add(d, "REDIS_DATA_DIR=\"%s\": cannot give it to %u:%u: %s", dir,
                 (unsigned)uid, (unsigned)gid, strerror(errno));
        return -1;
    }
    return 0;
}

int privs_drop(uid_t uid, gid_t gid, struct diag *d)
{
    if (geteuid() != 0)
        return 0;
    if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0) {
        diag_add(d, "cannot switch to user %u:%u: %s", (unsigned)uid,
                 (unsigned)gid, strerror(errno));
        return -1;
    }
    if (uid != 0 && setuid(0) == 0) {
        diag_add(d, "dropping root failed: setuid(0) still works");
        return -1;
    }
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    return 0;
}
