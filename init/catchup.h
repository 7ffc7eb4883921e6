/* catchup: a sentinel that missed a failover joins its peers again.
 * Sentinel learns a newer master only from its peers' hello messages, and
 * those reach it only through the master and replicas it monitors. A
 * sentinel that started (or was cut off) while the master died, before it
 * had heard any peer or learned any replica, keeps monitoring the dead
 * address with an old config epoch and knows nobody who could tell it:
 * it stays out of every later majority until someone resets it.
 *
 * The watcher (watch.c) beside a sentinel looks once every
 * SENTINEL_DOWN_AFTER ms: is the master this sentinel monitors down for it
 * (s_down or o_down, no failover of its own running), or does it monitor
 * none of MASTER_NAME? Then, if a majority of the sentinels of
 * SENTINEL_HOSTS names another master with a higher config epoch, sees it
 * up and runs no failover, and that master answers as a master, and all of
 * that has lasted CATCHUP_AFTER_MS (five hello periods: a sentinel that
 * can hear its peers has caught up by then), the sentinel is pointed at it
 * with SENTINEL REMOVE, MONITOR and SET, the same options as its
 * sentinel.conf. Through that master it hears its peers' hellos, and
 * their config epoch, at once. */
#ifndef REDIS_INIT_CATCHUP_H
#define REDIS_INIT_CATCHUP_H

#include "clock.h"
#include "diag.h"
#include "sentinels.h"
#include "settings.h"

#define CATCHUP_AFTER_MS 10000

struct catchup {
    const struct settings *s;
    diag_log_fn log;
    msec since;                 /* when it was first seen behind, or 0 */
};

void catchup_init(struct catchup *c, const struct settings *s, diag_log_fn log);

/* One look: the local sentinel is asked, the sentinels of SENTINEL_HOSTS
 * (now) only when it is behind; every call ends by deadline. */
void catchup_look(struct catchup *c, struct sen_now *now, msec deadline);

/* Is the local sentinel, whose own answer is mine (mine->ok 0 when it
 * monitors no master of that name), behind the sentinels' answers? The
 * index of the answer it should follow, else -1. Used by catchup_look;
 * exposed for the unit tests. */
int catchup_behind(const struct sen_view *mine, const struct sen_now *now);

#endif
