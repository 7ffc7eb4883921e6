#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "ha.h"

#define CONNECT_MS 500      /* a dead peer costs at most this much */
#define LOCAL_MS   1000

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000};
    nanosleep(&ts, NULL);
}

/* Connect and authenticate; NULL on any failure. */
static redisContext *ha_connect(const char *host, int port, const char *pw,
                                int ms)
{
    struct timeval tv = {ms / 1000, ms % 1000 * 1000};
    redisContext *c = redisConnectWithTimeout(host, port, tv);
    redisReply *r;

    if (!c || c->err) {
        if (c)
            redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv);
    if (pw) {
        r = redisCommand(c, "AUTH %s", pw);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            if (r)
                freeReplyObject(r);
            redisFree(c);
            return NULL;
        }
        freeReplyObject(r);
    }
    return c;
}

static redisContext *local_server(const struct settings *s)
{
    return ha_connect("127.0.0.1", settings_num(s, S_REDIS_PORT),
                      settings_get(s, S_REDIS_PASSWORD), LOCAL_MS);
}

static redisContext *sentinel_conn(const struct settings *s,
                                   const struct ha_addr *a)
{
    return ha_connect(a->host, a->port, settings_get(s, S_SENTINEL_PASSWORD),
                      CONNECT_MS);
}

/* A command whose reply must not be an error; the reply or NULL. */
static redisReply *cmd(redisContext *c, const char *fmt, const char *arg)
{
    redisReply *r = redisCommand(c, fmt, arg);

    if (r && r->type == REDIS_REPLY_ERROR) {
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

/* ---- addresses ---- */

/* The numeric form of an IPv4 or IPv6 socket address; 0 on success. */
static int addr_str(const struct sockaddr *sa, char *out, size_t len)
{
    const void *in = sa->sa_family == AF_INET6
        ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
        : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;

    if (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)
        return -1;
    return inet_ntop(sa->sa_family, in, out, len) ? 0 : -1;
}

static int add_host(const char *host, int port, struct ha_addr *out, int n,
                    int max)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;

    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return n;
    for (ai = res; ai && n < max; ai = ai->ai_next) {
        struct ha_addr a = {.port = port};
        int dup = addr_str(ai->ai_addr, a.host, sizeof a.host) < 0;
        for (int i = 0; i < n; i++)
            dup |= out[i].port == port && !strcmp(out[i].host, a.host);
        if (!dup)
            out[n++] = a;
    }
    freeaddrinfo(res);
    return n;
}

int ha_sentinels(const struct settings *s, struct ha_addr *out, int max)
{
    const char *list = settings_get(s, S_SENTINEL_HOSTS);
    int n = 0;

    while (list && *list) {
        size_t len = strcspn(list, ",");
        char item[300], *host = item, *colon;
        int port = settings_num(s, S_SENTINEL_PORT);

        snprintf(item, sizeof item, "%.*s", (int)len, list);
        if (*host == '[') {                     /* [v6]:port */
            char *close = strchr(host, ']');
            *close = 0;
            colon = close[1] == ':' ? close + 1 : NULL;
            host++;
        } else {
            colon = strchr(host, ':');
            if (colon)
                *colon = 0;
        }
        if (colon)
            port = atoi(colon + 1);             /* validated by settings */
        n = add_host(host, port, out, n, max);
        list += len + (list[len] == ',');
    }
    return n;
}

int ha_is_self(const struct settings *s, const struct ha_addr *a)
{
    const char *ip = settings_get(s, S_ANNOUNCE_IP);
    long port = settings_get(s, S_ANNOUNCE_PORT)
        ? settings_num(s, S_ANNOUNCE_PORT) : settings_num(s, S_REDIS_PORT);
    struct ifaddrs *ifs, *i;
    int found = 0;

    if (a->port != port)
        return 0;
    if (ip)
        return !strcmp(ip, a->host);
    if (getifaddrs(&ifs) < 0)
        return 0;
    for (i = ifs; i && !found; i = i->ifa_next) {
        char host[HA_HOST_LEN];
        if (i->ifa_addr && addr_str(i->ifa_addr, host, sizeof host) == 0)
            found = !strcmp(host, a->host);
    }
    freeifaddrs(ifs);
    return found;
}

/* ---- who is the master ---- */

static const char *field(const redisReply *r, const char *key)
{
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements;
         i += 2)
        if (r->element[i]->str && !strcmp(r->element[i]->str, key))
            return r->element[i + 1]->str;
    return NULL;
}

