#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "follow.h"
#include "peer.h"
#include "rescue.h"
#include "sentinels.h"

#define DBS 16              /* Redis' default number of databases */
#define ACT_MS 2000         /* taking over or following, all of it */

struct node {
    struct peer_addr a;         /* numeric, from REDIS_HOSTS */
    int ok;                     /* it answered both INFO sections */
    int master;
    int link_up;                /* a replica's link to its master */
    struct peer_addr master_of; /* a replica's master */
    long long offset, keys;
};

msec rescue_after(const struct settings *s)
{
    return 2 * settings_num(s, S_SENTINEL_DOWN_AFTER) + 1000;
}

void rescue_init(struct rescue *r, const struct settings *s, diag_log_fn log)
{
    memset(r, 0, sizeof *r);
    r->s = s;
    r->log = log;
}

long long rescue_keys(const char *info)
{
    long long sum = 0;

    for (int i = 0; info && i < DBS; i++) {
        char key[16], line[128];
        snprintf(key, sizeof key, "db%d", i);
        if (peer_info(info, key, line, sizeof line) == 0 &&
            !strncmp(line, "keys=", 5)) {
            /* A peer's numbers: negative ones ignored, the sum capped
             * (a signed overflow is undefined; found by UBSan). */
            long long k = strtoll(line + 5, NULL, 10);
            if (k > 0)
                sum = k > LLONG_MAX - sum ? LLONG_MAX : sum + k;
        }
    }
    return sum;
}

/* What each address of REDIS_HOSTS says of itself. Their count, or -1
 * unless every one resolves and answers. */
static int ask_nodes(const struct settings *s, struct node *nd, msec deadline)
{
    struct peer_addr names[PEER_MAX], addrs[PEER_MAX];
    static struct peer_call c[PEER_MAX];
    const char *why;
    int bad, n = 0, answered = 0;
    int k = peer_parse_list(settings_get(s, S_REDIS_HOSTS),
                            (int)settings_num(s, S_REDIS_PORT), names,
                            PEER_MAX, &bad, &why);

    for (int i = 0; i < k; i++)         /* validated by settings: k > 0 */
        if (peer_resolve(&names[i], addrs, &n, PEER_MAX, &why) < 0)
            return -1;
    memset(c, 0, sizeof c);
    for (int i = 0; i < n; i++) {
        c[i].addr = addrs[i];
        c[i].password = settings_get(s, S_REDIS_PASSWORD);
        peer_cmd(&c[i], "INFO replication");
        peer_cmd(&c[i], "INFO keyspace");
    }
    peer_ask(c, n, deadline);
    for (int i = 0; i < n; i++) {
        const char *rep = peer_str(c[i].reply[0]), *ks = peer_str(c[i].reply[1]);
        char role[16];
        memset(&nd[i], 0, sizeof nd[i]);
        nd[i].a = addrs[i];
        if (c[i].ok && rep && ks &&
            peer_info(rep, "role", role, sizeof role) == 0) {
            char link[8];
            nd[i].ok = 1;
            nd[i].master = !strcmp(role, "master");
            nd[i].link_up = peer_info(rep, "master_link_status", link,
                                      sizeof link) == 0 && !strcmp(link, "up");
            if (!nd[i].master &&
                peer_info(rep, "master_host", nd[i].master_of.host,
                          sizeof nd[i].master_of.host) == 0)
                nd[i].master_of.port = (int)peer_info_num(rep, "master_port");
            nd[i].offset = peer_info_num(rep, "master_repl_offset");
            nd[i].keys = rescue_keys(ks);
            answered++;
        }
        peer_reset(&c[i]);
    }
    return answered == n ? n : -1;
}

/* The index of the node at address a (a name is resolved), or -1. */
static int node_of(const struct peer_addr *a, const struct node *nd, int n)
{
    struct peer_addr ips[PEER_MAX];
    const char *why;
    int k = 0;

    if (peer_resolve(a, ips, &k, PEER_MAX, &why) < 0)
        return -1;
    for (int j = 0; j < k; j++)
        for (int i = 0; i < n; i++)
            if (peer_same(&ips[j], &nd[i].a))
                return i;
    return -1;
}

