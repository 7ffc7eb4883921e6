/* hold: the watcher's held connections to the sentinels, which let it
 * sleep until something changes instead of looking once a period.
 *
 * Each connection is subscribed to every Sentinel event (PSUBSCRIBE *): a
 * sentinel publishes one whenever its view changes (+sdown, +odown,
 * +switch-master, +failover-..., +reboot) and none while all is well.
 * TCP keepalive (a probe a second) and TCP_USER_TIMEOUT make the kernel,
 * not this process, check that each sentinel is still there: a connection
 * whose probes go unanswered for lost_ms is closed with ETIMEDOUT, and
 * that wakes the watcher. The probes and their answers cost no wake-up. */
#ifndef REDIS_INIT_HOLD_H
#define REDIS_INIT_HOLD_H

#include "clock.h"
#include "peer.h"
#include "settings.h"

struct hold {
    msec lost_ms;               /* unanswered this long: the kernel closes */
    int n;
    struct peer_addr addr[PEER_MAX];
    int fd[PEER_MAX];
    int good[PEER_MAX];         /* it vouched at the last look (hold_mark) */
};

/* What ended a hold_wait. */
enum hold_why {
    HOLD_QUIET,                 /* until came, nothing happened */
    HOLD_EVENT,                 /* a sentinel published an event, or closed
                                   its connection (it restarts, say) */
    HOLD_LOST                   /* a sentinel went unanswered for lost_ms,
                                   or its host was reported unreachable */
};

void hold_init(struct hold *h, msec lost_ms);

/* Hold a subscribed connection to each of sen[0..n) not held yet (AUTH
 * with SENTINEL_PASSWORD), all at once before deadline, and drop those to
 * any other address. Returns how many new ones it opened, or -1 when
 * none could be (h->n says how many are held). Events published before a
 * connection is subscribed are not seen: look after a refresh that added
 * one. */
int hold_refresh(struct hold *h, const struct settings *s,
                 const struct peer_addr *sen, int n, msec deadline);

/* Sleep until an event comes, a connection closes, or until. What woke
 * it; whatever the connections sent is read and discarded, and those
 * that closed are dropped. *heard: the last moment at which k of the
 * good ones (hold_mark) had all been heard from, as their kernel knows
 * (an ACK or data: keepalive probes are answered within a second while a
 * sentinel is there; one that closed its connection was there to close
 * it), or 0 when fewer than k are good. A connection open is no proof
 * that its sentinel is there now. */
enum hold_why hold_wait(struct hold *h, msec until, int k, msec *heard);

/* Mark the held connection to a as vouching (good) or not, from a look. */
void hold_mark(struct hold *h, const struct peer_addr *a, int good);

/* How many held connections are marked good. */
int hold_good(const struct hold *h);

/* Close every held connection. */
void hold_drop(struct hold *h);

#endif
