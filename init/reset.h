/* reset: forget what the sentinels keep of replicas and sentinels that are
 * gone (after a scale-in), the way Redis' documentation says: SENTINEL
 * RESET on one sentinel at a time, each time waiting until that sentinel
 * has found again exactly the live replicas and the other live sentinels,
 * so that a majority for a failover is never lost. Refused while the
 * sentinels disagree or a failover is in progress. */
#ifndef REDIS_INIT_RESET_H
#define REDIS_INIT_RESET_H

#include "diag.h"
#include "settings.h"

#define RESET_WAIT_MS 60000     /* one sentinel to find its peers again */

/* 0 when every sentinel counts exactly the live peers; 1 otherwise (why is
 * logged). */
int sentinel_reset(const struct settings *s, diag_log_fn log);

#endif
