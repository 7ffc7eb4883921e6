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

msec hold_heard(const struct hold *h, int k)
{
    msec now = clock_now(), at[PEER_MAX];
    int m = 0;

    for (int i = 0; i < h->n; i++) {
        struct tcp_info ti;
        socklen_t len = sizeof ti;
        if (!h->good[i] ||
            getsockopt(h->fd[i], IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
            continue;
        msec ack = ti.tcpi_last_ack_recv, data = ti.tcpi_last_data_recv;
        at[m++] = now - (ack < data ? ack : data);
    }
    if (k < 1 || m < k)
        return 0;
    qsort(at, m, sizeof *at, later_first);
    return at[k - 1];
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

/* Read whatever fd holds: 1 when it is still open, 0 when closed, -1
 * when the kernel gave up on it (unanswered for lost_ms). */
static int drain(int fd)
{
    char buf[4096];

    for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r > 0)
            continue;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 1;
        return r < 0 && errno == ETIMEDOUT ? -1 : 0;
    }
}

enum hold_why hold_wait(struct hold *h, msec until)
{
    struct pollfd pfd[PEER_MAX];
    enum hold_why why = HOLD_QUIET;
    int r;

    do {
        msec left = clock_left(until);
        for (int i = 0; i < h->n; i++)
            pfd[i] = (struct pollfd){.fd = h->fd[i], .events = POLLIN};
        r = poll(pfd, h->n, left > INT_MAX ? INT_MAX : (int)left);
    } while (r < 0 && errno == EINTR);
    if (r < 0)                          /* no poll: a plain sleep */
        clock_sleep(clock_left(until), until);
    if (r <= 0)
        return HOLD_QUIET;
    for (int i = h->n - 1; i >= 0; i--) {
        if (!pfd[i].revents)
            continue;
        int open = drain(h->fd[i]);
        if (open < 0)
            why = HOLD_LOST;
        else if (why == HOLD_QUIET)
            why = HOLD_EVENT;
        if (open <= 0)
            drop(h, i);
    }
    return why;
}
