/* discover: before Redis starts, who is the master? A master or slave asks
 * the sentinels and starts as what they say; a sentinel asks its peers,
 * else remembers, else takes MASTER_HOST. Runs in a helper process (PID 1
 * never parses a byte from the network); the decision comes back whole. */
#ifndef REDIS_INIT_DISCOVER_H
#define REDIS_INIT_DISCOVER_H

#include "clock.h"
#include "diag.h"
#include "peer.h"
#include "settings.h"

/* Exit codes of a refusal to start. */
#define DISCOVER_NO_MASTER_NAME 69  /* MASTER_HOST never resolved */
#define DISCOVER_EMPTY_MASTER   75  /* named master with no data: not safe */

struct discovery {
    enum role role;             /* what to start as */
    struct peer_addr master;    /* replicaof (servers) / monitor (sentinel);
                                   host "" when the settings' default holds */
    int forget_config_epoch;    /* sentinel: its peers will tell it */
    int fenced;                 /* master: start with writes refused, as the
                                   fence does (FENCE=yes), because sentinels
                                   that name it see it down or fail it over:
                                   it crashed and is back before they are
                                   done; the fence lifts it when a majority
                                   sees it up, or follows their new master */
    int exit_code;              /* non-zero: start nothing, exit with it */
};

/* The longest discover() may take for these settings, in ms. */
msec discover_budget(const struct settings *s);

/* Decide; every case is logged with its reason. */
void discover(const struct settings *s, struct discovery *out,
              diag_log_fn log);

/* A sentinel's decision without its peers: the master it knew last, else
 * MASTER_HOST once it resolves (exit_code DISCOVER_NO_MASTER_NAME when it
 * does not within RESOLVE_WAIT). The end of discover() for a sentinel that
 * no peer answered, and what main runs when that discovery itself failed. */
void discover_alone(const struct settings *s, struct discovery *out,
                    diag_log_fn log);

/* Does REDIS_DATA_DIR hold data Redis saved (an RDB or AOF file)? */
int discover_has_data(const char *dir);

#endif
