#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "cluster.h"
#include "cnodes.h"
#include "peer.h"
#include "supervise.h"

#define ASK_MS     1000     /* one round of questions */
#define POLL_MS    100      /* between rounds while creating */
#define KEEP_MS    1000     /* between the keeper's looks */
#define KEEP_EAGER 10       /* first looks: meet at a new address at once */
#define JOINS      "a new node joins"   /* why a failing node is gone */

/* ---- the nodes of CLUSTER_HOSTS ---- */

struct node {
    struct peer_addr addr;      /* numeric, as we reach it */
    int ok;                     /* answered this round */
    char *why;                  /* why not (malloc'd) */
    char id[CN_ID_LEN + 1];
    int bus;
    int master, own;            /* its own view: master? slots it owns */
    int known, assigned, state_ok;
    long long keys;
    char *view;                 /* its CLUSTER NODES (malloc'd) */
};

struct cl {
    const struct settings *s;
    diag_log_fn log;
    const char *verb;           /* cluster-create or cluster-rebalance */
    msec start, deadline;
    const char *pw;
    struct node node[PEER_MAX];
    int n, entries;
    int looks;                  /* the keeper's looks with Redis up */
    msec joined;                /* when run_create last found new nodes */
    char unresolved[512];       /* names that do not resolve now */
};

static int addr_cmp(const struct peer_addr *a, const struct peer_addr *b)
{
    unsigned char x[16] = {0}, y[16] = {0};
    int fx = strchr(a->host, ':') ? AF_INET6 : AF_INET;
    int fy = strchr(b->host, ':') ? AF_INET6 : AF_INET;
    int r;

    if (fx != fy)
        return fx == AF_INET ? -1 : 1;
    if (inet_pton(fx, a->host, x) != 1 || inet_pton(fy, b->host, y) != 1)
        r = strcmp(a->host, b->host);
    else
        r = memcmp(x, y, sizeof x);
    return r ? r : a->port - b->port;
}

static int node_cmp(const void *a, const void *b)
{
    return addr_cmp(&((const struct node *)a)->addr,
                    &((const struct node *)b)->addr);
}

static void forget(struct node *k)
{
    free(k->view);
    free(k->why);
    k->view = k->why = NULL;
    k->ok = 0;
}

static void free_nodes(struct cl *c)
{
    for (int i = 0; i < c->n; i++)
        forget(&c->node[i]);
    c->n = 0;
}

/* Every address of CLUSTER_HOSTS now, sorted; names that do not resolve
 * are listed in c->unresolved. */
static void resolve(struct cl *c)
{
    struct peer_addr list[PEER_MAX], ips[PEER_MAX];
    const char *why, *v = settings_get(c->s, S_CLUSTER_HOSTS);
    int bad, n = 0;

    free_nodes(c);
    c->unresolved[0] = 0;
    c->entries = v ? peer_parse_list(v, (int)settings_num(c->s, S_REDIS_PORT),
                                     list, PEER_MAX, &bad, &why) : 0;
    for (int i = 0; i < c->entries; i++)
        if (peer_resolve(&list[i], ips, &n, PEER_MAX, &why) < 0) {
            size_t u = strlen(c->unresolved);
            snprintf(c->unresolved + u, sizeof c->unresolved - u, "%s%s (%s)",
                     u ? ", " : "", list[i].host, why);
        }
    for (int i = 0; i < n; i++) {
        memset(&c->node[i], 0, sizeof c->node[i]);
        c->node[i].addr = ips[i];
    }
    c->n = n;
    qsort(c->node, n, sizeof *c->node, node_cmp);
}

/* One command's call to addr; the caller queued the command. 0 when it
 * answered without an error; the caller reads and resets the call. */
static int one(struct cl *c, struct peer_call *k, const struct peer_addr *a,
               msec ms)
{
    k->addr = *a;
    k->password = c->pw;
    return peer_ask1(k, clock_within(ms, c->deadline));
}

/* Ask every node what it is, for at most ms; the number that answered. */
static int ask_all(struct cl *c, msec ms)
{
    struct peer_call k[PEER_MAX];
    int answered = 0;

    memset(k, 0, sizeof k);
    for (int i = 0; i < c->n; i++) {
        k[i].addr = c->node[i].addr;
        k[i].password = c->pw;
        peer_cmd(&k[i], "CLUSTER INFO");
        peer_cmd(&k[i], "CLUSTER NODES");
        peer_cmd(&k[i], "DBSIZE");
    }
    peer_ask(k, c->n, clock_within(ms, c->deadline));
    for (int i = 0; i < c->n; i++) {
        struct node *x = &c->node[i];
        const char *info = peer_str(k[i].reply[0]);
        struct cn_line me;
        forget(x);
        if (!k[i].ok || !info || !peer_str(k[i].reply[1]) ||
            !k[i].reply[2] || k[i].reply[2]->type != REDIS_REPLY_INTEGER ||
            cn_myself(peer_str(k[i].reply[1]), &me) < 0) {
            if (asprintf(&x->why, "%s", k[i].ok ? "not a cluster node "
                         "(cluster-enabled no?)" : peer_why(&k[i])) < 0)
                x->why = NULL;
            peer_reset(&k[i]);
            continue;
        }
        if (!(x->view = strdup(k[i].reply[1]->str))) {
            peer_reset(&k[i]);
            continue;           /* out of memory: not counted as answering */
        }
        x->ok = 1;
        memcpy(x->id, me.id, sizeof x->id);
        x->bus = me.bus;
        x->master = me.master;
        x->own = me.slots;
        x->known = (int)peer_info_num(info, "cluster_known_nodes");
        x->assigned = (int)peer_info_num(info, "cluster_slots_assigned");
        x->state_ok = strstr(info, "cluster_state:ok") != NULL;
        x->keys = k[i].reply[2]->integer;
        answered++;
        peer_reset(&k[i]);
    }
    return answered;
}

