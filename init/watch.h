/* watch: the helper process that lives beside a master's or a replica's
 * Redis and looks, once a period, at it and at the sentinels: the fence
 * (fence.h, FENCE=yes), a replica following the master the sentinels
 * agree on (follow.h, SENTINEL_HOSTS set) and the rescue after every
 * address changed (rescue.h, REDIS_HOSTS set); beside a sentinel, the
 * catch-up of one that missed a failover (catchup.h, SENTINEL_HOSTS set).
 * The supervisor starts it after Redis, kills it when stopping, and
 * restarts it if it dies.
 *
 * Beside a master or a replica, once a look finds all calm (the fence
 * armed and vouched for, the replica's link up, nothing pending), the
 * watcher stops looking once a period: it holds a connection to each
 * sentinel (hold.h) and sleeps until one publishes an event, one is lost
 * or closes, or QUIET_LOOK_MS pass; then it looks again (after an event,
 * no sooner than a period after the last look). The kernel notices a lost
 * sentinel after quiet_lost_ms (half SENTINEL_DOWN_AFTER, less 500 ms),
 * and the fence counts from when the kernel last heard from a majority of
 * them (hold_wait), so it fences as early as with a look a period. Below
 * QUIET_MIN_DOWN_AFTER the keepalive's one-second steps are too coarse,
 * and with WATCH_WAIT=looks (sentinels behind a TCP proxy, which would
 * answer the keepalive itself) it looks once a period throughout. */
#ifndef REDIS_INIT_WATCH_H
#define REDIS_INIT_WATCH_H

#include "clock.h"
#include "diag.h"
#include "settings.h"

/* A look at least this often, even when all is calm (ms). */
#define QUIET_LOOK_MS 30000
/* The shortest SENTINEL_DOWN_AFTER that the quiet wait serves (ms). */
#define QUIET_MIN_DOWN_AFTER 4000

/* Is there anything to watch for these settings? */
int watch_wanted(const struct settings *s);

/* The watcher's loop; never returns. */
int watch_run(const struct settings *s, diag_log_fn log);

#endif
