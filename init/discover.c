#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hiredis/hiredis.h>

#include "discover.h"
#include "io.h"
#include "sentinels.h"

#define ROUND_MS 1000       /* one round of questions */
#define RETRY_MS 250        /* between rounds */

static msec empty_master_wait(const struct settings *s);

msec discover_budget(const struct settings *s)
{
    msec wait = settings_num(s, S_START_WAIT) * 1000LL;

    if (s->role == ROLE_SENTINEL)
        return wait + settings_num(s, S_RESOLVE_WAIT) * 1000LL;
    return wait + empty_master_wait(s);
}

/* How long an empty master waits for the sentinels to promote a replica. */
static msec empty_master_wait(const struct settings *s)
{
    return settings_num(s, S_START_WAIT) * 1000LL +
           settings_num(s, S_SENTINEL_FAILOVER);
}

static int nonempty(const char *dir, const char *name, int want_dir)
{
    char *p = io_join(dir, name);
    struct stat st;
    int ok = p && stat(p, &st) == 0 &&
             (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode) && st.st_size > 0);

    free(p);
    return ok;
}

int discover_has_data(const char *dir)
{
    return nonempty(dir, "dump.rdb", 0) || nonempty(dir, "appendonlydir", 1) ||
           nonempty(dir, "appendonly.aof", 0);
}

/* Has this instance run here before (a config or data it left)? */
static int has_past(const struct settings *s)
{
    const char *dir = settings_get(s, S_DATA_DIR);

    return discover_has_data(dir) || nonempty(dir, "redis.conf", 0) ||
           nonempty(dir, "sentinel.conf", 0);
}

/* Ask until one sentinel answers or the deadline; a fresh instance whose
 * sentinels are all absent (refused, or names that do not resolve) stops
 * asking at once: nothing can say otherwise. */
static int ask_until(const struct settings *s, struct sen_view *v, int *n,
                     int with_replicas, msec deadline, int *absent)
{
    struct peer_addr sen[PEER_MAX];
    int fresh = !has_past(s);

    for (;;) {
        int unresolved, gone = 0;
        *n = sen_list(s, sen, PEER_MAX, &unresolved);
        if (sen_ask(s, sen, *n, v, with_replicas, clock_within(ROUND_MS, deadline)) > 0)
            return sen_best(v, *n);
        for (int i = 0; i < *n; i++)
            gone += v[i].gone;
        *absent = gone == *n;
        /* Nobody to ask: a fresh instance starts as its role says, and a
         * sentinel with its own memory uses it; peers that come up later
         * adopt the newest view by its config epoch. */
        if (((fresh || s->role == ROLE_SENTINEL) && *absent) ||
            clock_left(deadline) == 0)
            return -1;
        sen_free(v, *n);
        clock_sleep(RETRY_MS, deadline);
    }
}

static void set_master(struct discovery *out, const struct peer_addr *m)
{
    out->master = *m;
}

/* A replica whose password the master refuses would retry forever with
 * only Redis' terse log line: say it plainly before starting. */
static void check_auth(const struct settings *s, const struct peer_addr *m,
                       diag_log_fn log)
{
    struct peer_addr ips[PEER_MAX];
    struct peer_call c = {0};
    const char *why;
    int n = 0;

    if (peer_resolve(m, ips, &n, 1, &why) < 0 || n == 0)
        return;
    c.addr = ips[0];
    c.password = settings_get(s, S_REDIS_PASSWORD);
    peer_cmd(&c, "PING");
    peer_ask(&c, 1, clock_now() + 500);
    if ((c.err && strstr(c.err, "AUTH refused")) || peer_is_error(c.reply[0]))
        log("error: the master %s:%d refuses this replica's REDIS_PASSWORD "
            "(%s): replication fails until the passwords match", m->host,
            m->port, peer_why(&c));
    peer_reset(&c);
}

/* Does MASTER_HOST:MASTER_PORT name this very instance? */
static int master_host_is_self(const struct settings *s)
{
    struct peer_addr a;
    const char *why;
    const char *h = settings_get(s, S_MASTER_HOST);

    if (peer_parse(h, strlen(h), (int)settings_num(s, S_MASTER_PORT), &a, &why) < 0)
        return 0;
    return sen_is_self(s, &a);
}

static int reachable(const struct settings *s, const struct peer_addr *m)
{
    struct peer_addr ips[PEER_MAX];
    struct peer_call c = {0};
    const char *why;
    int n = 0, ok;

    if (peer_resolve(m, ips, &n, 1, &why) < 0 || n == 0)
        return 0;
    c.addr = ips[0];
    c.password = settings_get(s, S_REDIS_PASSWORD);
    peer_cmd(&c, "PING");
    ok = peer_ask1(&c, clock_now() + 500) == 0;
    peer_reset(&c);
    return ok;
}