/* A node that is in no cluster yet: it knows only itself, owns nothing. */
static int fresh(const struct node *x)
{
    return x->ok && x->known <= 1 && x->assigned == 0;
}

static int nodes_needed(const struct cl *c)
{
    long size = settings_num(c->s, S_CLUSTER_SIZE);
    long min = 3 * (1 + settings_num(c->s, S_CLUSTER_REPLICAS));

    if (size > 0)
        return (int)size;
    return (int)(c->entries > min ? c->entries : min);
}

/* "a:1 (why), b:2 (why)" of the nodes that did not answer. */
static void list_silent(const struct cl *c, char *out, size_t len)
{
    *out = 0;
    for (int i = 0; i < c->n; i++)
        if (!c->node[i].ok)
            snprintf(out + strlen(out), len - strlen(out), "%s%s:%d (%s)",
                     *out ? ", " : "", c->node[i].addr.host,
                     c->node[i].addr.port,
                     c->node[i].why ? c->node[i].why : "?");
}

/* ---- agreement ---- */

/* What every node must agree on, one string: for each node its id, role,
 * master and slots, sorted. Not the config epochs: a replica made an
 * empty master (cluster-rebalance) announces its own epoch, 0, while the
 * others keep the higher one its master announced for it, and a master
 * back from a full restart can announce one below what the others hold
 * (reclaim_epoch). NULL when out of memory. */
static char *signature(const char *view)
{
    char *lines[PEER_MAX * 2], *out;
    size_t len = 1;
    struct cn_line l;
    int n = 0;

    for (const char *p = view; p && n < PEER_MAX * 2 && cn_next(&p, &l) == 0; ) {
        if (asprintf(&lines[n], "%s %s %s %.*s\n", l.id,
                     l.master ? "master" : "slave", l.master_id,
                     (int)l.slot_len, l.slot_text) < 0)
            break;
        len += strlen(lines[n++]);
    }
    for (int i = 1; i < n; i++)                 /* a few lines: insertion */
        for (int j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
            char *t = lines[j];
            lines[j] = lines[j - 1];
            lines[j - 1] = t;
        }
    if ((out = malloc(len)))
        *out = 0;
    for (int i = 0; i < n; i++) {
        if (out)
            strcat(out, lines[i]);
        free(lines[i]);
    }
    return out;
}

/* Every node answers, reports cluster_state:ok, knows all n nodes, and
 * has the same slot map and epochs as the first. */
static int settled(struct cl *c)
{
    char *first = NULL;
    int ok = c->n > 0;

    for (int i = 0; i < c->n && ok; i++) {
        struct node *x = &c->node[i];
        char *sig;
        ok = x->ok && x->state_ok && x->known >= c->n &&
             x->assigned == CLUSTER_SLOTS && (sig = signature(x->view));
        if (!ok)
            break;
        if (!first)
            first = sig;
        else {
            ok = !strcmp(first, sig);
            free(sig);
        }
    }
    free(first);
    return ok;
}

/* ---- creation ---- */

/* Until every address answers and, when sized, there are CLUSTER_SIZE of
 * them; the last round's answers are kept for the message. */
static int wait_nodes(struct cl *c, int sized)
{
    int need, answered;
    char silent[2048];

    for (;;) {
        /* The last round has what is left, and its answers are the ones
         * reported. */
        int last = clock_left(c->deadline) <= POLL_MS * 5 + ASK_MS;
        resolve(c);
        need = sized ? nodes_needed(c) : 1;
        answered = ask_all(c, last ? clock_left(c->deadline) : ASK_MS);
        if (answered == c->n && c->n >= need && !c->unresolved[0])
            return 0;
        if (last)
            break;
        clock_sleep(POLL_MS * 5, c->deadline);
    }
    list_silent(c, silent, sizeof silent);
    c->log("%s: %d nodes answered within CLUSTER_WAIT=%s s, "
           "%d needed (CLUSTER_SIZE)%s%s%s%s", c->verb, answered,
           settings_get(c->s, S_CLUSTER_WAIT), need,
           *silent ? "; not answering: " : "", silent,
           c->unresolved[0] ? "; not resolving: " : "", c->unresolved);
    return -1;
}

/* Masters first, taken round-robin over the hosts so that a replica can
 * sit on another host than its master. */
static void host_order(struct cl *c)
{
    struct node sorted[PEER_MAX];
    int used[PEER_MAX] = {0}, k = 0;

    memset(sorted, 0, sizeof sorted);

    while (k < c->n) {
        char seen[PEER_MAX][PEER_HOST_MAX + 1];
        int nseen = 0;
        for (int i = 0; i < c->n; i++) {
            int dup = 0;
            if (used[i])
                continue;
            for (int j = 0; j < nseen && !dup; j++)
                dup = !strcmp(seen[j], c->node[i].addr.host);
            if (dup)
                continue;
            strcpy(seen[nseen++], c->node[i].addr.host);
            sorted[k++] = c->node[i];
            used[i] = 1;
        }
    }
    memcpy(c->node, sorted, c->n * sizeof *sorted);
}

/* Fresh nodes: distinct config epochs (as redis-cli does, so that no two
 * masters collide) and the slots of the first n/(1+replicas), in ranges. */
