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
    const char *info;
    int rc = 1, n;

    strcpy(c.addr.host, "127.0.0.1");
    c.addr.port = atoi(port);           /* validated */
    c.password = settings_get(s, sentinel ? S_SENTINEL_PASSWORD : S_REDIS_PASSWORD);
    peer_cmd(&c, "PING");
    if (sentinel)
        peer_cmd(&c, "SENTINEL GET-MASTER-ADDR-BY-NAME %s", name);
    else
        peer_cmd(&c, "INFO replication");
    peer_ask(&c, 1, clock_now() + HEALTH_MS);
    info = peer_str(c.reply[1]);
    if (!c.ok)
        n = asprintf(why, "no answer on port %s: %s", port, c.err);
    else if (peer_is_error(c.reply[0]))
        n = asprintf(why, "PING failed on port %s: %s", port, c.reply[0]->str);
    else if (sentinel && (c.reply[1]->type != REDIS_REPLY_ARRAY ||
                          c.reply[1]->elements != 2 ||
                          !peer_str(c.reply[1]->element[0]) ||
                          !peer_str(c.reply[1]->element[1])))
        n = asprintf(why, "sentinel knows no master named %s", name);
    else if (sentinel)
        n = asprintf(why, "ok: master of %s is %s:%s", name,
                     c.reply[1]->element[0]->str, c.reply[1]->element[1]->str),
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
    peer_reset(&c);
    return rc;
}
