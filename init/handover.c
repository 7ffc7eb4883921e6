#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "cnodes.h"
#include "handover.h"
#include "io.h"
#include "peer.h"
#include "sentinels.h"

#define POLL_MS    10       /* between looks at the replicas and the switch */
#define ASK_MS     300      /* one look; a peer slower than this is late */
#define UNPAUSE_MS 300      /* kept at the end to unpause and say why */
#define DRAIN_MS   500      /* cluster: MOVED answered after the switch */

struct ho {
    const struct settings *s;
    diag_log_fn log;
    int cluster;                /* the cluster role: CLUSTER FAILOVER */
    msec start, deadline;
    struct peer_addr replicas[PEER_MAX];
    int nreplicas;
    struct peer_addr sentinel;  /* Sentinel: the one that names us master */
    struct peer_addr taker;     /* who took over */
    char why[512];              /* a reason built from a reply */
};

/* The local Redis answers the queued commands, none with an error; the
 * caller reads and resets the call. */
static int local(struct ho *h, struct peer_call *c)
{
    peer_local(c, (int)settings_num(h->s, S_REDIS_PORT),
               settings_get(h->s, S_REDIS_PASSWORD));
    return peer_ask1(c, clock_within(ASK_MS, h->deadline));
}

int handover_replicas(const char *info, struct peer_addr *out, int max)
{
    int n = 0;

    for (int i = 0; info && i < PEER_MAX && n < max; i++) {
        char key[24], line[PEER_HOST_MAX + 128], *ip, *port;
        const char *why;
        snprintf(key, sizeof key, "slave%d", i);
        if (peer_info(info, key, line, sizeof line) < 0)
            continue;           /* absent, or longer than any valid line */
        if (!strstr(line, ",state=online,") || strncmp(line, "ip=", 3) ||
            !(port = strstr(line, ",port=")))
            continue;
        ip = line + 3;
        *port = 0;
        port += 6;
        port[strcspn(port, ",")] = 0;
        if (peer_parse(ip, strlen(ip), 1, &out[n], &why) == 0 &&
            (out[n].port = (int)peer_num(port)) > 0 && out[n].port < 65536)
            n++;
    }
    return n;
}

/* Is there something to hand over: a master (in the cluster role, one
 * that owns slots)? Its online replicas into h. 1 yes, 0 no, -1 when the
 * local Redis does not answer (logged). */
static int master(struct ho *h)
{
    struct peer_call c = {0};
    struct cn_line me;
    const char *info;
    int yes;

    peer_cmd(&c, "INFO replication");
    if (h->cluster)
        peer_cmd(&c, "CLUSTER NODES");
    if (local(h, &c) < 0 ||
        (h->cluster && cn_myself(peer_str(c.reply[1]), &me) < 0)) {
        h->log("handover skipped: the local redis-server does not answer "
               "(%s): plain clean shutdown", peer_why(&c));
        peer_reset(&c);
        return -1;
    }
    /* Not a text (a confused peer on our port): nothing to hand over. */
    info = peer_str(c.reply[0]);
    yes = h->cluster ? me.master && me.slots > 0
                     : info && strstr(info, "role:master") != NULL;
    if (yes)
        h->nreplicas = handover_replicas(info, h->replicas, PEER_MAX);
    peer_reset(&c);
    return yes;
}

/* A sentinel that names this instance master. */
static int find_sentinel(struct ho *h)
{
    struct peer_addr sen[PEER_MAX];
    struct sen_view v[PEER_MAX];
    int unresolved, found = -1;
    int n = sen_list(h->s, sen, PEER_MAX, &unresolved);

    sen_ask(h->s, sen, n, v, 0, clock_within(ASK_MS, h->deadline));
    for (int i = 0; i < n && found < 0; i++)
        if (v[i].ok && sen_is_self(h->s, &v[i].master))
            found = i;
    if (found >= 0)
        h->sentinel = v[found].sentinel;
    sen_free(v, n);
    return found;
}

/* Until a replica reports offset target (asked directly: the master hears
 * of it only from the once a second REPLCONF ACK). Its index, or -1 with
 * *why. */
static int catch_up(struct ho *h, long long target, const char **why)
{
    struct peer_call c[PEER_MAX];

    while (clock_left(h->deadline)) {
        int gone = 0, caught = -1;
        memset(c, 0, sizeof c);
        for (int i = 0; i < h->nreplicas; i++) {
            c[i].addr = h->replicas[i];
            c[i].password = settings_get(h->s, S_REDIS_PASSWORD);
            peer_cmd(&c[i], "INFO replication");
        }
        peer_ask(c, h->nreplicas, clock_within(ASK_MS, h->deadline));
        for (int i = 0; i < h->nreplicas; i++) {
            if (caught < 0 && c[i].ok &&
                peer_info_num(peer_str(c[i].reply[0]), "slave_repl_offset") >= target)
                caught = i;
            gone += !c[i].ok && c[i].err && !strstr(c[i].err, "deadline");
            peer_reset(&c[i]);
        }
        if (caught >= 0)
            return caught;
        if (gone == h->nreplicas) {
            *why = "every replica stopped answering";
            return -1;
        }
        clock_sleep(POLL_MS, h->deadline);
    }
    *why = "no replica caught up with the master's offset in time";
    return -1;
}

