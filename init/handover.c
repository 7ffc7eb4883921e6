#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "handover.h"
#include "peer.h"
#include "sentinels.h"

#define POLL_MS   10        /* between looks at the replicas and sentinel */
#define ASK_MS    300       /* one look; a peer slower than this is late */
#define UNPAUSE_MS 300      /* kept at the end to unpause and say why */

struct ho {
    const struct settings *s;
    diag_log_fn log;
    msec start, deadline;
    struct peer_addr local;
    struct peer_addr replicas[PEER_MAX];
    int nreplicas;
    struct peer_addr sentinel;
    char *why;                  /* a reason built from a reply (malloc'd) */
};

static msec look_deadline(const struct ho *h)
{
    msec t = clock_now() + ASK_MS;
    return t < h->deadline ? t : h->deadline;
}

/* One command to the local Redis; the call is left for the caller to read
 * and reset. 0 when it answered without an error. */
static int local_cmd(struct ho *h, struct peer_call *c, const char *cmd,
                     const char *arg)
{
    memset(c, 0, sizeof *c);
    c->addr = h->local;
    c->password = settings_get(h->s, S_REDIS_PASSWORD);
    if (arg)
        peer_cmd(c, cmd, arg);
    else
        peer_cmd(c, cmd);
    return peer_ask(c, 1, look_deadline(h)) && !peer_is_error(c->reply[0]) ? 0 : -1;
}

/* Why a call failed, for the log: a peer's error text escaped (and cut to
 * fit one line). The helper is single-threaded: one static buffer. */
