/* fence: a master cut off from most of its sentinels stops taking writes
 * before they can promote another master, and follows them the moment it
 * reaches them again. Sentinel alone is "last failover wins": a cut-off
 * master takes writes that are thrown away when it rejoins.
 *
 * The watcher (watch.c) looks every SENTINEL_DOWN_AFTER/5 ms (1 s at the
 * default 5000): is the local Redis a master, and does a majority of the
 * sentinels answer, name it and see it up (no s_down, no failover of it in
 * progress)? Once armed (a majority did once), after SENTINEL_DOWN_AFTER/2
 * without such a majority it fences: min-replicas-to-write so high that
 * every write is refused (NOREPLICAS), and the clients' connections closed
 * so that Sentinel-aware clients ask the sentinels again. When a majority
 * answers again: if it vouches for this instance the fence is lifted; if
 * it names another master, this one becomes its replica at once. */
#ifndef REDIS_INIT_FENCE_H
#define REDIS_INIT_FENCE_H

#include "clock.h"
#include "diag.h"
#include "peer.h"
#include "sentinels.h"
#include "settings.h"

/* min-replicas-to-write while fenced: no master has that many replicas. */
#define FENCED_MIN_REPLICAS "2147483647"

struct fence {
    const struct settings *s;
    diag_log_fn log;
    int port;                   /* the local Redis' */
    char config_buf[72];
    const char *config;         /* CONFIG's name here (RENAME_COMMANDS) */
    int fenced;
    int known;                  /* fenced read from Redis (it may have
                                   started fenced, or this watcher be new) */
    int armed;                  /* a majority vouched once: they exist */
    msec last_good;             /* when a majority last vouched */
};

/* Period between looks, and how long without a majority before fencing. */
msec fence_period(const struct settings *s);
msec fence_after(const struct settings *s);

void fence_init(struct fence *f, const struct settings *s, diag_log_fn log);
/* One look, given the local Redis' INFO replication of this look (NULL
 * when it did not answer) and, once it is a master, the sentinels'
 * answers; all before deadline. 1 when calm: a replica, unfenced; or an
 * armed master that a majority vouches for (or one with no sentinel):
 * nothing is to be done until a sentinel's view changes. */
int fence_look(struct fence *f, struct sen_now *now, const char *info,
               msec deadline);

/* A majority of the sentinels was known to be there at when (the watcher
 * held connections to them): the fence counts from then, not from the
 * last look. */
void fence_vouched(struct fence *f, msec when);

#endif
