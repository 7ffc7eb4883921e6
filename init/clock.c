#include <errno.h>
#include <time.h>

#include "clock.h"

msec clock_now(void)
{
    struct timespec ts;

    /* CLOCK_MONOTONIC cannot fail on Linux with a valid clock id. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

msec clock_left(msec deadline)
{
    msec left = deadline - clock_now();

    return left > 0 ? left : 0;
}

msec clock_within(msec ms, msec deadline)
{
    msec t = clock_now() + ms;

    return t < deadline ? t : deadline;
}

void clock_sleep(msec ms, msec deadline)
{
    msec left = clock_left(deadline);
    struct timespec ts;

    if (ms > left)
        ms = left;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = ms % 1000 * 1000000;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

int clock_poll(msec deadline, msec step, int (*cond)(void *), void *arg)
{
    for (;;) {
        int r = cond(arg);
        if (r || clock_left(deadline) == 0)
            return r;
        clock_sleep(step, deadline);
    }
}
