/* follow: a replica whose link to its master is down follows the master
 * that a majority of the sentinels agrees on. Sentinel reconfigures only
 * the replicas it knows, and it learns them from the master's INFO: a
 * replica that started while the master's address was changing (every
 * container restarted and got another container's old address) points at
 * an address where no master answers, and no sentinel ever tells it.
 *
 * The watcher (watch.c) looks once a period: the local Redis is a replica
 * with its link down, a majority of the sentinels names one master M with
 * no failover in progress, M is neither this instance nor the master it
 * replicates from, and M answers as a master. When that has held for
 * SENTINEL_DOWN_AFTER (time for Sentinel to do it first), REPLICAOF M. */
#ifndef REDIS_INIT_FOLLOW_H
#define REDIS_INIT_FOLLOW_H

#include "clock.h"
#include "diag.h"
#include "sentinels.h"
#include "settings.h"

struct follow {
    const struct settings *s;
    diag_log_fn log;
    msec since;                 /* when a wrong master was first seen, or 0 */
};

void follow_init(struct follow *f, const struct settings *s, diag_log_fn log);

/* REPLICAOF host port on the local Redis, under its RENAME_COMMANDS name
 * ("NO", "ONE" to promote it), then CONFIG REWRITE when rewrite is set, as
 * Sentinel does when it reconfigures an instance. 0, or -1 with why (an
 * escaped reason, len bytes). Used by the fence and the rescue too. */
int follow_replicaof(const struct settings *s, const char *host,
                     const char *port, int rewrite, msec deadline, char *why,
                     size_t len);

/* One look, given the local Redis' INFO replication of this look (NULL
 * when it did not answer) and the sentinels' answers (asked when needed);
 * every call to a peer ends by deadline. */
void follow_look(struct follow *f, struct sen_now *now, const char *info,
                 msec deadline);

#endif
