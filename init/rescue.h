/* rescue: no ghost master after every address changed at once.
 *
 * Where instances announce addresses (not stable names), a full restart
 * (every pod rescheduled, a host rebooted with DHCP) gives every instance
 * a new address while the sentinels remember the master by its old one:
 * they name a master that no longer exists, the replicas that ask them
 * replicate it, and nothing can fail over (the sentinels know no replica
 * at a live address). REDIS_HOSTS lists every data instance (a name may
 * resolve to all); the watcher (watch.c) of each of them looks:
 *
 * - Ghost: every sentinel answers, all name the same master, flag it down,
 *   and it is none of REDIS_HOSTS' addresses; every address of REDIS_HOSTS
 *   answers. When that has lasted RESCUE_AFTER, the instance with the most
 *   data (replication offset, then keys, then the lowest address) becomes
 *   master and tells every sentinel to monitor it instead (SENTINEL REMOVE,
 *   MONITOR, SET with the settings they had). Every instance computes the
 *   same choice from the same answers; only the chosen one acts.
 * - Left behind: every sentinel answers and names a master of REDIS_HOSTS
 *   that answers as master, but this instance is a master too, or the
 *   replica of another master whose link is down: it becomes that master's
 *   replica (what Sentinel does itself to the instances it knows). */
#ifndef REDIS_INIT_RESCUE_H
#define REDIS_INIT_RESCUE_H

#include "clock.h"
#include "diag.h"
#include "sentinels.h"
#include "settings.h"

struct rescue {
    const struct settings *s;
    diag_log_fn log;
    msec ghost_since;           /* 0: no ghost now */
};

/* How long a ghost must last: 2 x SENTINEL_DOWN_AFTER + 1 s (the sentinels
 * have flagged it down and tried their own failover by then). */
msec rescue_after(const struct settings *s);

void rescue_init(struct rescue *r, const struct settings *s, diag_log_fn log);
/* The keys of every database of an INFO keyspace text (NULL: 0), capped
 * at LLONG_MAX. Exposed for the fuzz targets. */
long long rescue_keys(const char *info);

/* One look, all before deadline. 1 when calm: every sentinel answers
 * and names a live instance of REDIS_HOSTS, and this one follows it. */
int rescue_look(struct rescue *r, struct sen_now *now, msec deadline);

#endif
