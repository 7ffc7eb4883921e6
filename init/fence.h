/* fence: a master cut off from most of its sentinels stops taking writes
 * before they can promote another master, and follows them the moment it
 * reaches them again. Sentinel alone is "last failover wins": a cut-off
 * master takes writes that are thrown away when it rejoins.
 *
 * A watcher helper process looks every SENTINEL_DOWN_AFTER/5 ms (1 s at
 * the default 5000): is the local Redis a master, and do a majority of the
 * sentinels answer? After SENTINEL_DOWN_AFTER/2 without a majority it
 * fences: min-replicas-to-write so high that every write is refused
 * (NOREPLICAS), and the clients' connections closed so that Sentinel-aware
 * clients ask the sentinels again. Once a majority answers: if they name
 * this instance, the fence is lifted; if they name another master, it
 * becomes that master's replica at once. */
#ifndef REDIS_INIT_FENCE_H
#define REDIS_INIT_FENCE_H

#include "clock.h"
#include "diag.h"
#include "settings.h"

/* Period between looks, and how long without a majority before fencing. */
msec fence_period(const struct settings *s);
msec fence_after(const struct settings *s);

/* The watcher's loop; returns only on an error it cannot go on from. */
int fence_watch(const struct settings *s, diag_log_fn log);

#endif