/* The node with the most data: offset, then keys, then lowest address. */
static int winner(const struct node *nd, int n)
{
    int w = 0;

    for (int i = 1; i < n; i++) {
        const struct node *a = &nd[i], *b = &nd[w];
        int c = strcmp(a->a.host, b->a.host);
        if (a->offset > b->offset ||
            (a->offset == b->offset && a->keys > b->keys) ||
            (a->offset == b->offset && a->keys == b->keys &&
             (c < 0 || (c == 0 && a->a.port < b->a.port))))
            w = i;
    }
    return w;
}

/* REPLICAOF on the local Redis, then CONFIG REWRITE. */
static int replicaof(struct rescue *r, const char *host, const char *port,
                     msec deadline)
{
    char why[256];

    return follow_replicaof(r->s, host, port, 1, deadline, why, sizeof why);
}

/* Tell every sentinel to monitor this instance instead, with the settings
 * it had for the ghost (and the password and renames we know). */
static void repoint(struct rescue *r, const char *host, int port,
                    const struct peer_addr *sen, int n, msec deadline)
{
    const struct settings *s = r->s;
    const char *name = settings_get(s, S_MASTER_NAME);
    const char *pw = settings_get(s, S_REDIS_PASSWORD);
    const char *renames = settings_get(s, S_RENAME_COMMANDS);
    static struct peer_call c[PEER_MAX];
    char portbuf[8];

    snprintf(portbuf, sizeof portbuf, "%d", port);
    memset(c, 0, sizeof c);
    for (int i = 0; i < n; i++) {
        c[i].addr = sen[i];
        c[i].password = settings_get(s, S_SENTINEL_PASSWORD);
        peer_cmd(&c[i], "SENTINEL MASTER %s", name);
    }
    peer_ask(c, n, deadline);
    for (int i = 0; i < n; i++) {
        const struct redisReply *m = c[i].reply[0];
        const char *q = peer_field(m, "quorum");
        const char *da = peer_field(m, "down-after-milliseconds");
        const char *ft = peer_field(m, "failover-timeout");
        const char *ps = peer_field(m, "parallel-syncs");
        struct peer_call t = {.addr = sen[i], .password = c[i].password};
        if (!q || !da || !ft || !ps) {
            r->log("rescue: sentinel %s:%d did not say how it monitors %s: "
                   "left as it is", sen[i].host, sen[i].port, name);
            peer_reset(&c[i]);
            continue;
        }
        peer_cmd(&t, "SENTINEL REMOVE %s", name);
        peer_cmd(&t, "SENTINEL MONITOR %s %s %s %s", name, host, portbuf, q);
        peer_cmd(&t, "SENTINEL SET %s down-after-milliseconds %s "
                 "failover-timeout %s parallel-syncs %s", name, da, ft, ps);
        if (pw)
            peer_cmd(&t, "SENTINEL SET %s auth-pass %s", name, pw);
        peer_reset(&c[i]);
        /* REMOVE may say it had no such master: MONITOR must not fail. */
        if (peer_ask(&t, 1, deadline) && peer_is_error(t.reply[0])) {
            freeReplyObject(t.reply[0]);
            t.reply[0] = NULL;
        }
        if (!t.ok || peer_is_error(t.reply[1]))
            r->log("rescue: sentinel %s:%d: %s", sen[i].host, sen[i].port,
                   peer_why(&t));
        peer_reset(&t);
        /* The renamed commands it must use, one "NAME:NEW" at a time. */
        for (const char *v = renames; v && *v; v += strcspn(v, ","),
                                                v += *v == ',') {
            size_t item = strcspn(v, ","), cmd = strcspn(v, ":,");
            if (cmd == item)
                continue;               /* disabled, not renamed */
            memset(&t, 0, sizeof t);
            t.addr = sen[i];
            t.password = c[i].password;
            peer_cmd(&t, "SENTINEL SET %s rename-command %b %b", name,
                     v, cmd, v + cmd + 1, item - cmd - 1);
            peer_ask(&t, 1, deadline);
            peer_reset(&t);
        }
    }
}