static int assign_slots(struct cl *c)
{
    int masters = c->n / (1 + (int)settings_num(c->s, S_CLUSTER_REPLICAS));

    host_order(c);
    for (int i = 0; i < c->n; i++) {
        struct peer_call k = {0};
        int lo = i * CLUSTER_SLOTS / masters;
        int hi = (i + 1) * CLUSTER_SLOTS / masters - 1;
        peer_cmd(&k, "CLUSTER SET-CONFIG-EPOCH %d", i + 1);
        if (i < masters)
            peer_cmd(&k, "CLUSTER ADDSLOTSRANGE %d %d", lo, hi);
        if (one(c, &k, &c->node[i].addr, ASK_MS) < 0) {
            c->log("cluster-create: %s:%d refused its slots: %s",
                   c->node[i].addr.host, c->node[i].addr.port,
                   peer_why(&k));
            peer_reset(&k);
            return -1;
        }
        peer_reset(&k);
        if (i < masters)
            c->log("cluster-create: %s:%d is a master of slots %d-%d",
                   c->node[i].addr.host, c->node[i].addr.port, lo, hi);
    }
    return 0;
}

/* The node that knows most of the cluster, whose view the others join. */
static int base_node(const struct cl *c)
{
    int b = -1;

    for (int i = 0; i < c->n; i++)
        if (c->node[i].ok && c->node[i].own > 0 &&
            (b < 0 || c->node[i].known > c->node[b].known))
            b = i;
    return b;
}

/* Formed nodes must all belong to the base's cluster (a node the cluster
 * forgot that still knows it belongs: it is met again), its slots must
 * all be assigned, and new nodes must be empty. NULL, or why not. */
static const char *refusal(struct cl *c, int b, char *buf, size_t len)
{
    struct cn_line l;

    *buf = 0;
    for (int i = 0; i < c->n; i++) {
        struct node *x = &c->node[i];
        if (fresh(x) && x->keys > 0)
            snprintf(buf + strlen(buf), len - strlen(buf), "%s%s:%d holds "
                     "%lld keys and is in no cluster", *buf ? "; " : "",
                     x->addr.host, x->addr.port, x->keys);
        else if (b >= 0 && !fresh(x) && cn_find(c->node[b].view, x->id, &l) < 0 &&
                 cn_find(x->view, c->node[b].id, &l) < 0)
            snprintf(buf + strlen(buf), len - strlen(buf), "%s%s:%d (node %.8s) "
                     "belongs to another cluster than %s:%d", *buf ? "; " : "",
                     x->addr.host, x->addr.port, x->id, c->node[b].addr.host,
                     c->node[b].addr.port);
    }
    if (b >= 0 && c->node[b].assigned != CLUSTER_SLOTS)
        snprintf(buf + strlen(buf), len - strlen(buf), "%sthe cluster of %s:%d "
                 "has %d of %d slots assigned (redis-cli --cluster fix)",
                 *buf ? "; " : "", c->node[b].addr.host, c->node[b].addr.port,
                 c->node[b].assigned, CLUSTER_SLOTS);
    return *buf ? buf : NULL;
}

/* Every node knows every other (by id) and the whole slot map. */
static int all_met(struct cl *c)
{
    struct cn_line l;

    for (int i = 0; i < c->n; i++) {
        if (!c->node[i].ok || c->node[i].assigned != CLUSTER_SLOTS)
            return 0;
        for (int j = 0; j < c->n; j++)
            if (cn_find(c->node[i].view, c->node[j].id, &l) < 0 || l.fail)
                return 0;
    }
    return 1;
}

/* Every node meets each node its view lacks, at the address we reach it
 * (all pairs: no wait for gossip to carry the news). */
static void meet(struct cl *c)
{
    struct cn_line l;

    for (int i = 0; i < c->n; i++)
        for (int j = 0; j < c->n; j++) {
            struct peer_call k = {0};
            if (i == j || cn_find(c->node[i].view, c->node[j].id, &l) == 0)
                continue;
            peer_cmd(&k, "CLUSTER MEET %s %d %d", c->node[j].addr.host,
                     c->node[j].addr.port, c->node[j].bus);
            if (one(c, &k, &c->node[i].addr, ASK_MS) < 0)
                c->log("%s: %s:%d: CLUSTER MEET %s:%d: %s", c->verb,
                       c->node[i].addr.host, c->node[i].addr.port,
                       c->node[j].addr.host, c->node[j].addr.port, peer_why(&k));
            peer_reset(&k);
        }
}

/* The replicas of master id in view, failing ones not counted. */
static int replicas_of(const char *view, const char *id)
{
    struct cn_line r;
    int count = 0;

    for (const char *q = view; cn_next(&q, &r) == 0; )
        count += !r.master && !r.fail && !strcmp(r.master_id, id);
    return count;
}

/* The master, in the base's view, with the fewest replicas; one on
 * another host than x when there is such a choice. */
static int pick_master(struct cl *c, int b, const struct node *x, char *id)
{
    struct cn_line m;
    int found = -1, best_same = 1, best_count = 0;

    for (const char *p = c->node[b].view; cn_next(&p, &m) == 0; ) {
        int count = replicas_of(c->node[b].view, m.id), same = 0;
        if (!m.master || m.fail || m.slots == 0)
            continue;
        for (int i = 0; i < c->n; i++)
            same |= !strcmp(c->node[i].id, m.id) &&
                    !strcmp(c->node[i].addr.host, x->addr.host);
        if (found < 0 || count < best_count ||
            (count == best_count && best_same && !same)) {
            found = 0;
            best_count = count;
            best_same = same;
            memcpy(id, m.id, CN_ID_LEN + 1);
        }
    }
    return found;
}