/* The sentinels name this instance master, but it has no data while they
 * know replicas that replicated from it: serving now would make them
 * resync from nothing and throw every key away. Have a replica promoted
 * instead and start as its replica; if that cannot be done in time, start
 * nothing (exit 75) and let the orchestrator try again. */
static void empty_master(const struct settings *s, struct sen_view *v, int n,
                         int up, long long offset, struct discovery *out,
                         diag_log_fn log)
{
    const char *name = settings_get(s, S_MASTER_NAME);
    msec deadline = clock_now() + empty_master_wait(s);
    struct peer_addr sen[PEER_MAX];
    int k = 0, asked = 0;

    for (int i = 0; i < n; i++)
        if (v[i].ok)
            sen[k++] = v[i].sentinel;
    log("the sentinels name this instance master of %s, but REDIS_DATA_DIR "
        "holds no data and they know replicas that replicated from it "
        "(%d up, offset %lld): not starting as an empty master, which would "
        "wipe them; asking for a failover", name, up, offset);
    while (clock_left(deadline)) {
        struct sen_view now[PEER_MAX];
        int best, ok = sen_ask(s, sen, k, now, 0, clock_within(ROUND_MS, deadline));
        best = sen_best(now, k);
        if (ok && best >= 0 && !sen_is_self(s, &now[best].master)) {
            int agree = 1;
            for (int i = 0; i < k; i++)
                agree &= !now[i].ok || !sen_is_self(s, &now[i].master);
            if (agree) {
                log("sentinels now name %s:%d as master of %s: starting as "
                    "its replica, with its data", now[best].master.host,
                    now[best].master.port, name);
                out->role = ROLE_SLAVE;
                set_master(out, &now[best].master);
                sen_free(now, k);
                return;
            }
        }
        sen_free(now, k);
        /* SENTINEL FAILOVER works with an unreachable master; a refusal
         * (no good replica yet) is retried. */
        for (int i = 0; i < k && !asked; i++) {
            struct peer_call c = {.addr = sen[i],
                                  .password = settings_get(s, S_SENTINEL_PASSWORD)};
            peer_cmd(&c, "SENTINEL FAILOVER %s", name);
            if (peer_ask1(&c, clock_within(ROUND_MS, deadline)) == 0)
                asked = 1;
            else if (c.ok)
                log("sentinel %s:%d: SENTINEL FAILOVER: %s (retrying)",
                    sen[i].host, sen[i].port, peer_why(&c));
            peer_reset(&c);
        }
        clock_sleep(RETRY_MS, deadline);
    }
    log("fatal: no replica was promoted within %lld ms: starting nothing "
        "rather than an empty master (exit %d; a restart tries again)",
        (long long)empty_master_wait(s), DISCOVER_EMPTY_MASTER);
    out->exit_code = DISCOVER_EMPTY_MASTER;
}

static void discover_server(const struct settings *s, struct discovery *out,
                            diag_log_fn log)
{
    msec deadline = clock_now() + settings_num(s, S_START_WAIT) * 1000LL;
    const char *name = settings_get(s, S_MASTER_NAME);
    const char *role = settings_role_name(s->role);
    struct sen_view v[PEER_MAX];
    int n = 0, absent = 0;
    int best = ask_until(s, v, &n, 1, deadline, &absent);

    out->role = s->role;
    if (best < 0) {
        const char *how = absent ? "is running (all refused or unresolved)"
                                 : "answered within START_WAIT";
        if (s->role == ROLE_SLAVE && master_host_is_self(s)) {
            /* One spec for every pod of a StatefulSet: the one MASTER_HOST
             * names is the master until the sentinels say otherwise. */
            log("no sentinel of SENTINEL_HOSTS=%s %s and MASTER_HOST=%s is "
                "this instance: starting as master",
                settings_get(s, S_SENTINEL_HOSTS), how,
                settings_get(s, S_MASTER_HOST));
            out->role = ROLE_MASTER;
        } else {
            log("no sentinel of SENTINEL_HOSTS=%s %s: starting as %s, as the "
                "role says", settings_get(s, S_SENTINEL_HOSTS), how, role);
            if (s->role == ROLE_SLAVE) {
                struct peer_addr m;
                const char *why, *h = settings_get(s, S_MASTER_HOST);
                if (peer_parse(h, strlen(h), (int)settings_num(s, S_MASTER_PORT),
                               &m, &why) == 0)
                    check_auth(s, &m, log);
            }
        }
    } else if (sen_is_self(s, &v[best].master)) {
        /* Any replica any of them sees up may hold the data: the offset
         * they report is up to 10 s old (0 right after a full restart),
         * and a sentinel learns replicas from the master's INFO, every
         * 10 s: right after a full restart one may know none yet. */
        int up = 0, down = 0;
        long long offset = -1;
        for (int i = 0; i < n; i++) {
            if (!v[i].ok || !sen_is_self(s, &v[i].master))
                continue;       /* what they say of this instance only */
            if (v[i].replicas_up > up)
                up = v[i].replicas_up;
            if (v[i].replicas_offset > offset)
                offset = v[i].replicas_offset;
            down += v[i].master_down || v[i].failover;
        }
        if (!discover_has_data(settings_get(s, S_DATA_DIR)) && up > 0) {
            empty_master(s, v, n, up, offset, out, log);
        } else {
            out->fenced = down > 0 && !strcmp(settings_get(s, S_FENCE), "yes");
            log("sentinels name this instance (%s:%d) as master of %s: "
                "starting as master (replicas known at offset %lld)%s",
                v[best].master.host, v[best].master.port, name, offset,
                out->fenced
                ? ", with writes refused: a sentinel sees it down or fails "
                  "it over" : "");
            out->role = ROLE_MASTER;
        }
    } else if (s->role == ROLE_MASTER && !reachable(s, &v[best].master)) {
        log("warning: sentinels name %s:%d as master but it does not answer: "
            "starting as master, as the role says", v[best].master.host,
            v[best].master.port);
    } else {
        log("sentinels name %s:%d as master of %s: starting as its replica%s",
            v[best].master.host, v[best].master.port, name,
            s->role == ROLE_MASTER ? " (role master ignored: a failover "
                                     "happened)" : "");
        out->role = ROLE_SLAVE;
        set_master(out, &v[best].master);
        check_auth(s, &v[best].master, log);
    }
    sen_free(v, n);
}

