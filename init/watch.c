#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "catchup.h"
#include "clock.h"
#include "fence.h"
#include "follow.h"
#include "hold.h"
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

/* How long a held sentinel may go unanswered before the kernel closes its
 * connection; 0 when the watcher never waits quietly (SENTINEL_DOWN_AFTER
 * too short, WATCH_WAIT=looks, or a sentinel's watcher). */
static msec quiet_lost_ms(const struct settings *s)
{
    msec d = settings_num(s, S_SENTINEL_DOWN_AFTER);

    if (s->role == ROLE_SENTINEL || d < QUIET_MIN_DOWN_AFTER ||
        strcmp(settings_get(s, S_WATCH_WAIT), "events"))
        return 0;
    return fence_after(s) - 500;
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

struct watch {
    const struct settings *s;
    diag_log_fn log;
    int quiet;                          /* waiting for the sentinels */
    int lost;                           /* woken by a lost sentinel */
    int all, k;                         /* the sentinels, a majority */
    struct fence f;
    struct follow w;
    struct rescue r;
    struct hold h;
};

/* One look beside a master or a replica: 1 when all is calm. */
static int look(struct watch *x, struct sen_now *now, msec deadline)
{
    const struct settings *s = x->s;
    char *info = local_info(s, deadline);
    int calm = info != NULL;

    if (fencing(s))
        calm &= fence_look(&x->f, now, info, deadline);
    if (following(s))
        calm &= follow_look(&x->w, now, info, !fencing(s) || x->f.armed ||
                            x->f.fenced, deadline);
    free(info);
    if (settings_get(s, S_REDIS_HOSTS))
        calm &= rescue_look(&x->r, now, deadline);
    return calm;
}

/* After a calm look: may the watcher wait quietly? It holds a connection
 * to a majority of the sentinels that vouched in this look (they name the
 * master they agree on, see it up, run no failover), all opened before
 * the look: one opened now makes it look once more first. */
static int may_wait(struct watch *x, struct sen_now *now, msec deadline)
{
    int added = 0;

    if (!x->h.lost_ms)
        return 0;
    x->k = x->all = 0;
    if (following(x->s)) {              /* else no sentinel to watch */
        sen_now_ask(x->s, now, deadline);
        x->all = now->n + now->unresolved;
        x->k = x->all / 2 + 1;
        int best = sen_agreed(now);
        if (best < 0)
            return 0;
        added = hold_refresh(&x->h, x->s, now->sen, now->n,
                             clock_now() + fence_period(x->s));
        for (int i = 0; i < now->n; i++) {
            const struct sen_view *v = &now->v[i];
            hold_mark(&x->h, &now->sen[i], v->ok && !v->failover &&
                      !v->master_down && peer_same(&v->master,
                                                   &now->v[best].master));
        }
    }
    return added <= 0 && hold_good(&x->h) >= x->k;
}

int watch_run(const struct settings *s, diag_log_fn log)
{
    /* Beside a sentinel, one look per SENTINEL_DOWN_AFTER. */
    msec period = s->role == ROLE_SENTINEL
        ? settings_num(s, S_SENTINEL_DOWN_AFTER) : fence_period(s);
    msec tick = clock_now();
    static struct watch x;
    static struct sen_now now;          /* 36 KB: not on the stack */
    struct catchup c;

    x.s = s;
    x.log = log;
    catchup_init(&c, s, log);
    if (fencing(s) && s->role != ROLE_SENTINEL)
        fence_init(&x.f, s, log);
    follow_init(&x.w, s, log);
    rescue_init(&x.r, s, log);
    hold_init(&x.h, quiet_lost_ms(s));
    for (;;) {
        if (x.quiet) {
            /* Until a sentinel's view changes. The majority held was
             * there when its kernel last heard from it; after an event,
             * at most one look a period (sentinels shared by several
             * masters publish for all of them). */
            msec heard;
            enum hold_why why = hold_wait(&x.h, clock_now() + QUIET_LOOK_MS,
                                          x.k, &heard);
            fence_vouched(&x.f, heard);
            if (why == HOLD_EVENT)
                clock_sleep(clock_left(tick + period), tick + period);
            tick = clock_now();
            x.lost = why == HOLD_LOST;
        } else {
            tick += period;             /* one look per period, less what */
            clock_sleep(clock_left(tick), tick);    /* the answers took */
            if (clock_now() > tick + period)
                tick = clock_now();     /* stopped (SIGSTOP, a slow host) */
        }
        if (s->role == ROLE_SENTINEL) {
            catchup_look(&c, &now, tick + period);
        } else {
            /* The local Redis and the sentinels are asked once a look. */
            int quiet = look(&x, &now, tick + period) &&
                        may_wait(&x, &now, tick + period);
            if (quiet && !x.quiet)
                log("watch: all calm: waiting for an event from the %d of %d "
                    "sentinels held (a sentinel unanswered for %lld ms wakes "
                    "it too), or %d s", hold_good(&x.h), x.all,
                    (long long)x.h.lost_ms,
                    QUIET_LOOK_MS / 1000);
            else if (!quiet && x.quiet)
                log("watch: looking every %lld ms until all is calm again: "
                    "%s", (long long)period, x.lost
                    ? "a sentinel went unanswered" : "something changed");
            x.quiet = quiet;
        }
        sen_now_free(&now);
    }
}