/* One sentinel's view: 0 and master/epoch filled when it knows the master.
 * GET-MASTER-ADDR-BY-NAME names the promoted replica as soon as the
 * promotion is confirmed; SENTINEL MASTER's ip only at the failover's end. */
static int ask_one(const struct settings *s, const struct ha_addr *sen,
                   struct ha_addr *master, long long *epoch)
{
    const char *name = settings_get(s, S_MASTER_NAME);
    redisContext *c = sentinel_conn(s, sen);
    redisReply *a = NULL, *r = NULL;
    const char *ep;
    int rc = -1;

    if (!c)
        return -1;
    a = cmd(c, "SENTINEL GET-MASTER-ADDR-BY-NAME %s", name);
    if (a && a->type == REDIS_REPLY_ARRAY && a->elements == 2 &&
        a->element[0]->str && a->element[1]->str &&
        strlen(a->element[0]->str) < HA_HOST_LEN) {
        snprintf(master->host, sizeof master->host, "%s", a->element[0]->str);
        master->port = atoi(a->element[1]->str);
        r = cmd(c, "SENTINEL MASTER %s", name);
        ep = field(r, "config-epoch");
        *epoch = ep ? atoll(ep) : 0;
        rc = 0;
    }
    if (a)
        freeReplyObject(a);
    if (r)
        freeReplyObject(r);
    redisFree(c);
    return rc;
}

int ha_ask_master(const struct settings *s, struct ha_addr *master)
{
    struct ha_addr sen[HA_MAX_ADDRS], m;
    int n = ha_sentinels(s, sen, HA_MAX_ADDRS), found = -1;
    long long best = -1, epoch;

    for (int i = 0; i < n; i++)
        if (ask_one(s, &sen[i], &m, &epoch) == 0 && epoch > best) {
            best = epoch;
            *master = m;
            found = 0;
        }
    return found;
}

static int reachable(const struct settings *s, const struct ha_addr *a)
{
    redisContext *c = ha_connect(a->host, a->port,
                                 settings_get(s, S_REDIS_PASSWORD), CONNECT_MS);
    redisReply *r = c ? cmd(c, "PING", NULL) : NULL;
    int ok = r != NULL;

    if (r)
        freeReplyObject(r);
    if (c)
        redisFree(c);
    return ok;
}

/* Ask until an answer or START_WAIT; 0 with an answer, -1 none, -2 stop. */
static int ask_until(const struct settings *s, struct ha_addr *m,
                     ha_stop_fn stop)
{
    long end = now_ms() + settings_num(s, S_START_WAIT) * 1000L;

    for (;;) {
        if (stop())
            return -2;
        if (ha_ask_master(s, m) == 0)
            return 0;
        if (now_ms() >= end)
            return -1;
        sleep_ms(250);
    }
}

static void set_addr(struct settings *s, enum setting_id host,
                     enum setting_id port, const struct ha_addr *a)
{
    char p[8];

    snprintf(p, sizeof p, "%d", a->port);
    settings_set(s, host, a->host);
    settings_set(s, port, p);
}

/* A replica whose password the master refuses would retry forever with
 * only Redis' terse log line: say it plainly before starting. */
static void check_auth(const struct settings *s, const char *host, int port,
                       ha_log_fn log)
{
    struct timeval tv = {0, CONNECT_MS * 1000};
    redisContext *c = redisConnectWithTimeout(host, port, tv);
    const char *pw = settings_get(s, S_REDIS_PASSWORD);
    redisReply *r;

    if (!c || c->err) {
        if (c)
            redisFree(c);
        return;
    }
    redisSetTimeout(c, tv);
    r = pw ? redisCommand(c, "AUTH %s", pw) : redisCommand(c, "PING");
    if (r && r->type == REDIS_REPLY_ERROR)
        log("error: the master %s:%d refuses this replica's REDIS_PASSWORD "
            "(%s): replication fails until the passwords match", host, port,
            r->str);
    if (r)
        freeReplyObject(r);
    redisFree(c);
}

