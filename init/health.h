/* health: is the local instance usable? PING, then for a server its
 * replication state, for a sentinel whether it knows the master, for a
 * cluster node whether it fits the slot map. */
#ifndef REDIS_INIT_HEALTH_H
#define REDIS_INIT_HEALTH_H

#include "settings.h"

#define HEALTH_MS 2000      /* the whole check */

/* 0 when usable; the one line that says why (malloc'd) in *why. */
int health(const struct settings *s, enum role r, char **why);

/* The verdict of health from its finished call c (PING, then INFO
 * replication and, for a cluster node, CLUSTER INFO and CLUSTER NODES;
 * for a sentinel, PING and SENTINEL GET-MASTER-ADDR-BY-NAME name): 0 when
 * usable, with the line in *why; whatever the peer sent is escaped
 * (diag_escape). Exposed for the fuzz targets. */
struct peer_call;
int health_judge(const struct peer_call *c, enum role role, const char *port,
                 const char *name, char **why);

#endif