/* Each master that owns no slots (a new node) becomes a replica. */
static int attach(struct cl *c, int b)
{
    int pending = 0;

    for (int i = 0; i < c->n; i++) {
        struct node *x = &c->node[i];
        struct peer_call k = {0};
        char id[CN_ID_LEN + 1];
        if (!x->master || x->own > 0)
            continue;
        pending++;
        if (pick_master(c, b, x, id) < 0)
            continue;
        peer_cmd(&k, "CLUSTER REPLICATE %s", id);
        if (one(c, &k, &x->addr, ASK_MS) == 0) {
            c->log("cluster-create: %s:%d is a replica of node %.8s",
                   x->addr.host, x->addr.port, id);
            /* Counted at once, for the next pick in this round. */
            char *grown;
            if (asprintf(&grown, "%s%s 0.0.0.0:0@0 slave %s 0 0 0 connected\n",
                         c->node[b].view, x->id, id) >= 0) {
                free(c->node[b].view);
                c->node[b].view = grown;
            }
            x->master = 0;
        }
        peer_reset(&k);
    }
    return pending;
}

/* ---- nodes that are gone ---- */

/* x replicates from node id, by its own view. */
static int follows(const struct node *x, const char *id)
{
    struct cn_line me;

    return cn_myself(x->view, &me) == 0 && !me.master &&
           !strcmp(me.master_id, id);
}

/* Node g is gone for good: every node that lists it has it failing (or its
 * address taken by another node), with no slots; none is it, none follows
 * it; and something says it was replaced: another node answers at its
 * address (or it is failing and Redis met another id there: noaddr), a
 * node never learned it, or the caller's reason (new nodes joined lately:
 * a lost node's new one, at a new address; a rebalance after a scale in).
 * Why, or NULL. Every node answered. */
static const char *gone(const struct cl *c, const struct cn_line *g,
                        const char *reason)
{
    const char *by = g->noaddr && g->failed ? "noaddr" : reason;
    struct cn_line l;

    for (int i = 0; i < c->n; i++) {
        const struct node *x = &c->node[i];
        if (!strcmp(x->id, g->id) || follows(x, g->id))
            return NULL;
        if (cn_find(x->view, g->id, &l) < 0)
            by = by ? by : "a node never knew it";
        else if (l.slots > 0 || !(l.failed || l.noaddr))
            return NULL;
        if (!strcmp(x->addr.host, g->host) && x->addr.port == g->port)
            by = "another is at its address";
    }
    return by;
}

/* CLUSTER FORGET, on every node that lists it, each node that is gone
 * (how many): a node whose volume was lost and that came back under a new
 * id, or a lost one that a new node replaced, or one a scale in removed.
 * A node forgotten by mistake (one stopped for a while, as a new node
 * joined) still knows the cluster when it comes back, and is met again. */
static int forget_gone(struct cl *c, const char *reason)
{
    char done[PEER_MAX][CN_ID_LEN + 1];
    struct cn_line g, l;
    int n = 0;

    for (int i = 0; i < c->n; i++)
        if (!c->node[i].ok)
            return 0;
    for (int i = 0; i < c->n; i++)
        for (const char *p = c->node[i].view; n < PEER_MAX && cn_next(&p, &g) == 0; ) {
            const char *why;
            int told = 0, dup = 0;
            for (int k = 0; k < n; k++)
                dup |= !strcmp(done[k], g.id);
            if (dup || !(why = gone(c, &g, reason)))
                continue;
            memcpy(done[n++], g.id, sizeof done[0]);
            for (int j = 0; j < c->n; j++) {
                struct peer_call q = {0};
                if (cn_find(c->node[j].view, g.id, &l) < 0)
                    continue;
                peer_cmd(&q, "CLUSTER FORGET %s", g.id);
                told += one(c, &q, &c->node[j].addr, ASK_MS) == 0;
                peer_reset(&q);
            }
            c->log("cluster: node %.8s is gone (failing, no slots, no replica; "
                   "%s): forgotten by %d node(s)", g.id, why, told);
        }
    return n;
}

/* A node the cluster forgot came back: it knows the others, they do not
 * know it. */
static int forgotten(const struct cl *c)
{
    struct cn_line l;
    int b = base_node(c);

    for (int i = 0; b >= 0 && i < c->n; i++)
        if (c->node[i].ok && !fresh(&c->node[i]) &&
            cn_find(c->node[b].view, c->node[i].id, &l) < 0 &&
            cn_find(c->node[i].view, c->node[b].id, &l) == 0)
            return 1;
    return 0;
}