/* Does MASTER_HOST:MASTER_PORT name this very instance? */
static int master_host_is_self(const struct settings *s)
{
    struct ha_addr a[HA_MAX_ADDRS];
    int n = add_host(settings_get(s, S_MASTER_HOST), settings_num(s, S_MASTER_PORT),
                     a, 0, HA_MAX_ADDRS);

    for (int i = 0; i < n; i++)
        if (ha_is_self(s, &a[i]))
            return 1;
    return 0;
}

static int discover_server(struct settings *s, ha_log_fn log, ha_stop_fn stop)
{
    struct ha_addr m;
    int rc = ask_until(s, &m, stop);
    const char *role = settings_role_name(s->role);

    if (rc == -2)
        return -2;
    if (rc < 0 && s->role == ROLE_SLAVE && master_host_is_self(s)) {
        /* One spec for every pod of a StatefulSet: the one MASTER_HOST
         * names is the master until the sentinels say otherwise. */
        log("no sentinel answered within START_WAIT=%s s and MASTER_HOST=%s "
            "is this instance: starting as master", settings_get(s, S_START_WAIT),
            settings_get(s, S_MASTER_HOST));
        s->role = ROLE_MASTER;
        return 0;
    }
    if (rc < 0) {
        log("no sentinel of SENTINEL_HOSTS=%s answered within START_WAIT=%s s: "
            "starting as %s, as the role says", settings_get(s, S_SENTINEL_HOSTS),
            settings_get(s, S_START_WAIT), role);
        if (s->role == ROLE_SLAVE)
            check_auth(s, settings_get(s, S_MASTER_HOST),
                       settings_num(s, S_MASTER_PORT), log);
        return 0;
    }
    if (ha_is_self(s, &m)) {
        log("sentinels name this instance (%s:%d) as master of %s: starting "
            "as master", m.host, m.port, settings_get(s, S_MASTER_NAME));
        s->role = ROLE_MASTER;
        return 0;
    }
    if (s->role == ROLE_MASTER && !reachable(s, &m)) {
        log("warning: sentinels name %s:%d as master but it does not answer: "
            "starting as master, as the role says", m.host, m.port);
        return 0;
    }
    log("sentinels name %s:%d as master of %s: starting as its replica%s",
        m.host, m.port, settings_get(s, S_MASTER_NAME),
        s->role == ROLE_MASTER ? " (role master ignored: a failover happened)"
                               : "");
    s->role = ROLE_SLAVE;
    set_addr(s, S_REPLICAOF_HOST, S_REPLICAOF_PORT, &m);
    check_auth(s, m.host, m.port, log);
    return 0;
}

static int resolves(const char *host)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;

    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return 0;
    freeaddrinfo(res);
    return 1;
}

static int discover_sentinel(struct settings *s, ha_log_fn log, ha_stop_fn stop)
{
    const char *host = settings_get(s, S_MASTER_HOST);
    struct ha_addr m;
    int rc = ask_until(s, &m, stop);
    long end;

    if (rc == -2)
        return -2;
    if (rc == 0) {
        log("peer sentinels name %s:%d as master of %s: monitoring it", m.host,
            m.port, settings_get(s, S_MASTER_NAME));
        set_addr(s, S_MONITOR_HOST, S_MONITOR_PORT, &m);
        settings_set(s, S_SENTINEL_CONFIG_EPOCH, NULL);  /* peers tell it */
        return 0;
    }
    /* Restarted with no peer up (all restarted at once): what this sentinel
     * knew last is newer than MASTER_HOST. */
    if (settings_get(s, S_KNOWN_MASTER_HOST)) {
        log("no peer sentinel answered: monitoring the master this sentinel "
            "knew last, %s:%s (config epoch %s)",
            settings_get(s, S_KNOWN_MASTER_HOST),
            settings_get(s, S_KNOWN_MASTER_PORT),
            settings_get(s, S_SENTINEL_CONFIG_EPOCH)
                ? settings_get(s, S_SENTINEL_CONFIG_EPOCH) : "0");
        settings_set(s, S_MONITOR_HOST, settings_get(s, S_KNOWN_MASTER_HOST));
        settings_set(s, S_MONITOR_PORT, settings_get(s, S_KNOWN_MASTER_PORT));
        return 0;
    }
    /* Sentinel exits on a name it cannot resolve: wait for it instead. */
    end = now_ms() + settings_num(s, S_RESOLVE_WAIT) * 1000L;
    if (!resolves(host))
        log("MASTER_HOST=%s does not resolve yet: waiting up to RESOLVE_WAIT=%s s",
            host, settings_get(s, S_RESOLVE_WAIT));
    while (!resolves(host)) {
        if (stop())
            return -2;
        if (now_ms() >= end) {
            log("fatal: MASTER_HOST=%s did not resolve within RESOLVE_WAIT=%s s",
                host, settings_get(s, S_RESOLVE_WAIT));
            return -1;
        }
        sleep_ms(250);
    }
    log("no peer sentinel answered: monitoring MASTER_HOST=%s:%s", host,
        settings_get(s, S_MASTER_PORT));
    return 0;
}