static int resolves(const struct settings *s)
{
    struct peer_addr a, ips[1];
    const char *why, *h = settings_get(s, S_MASTER_HOST);
    int n = 0;

    return peer_parse(h, strlen(h), 1, &a, &why) == 0 &&
           peer_resolve(&a, ips, &n, 1, &why) == 0;
}

static int resolves_cond(void *s) { return resolves(s); }

static void discover_sentinel(const struct settings *s, struct discovery *out,
                              diag_log_fn log)
{
    msec deadline = clock_now() + settings_num(s, S_START_WAIT) * 1000LL;
    struct sen_view v[PEER_MAX];
    int n = 0, absent;
    int best = ask_until(s, v, &n, 0, deadline, &absent);

    out->role = ROLE_SENTINEL;
    if (best >= 0) {
        log("peer sentinels name %s:%d as master of %s: monitoring it",
            v[best].master.host, v[best].master.port,
            settings_get(s, S_MASTER_NAME));
        set_master(out, &v[best].master);
        out->forget_config_epoch = 1;
        sen_free(v, n);
        return;
    }
    sen_free(v, n);
    discover_alone(s, out, log);
}

void discover_alone(const struct settings *s, struct discovery *out,
                    diag_log_fn log)
{
    const char *host = settings_get(s, S_MASTER_HOST);

    out->role = ROLE_SENTINEL;
    /* Restarted with no peer up (all restarted at once): what this sentinel
     * knew last is newer than MASTER_HOST. */
    if (settings_get(s, S_KNOWN_MASTER_HOST)) {
        log("no peer sentinel answered: monitoring the master this sentinel "
            "knew last, %s:%s (config epoch %s)",
            settings_get(s, S_KNOWN_MASTER_HOST),
            settings_get(s, S_KNOWN_MASTER_PORT),
            settings_get(s, S_SENTINEL_CONFIG_EPOCH)
                ? settings_get(s, S_SENTINEL_CONFIG_EPOCH) : "0");
        snprintf(out->master.host, sizeof out->master.host, "%s",
                 settings_get(s, S_KNOWN_MASTER_HOST));   /* validated: fits */
        out->master.port = (int)settings_num(s, S_KNOWN_MASTER_PORT);
        return;
    }
    /* Sentinel exits on a name it cannot resolve: wait for it instead. */
    if (!resolves(s)) {
        log("MASTER_HOST=%s does not resolve yet: waiting up to RESOLVE_WAIT=%s s",
            host, settings_get(s, S_RESOLVE_WAIT));
        if (!clock_poll(clock_now() + settings_num(s, S_RESOLVE_WAIT) * 1000LL,
                        RETRY_MS, resolves_cond, (void *)s)) {
            log("fatal: MASTER_HOST=%s did not resolve within RESOLVE_WAIT=%s s",
                host, settings_get(s, S_RESOLVE_WAIT));
            out->exit_code = DISCOVER_NO_MASTER_NAME;
            return;
        }
    }
    log("no peer sentinel answered: monitoring MASTER_HOST=%s:%s", host,
        settings_get(s, S_MASTER_PORT));
}

void discover(const struct settings *s, struct discovery *out, diag_log_fn log)
{
    memset(out, 0, sizeof *out);
    if (s->role == ROLE_SENTINEL)
        discover_sentinel(s, out, log);
    else
        discover_server(s, out, log);
}
