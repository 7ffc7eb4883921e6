/* ha: conversations with Redis and the sentinels (hiredis), every one
 * bounded by a timeout: who is the master, hand mastership over, health. */
#ifndef REDIS_INIT_HA_H
#define REDIS_INIT_HA_H

#include <stddef.h>

#include "settings.h"

#define HA_HOST_LEN 64
#define HA_MAX_ADDRS 32

struct ha_addr {
    char host[HA_HOST_LEN];
    int port;
};

typedef void (*ha_log_fn)(const char *fmt, ...);
typedef int (*ha_stop_fn)(void);    /* true when a stop was requested */

/* Every address of SENTINEL_HOSTS (a name gives all its addresses). */
int ha_sentinels(const struct settings *s, struct ha_addr *out, int max);

/* Ask the sentinels, once, for MASTER_NAME's master; the answer with the
 * highest config epoch wins. 0 when one answered. */
int ha_ask_master(const struct settings *s, struct ha_addr *master);

/* Is a the address this instance is known by (ANNOUNCE_* or a local
 * interface address, and our port)? */
int ha_is_self(const struct settings *s, const struct ha_addr *a);

/* Before start: fill REPLICAOF_* (master/slave) or MONITOR_* (sentinel)
 * from what the sentinels say, waiting at most START_WAIT seconds; a
 * sentinel also waits up to RESOLVE_WAIT for the master's name to resolve.
 * Logs which case happened. -1 when the master's name never resolved (why
 * is logged), -2 when a stop was requested. */
int ha_discover(struct settings *s, ha_log_fn log, ha_stop_fn stop);

/* On SIGTERM of a master: pause writes, wait for a replica to catch up,
 * have the sentinels fail over, wait for the switch; within budget_ms. On
 * any failure, writes are unpaused and the reason is logged. */
void ha_handover(const struct settings *s, long budget_ms, ha_log_fn log);

/* 0 when the local instance of role r is usable; else why (one line). */
int ha_health(const struct settings *s, enum role r, char *why, size_t len);

#endif
