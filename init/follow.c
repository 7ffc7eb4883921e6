#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <hiredis/hiredis.h>

#include "follow.h"
#include "peer.h"

void follow_init(struct follow *f, const struct settings *s, diag_log_fn log)
{
    memset(f, 0, sizeof *f);
    f->s = s;
    f->log = log;
}

/* Does the local replica's master_host:master_port name m (a name is
 * resolved)? */
static int follows(const char *host, long long port, const struct peer_addr *m)
{
    struct peer_addr a, ips[PEER_MAX];
    const char *why;
    int n = 0;

    if (port != m->port || peer_parse(host, strlen(host), m->port, &a, &why) < 0 ||
        peer_resolve(&a, ips, &n, PEER_MAX, &why) < 0)
        return 0;
    for (int i = 0; i < n; i++)
        if (!strcasecmp(ips[i].host, m->host))
            return 1;
    return 0;
}

int follow_replicaof(const struct settings *s, const char *host,
                     const char *port, int rewrite, msec deadline, char *why,
                     size_t len)
{
    struct peer_call c = {0};
    char name[72];
    int rc;

    peer_local(&c, (int)settings_num(s, S_REDIS_PORT),
               settings_get(s, S_REDIS_PASSWORD));
    peer_cmd(&c, "%s %s %s", settings_command(s, "REPLICAOF", name, sizeof name),
             host, port);
    if (rewrite) {
        char config[72];
        peer_cmd(&c, "%s REWRITE", settings_command(s, "CONFIG", config,
                                                    sizeof config));
    }
    /* The REPLICAOF is what counts; a failed rewrite is only logged. */
    rc = peer_ask(&c, 1, deadline) && !peer_is_error(c.reply[0]) ? 0 : -1;
    if (rc < 0 || peer_is_error(c.reply[1]))
        snprintf(why, len, "%s", peer_why(&c));
    peer_reset(&c);
    return rc;
}

int follow_look(struct follow *f, struct sen_now *now, const char *info,
                int left_alone, msec deadline)
{
    char host[PEER_HOST_MAX + 1] = "", p[8], why[256] = "";
    const struct peer_addr *m;
    long long port = -1;
    int best, self, master = info && strstr(info, "role:master") != NULL;

    /* A replica whose link is down, or a master the fence does not own
     * (one no majority of the sentinels ever vouched for). */
    if (!info || (master ? left_alone :
                  !strstr(info, "role:slave") ||
                  !strstr(info, "master_link_status:down") ||
                  peer_info(info, "master_host", host, sizeof host) < 0 ||
                  (port = peer_info_num(info, "master_port")) < 0)) {
        f->since = 0;
        return info != NULL;
    }
    /* A replica of the named master is fine, unless it is that master
     * itself: a sentinel that knew this instance twice (under an empty
     * address as well, seen once in tests/e2e/docker.sh) sent it REPLICAOF
     * its own address as it reconfigured the replicas. */
    now = sen_now_ask(f->s, now, deadline);
    if ((best = sen_agreed(now)) < 0 ||
        (master ? sen_is_self(f->s, &now->v[best].master)
                : follows(host, port, &now->v[best].master) &&
                  !sen_is_self(f->s, &now->v[best].master))) {
        f->since = 0;
        return master;                  /* a replica's link is down */
    }
    if (!f->since)
        f->since = clock_now();
    m = &now->v[best].master;
    self = !master && sen_is_self(f->s, m);
    if (clock_now() - f->since < settings_num(f->s, S_SENTINEL_DOWN_AFTER) ||
        (!self && !sen_master_answers(f->s, m, deadline)))
        return 0;
    /* Named master itself: a replica of an address where no master
     * answers (it started while no sentinel answered, as MASTER_HOST
     * says) is master again, as the sentinels say. */
    snprintf(p, sizeof p, "%d", m->port);
    if (follow_replicaof(f->s, self ? "NO" : m->host, self ? "ONE" : p, 1,
                         deadline, why, sizeof why) < 0)
        f->log("follow: REPLICAOF %s %s failed: %s", self ? "NO" : m->host,
               self ? "ONE" : p, why);
    else if (self)
        f->log("follow: the link to %s:%lld has been down for %lld ms while a "
               "majority of the sentinels names this instance master: "
               "master again", host, port, clock_now() - f->since);
    else if (master)
        f->log("follow: a master that no sentinel names, for %lld ms, while "
               "a majority of them names %s:%d master: replicating from it "
               "now (its writes since the switch are given up, as Sentinel "
               "gives up an old master's)", clock_now() - f->since, m->host,
               m->port);
    else
        f->log("follow: the link to %s:%lld has been down for %lld ms while a "
               "majority of the sentinels names %s:%d master: replicating "
               "from it now", host, port, clock_now() - f->since, m->host,
               m->port);
    f->since = 0;
    return 0;                           /* look again, as it changed */
}
