#include <stdio.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "fence.h"
#include "follow.h"
#include "peer.h"
#include "sentinels.h"


msec fence_period(const struct settings *s)
{
    msec p = settings_num(s, S_SENTINEL_DOWN_AFTER) / 5;

    return p < 50 ? 50 : p;
}

msec fence_after(const struct settings *s)
{
    msec f = settings_num(s, S_SENTINEL_DOWN_AFTER) / 2;

    return f < 2 * fence_period(s) ? 2 * fence_period(s) : f;
}


/* One command to the local Redis; 0 when it answered without an error. */
static int local(struct fence *w, struct peer_call *c, msec deadline,
                 const char *fmt, const char *a1, const char *a2)
{
    memset(c, 0, sizeof *c);
    peer_local(c, w->port, settings_get(w->s, S_REDIS_PASSWORD));
    peer_cmd(c, fmt, a1, a2);
    return peer_ask1(c, deadline);
}

static int set_min_replicas(struct fence *w, const char *n, msec deadline)
{
    struct peer_call c;
    int rc = local(w, &c, deadline, "%s SET min-replicas-to-write %s",
                   w->config, n);

    if (rc < 0)
        w->log("fence: CONFIG SET min-replicas-to-write %s failed: %s", n,
               peer_why(&c));
    peer_reset(&c);
    return rc;
}

static void fence(struct fence *w, int answered, int good, int of,
                  msec since, msec deadline)
{
    struct peer_call c;

    if (set_min_replicas(w, FENCED_MIN_REPLICAS, deadline) < 0)
        return;
    w->fenced = 1;
    /* Clients reconnect and ask the sentinels again; replicas stay. */
    local(w, &c, deadline, "CLIENT KILL TYPE normal", NULL, NULL);
    peer_reset(&c);
    w->log("fence: only %d of %d sentinels answered and %d named this "
           "instance a master that is up, for %lld ms: writes refused and "
           "clients disconnected until a majority does", answered, of, good,
           (long long)since);
}

/* Is Redis fenced already? It started so (discover.h: a master back
 * while the sentinels fail it over), or this watcher replaces one that
 * died. Asked until Redis answers. */
static void learn_fenced(struct fence *w, msec deadline)
{
    struct peer_call c;

    if (local(w, &c, deadline, "%s GET min-replicas-to-write", w->config,
              NULL) == 0 && c.reply[0] && c.reply[0]->type == REDIS_REPLY_ARRAY) {
        w->known = 1;
        w->fenced = c.reply[0]->elements == 2 &&
                    !strcmp(peer_str(c.reply[0]->element[1]) ?
                            peer_str(c.reply[0]->element[1]) : "",
                            FENCED_MIN_REPLICAS);
        if (w->fenced)
            w->log("fence: started with writes refused, until a majority of "
                   "the sentinels sees this master up (or names another)");
    }
    peer_reset(&c);
}

/* A majority answers again: obey what it says. */
static void unfence(struct fence *w, const struct sen_view *v, int n,
                    msec deadline)
{
    int best = sen_best(v, n);
    struct peer_call c;

    if (best >= 0 && !sen_is_self(w->s, &v[best].master)) {
        char port[8], why[256];
        snprintf(port, sizeof port, "%d", v[best].master.port);
        /* Rewritten below, once the fence's own setting is undone. */
        w->log("fence: the sentinels name %s:%d as master: following it now "
               "as its replica%s", v[best].master.host, v[best].master.port,
               follow_replicaof(w->s, v[best].master.host, port, 0, deadline,
                                why, sizeof why) == 0 ? "" : " (REPLICAOF failed)");
    } else {
        w->log("fence: a majority of the sentinels answers and names this "
               "instance master: writes accepted again");
    }
    if (set_min_replicas(w, settings_get(w->s, S_MIN_REPLICAS_TO_WRITE),
                         deadline) == 0)
        w->fenced = 0;
    if (best >= 0 && !sen_is_self(w->s, &v[best].master)) {
        /* As Sentinel does when it converts an old master. */
        local(w, &c, deadline, "%s REWRITE", w->config, NULL);
        peer_reset(&c);
    }
}

/* How many answers name this instance master and see it up, with no
 * failover of it in progress. */
static int vouching(const struct settings *s, const struct sen_view *v, int n)
{
    int k = 0;

    for (int i = 0; i < n; i++)
        k += v[i].ok && !v[i].master_down && !v[i].failover &&
             sen_is_self(s, &v[i].master);
    return k;
}

/* Does any answer say a failover runs? (Its leader may be the only one
 * that still says so.) */
static int failing(const struct sen_view *v, int n)
{
    for (int i = 0; i < n; i++)
        if (v[i].ok && v[i].failover)
            return 1;
    return 0;
}

void fence_init(struct fence *w, const struct settings *s, diag_log_fn log)
{
    memset(w, 0, sizeof *w);
    w->s = s;
    w->log = log;
    w->last_good = clock_now();
    w->port = (int)settings_num(s, S_REDIS_PORT);
    w->config = settings_command(s, "CONFIG", w->config_buf, sizeof w->config_buf);
    log("fence: watching the sentinels every %lld ms; writes are refused "
        "after %lld ms without a majority that names this master and sees "
        "it up", (long long)fence_period(s), (long long)fence_after(s));
}

void fence_vouched(struct fence *w, msec when)
{
    if (when > w->last_good)
        w->last_good = when;
}

int fence_look(struct fence *w, struct sen_now *now, const char *info,
               msec deadline)
{
    const struct settings *s = w->s;
    const struct sen_view *v;
    int n, all, answered, good, best;
    int master = !info ? -1 : strstr(info, "role:master\r\n") != NULL;

    if (master < 0) {
        w->last_good = clock_now();     /* Redis does not answer */
        return 0;
    }
    if (!w->known)
        learn_fenced(w, deadline);
    if (master == 0) {
        w->last_good = clock_now();     /* a replica has nothing to fence */
        /* A replica that Sentinel promotes is master before the sentinels
         * name it: it is armed only once they do, never fenced before. */
        w->armed = 0;
        /* Demoted by Sentinel while fenced: it keeps no fence. */
        if (w->fenced && set_min_replicas(w, settings_get(s,
                S_MIN_REPLICAS_TO_WRITE), deadline) == 0)
            w->fenced = 0;
        return !w->fenced;
    }
    sen_now_ask(s, now, deadline);
    v = now->v;
    n = now->n;
    all = n + now->unresolved;
    answered = now->answered;
    good = vouching(s, v, n);
    best = sen_best(v, n);
    if (all > 0 && good > all / 2 && !(w->fenced && failing(v, n))) {
        w->last_good = clock_now();
        if (!w->armed)
            w->log("fence: armed: a majority of the sentinels names this "
                   "instance master");
        w->armed = 1;
        if (w->fenced)
            unfence(w, v, n, clock_now() + fence_period(s));
        return !w->fenced;
    } else if (w->fenced && all > 0 && answered > all / 2 && best >= 0 &&
               !sen_is_self(s, &v[best].master)) {
        unfence(w, v, n, clock_now() + fence_period(s));    /* follow */
    } else if (w->armed && !w->fenced &&
               clock_now() - w->last_good >= fence_after(s)) {
        /* The look used up its deadline waiting for answers: acting
         * gets a period of its own. */
        fence(w, answered, good, all, clock_now() - w->last_good,
              clock_now() + fence_period(s));
    }
    return all == 0 && !w->fenced;      /* no sentinel: nothing to watch */
}
