/* follow: a replica whose link to its master is down follows the master
 * that a majority of the sentinels agrees on. Sentinel reconfigures only
 * the replicas it knows, and it learns them from the master's INFO: a
 * replica that started while the master's address was changing (every
 * container restarted and got another container's old address) points at
 * an address where no master answers, and no sentinel ever tells it.
 *
 * The watcher (watch.c) looks once a period: the local Redis is a replica
 * with its link down, a majority of the sentinels names one master M with
 * no failover in progress, and M is not the master it replicates from.
 * When that has held for SENTINEL_DOWN_AFTER (time for Sentinel to do it
 * first): REPLICAOF M if M answers as a master; if M is this instance (it
 * started as a replica of MASTER_HOST while no sentinel answered, and the
 * sentinels still name it; or a sentinel made it a replica of itself),
 * REPLICAOF NO ONE: master again.
 *
 * With FENCE=yes, a master that no majority of the sentinels ever vouched
 * for (the fence owns the others) and that they do not name, while they agree on another
 * one that answers as a master, becomes its replica after the same wait:
 * it came back at a new address after a failover had begun, and Sentinel,
 * which converts an old master it knows into a replica, does not know it
 * there. Its writes since the switch are given up, as Sentinel does. */
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
 * when it did not answer), whether a master is to be left alone (the fence
 * owns it, armed or fenced, or FENCE=no: Sentinel alone) and the
 * sentinels' answers (asked when needed); every call to a peer ends by
 * deadline. 1 when calm: Redis answered, it is not a replica whose link
 * is down, and nothing is pending. */
int follow_look(struct follow *f, struct sen_now *now, const char *info,
                int left_alone, msec deadline);

#endif