static const char *err_of(const struct peer_call *c)
{
    static char buf[256];
    const char *e = c->err ? c->err : peer_is_error(c->reply[0])
        ? c->reply[0]->str : "no reply";
    char *shown = diag_escape(e, strlen(e));

    snprintf(buf, sizeof buf, "%s", shown ? shown : "?");
    free(shown);
    return buf;
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

/* A sentinel that names this instance master. */
static int find_sentinel(struct ho *h)
{
    struct peer_addr sen[PEER_MAX];
    struct sen_view v[PEER_MAX];
    int unresolved, found = -1;
    int n = sen_list(h->s, sen, PEER_MAX, &unresolved);

    sen_ask(h->s, sen, n, v, 0, look_deadline(h));
    for (int i = 0; i < n && found < 0; i++)
        if (v[i].ok && sen_is_self(h->s, &v[i].master))
            found = i;
    if (found >= 0)
        h->sentinel = v[found].sentinel;
    sen_free(v, n);
    return found;
}

/* Until a replica reports offset target (asked directly: the master hears
 * of it only from the once a second REPLCONF ACK). NULL, or why not. */
static const char *catch_up(struct ho *h, long long target)
{
    struct peer_call c[PEER_MAX];

    while (clock_left(h->deadline)) {
        int gone = 0, caught = 0;
        memset(c, 0, sizeof c);
        for (int i = 0; i < h->nreplicas; i++) {
            c[i].addr = h->replicas[i];
            c[i].password = settings_get(h->s, S_REDIS_PASSWORD);
            peer_cmd(&c[i], "INFO replication");
        }
        peer_ask(c, h->nreplicas, look_deadline(h));
        for (int i = 0; i < h->nreplicas; i++) {
            const char *info = peer_str(c[i].reply[0]);
            caught |= c[i].ok && peer_info_num(info, "slave_repl_offset") >= target;
            gone += !c[i].ok && c[i].err && !strstr(c[i].err, "deadline");
            peer_reset(&c[i]);
        }
        if (caught)
            return NULL;
        if (gone == h->nreplicas)
            return "every replica stopped answering";
        clock_sleep(POLL_MS, h->deadline);
    }
    return "no replica caught up with the master's offset in time";
}

/* After SENTINEL FAILOVER: until the sentinel names another master. NULL
 * with the new master in *m, or why not. */
static const char *wait_switch(struct ho *h, struct peer_addr *m)
{
    while (clock_left(h->deadline)) {
        struct sen_view v;
        sen_ask(h->s, &h->sentinel, 1, &v, 0, look_deadline(h));
        if (v.ok && !sen_is_self(h->s, &v.master)) {
            *m = v.master;
            sen_free(&v, 1);
            return NULL;
        }
        int gone = v.gone, aborted = v.ok && !v.failover;
        sen_free(&v, 1);
        if (gone)
            return "the sentinel stopped answering";
        if (aborted)
            return "the sentinels aborted the failover";
        clock_sleep(POLL_MS, h->deadline);
    }
    return "the sentinels did not switch the master in time";
}

/* The steps after writes are paused: NULL when mastership moved. */
static const char *switch_over(struct ho *h)
{
    struct peer_call c;
    struct peer_addr m;
    long long target;
    const char *why;

    if (local_cmd(h, &c, "INFO replication", NULL) < 0) {
        peer_reset(&c);
        return "INFO replication failed";
    }
    target = peer_info_num(peer_str(c.reply[0]), "master_repl_offset");
    peer_reset(&c);
    if (target < 0)
        return "INFO replication has no master_repl_offset";
    if ((why = catch_up(h, target)))
        return why;
    h->log("handover: a replica has offset %lld after %lld ms; asking %s:%d "
           "to fail over", target, clock_now() - h->start, h->sentinel.host,
           h->sentinel.port);
    memset(&c, 0, sizeof c);
    c.addr = h->sentinel;
    c.password = settings_get(h->s, S_SENTINEL_PASSWORD);
    peer_cmd(&c, "SENTINEL FAILOVER %s", settings_get(h->s, S_MASTER_NAME));
    if (!peer_ask(&c, 1, look_deadline(h)) || peer_is_error(c.reply[0])) {
        if (asprintf(&h->why, "SENTINEL FAILOVER: %s", err_of(&c)) < 0)
            h->why = NULL;
        peer_reset(&c);
        return h->why ? h->why : "SENTINEL FAILOVER failed";
    }
    peer_reset(&c);
    if ((why = wait_switch(h, &m)))
        return why;
    h->log("handover: %s:%d is the new master after %lld ms", m.host, m.port,
           clock_now() - h->start);
    return NULL;
}

int handover(const struct settings *s, msec deadline, diag_log_fn log)
{
    /* The supervisor kills this helper at deadline: stop trying a little
     * before, so that writes are unpaused and the reason said. */
    struct ho h = {.s = s, .log = log, .start = clock_now(),
                   .deadline = deadline - UNPAUSE_MS};
    struct peer_call c;
    const char *why = NULL;
    char ms[24];

    strcpy(h.local.host, "127.0.0.1");
    h.local.port = (int)settings_num(s, S_REDIS_PORT);
    if (local_cmd(&h, &c, "INFO replication", NULL) < 0) {
        log("handover skipped: the local redis-server does not answer (%s): "
            "plain clean shutdown", err_of(&c));
        peer_reset(&c);
        return 1;
    }
    /* Not a text (a confused peer on our port): nothing to hand over. */
    if (!peer_str(c.reply[0]) || !strstr(peer_str(c.reply[0]), "role:master")) {
        peer_reset(&c);
        return 1;                   /* a replica: nothing to hand over */
    }
    h.nreplicas = handover_replicas(peer_str(c.reply[0]), h.replicas, PEER_MAX);
    peer_reset(&c);
    if (h.nreplicas == 0)
        why = "no online replica";
    else if (clock_left(deadline) < HANDOVER_MIN_MS)
        why = "STOP_TIMEOUT leaves no time for it";
    else if (find_sentinel(&h) < 0)
        why = "no sentinel of SENTINEL_HOSTS names this instance as master";
    if (why) {
        log("handover skipped: %s: plain clean shutdown", why);
        return 1;
    }
    /* The pause ends by itself at the deadline, even if this helper is
     * killed there. */
    snprintf(ms, sizeof ms, "%lld", (long long)clock_left(deadline));
    if (local_cmd(&h, &c, "CLIENT PAUSE %s WRITE", ms) < 0) {
        log("handover skipped: CLIENT PAUSE refused (%s): plain clean shutdown",
            err_of(&c));
        peer_reset(&c);
        return 1;
    }
    peer_reset(&c);
    log("handover: writes paused, waiting for a replica and the sentinels");
    if (!(why = switch_over(&h)))
        return 0;           /* Redis stays paused until it stops */
    h.deadline = deadline;
    if (local_cmd(&h, &c, "CLIENT UNPAUSE", NULL) < 0)
        log("handover: CLIENT UNPAUSE failed (%s); the pause ends by itself "
            "in %s ms", err_of(&c), ms);
    peer_reset(&c);
    log("handover given up after %lld ms: %s: writes unpaused, plain clean "
        "shutdown", clock_now() - h.start, why);
    free(h.why);
    return 1;
}