int ha_discover(struct settings *s, ha_log_fn log, ha_stop_fn stop)
{
    return s->role == ROLE_SENTINEL ? discover_sentinel(s, log, stop)
                                    : discover_server(s, log, stop);
}

/* ---- handover ---- */

/* A number from an INFO text: "key:value". */
static long long info_num(const char *info, const char *key)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof pat, "\n%s:", key);
    p = strstr(info, pat);
    return p ? atoll(p + strlen(pat)) : -1;
}

/* Does a master's INFO replication list an online replica? */
static int has_online_replica(const char *info)
{
    return strstr(info, ",state=online,") != NULL;
}

/* Connections to the online replicas a master's INFO lists. Their own
 * offsets are current, where the master learns them only from the once a
 * second REPLCONF ACK. */
static int replica_conns(const struct settings *s, const char *info,
                         redisContext **out, int max)
{
    int n = 0;

    /* Lines look like "slave0:ip=10.0.0.2,port=6379,state=online,..." */
    for (const char *p = info; n < max && (p = strstr(p, "\nslave")); p++) {
        const char *ip = strstr(p, ":ip="), *port = strstr(p, ",port=");
        const char *end = strchr(p + 1, '\n');
        char host[HA_HOST_LEN];
        size_t len;
        if (!ip || !port || (end && port > end) || port < ip ||
            !strstr(port, ",state=online,") ||
            (end && strstr(port, ",state=online,") > end))
            continue;
        len = port - ip - 4;
        if (len >= sizeof host)
            continue;
        memcpy(host, ip + 4, len);
        host[len] = 0;
        out[n] = ha_connect(host, atoi(port + 6),
                            settings_get(s, S_REDIS_PASSWORD), CONNECT_MS);
        n += out[n] != NULL;
    }
    return n;
}

static char *info_replication(redisContext *c)
{
    redisReply *r = cmd(c, "INFO replication", NULL);
    char *text = r && r->str ? strdup(r->str) : NULL;

    if (r)
        freeReplyObject(r);
    return text;
}

/* A sentinel that names us as master, or -1. */
static int find_sentinel(const struct settings *s, struct ha_addr *out)
{
    struct ha_addr sen[HA_MAX_ADDRS], m;
    int n = ha_sentinels(s, sen, HA_MAX_ADDRS);
    long long epoch;

    for (int i = 0; i < n; i++)
        if (ask_one(s, &sen[i], &m, &epoch) == 0 && ha_is_self(s, &m)) {
            *out = sen[i];
            return 0;
        }
    return -1;
}

/* The steps after writes are paused; NULL on success, else why not. */
static const char *switch_over(const struct settings *s, redisContext *local,
                               const struct ha_addr *sen, long end,
                               struct ha_addr *now_master, ha_log_fn log)
{
    long t0 = now_ms();
    char *info = info_replication(local);
    long long target = info ? info_num(info, "master_repl_offset") : -1;
    redisContext *rc[8], *sc;
    int nrc = info ? replica_conns(s, info, rc, 8) : 0, caught = 0;
    redisReply *r;
    long long epoch;