/* Ask for the switch: the sentinel fails over, or replica r takes the
 * slots. NULL, or why not. */
static const char *ask_switch(struct ho *h, int r)
{
    struct peer_call c = {0};
    const char *cmd = h->cluster ? "CLUSTER FAILOVER" : "SENTINEL FAILOVER";

    c.addr = h->cluster ? h->replicas[r] : h->sentinel;
    c.password = settings_get(h->s, h->cluster ? S_REDIS_PASSWORD
                                               : S_SENTINEL_PASSWORD);
    /* hiredis splits the format at spaces; a %s is one argument. */
    if (h->cluster)
        peer_cmd(&c, "CLUSTER FAILOVER");
    else
        peer_cmd(&c, "SENTINEL FAILOVER %s", settings_get(h->s, S_MASTER_NAME));
    if (peer_ask1(&c, clock_within(ASK_MS, h->deadline)) < 0) {
        snprintf(h->why, sizeof h->why, "%s: %s", cmd, peer_why(&c));
        peer_reset(&c);
        return h->why;
    }
    peer_reset(&c);
    return NULL;
}

/* One look at the switch: 1 when seen (h->taker), 0 not yet, -1 when it
 * will not come (*why). Sentinel: it names another master. Cluster: the
 * local node has become a replica. */
static int switched(struct ho *h, const char **why)
{
    struct peer_call c = {0};
    struct sen_view v;
    struct cn_line me;
    int seen;

    if (h->cluster) {
        peer_cmd(&c, "CLUSTER NODES");
        seen = local(h, &c) == 0 &&
               cn_myself(peer_str(c.reply[0]), &me) == 0 && !me.master;
        peer_reset(&c);
        return seen;
    }
    sen_ask(h->s, &h->sentinel, 1, &v, 0, clock_within(ASK_MS, h->deadline));
    seen = v.ok && !sen_is_self(h->s, &v.master) ? 1
         : v.gone ? (*why = "the sentinel stopped answering", -1)
         : v.ok && !v.failover ? (*why = "the sentinels aborted the failover", -1)
         : 0;
    if (seen > 0)
        h->taker = v.master;
    sen_free(&v, 1);
    return seen;
}

/* The steps after writes are paused: NULL when mastership moved. */
static const char *switch_over(struct ho *h)
{
    struct peer_call c = {0};
    const char *why = NULL;
    long long target;
    int r, seen;

    peer_cmd(&c, "INFO replication");
    target = local(h, &c) == 0 ?
        peer_info_num(peer_str(c.reply[0]), "master_repl_offset") : -1;
    peer_reset(&c);
    if (target < 0)
        return "INFO replication has no master_repl_offset";
    if ((r = catch_up(h, target, &why)) < 0)
        return why;
    h->taker = h->replicas[r];
    if (h->cluster)
        h->log("handover: replica %s:%d has offset %lld after %lld ms; asking "
               "it for CLUSTER FAILOVER", h->taker.host, h->taker.port, target,
               clock_now() - h->start);
    else
        h->log("handover: a replica has offset %lld after %lld ms; asking "
               "%s:%d to fail over", target, clock_now() - h->start,
               h->sentinel.host, h->sentinel.port);
    if ((why = ask_switch(h, r)))
        return why;
    while ((seen = switched(h, &why)) == 0 && clock_left(h->deadline))
        clock_sleep(POLL_MS, h->deadline);
    if (seen < 0)
        return why;
    if (!seen)
        return h->cluster ? "the replica did not take the slots in time"
                          : "the sentinels did not switch the master in time";
    h->log("handover: %s:%d %s after %lld ms", h->taker.host, h->taker.port,
           h->cluster ? "owns the slots" : "is the new master",
           clock_now() - h->start);
    return NULL;
}

static void unpause(struct ho *h, msec deadline)
{
    struct peer_call c = {0};

    h->deadline = deadline;
    peer_cmd(&c, "CLIENT UNPAUSE");
    if (local(h, &c) < 0)
        h->log("handover: CLIENT UNPAUSE failed (%s); the pause ends by "
               "itself", peer_why(&c));
    peer_reset(&c);
}

