/* clock: monotonic milliseconds and deadlines. Every wait in redis-init has
 * one deadline for the whole of it, a point on this clock; the helpers here
 * never sleep past it. */
#ifndef REDIS_INIT_CLOCK_H
#define REDIS_INIT_CLOCK_H

typedef long long msec;

msec clock_now(void);

/* Milliseconds until the deadline, never below 0. */
msec clock_left(msec deadline);

/* The end of one round inside a longer wait: now + ms, or the deadline
 * when it comes first. */
msec clock_within(msec ms, msec deadline);

/* Sleep ms, or less when the deadline comes first. */
void clock_sleep(msec ms, msec deadline);

/* Call cond(arg) every step ms until it returns non-zero or the deadline
 * passes; returns its last result (0 when the deadline ended the wait). */
int clock_poll(msec deadline, msec step, int (*cond)(void *), void *arg);

#endif
