#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "clock.h"
#include "peer.h"
#include "reset.h"
#include "sentinels.h"

#define ASK_MS  1000
#define POLL_MS 500

struct counts {
    long long replicas, others;
    int failover;
    struct peer_addr master;
};

/* What one sentinel counts now. 0, or -1 when it does not answer. */
static int count(const struct settings *s, const struct peer_addr *sen,
                 struct counts *c)
{
    struct peer_call call = {.addr = *sen,
                             .password = settings_get(s, S_SENTINEL_PASSWORD)};
    struct sen_view v;
    int rc = -1;

    sen_ask(s, sen, 1, &v, 0, clock_now() + ASK_MS);
    peer_cmd(&call, "SENTINEL MASTER %s", settings_get(s, S_MASTER_NAME));
    if (v.ok && peer_ask(&call, 1, clock_now() + ASK_MS)) {
        c->replicas = peer_num(peer_field(call.reply[0], "num-slaves"));
        c->others = peer_num(peer_field(call.reply[0], "num-other-sentinels"));
        c->failover = v.failover;
        c->master = v.master;
        rc = c->replicas < 0 || c->others < 0 ? -1 : 0;
    }
    peer_reset(&call);
    sen_free(&v, 1);
    return rc;
}

/* The online replicas the master itself reports. */
static long long live_replicas(const struct settings *s,
                               const struct peer_addr *m)
{
    struct peer_call c = {.addr = *m, .password = settings_get(s, S_REDIS_PASSWORD)};
    long long n = -1;

    peer_cmd(&c, "INFO replication");
    if (peer_ask(&c, 1, clock_now() + ASK_MS) && peer_str(c.reply[0])) {
        n = 0;
        for (const char *p = peer_str(c.reply[0]); (p = strstr(p, ",state=online,")); p++)
            n++;
    }
    peer_reset(&c);
    return n;
}

struct want {
    const struct settings *s;
    const struct peer_addr *sen;
    long long replicas, others;
    const char *master;
};

static int exact(void *arg)
{
    struct want *w = arg;
    struct counts c;

    return count(w->s, w->sen, &c) == 0 && c.replicas == w->replicas &&
           c.others == w->others && !strcmp(c.master.host, w->master);
}

int sentinel_reset(const struct settings *s, diag_log_fn log)
{
    const char *name = settings_get(s, S_MASTER_NAME);
    struct peer_addr sen[PEER_MAX], live[PEER_MAX];
    struct counts c[PEER_MAX];
    int unresolved, n = sen_list(s, sen, PEER_MAX, &unresolved), k = 0;
    long long replicas;

    for (int i = 0; i < n; i++)
        if (count(s, &sen[i], &c[k]) == 0)
            live[k++] = sen[i];
    if (k == 0) {
        log("sentinel-reset: no sentinel of SENTINEL_HOSTS=%s answers",
            settings_get(s, S_SENTINEL_HOSTS));
        return 1;
    }
    for (int i = 0; i < k; i++)
        if (c[i].failover || strcmp(c[i].master.host, c[0].master.host) ||
            c[i].master.port != c[0].master.port) {
            log("sentinel-reset: refused: the sentinels %s; try again when "
                "they agree", c[i].failover ? "are failing over"
                                            : "name different masters");
            return 1;
        }
    if ((replicas = live_replicas(s, &c[0].master)) < 0) {
        log("sentinel-reset: refused: the master %s:%d does not answer",
            c[0].master.host, c[0].master.port);
        return 1;
    }
    log("sentinel-reset: %d live sentinels, master %s:%d with %lld online "
        "replicas", k, c[0].master.host, c[0].master.port, replicas);
    for (int i = 0; i < k; i++) {
        struct want w = {s, &live[i], replicas, k - 1, c[0].master.host};
        struct peer_call call = {.addr = live[i],
                                 .password = settings_get(s, S_SENTINEL_PASSWORD)};
        if (c[i].replicas == replicas && c[i].others == k - 1) {
            log("sentinel-reset: %s:%d already counts exactly them",
                live[i].host, live[i].port);
            continue;
        }
        log("sentinel-reset: %s:%d counted %lld replicas and %lld other "
            "sentinels: resetting it", live[i].host, live[i].port,
            c[i].replicas, c[i].others);
        peer_cmd(&call, "SENTINEL RESET %s", name);
        int ok = peer_ask(&call, 1, clock_now() + ASK_MS) &&
                 !peer_is_error(call.reply[0]);
        peer_reset(&call);
        if (!ok || !clock_poll(clock_now() + RESET_WAIT_MS, POLL_MS, exact, &w)) {
            log("sentinel-reset: %s:%d did not find the live peers again "
                "within %d ms: stopping here", live[i].host, live[i].port,
                RESET_WAIT_MS);
            return 1;
        }
        log("sentinel-reset: %s:%d now counts %lld replicas and %d other "
            "sentinels", live[i].host, live[i].port, replicas, k - 1);
    }
    return 0;
}