static int run_create(struct cl *c)
{
    char why[2048];
    const char *no;
    int b, nfresh = 0;

    for (int i = 0; i < c->n; i++)
        nfresh += fresh(&c->node[i]);
    if (nfresh == 0 && settled(c)) {
        c->log("cluster-create: the cluster of %d nodes is formed and "
               "agrees (cluster_state:ok): nothing to do", c->n);
        return 0;
    }
    b = base_node(c);
    if ((no = refusal(c, b, why, sizeof why))) {
        c->log("cluster-create: refused, nothing changed: %s", no);
        return CLUSTER_REFUSED;
    }
    if (b < 0) {
        int r = (int)settings_num(c->s, S_CLUSTER_REPLICAS);
        if (c->n / (1 + r) < 3) {
            c->log("cluster-create: refused, nothing changed: %d nodes are "
                   "too few for 3 masters with CLUSTER_REPLICAS=%d each "
                   "(%d needed)", c->n, r, 3 * (1 + r));
            return CLUSTER_REFUSED;
        }
        c->log("cluster-create: creating a cluster of %d nodes, %d masters "
               "with %d replica(s) each", c->n, c->n / (1 + r), r);
        if (assign_slots(c) < 0)
            return CLUSTER_LATE;
    } else {
        c->log("cluster-create: completing the cluster of %s:%d: %d new "
               "node(s) of %d", c->node[b].addr.host, c->node[b].addr.port,
               nfresh, c->n);
    }
    /* Meet, until every node knows every other and the slot map; then
     * attach the new nodes; then until all agree (nodes gone for good
     * forgotten as soon as they are). */
    while (clock_left(c->deadline)) {
        if (nfresh)
            c->joined = clock_now();
        if (ask_all(c, ASK_MS) == c->n && (b = base_node(c)) >= 0) {
            forget_gone(c, nfresh ? JOINS : NULL);
            if (!all_met(c))
                meet(c);
            else if (!attach(c, b) && settled(c)) {
                c->log("cluster-create: cluster_state:ok on all %d nodes, "
                       "one slot map and epochs, after %lld ms", c->n,
                       clock_now() - c->start);
                return 0;
            }
        }
        clock_sleep(POLL_MS, c->deadline);
    }
    c->log("cluster-create: not formed within CLUSTER_WAIT=%s s (nodes "
           "met: %s): run it again to complete it",
           settings_get(c->s, S_CLUSTER_WAIT), all_met(c) ? "all" : "not all");
    return CLUSTER_LATE;
}

/* A creator's or rebalancer's state, its clock started; NULL (logged)
 * when out of memory. */
static struct cl *cl_new(const struct settings *s, const char *verb,
                         msec deadline, diag_log_fn log)
{
    struct cl *c = calloc(1, sizeof *c);

    if (!c) {
        log("%s: out of memory", verb);
        return NULL;
    }
    c->s = s;
    c->log = log;
    c->verb = verb;
    c->start = clock_now();
    c->deadline = deadline;
    c->pw = settings_get(s, S_REDIS_PASSWORD);
    return c;
}

int cluster_create(const struct settings *s, msec deadline, diag_log_fn log)
{
    struct cl *c = cl_new(s, "cluster-create", deadline, log);
    int rc;

    if (!c)
        return CLUSTER_LATE;
    log("cluster-create: waiting for the nodes of CLUSTER_HOSTS=%s",
        settings_get(s, S_CLUSTER_HOSTS));
    if (wait_nodes(c, 1) < 0)
        rc = CLUSTER_UNREACHABLE;
    else {
        log("cluster-create: %d nodes answer after %lld ms", c->n,
            clock_now() - c->start);
        rc = run_create(c);
    }
    free_nodes(c);
    free(c);
    return rc;
}

/* ---- rebalance: as many masters as the nodes allow, the slots spread ---- */

/* The master in b's view, not failing, with the most replicas when above
 * (more than r), else the fewest (fewer than r), into id; -1 if none. */
static int extreme_master(const struct cl *c, int b, int r, int above,
                          char *id)
{
    struct cn_line m;
    int best = -1;

    for (const char *p = c->node[b].view; cn_next(&p, &m) == 0; ) {
        int n = replicas_of(c->node[b].view, m.id);
        if (!m.master || m.fail || (above ? n <= r : n >= r) ||
            (best >= 0 && (above ? n <= best : n >= best)))
            continue;
        best = n;
        memcpy(id, m.id, CN_ID_LEN + 1);
    }
    return best;
}

/* The masters in b's view that are not failing; *lo and *hi: the fewest
 * and the most slots one of them owns. */
static int masters_of(const struct cl *c, int b, int *lo, int *hi)
{
    struct cn_line m;
    int n = 0;

    *lo = CLUSTER_SLOTS;
    *hi = 0;
    for (const char *p = c->node[b].view; cn_next(&p, &m) == 0; )
        if (m.master && !m.fail) {
            n++;
            *lo = m.slots < *lo ? m.slots : *lo;
            *hi = m.slots > *hi ? m.slots : *hi;
        }
    return n;
}

/* One step towards want masters with r replicas each: while there are
 * fewer masters, a replica of the master with the most becomes an empty
 * master (CLUSTER RESET SOFT: it keeps its id, forgets the others and
 * empties itself; a MEET in the same request, so that no keeper finds it
 * alone, fresh, in between); then a replica of a master with more than r
 * follows one with fewer. 1 when it asked for a change, 0 when the roles
 * are as wanted. */
static int reshape(struct cl *c, int b, int want)
{
    int r = (int)settings_num(c->s, S_CLUSTER_REPLICAS), lo, hi;
    char most[CN_ID_LEN + 1], fewest[CN_ID_LEN + 1];
    struct peer_call k = {0};
    struct node *x = NULL;
    int promote = masters_of(c, b, &lo, &hi) < want;

    if (extreme_master(c, b, r, 1, most) < 0 ||
        (!promote && extreme_master(c, b, r, 0, fewest) < 0))
        return 0;
    for (int i = 0; i < c->n; i++)     /* the one with the fewest keys */
        if (follows(&c->node[i], most) && (!x || c->node[i].keys < x->keys))
            x = &c->node[i];
    if (!x)
        return 0;
    if (promote) {
        const struct node *o = &c->node[x == &c->node[0]];
        peer_cmd(&k, "CLUSTER RESET SOFT");
        peer_cmd(&k, "CLUSTER MEET %s %d %d", o->addr.host, o->addr.port, o->bus);
    } else
        peer_cmd(&k, "CLUSTER REPLICATE %s", fewest);
    if (one(c, &k, &x->addr, ASK_MS) == 0)
        c->log("cluster-rebalance: %s:%d, a replica of node %.8s, %s %.8s",
               x->addr.host, x->addr.port, most,
               promote ? "is an empty master now: node" :
               "now replicates from node", promote ? x->id : fewest);
    else
        c->log("cluster-rebalance: %s:%d: %s", x->addr.host, x->addr.port,
               peer_why(&k));
    peer_reset(&k);
    return 1;
}