    free(info);
    while (target >= 0 && !caught && now_ms() < end) {
        for (int i = 0; i < nrc && !caught; i++) {  /* one has all our writes */
            info = info_replication(rc[i]);
            caught = info && info_num(info, "slave_repl_offset") >= target;
            free(info);
        }
        if (!caught)
            sleep_ms(5);
    }
    for (int i = 0; i < nrc; i++)
        redisFree(rc[i]);
    if (target < 0)
        return "INFO replication failed";
    if (!caught)
        return "no replica caught up with the master's offset in time";
    log("handover: a replica has offset %lld after %ld ms; asking %s:%d to "
        "fail over", target, now_ms() - t0, sen->host, sen->port);
    if (!(sc = sentinel_conn(s, sen)))
        return "the sentinel stopped answering";
    r = cmd(sc, "SENTINEL FAILOVER %s", settings_get(s, S_MASTER_NAME));
    redisFree(sc);
    if (!r)
        return "SENTINEL FAILOVER was refused";
    freeReplyObject(r);
    for (;;) {                       /* wait for the switch */
        if (ask_one(s, sen, now_master, &epoch) == 0 &&
            !ha_is_self(s, now_master))
            return NULL;
        if (now_ms() >= end)
            return "the sentinels did not switch the master in time";
        sleep_ms(50);
    }
}

void ha_handover(const struct settings *s, long budget_ms, ha_log_fn log)
{
    long start = now_ms();
    /* Leave Redis time to save after the handover. */
    long end = start + budget_ms - 3000;
    redisContext *local = local_server(s);
    char *info = local ? info_replication(local) : NULL;
    struct ha_addr sen, m;
    const char *why = NULL;
    char pause[32];
    redisReply *r;

    if (!info || !strstr(info, "role:master"))
        why = info ? NULL : "the local redis-server does not answer";
    else if (!has_online_replica(info))
        why = "no online replica";
    else if (end - now_ms() < 1000)
        why = "STOP_TIMEOUT leaves no time for it";
    else if (find_sentinel(s, &sen) < 0)
        why = "no sentinel of SENTINEL_HOSTS names this instance as master";
    if (info && strstr(info, "role:master") && !why) {
        snprintf(pause, sizeof pause, "%ld", end - now_ms());
        r = redisCommand(local, "CLIENT PAUSE %s WRITE", pause);
        if (r)
            freeReplyObject(r);
        log("handover: writes paused, waiting for a replica and the sentinels");
        why = switch_over(s, local, &sen, end, &m, log);
        if (why) {
            r = redisCommand(local, "CLIENT UNPAUSE");
            if (r)
                freeReplyObject(r);
        } else {
            log("handover: %s:%d is the new master after %ld ms", m.host,
                m.port, now_ms() - start);
        }
    }
    if (why)
        log("handover skipped: %s: plain clean shutdown", why);
    free(info);
    if (local)
        redisFree(local);
}

/* ---- health ---- */

int ha_health(const struct settings *s, enum role role, char *why, size_t len)
{
    int sentinel = role == ROLE_SENTINEL;
    const char *port = settings_get(s, sentinel ? S_SENTINEL_PORT : S_REDIS_PORT);
    redisContext *c = ha_connect("127.0.0.1", atoi(port), settings_get(s,
        sentinel ? S_SENTINEL_PASSWORD : S_REDIS_PASSWORD), LOCAL_MS);
    redisReply *r = NULL;
    char *info = NULL;
    int rc = 1;

    if (!c)
        snprintf(why, len, "no answer (or AUTH refused) on port %s", port);
    else if (!(r = cmd(c, "PING", NULL)))
        snprintf(why, len, "PING failed on port %s", port);
    else if (sentinel) {
        freeReplyObject(r);
        r = cmd(c, "SENTINEL GET-MASTER-ADDR-BY-NAME %s",
                settings_get(s, S_MASTER_NAME));
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2)
            snprintf(why, len, "sentinel knows no master named %s",
                     settings_get(s, S_MASTER_NAME));
        else
            rc = snprintf(why, len, "ok: master of %s is %s:%s",
                          settings_get(s, S_MASTER_NAME), r->element[0]->str,
                          r->element[1]->str) < 0;
    } else if (!(info = info_replication(c)))
        snprintf(why, len, "INFO replication failed");
    else if (strstr(info, "role:slave") &&
             (!strstr(info, "master_link_status:up") ||
              info_num(info, "master_sync_in_progress") != 0))
        snprintf(why, len, "replica: link to its master is down or syncing");
    else
        rc = snprintf(why, len, "ok: %s", strstr(info, "role:slave")
                      ? "replica, link up" : "master") < 0;
    free(info);
    if (r)
        freeReplyObject(r);
    if (c)
        redisFree(c);
    return rc;
}
