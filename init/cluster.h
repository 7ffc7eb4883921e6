/* cluster: forming a Redis Cluster and keeping it together. Creating it
 * from the nodes of CLUSTER_HOSTS (slots in ranges, replicas on other
 * hosts, every node agreeing on the map), and the keeper beside each node
 * (a node that comes back at a new address is met again by its id). The
 * handover of a node's slots on SIGTERM is handover.c's, its health
 * health.c's. Every conversation goes through peer.c under one deadline. */
#ifndef REDIS_INIT_CLUSTER_H
#define REDIS_INIT_CLUSTER_H

#include "clock.h"
#include "diag.h"
#include "settings.h"

#define CLUSTER_SLOTS 16384

/* What cluster_create returns besides 0 (created, or nothing to do). */
#define CLUSTER_REFUSED     65  /* too few nodes, one in another cluster,
                                   one holding data, unassigned slots */
#define CLUSTER_UNREACHABLE 69  /* nodes that did not answer (named) */
#define CLUSTER_LATE        75  /* not formed by the deadline: run again */

/* Checks a cluster node's settings need beyond their own rows (the bus
 * port fits, CLUSTER_HOSTS when something must create); into d. */
void cluster_check(const struct settings *s, int creating, struct diag *d);

/* Form the cluster of CLUSTER_HOSTS, or complete it (nodes that are new,
 * empty and not in any cluster become replicas of the masters with the
 * fewest), or say that there is nothing to do. 0, or one of the codes
 * above; every step and every refusal is logged. */
int cluster_create(const struct settings *s, msec deadline, diag_log_fn log);

/* Give the cluster as many masters as its nodes allow (the nodes over
 * CLUSTER_REPLICAS per master: replicas made empty masters, replicas moved
 * to masters that lack them), then spread the slots over every master
 * (redis-cli --cluster rebalance), or say there is nothing to do. 0, or
 * one of the codes above; refused while a node is in no cluster yet. */
int cluster_rebalance(const struct settings *s, msec deadline, diag_log_fn log);

/* Before a node starts without its nodes.conf (a new node, or one whose
 * volume was lost): while a node of CLUSTER_HOSTS lists a replica of a
 * master of slots at this node's address (the one that was here), wait
 * until that replica answers and no longer follows it (its slots moved),
 * as Redis started here would be its master and wipe it. 0 to start;
 * CLUSTER_LATE when it still does at the deadline. */
int cluster_wait_fresh(const struct settings *s, msec deadline, diag_log_fn log);

/* The watcher beside a cluster node: meets nodes it knows by id at the
 * address CLUSTER_HOSTS resolves to now (a full restart with new
 * addresses), and with CLUSTER_CREATE=yes creates or completes the cluster
 * when this node's address sorts first. Runs until killed. */
int cluster_keep(const struct settings *s, diag_log_fn log);

#endif
