/* health: is the local instance usable? PING, then for a server its
 * replication state, for a sentinel whether it knows the master. */
#ifndef REDIS_INIT_HEALTH_H
#define REDIS_INIT_HEALTH_H

#include "settings.h"

#define HEALTH_MS 2000      /* the whole check */

/* 0 when usable; the one line that says why (malloc'd) in *why. */
int health(const struct settings *s, enum role r, char **why);

#endif
