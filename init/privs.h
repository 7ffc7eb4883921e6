/* privs: the user Redis runs as, and its data directory. */
#ifndef REDIS_INIT_PRIVS_H
#define REDIS_INIT_PRIVS_H

#include <sys/types.h>

#include "diag.h"

/* Resolve "name" (from /etc/passwd) or "uid:gid". -1 (d filled) on error. */
int privs_lookup(const char *user, uid_t *uid, gid_t *gid, struct diag *d);

/* Create dir (missing parents 0755, dir itself 0700) and, when root, give
 * it and everything in it that the user does not own to uid:gid. Refuses a
 * dir that uid:gid could not reach through its parents. -1 on error. */
int privs_prepare_dir(const char *dir, uid_t uid, gid_t gid, struct diag *d);

/* When root: drop to uid:gid for good, with no supplementary groups and no
 * way back (no_new_privs). A no-op for any other user. -1 on error. */
int privs_drop(uid_t uid, gid_t gid, struct diag *d);

#endif
