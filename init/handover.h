/* handover: on SIGTERM of a master, hand mastership to a replica before
 * Redis stops, with no acknowledged write lost: pause writes, wait until a
 * replica has every write, then switch (a sentinel fails over, or, in the
 * cluster role, the replica takes the slots with CLUSTER FAILOVER) and
 * wait until the switch is seen. It gives up at the first sign that it
 * cannot succeed (the sentinel or the replicas stop answering, the
 * failover is refused or aborted) and unpauses writes, saying why. Runs
 * in a helper process that the supervisor kills at the deadline; the
 * pause expires then by itself. */
#ifndef REDIS_INIT_HANDOVER_H
#define REDIS_INIT_HANDOVER_H

#include "clock.h"
#include "diag.h"
#include "peer.h"
#include "settings.h"

#define HANDOVER_MIN_MS 1000    /* less than this left: not tried */

/* For s->role. 0 when mastership (or the slots) moved; 1 when skipped or
 * given up (why is logged). */
int handover(const struct settings *s, msec deadline, diag_log_fn log);

/* The cluster role, once a signal killed redis-server (a crash, the OOM
 * killer) with no stop asked for: if its nodes.conf says it was a master
 * of slots, the replica of it with the most data, among those that still
 * see it as their master owning slots and are not in a full sync, is
 * asked to take them at once (CLUSTER FAILOVER FORCE), instead of when the
 * cluster notices, 1 to 1.5 x the node timeout later. 0 when it accepted. */
int handover_dead(const struct settings *s, msec deadline, diag_log_fn log);

/* The online replicas that a master's INFO replication text lists (lines
 * such as "slave0:ip=10.0.0.2,port=6379,state=online,offset=1,lag=0")
 * into out[0..max); info may be NULL. Returns how many. Exposed for the
 * fuzz targets. */
int handover_replicas(const char *info, struct peer_addr *out, int max);

#endif