static void take_over(struct rescue *r, const struct node *me,
                      const struct peer_addr *sen, int n, msec deadline)
{
    const struct settings *s = r->s;
    const char *host = settings_get(s, S_ANNOUNCE_HOSTNAME);
    int port = settings_get(s, S_ANNOUNCE_PORT)
        ? (int)settings_num(s, S_ANNOUNCE_PORT) : me->a.port;

    if (!host)
        host = settings_get(s, S_ANNOUNCE_IP);
    if (!host)
        host = me->a.host;
    r->log("rescue: of every instance of REDIS_HOSTS this one has the most "
           "data (offset %lld, %lld keys): taking over as master %s:%d and "
           "telling the sentinels", me->offset, me->keys, host, port);
    if (!me->master && replicaof(r, "NO", "ONE", deadline) < 0) {
        r->log("rescue: REPLICAOF NO ONE failed: not taking over");
        return;
    }
    repoint(r, host, port, sen, n, deadline);
}

int rescue_look(struct rescue *r, struct sen_now *now, msec deadline)
{
    const struct settings *s = r->s;
    const struct peer_addr *sen = now->sen;
    const struct sen_view *v = now->v;
    struct node nd[PEER_MAX];
    int n, k, me = -1, g, agree = 1, down = 1, failover = 0;

    sen_now_ask(s, now, deadline);
    n = now->n;
    if (now->unresolved || n == 0 || now->answered < n)
        goto no_ghost;
    for (int i = 0; i < n; i++) {
        agree &= peer_same(&v[i].master, &v[0].master);
        down &= v[i].master_down;
        failover |= v[i].failover;
    }
    /* A failover in progress is Sentinel's business: the replica it has
     * just promoted is a master the sentinels do not name yet. */
    if (!agree || failover || (k = ask_nodes(s, nd, deadline)) < 0)
        goto no_ghost;
    for (int i = 0; i < k && me < 0; i++)
        if (sen_is_self(s, &nd[i].a))
            me = i;
    if (me < 0)
        goto no_ghost;                  /* REDIS_HOSTS lacks this instance */
    g = node_of(&v[0].master, nd, k);
    if (g >= 0) {                       /* they name a live instance */
        r->ghost_since = 0;
        if (g != me && nd[g].master &&
            (nd[me].master || (!nd[me].link_up &&
                               !peer_same(&nd[me].master_of, &nd[g].a)))) {
            char port[8];
            snprintf(port, sizeof port, "%d", nd[g].a.port);
            r->log("rescue: every sentinel names %s:%d, a master of "
                   "REDIS_HOSTS, and this instance is %s: following it",
                   nd[g].a.host, nd[g].a.port, nd[me].master
                   ? "a master too" : "the replica of a master it cannot reach");
            if (replicaof(r, nd[g].a.host, port, clock_now() + ACT_MS) < 0)
                r->log("rescue: REPLICAOF %s %s failed", nd[g].a.host, port);
            return 0;
        }
        return 1;
    }
    if (!down)
        goto no_ghost;
    if (!r->ghost_since) {
        r->ghost_since = clock_now();
        r->log("rescue: every sentinel names %s:%d as master, which is none "
               "of REDIS_HOSTS and is down: if that lasts %lld ms the "
               "instance with the most data takes over", v[0].master.host,
               v[0].master.port, (long long)rescue_after(s));
    } else if (clock_now() - r->ghost_since >= rescue_after(s)) {
        if (winner(nd, k) == me)
            take_over(r, &nd[me], sen, n, clock_now() + ACT_MS);
        r->ghost_since = 0;             /* look again from the start */
    }
    return 0;
no_ghost:
    r->ghost_since = 0;
    return 0;
}
