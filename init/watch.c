#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "catchup.h"
#include "clock.h"
#include "fence.h"
#include "follow.h"
#include "peer.h"
#include "rescue.h"
#include "watch.h"

static int fencing(const struct settings *s)
{
    return !strcmp(settings_get(s, S_FENCE), "yes");
}

/* A replica follows the sentinels' master when there are sentinels. */
static int following(const struct settings *s)
{
    const char *h = settings_get(s, S_SENTINEL_HOSTS);

    return h && *h;
}

int watch_wanted(const struct settings *s)
{
    if (s->role == ROLE_SENTINEL)
        return following(s);
    return fencing(s) || settings_get(s, S_REDIS_HOSTS) || following(s);
}

/* The local Redis' INFO replication, asked once a look for all; NULL when
 * it does not answer (malloc'd). */
static char *local_info(const struct settings *s, msec deadline)
{
    struct peer_call c = {0};
    char *info = NULL;

    peer_local(&c, (int)settings_num(s, S_REDIS_PORT),
               settings_get(s, S_REDIS_PASSWORD));
    peer_cmd(&c, "INFO replication");
    if (peer_ask1(&c, deadline) == 0 && peer_str(c.reply[0]))
        info = strdup(c.reply[0]->str);
    peer_reset(&c);
    return info;
}

int watch_run(const struct settings *s, diag_log_fn log)
{
    /* Beside a sentinel, one look per SENTINEL_DOWN_AFTER. */
    msec period = s->role == ROLE_SENTINEL
        ? settings_num(s, S_SENTINEL_DOWN_AFTER) : fence_period(s);
    msec tick = clock_now();
    struct catchup c;
    struct fence f;
    struct follow w;
    struct rescue r;
    static struct sen_now now;          /* 36 KB: not on the stack */

    catchup_init(&c, s, log);
    if (fencing(s) && s->role != ROLE_SENTINEL)
        fence_init(&f, s, log);
    follow_init(&w, s, log);
    rescue_init(&r, s, log);
    for (;;) {
        tick += period;                 /* one look per period, less what */
        clock_sleep(clock_left(tick), tick);    /* the answers took */
        if (clock_now() > tick + period)
            tick = clock_now();         /* stopped (SIGSTOP, a slow host) */
        if (s->role == ROLE_SENTINEL) {
            catchup_look(&c, &now, tick + period);
            sen_now_free(&now);
            continue;
        }
        /* The local Redis and the sentinels are asked once a look. */
        char *info = local_info(s, tick + period);
        if (fencing(s))
            fence_look(&f, &now, info, tick + period);
        if (following(s))
            follow_look(&w, &now, info, !fencing(s) || f.armed || f.fenced,
                        tick + period);
        free(info);
        if (settings_get(s, S_REDIS_HOSTS))
            rescue_look(&r, &now, tick + period);
        sen_now_free(&now);
    }
}
