#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "clock.h"
#include "cnodes.h"
#include "health.h"
#include "peer.h"

int health(const struct settings *s, enum role role, char **why)
{
    int sentinel = role == ROLE_SENTINEL;
    struct peer_call c = {0};
    int rc;

    peer_local(&c, (int)settings_num(s, sentinel ? S_SENTINEL_PORT : S_REDIS_PORT),
               settings_get(s, sentinel ? S_SENTINEL_PASSWORD : S_REDIS_PASSWORD));
    peer_cmd(&c, "PING");
    if (sentinel)
        peer_cmd(&c, "SENTINEL GET-MASTER-ADDR-BY-NAME %s",
                 settings_get(s, S_MASTER_NAME));
    else
        peer_cmd(&c, "INFO replication");
    if (role == ROLE_CLUSTER) {
        peer_cmd(&c, "CLUSTER INFO");
        peer_cmd(&c, "CLUSTER NODES");
    }
    peer_ask(&c, 1, clock_now() + HEALTH_MS);
    rc = health_judge(&c, role, settings_get(s, sentinel ? S_SENTINEL_PORT
                                                          : S_REDIS_PORT),
                      settings_get(s, S_MASTER_NAME), why);
    peer_reset(&c);
    return rc;
}

/* A peer's text, escaped for the one line health prints. */
static char *shown(const char *v, size_t n)
{
    return v ? diag_escape(v, n) : NULL;
}

/* A sentinel's answer for MASTER_NAME. */
static int sentinel_knows(const struct redisReply *r, const char *name, char **why)
{
    char *a = NULL, *b = NULL;
    int n, rc = 1;

    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        !peer_str(r->element[0]) || !peer_str(r->element[1]))
        n = asprintf(why, "sentinel knows no master named %s", name);
    else
        n = asprintf(why, "ok: master of %s is %s:%s", name,
                     (a = shown(r->element[0]->str, r->element[0]->len)) ? a : "?",
                     (b = shown(r->element[1]->str, r->element[1]->len)) ? b : "?"),
        rc = 0;
    if (n < 0)
        *why = NULL;
    free(a);
    free(b);
    return rc;
}

/* A cluster node fits the slot map: a master owns slots, a replica's
 * master does and its link is up. */
static int cluster_node(const char *info, const char *view, const char *repl,
                        const char *port, char **why)
{
    struct cn_line me, m;
    char *id = NULL;
    int n, rc = 1;

    if (!info || !view || !repl || cn_myself(view, &me) < 0)
        n = asprintf(why, "not a cluster node on port %s", port);
    else if (!strstr(info, "cluster_state:ok"))
        n = asprintf(why, "cluster_state is not ok");
    else if (me.master && me.slots == 0)
        n = asprintf(why, "a master that owns no slots (not in the cluster yet)");
    else if (me.master)
        n = asprintf(why, "ok: master of %d slots", me.slots), rc = 0;
    else if (!(id = shown(me.master_id, strnlen(me.master_id, 8))))
        n = -1;
    else if (cn_find(view, me.master_id, &m) < 0 || !m.master || !m.slots)
        n = asprintf(why, "replica of %s, which owns no slots", id);
    else if (!strstr(repl, "master_link_status:up"))
        n = asprintf(why, "replica: link to its master is down");
    else
        n = asprintf(why, "ok: replica of %s (%d slots), link up", id, m.slots),
        rc = 0;
    if (n < 0)
        *why = NULL;
    free(id);
    return rc;
}

int health_judge(const struct peer_call *c, enum role role, const char *port,
                 const char *name, char **why)
{
    const char *info = peer_str(c->reply[1]), *err = c->err ? c->err : "?";
    char *a = NULL;
    int rc = 1, n;

    if (!c->ok)
        n = asprintf(why, "no answer on port %s: %s", port,
                     (a = shown(err, strlen(err))) ? a : "?");
    else if (peer_is_error(c->reply[0]))
        n = asprintf(why, "PING failed on port %s: %s", port,
                     (a = shown(c->reply[0]->str, c->reply[0]->len)) ? a : "?");
    else if (role == ROLE_SENTINEL)
        return sentinel_knows(c->reply[1], name, why);
    else if (role == ROLE_CLUSTER)
        return cluster_node(peer_str(c->reply[2]), peer_str(c->reply[3]), info,
                            port, why);
    else if (!info)
        n = asprintf(why, "INFO replication failed on port %s", port);
    else if (strstr(info, "role:slave") &&
             (!strstr(info, "master_link_status:up") ||
              peer_info_num(info, "master_sync_in_progress") != 0))
        n = asprintf(why, "replica: link to its master is down or syncing");
    else
        n = asprintf(why, "ok: %s", strstr(info, "role:slave")
                     ? "replica, link up" : "master"), rc = 0;
    if (n < 0)
        *why = NULL;
    free(a);
    return rc;
}
