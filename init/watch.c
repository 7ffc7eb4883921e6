#include <string.h>

#include "clock.h"
#include "fence.h"
#include "rescue.h"
#include "watch.h"

static int fencing(const struct settings *s)
{
    return !strcmp(settings_get(s, S_FENCE), "yes");
}

int watch_wanted(const struct settings *s)
{
    return fencing(s) || settings_get(s, S_REDIS_HOSTS);
}

int watch_run(const struct settings *s, diag_log_fn log)
{
    msec period = fence_period(s), tick = clock_now();
    struct fence f;
    struct rescue r;
    static struct sen_now now;          /* 36 KB: not on the stack */

    if (fencing(s))
        fence_init(&f, s, log);
    rescue_init(&r, s, log);
    for (;;) {
        tick += period;                 /* one look per period, less what */
        clock_sleep(clock_left(tick), tick);    /* the answers took */
        if (clock_now() > tick + period)
            tick = clock_now();         /* stopped (SIGSTOP, a slow host) */
        /* The sentinels are asked once a look, for both. */
        if (fencing(s))
            fence_look(&f, &now, tick + period);
        if (settings_get(s, S_REDIS_HOSTS))
            rescue_look(&r, &now, tick + period);
        sen_now_free(&now);
    }
}