/* The replica of c[0..n) that may take the slots of master id: it still
 * sees itself as that master's replica and the master as owning slots
 * (nodes.conf may be stale), is not in a full sync, and has the most data.
 * Its index, or -1. */
static int heir(struct peer_call *c, int n, const char *id)
{
    long long top = 0;
    int best = -1;

    for (int i = 0; i < n; i++) {
        const char *view = peer_str(c[i].reply[0]), *info = peer_str(c[i].reply[1]);
        long long off = peer_info_num(info, "slave_repl_offset");
        struct cn_line self, m;
        if (c[i].ok && off > top && cn_myself(view, &self) == 0 &&
            !strcmp(self.master_id, id) && cn_find(view, id, &m) == 0 &&
            m.master && m.slots > 0 && !strstr(info, "master_sync_in_progress:1")) {
            best = i;
            top = off;
        }
    }
    return best;
}

int handover_dead(const struct settings *s, msec deadline, diag_log_fn log)
{
    char *path = io_join(settings_get(s, S_DATA_DIR), "nodes.conf");
    struct peer_call c[PEER_MAX];
    struct io_text t = {0};
    struct cn_line me, r;
    const char *p, *why;
    int n = 0, rc = 1;

    memset(c, 0, sizeof c);
    if (path && io_read(path, 1 << 20, &t, &why) == 0 &&
        cn_myself(t.data, &me) == 0 && me.master && me.slots > 0)
        for (p = t.data; n < PEER_MAX && cn_next(&p, &r) == 0;)
            if (!strcmp(r.master_id, me.id) && !r.fail &&
                peer_parse(r.host, strlen(r.host), r.port, &c[n].addr, &why) == 0) {
                c[n].password = settings_get(s, S_REDIS_PASSWORD);
                peer_cmd(&c[n], "CLUSTER NODES");
                peer_cmd(&c[n++], "INFO replication");
            }
    if (n) {
        peer_ask(c, n, clock_within(ASK_MS, deadline));
        int b = heir(c, n, me.id);
        if (b >= 0) {
            peer_reset(&c[b]);
            peer_cmd(&c[b], "CLUSTER FAILOVER FORCE");
            rc = peer_ask1(&c[b], deadline) < 0;
        }
        if (b < 0)
            log("redis-server was killed: no replica fit to take its slots "
                "at once; Redis' own failover follows");
        else
            log("redis-server was killed: asked %s:%d, its most up-to-date "
                "replica, to take its slots: %s", c[b].addr.host,
                c[b].addr.port, rc ? peer_why(&c[b]) : "accepted");
        for (int i = 0; i < n; i++)
            peer_reset(&c[i]);
    }
    free(t.data);
    free(path);
    return rc;
}

int handover(const struct settings *s, msec deadline, diag_log_fn log)
{
    /* The supervisor kills this helper at deadline: stop trying a little
     * before, so that writes are unpaused and the reason said. */
    struct ho h = {.s = s, .log = log, .cluster = s->role == ROLE_CLUSTER,
                   .start = clock_now(), .deadline = deadline - UNPAUSE_MS};
    struct peer_call c = {0};
    const char *why = NULL;
    char ms[24];

    if (master(&h) <= 0)
        return 1;               /* a replica: nothing to hand over */
    if (h.nreplicas == 0)
        why = "no online replica";
    else if (clock_left(deadline) < HANDOVER_MIN_MS)
        why = "STOP_TIMEOUT leaves no time for it";
    else if (!h.cluster && find_sentinel(&h) < 0)
        why = "no sentinel of SENTINEL_HOSTS names this instance as master";
    if (why) {
        log("handover skipped: %s: plain clean shutdown", why);
        return 1;
    }
    /* The pause ends by itself at the deadline, even if this helper is
     * killed there. */
    snprintf(ms, sizeof ms, "%lld", (long long)clock_left(deadline));
    peer_cmd(&c, "CLIENT PAUSE %s WRITE", ms);
    if (local(&h, &c) < 0) {
        log("handover skipped: CLIENT PAUSE refused (%s): plain clean shutdown",
            peer_why(&c));
        peer_reset(&c);
        return 1;
    }
    peer_reset(&c);
    log("handover: writes paused, waiting for a replica and the %s",
        h.cluster ? "slots to move" : "sentinels");
    why = switch_over(&h);
    if (!why && !h.cluster)
        return 0;           /* Redis stays paused until it stops */
    unpause(&h, deadline);
    if (!why) {
        /* Clients still send this node's old slots here: a while of MOVED
         * answers moves them to the new owner (redis-py re-reads the whole
         * map after a few), instead of connection errors once Redis stops. */
        clock_sleep(DRAIN_MS, deadline);
        return 0;
    }
    log("handover given up after %lld ms: %s: writes unpaused, plain clean "
        "shutdown", clock_now() - h.start, why);
    return 1;
}
