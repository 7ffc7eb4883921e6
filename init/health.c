#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "clock.h"
#include "health.h"
#include "peer.h"

int health(const struct settings *s, enum role role, char **why)
{
    int sentinel = role == ROLE_SENTINEL;
    const char *port = settings_get(s, sentinel ? S_SENTINEL_PORT : S_REDIS_PORT);
    const char *name = settings_get(s, S_MASTER_NAME);
    struct peer_call c = {0};
    int rc;

    strcpy(c.addr.host, "127.0.0.1");
    c.addr.port = (int)settings_num(s, sentinel ? S_SENTINEL_PORT : S_REDIS_PORT);
    c.password = settings_get(s, sentinel ? S_SENTINEL_PASSWORD : S_REDIS_PASSWORD);
    peer_cmd(&c, "PING");
    if (sentinel)
        peer_cmd(&c, "SENTINEL GET-MASTER-ADDR-BY-NAME %s", name);
    else
        peer_cmd(&c, "INFO replication");
    peer_ask(&c, 1, clock_now() + HEALTH_MS);
    rc = health_judge(&c, sentinel, port, name, why);
    peer_reset(&c);
    return rc;
}

/* A peer's text, escaped for the one line health prints. */
static char *shown(const char *v)
{
    return v ? diag_escape(v, strlen(v)) : NULL;
}

int health_judge(const struct peer_call *c, int sentinel, const char *port,
                 const char *name, char **why)
{
    const struct redisReply *r1 = c->reply[1];
    const char *info = peer_str(r1);
    char *a = NULL, *b = NULL;
    int rc = 1, n;

    if (!c->ok)
        n = asprintf(why, "no answer on port %s: %s", port,
                     (a = shown(c->err ? c->err : "?")) ? a : "?");
    else if (peer_is_error(c->reply[0]))
        n = asprintf(why, "PING failed on port %s: %s", port,
                     (a = shown(c->reply[0]->str)) ? a : "?");
    else if (sentinel && (!r1 || r1->type != REDIS_REPLY_ARRAY ||
                          r1->elements != 2 || !peer_str(r1->element[0]) ||
                          !peer_str(r1->element[1])))
        n = asprintf(why, "sentinel knows no master named %s", name);
    else if (sentinel)
        n = asprintf(why, "ok: master of %s is %s:%s", name,
                     (a = shown(r1->element[0]->str)) ? a : "?",
                     (b = shown(r1->element[1]->str)) ? b : "?"),
        rc = 0;
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
    free(b);
    return rc;
}
