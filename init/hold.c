#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "hold.h"

void hold_init(struct hold *h, msec lost_ms)
{
    memset(h, 0, sizeof *h);
    h->lost_ms = lost_ms;
}

static void drop(struct hold *h, int i)
{
    close(h->fd[i]);
    h->n--;
    h->addr[i] = h->addr[h->n];
    h->fd[i] = h->fd[h->n];
    h->good[i] = h->good[h->n];
}

void hold_mark(struct hold *h, const struct peer_addr *a, int good)
{
    for (int i = 0; i < h->n; i++)
        if (peer_same(&h->addr[i], a))
            h->good[i] = good;
}

int hold_good(const struct hold *h)
{
    int k = 0;

    for (int i = 0; i < h->n; i++)
        k += h->good[i];
    return k;
}

static int later_first(const void *a, const void *b)
{
    msec x = *(const msec *)a, y = *(const msec *)b;

    return x < y ? 1 : x > y ? -1 : 0;
}

void hold_drop(struct hold *h)
{
    while (h->n)
        drop(h, h->n - 1);
}

/* Keepalive a second apart, closed after lost_ms unanswered. */
static int watched_by_kernel(int fd, msec lost_ms)
{
    int on = 1, idle = 1, intvl = 1, cnt = 60;
    unsigned timeout = lost_ms > UINT_MAX ? UINT_MAX : (unsigned)lost_ms;

    return setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) ||
           setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) ||
           setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl) ||
           setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt) ||
           setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout,
                      sizeof timeout) ? -1 : 0;
}

static int held(const struct hold *h, const struct peer_addr *a)
{
    for (int i = 0; i < h->n; i++)
        if (peer_same(&h->addr[i], a))
            return 1;
    return 0;
}

static int listed(const struct peer_addr *sen, int n, const struct peer_addr *a)
{
    for (int i = 0; i < n; i++)
        if (peer_same(&sen[i], a))
            return 1;
    return 0;
}

int hold_refresh(struct hold *h, const struct settings *s,
                 const struct peer_addr *sen, int n, msec deadline)
{
    static struct peer_call c[PEER_MAX];    /* 24 KB: not on the stack */
    int k = 0, added = 0;

    for (int i = h->n - 1; i >= 0; i--)
        if (!listed(sen, n, &h->addr[i]))
            drop(h, i);
    memset(c, 0, sizeof c);
    for (int i = 0; i < n && i < PEER_MAX; i++) {
        if (held(h, &sen[i]))
            continue;
        c[k].addr = sen[i];
        c[k].password = settings_get(s, S_SENTINEL_PASSWORD);
        c[k].keep = 1;
        peer_cmd(&c[k], "PSUBSCRIBE *");
        k++;
    }
    if (!k)
        return 0;
    peer_ask(c, k, deadline);
    for (int i = 0; i < k; i++) {
        const redisReply *r = c[i].reply[0];
        if (c[i].fd >= 0 && r && r->type == REDIS_REPLY_ARRAY &&
            h->n < PEER_MAX && watched_by_kernel(c[i].fd, h->lost_ms) == 0) {
            h->addr[h->n] = c[i].addr;
            h->good[h->n] = 0;
            h->fd[h->n++] = c[i].fd;
            added++;
        } else if (c[i].fd >= 0) {
            close(c[i].fd);
        }
        peer_reset(&c[i]);
    }
    return added ? added : -1;
}

/* When the kernel last heard from fd's peer: an ACK (a keepalive probe
 * is answered within a second while the peer is there) or data. */
static msec heard_at(int fd, msec now)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;

    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return 0;
    msec ack = ti.tcpi_last_ack_recv, data = ti.tcpi_last_data_recv;
    return now - (ack < data ? ack : data);
}

/* Read what fd holds, a bounded amount (a flood must not keep us): 1 when
 * it is still open, 0 when its peer closed it (it was there to close it),
 * -1 when the kernel gave up on it (unanswered for lost_ms, or the host
 * reported unreachable). */
static int drain(int fd)
{
    char buf[4096];

    for (int i = 0; i < 64; i++) {
        ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r > 0 || (r < 0 && errno == EINTR))
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 1;
        return r == 0 || errno == ECONNRESET ? 0 : -1;
    }
    return 1;
}

enum hold_why hold_wait(struct hold *h, msec until, int k, msec *heard)
{
    struct pollfd pfd[PEER_MAX];
    enum hold_why why = HOLD_QUIET;
    int r, m = 0, alive[PEER_MAX];
    msec now, at[PEER_MAX];

    do {
        msec left = clock_left(until);
        for (int i = 0; i < h->n; i++)
            pfd[i] = (struct pollfd){.fd = h->fd[i], .events = POLLIN};
        r = poll(pfd, h->n, left > INT_MAX ? INT_MAX : (int)left);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {                        /* no poll: a plain sleep */
        clock_sleep(clock_left(until), until);
        r = 0;
    }
    now = clock_now();
    for (int i = 0; i < h->n; i++) {
        int woke = r > 0 && pfd[i].revents;
        alive[i] = woke ? drain(h->fd[i]) : 1;
        if (alive[i] < 0)
            why = HOLD_LOST;
        else if (woke && why == HOLD_QUIET)
            why = HOLD_EVENT;
        /* Heard from before any is dropped: one that closed was there. */
        if (h->good[i])
            at[m++] = alive[i] == 0 ? now : heard_at(h->fd[i], now);
    }
    for (int i = h->n - 1; i >= 0; i--)
        if (alive[i] <= 0)
            drop(h, i);
    *heard = 0;
    if (k >= 1 && m >= k) {
        qsort(at, m, sizeof *at, later_first);
        *heard = at[k - 1];
    }
    return why;
}