/* redis-cli --cluster rebalance, with the password as its only
 * environment: it moves the slots (MIGRATE, key by key) for as long as the
 * data takes. Its exit status, or 127 when it cannot run. */
static int move_slots(const struct cl *c, const struct node *at)
{
    char where[PEER_HOST_MAX + 8], *auth = NULL;
    int st = 0;
    pid_t pid;

    snprintf(where, sizeof where, "%s:%d", at->addr.host, at->addr.port);
    if (c->pw && asprintf(&auth, "REDISCLI_AUTH=%s", c->pw) < 0)
        return 127;
    if ((pid = fork()) == 0) {
        char *argv[] = {"redis-cli", "--cluster", "rebalance", where,
                        "--cluster-use-empty-masters", NULL};
        execvpe(argv[0], argv, (char *[]){auth, NULL});
        _exit(127);
    }
    free(auth);
    while (pid > 0 && waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return 127;
    return pid < 0 ? 127 : sup_exit_code(st);
}

/* Every node answers and agrees; then the roles as wanted; 0, or why
 * not as an exit code. */
static int reshaped(struct cl *c, int want, int *changed)
{
    char why[2048];
    const char *no;

    while (clock_left(c->deadline)) {
        int b;
        if (ask_all(c, ASK_MS) == c->n && (b = base_node(c)) >= 0) {
            for (int i = 0; i < c->n && !*changed; i++)
                if (fresh(&c->node[i])) {
                    c->log("cluster-rebalance: refused, nothing changed: "
                           "%s:%d is in no cluster yet",
                           c->node[i].addr.host, c->node[i].addr.port);
                    return CLUSTER_REFUSED;
                }
            if (!*changed && (no = refusal(c, b, why, sizeof why))) {
                c->log("cluster-rebalance: refused, nothing changed: %s", no);
                return CLUSTER_REFUSED;
            }
            *changed |= forget_gone(c, "cluster-rebalance after a scale in");
            if (!all_met(c))
                meet(c);
            else if (settled(c)) {
                if (!reshape(c, b, want))
                    return 0;
                *changed = 1;
            }
        }
        clock_sleep(POLL_MS, c->deadline);
    }
    c->log("cluster-rebalance: the nodes did not agree within CLUSTER_WAIT=%s "
           "s: run it again", settings_get(c->s, S_CLUSTER_WAIT));
    return CLUSTER_LATE;
}

int cluster_rebalance(const struct settings *s, msec deadline, diag_log_fn log)
{
    struct cl *c = cl_new(s, "cluster-rebalance", deadline, log);
    int want, rc, lo, hi, b, changed = 0;

    if (!c)
        return CLUSTER_LATE;
    if (wait_nodes(c, 0) < 0) {     /* fewer than CLUSTER_SIZE after a scale in */
        rc = CLUSTER_UNREACHABLE;
        goto out;
    }
    want = c->n / (1 + (int)settings_num(s, S_CLUSTER_REPLICAS));
    if ((rc = reshaped(c, want, &changed)))
        goto out;
    b = base_node(c);
    want = masters_of(c, b, &lo, &hi);
    changed |= hi - lo > CLUSTER_SLOTS / want / 50;   /* 2% of an even share */
    if (changed) {
        if ((rc = move_slots(c, &c->node[b]))) {
            log("cluster-rebalance: redis-cli failed (exit %d): run it "
                "again (redis-cli --cluster fix closes open slots)", rc);
            rc = CLUSTER_LATE;
            goto out;
        }
        c->deadline = clock_now() + settings_num(s, S_CLUSTER_WAIT) * 1000LL;
        if ((rc = reshaped(c, want, &changed)))
            goto out;
        masters_of(c, base_node(c), &lo, &hi);
        if (!lo) {                  /* made a replica meanwhile: a new node */
            log("cluster-rebalance: a master owns no slots: run it again");
            rc = CLUSTER_LATE;
            goto out;
        }
    }
    log("cluster-rebalance: %d masters of %d nodes, %d to %d slots each, "
        "all agree: %s", want, c->n, lo, hi, changed ? "done" : "nothing to do");
out:
    free_nodes(c);
    free(c);
    return rc;
}

/* ---- a node that starts without its nodes.conf ---- */

/* Line l is this node's address, as it announces it. */
static int at_self(const struct settings *s, const struct cn_line *l)
{
    const char *ip = settings_get(s, S_ANNOUNCE_IP);
    long port = settings_get(s, S_ANNOUNCE_PORT) ?
        settings_num(s, S_ANNOUNCE_PORT) : settings_num(s, S_REDIS_PORT);

    return l->port == port && *l->host &&
           (ip ? !strcmp(l->host, ip) : peer_is_local(l->host));
}

/* A master of slots that some node lists at this node's address (the
 * node that was here) and that a replica follows, by any node's view, not
 * failing for good: 1, that master in g, the replica in r. */
static int followed_here(struct cl *c, struct cn_line *g, struct cn_line *r)
{
    for (int i = 0; i < c->n; i++)
        for (const char *p = c->node[i].view; p && cn_next(&p, g) == 0; ) {
            if (g->myself || g->slots == 0 || !at_self(c->s, g))
                continue;
            for (int j = 0; j < c->n; j++)
                for (const char *q = c->node[j].view; q && cn_next(&q, r) == 0; )
                    if (!r->master && !r->failed && !strcmp(r->master_id, g->id))
                        return 1;
        }
    return 0;
}

/* The replica seen following the node that was here answers, and follows
 * it no more. */
static int let_go(struct cl *c, const struct cn_line *r, const char *gid)
{
    for (int i = 0; i < c->n; i++)
        if (!strcmp(c->node[i].addr.host, r->host) && c->node[i].addr.port == r->port)
            return c->node[i].ok && !follows(&c->node[i], gid);
    return 0;
}

int cluster_wait_fresh(const struct settings *s, msec deadline, diag_log_fn log)
{
    struct cl *c = calloc(1, sizeof *c);
    struct cn_line g, r, seen;
    char gid[CN_ID_LEN + 1] = "";
    int rc = 0;

    if (!c)
        return 0;               /* cannot ask: start as Redis alone would */
    c->s = s;
    c->log = log;
    c->pw = settings_get(s, S_REDIS_PASSWORD);
    c->deadline = deadline;
    for (;;) {
        /* Once a replica was seen following it, only an answer that says
         * it no longer does lets Redis start: a round with no answer
         * (the deadline, DNS, a slow peer) keeps waiting. */
        if (*gid && clock_left(deadline) < ASK_MS) {
            log("fatal: %s:%d still replicates from node %.8s, which was at "
                "this address, after CLUSTER_WAIT=%s s: not starting Redis "
                "empty here (exit 75; a restart tries again)", seen.host,
                seen.port, gid, settings_get(s, S_CLUSTER_WAIT));
            rc = CLUSTER_LATE;
            break;
        }
        resolve(c);
        ask_all(c, ASK_MS);
        if (followed_here(c, &g, &r)) {
            if (!*gid)
                log("cluster: no nodes.conf (a new node, or its volume lost), "
                    "and %s:%d replicates from node %.8s, which was at this "
                    "address: Redis, started empty, would wipe it. Waiting "
                    "for that node's slots to move (CLUSTER_WAIT)", r.host,
                    r.port, g.id);
            if (!*gid || strcmp(gid, g.id) || !let_go(c, &seen, gid)) {
                memcpy(gid, g.id, sizeof gid);
                seen = r;
            }
        } else if (!*gid || let_go(c, &seen, gid))
            break;
        clock_sleep(POLL_MS * 5, deadline);
    }
    free_nodes(c);
    free(c);
    return rc;
}

/* ---- the keeper ---- */

static int is_self(const struct settings *s, const struct peer_addr *a)
{
    return a->port == settings_num(s, S_REDIS_PORT) && peer_is_local(a->host);
}

/* Meet, from the local node, every node it knows by id, cannot reach, and
 * that answers at another address than the one it has for it. In the
 * first looks after a start any other address counts: Redis shows a link
 * to an old address as connected while its connect is pending, and waits
 * the node timeout before it gives up on it. */
static void remeet(struct cl *c, const struct node *local)
{
    struct cn_line l;

    for (int i = 0; i < c->n; i++) {
        struct node *x = &c->node[i];
        struct peer_call k = {0};
        if (!x->ok || !strcmp(x->id, local->id) ||
            cn_find(local->view, x->id, &l) < 0 ||
            (!strcmp(l.host, x->addr.host) && l.port == x->addr.port) ||
            (l.connected && !l.fail && c->looks > KEEP_EAGER))
            continue;
        peer_cmd(&k, "CLUSTER MEET %s %d %d", x->addr.host, x->addr.port, x->bus);
        if (one(c, &k, &local->addr, ASK_MS) == 0)
            c->log("cluster: node %.8s answers at %s:%d (known as %s:%d): met "
                   "it there", x->id, x->addr.host, x->addr.port,
                   *l.host ? l.host : "?", l.port);
        peer_reset(&k);
    }
}

/* A replica whose master moved keeps replicating from the old address
 * when it learned the new one from gossip (Redis 7.0 updates the map
 * there, not the replication link): CLUSTER REPLICATE of the same master
 * points the link at the address in the map. */
static void relink(struct cl *c, const struct node *local)
{
    struct peer_call k = {0};
    struct cn_line me, m;
    char host[PEER_HOST_MAX + 1];
    const char *info;
    long long port;

    if (cn_myself(local->view, &me) < 0 || me.master ||
        cn_find(local->view, me.master_id, &m) < 0 || !*m.host)
        return;
    peer_cmd(&k, "INFO replication");
    if (one(c, &k, &local->addr, ASK_MS) == 0 &&
        (info = peer_str(k.reply[0])) &&
        strstr(info, "master_link_status:down") &&
        peer_info(info, "master_host", host, sizeof host) == 0 &&
        (port = peer_info_num(info, "master_port")) > 0 &&
        (strcmp(host, m.host) || port != m.port)) {
        peer_reset(&k);
        peer_cmd(&k, "CLUSTER REPLICATE %s", m.id);
        if (one(c, &k, &local->addr, ASK_MS) == 0)
            c->log("cluster: replicating from %s:%lld, but the map has the "
                   "master %.8s at %s:%d: link moved there", host, port, m.id,
                   m.host, m.port);
    }
    peer_reset(&k);
}

/* After the whole cluster stopped at once (each master handing its slots
 * to a replica that stops too), a master can come back announcing a
 * config epoch below the one the other nodes hold for it (they only ever
 * raise it, also from a replica's pings, which carry its master's). Its
 * replicas take their master's epoch from it and ask for votes with the
 * lower one, which every master refuses ("slot epoch > reqEpoch"): its
 * slots could not fail over. CLUSTER BUMPEPOCH gives it a new epoch above
 * all it knows, which every node takes. Only when every node answers,
 * is linked to this one, does not flag it failing, and lists it as the
 * master of exactly the slots it claims: a higher epoch must never let a
 * master that was replaced, or is being replaced, take its slots back. */
static void reclaim_epoch(struct cl *c, const struct node *local)
{
    struct peer_call k = {0};
    struct cn_line me, l;
    long long held = 0;
    const char *r;

    if (cn_myself(local->view, &me) < 0 || !me.master || !me.slots)
        return;
    for (int i = 0; i < c->n; i++) {
        if (&c->node[i] == local)
            continue;
        if (!c->node[i].ok || cn_find(c->node[i].view, me.id, &l) < 0 ||
            !l.master || l.fail || !l.connected || l.slot_len != me.slot_len ||
            memcmp(l.slot_text, me.slot_text, me.slot_len))
            return;
        if (l.epoch > held)
            held = l.epoch;
    }
    if (held <= me.epoch)
        return;
    peer_cmd(&k, "CLUSTER BUMPEPOCH");
    if (one(c, &k, &local->addr, ASK_MS) == 0 && (r = peer_str(k.reply[0])))
        c->log("cluster: this master's config epoch is %lld, the other nodes "
               "hold up to %lld for it: CLUSTER BUMPEPOCH: %s", me.epoch,
               held, r);
    peer_reset(&k);
}

/* One look of the keeper. */
static void keep_once(struct cl *c)
{
    int self = -1, creator, any_fresh = 0, formed = 0;

    c->deadline = clock_now() + ASK_MS * 2;
    resolve(c);
    ask_all(c, ASK_MS);
    for (int i = 0; i < c->n; i++) {
        if (is_self(c->s, &c->node[i].addr))
            self = i;
        any_fresh += fresh(&c->node[i]);
        formed += c->node[i].ok && !fresh(&c->node[i]);
    }
    if (self < 0 || !c->node[self].ok)
        return;                 /* Redis is not up yet, or not in the list */
    c->looks++;
    if (!fresh(&c->node[self])) {
        remeet(c, &c->node[self]);
        relink(c, &c->node[self]);
        reclaim_epoch(c, &c->node[self]);
    }
    /* The creator: the first address of all that resolve now. */
    creator = self == 0;
    if (!creator || strcmp(settings_get(c->s, S_CLUSTER_CREATE), "yes"))
        return;
    for (int i = 0; i < c->n; i++)
        if (!c->node[i].ok)
            return;             /* every node answers first */
    if (!any_fresh) {           /* a lost node's new one, already attached */
        c->deadline = clock_now() + ASK_MS * 2;
        forget_gone(c, c->joined && clock_now() - c->joined <
                       settings_num(c->s, S_CLUSTER_WAIT) * 1000LL ? JOINS : NULL);
    }
    if ((!any_fresh && !forgotten(c)) || (!formed && c->n < nodes_needed(c)))
        return;
    c->start = clock_now();
    c->deadline = c->start + settings_num(c->s, S_CLUSTER_WAIT) * 1000LL;
    run_create(c);
}

/* The keeper looks every second: a line it logged last time is not
 * repeated (a refusal stands until a human acts). */
static diag_log_fn keep_out;

static void keep_log(const char *fmt, ...)
{
    static char last[1024];
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (strcmp(line, last))
        keep_out("%s", line);
    memcpy(last, line, sizeof last);
}

int cluster_keep(const struct settings *s, diag_log_fn log)
{
    struct cl *c = calloc(1, sizeof *c);

    if (!c)
        return 1;
    keep_out = log;
    c->s = s;
    c->log = keep_log;
    c->pw = settings_get(s, S_REDIS_PASSWORD);
    for (;;) {
        msec next = clock_now() + KEEP_MS;
        keep_once(c);
        clock_sleep(KEEP_MS, next);
    }
}

/* ---- checks ---- */

void cluster_check(const struct settings *s, int creating, struct diag *d)
{
    const char *renames = settings_get(s, S_RENAME_COMMANDS);

    if (!settings_get(s, S_ANNOUNCE_BUS_PORT) &&
        settings_num(s, S_REDIS_PORT) > 65535 - 10000)
        diag_add(d, "REDIS_PORT=\"%s\": the cluster bus port would be above "
                 "65535: expected at most 55535, or ANNOUNCE_BUS_PORT",
                 settings_get(s, S_REDIS_PORT));
    if (!settings_get(s, S_CLUSTER_HOSTS) &&
        (creating || !strcmp(settings_get(s, S_CLUSTER_CREATE), "yes")))
        diag_add(d, "CLUSTER_HOSTS is not set: expected the nodes of the "
                 "cluster, host[:port],... or one name resolving to all");
    if (renames && strcasestr(renames, "CLUSTER"))
        diag_add(d, "RENAME_COMMANDS: CLUSTER renamed or disabled: expected "
                 "it left alone on a cluster node (redis-init and the other "
                 "nodes' clients need it)");
}
