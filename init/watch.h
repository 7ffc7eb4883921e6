/* watch: the helper process that lives beside a master's or a replica's
 * Redis and looks, once a period, at it and at the sentinels: the fence
 * (fence.h, FENCE=yes), a replica following the master the sentinels
 * agree on (follow.h, SENTINEL_HOSTS set) and the rescue after every
 * address changed (rescue.h, REDIS_HOSTS set); beside a sentinel, the
 * catch-up of one that missed a failover (catchup.h, SENTINEL_HOSTS set).
 * The supervisor starts it after Redis, kills it when stopping, and
 * restarts it if it dies. */
#ifndef REDIS_INIT_WATCH_H
#define REDIS_INIT_WATCH_H

#include "diag.h"
#include "settings.h"

/* Is there anything to watch for these settings? */
int watch_wanted(const struct settings *s);

/* The watcher's loop; never returns. */
int watch_run(const struct settings *s, diag_log_fn log);

#endif
