#include <string.h>

#include "cnodes.h"

#define SLOTS 16384

/* The next token of a line (no newline crossed); its length in *n. */
static const char *token(const char **p, size_t *n)
{
    const char *t = *p + strspn(*p, " ");

    *n = strcspn(t, " \r\n");
    *p = t + *n;
    return t;
}

static int copy_token(char *out, size_t len, const char *t, size_t n)
{
    if (n >= len)
        return -1;
    memcpy(out, t, n);
    out[n] = 0;
    return 0;
}

/* The n digits at t as a number (at most 18 digits: no overflow); -1
 * when not one. */
static long long digits(const char *t, size_t n)
{
    long long v = 0;

    if (n == 0 || n > 18)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (t[i] < '0' || t[i] > '9')
            return -1;
        v = v * 10 + (t[i] - '0');
    }
    return v;
}

/* The n digits at t as a number up to max; -1 when not one. */
static int number(const char *t, size_t n, int max)
{
    long long v = n <= 5 ? digits(t, n) : -1;

    return v >= 0 && v <= max ? (int)v : -1;
}

/* "ip:port@cport[,hostname]" */
static int parse_endpoint(struct cn_line *l, const char *t, size_t n)
{
    const char *at = memchr(t, '@', n), *colon = NULL;
    size_t bus;

    if (!at)
        return -1;
    for (const char *p = t; p < at; p++)
        if (*p == ':')
            colon = p;
    bus = strcspn(at + 1, ", \r\n");
    if (!colon || copy_token(l->host, sizeof l->host, t, colon - t) < 0 ||
        (l->port = number(colon + 1, at - colon - 1, 65535)) < 0 ||
        bus > n - (at + 1 - t) || (l->bus = number(at + 1, bus, 65535)) < 0)
        return -1;
    return 0;
}

/* Slots of "lo-hi" or "slot"; 0 for a migrating "[slot->-id]" or any
 * other text. */
static int slot_count(const char *t, size_t n)
{
    const char *dash = memchr(t, '-', n);
    int lo = number(t, dash ? (size_t)(dash - t) : n, SLOTS - 1);
    int hi = dash ? number(dash + 1, n - (dash + 1 - t), SLOTS - 1) : lo;

    return lo < 0 || hi < lo ? 0 : hi - lo + 1;
}

/* One line of CLUSTER NODES; -1 when it is not a node's. */
static int parse_line(const char *line, struct cn_line *l)
{
    const char *q = line, *t, *flags;
    size_t n, fn;

    memset(l, 0, sizeof *l);
    t = token(&q, &n);
    if (n != CN_ID_LEN || copy_token(l->id, sizeof l->id, t, n) < 0)
        return -1;
    t = token(&q, &n);
    if (parse_endpoint(l, t, n) < 0)
        return -1;
    flags = token(&q, &fn);
    for (const char *f = flags; f < flags + fn; ) {
        size_t k = strcspn(f, ", ");
        if (k > fn - (f - flags))
            k = fn - (f - flags);
        l->myself |= k == 6 && !strncmp(f, "myself", 6);
        l->master |= k == 6 && !strncmp(f, "master", 6);
        l->failed |= k == 4 && !strncmp(f, "fail", 4);
        l->noaddr |= k == 6 && !strncmp(f, "noaddr", 6);
        l->fail |= l->failed || l->noaddr ||
                   (k == 5 && !strncmp(f, "fail?", 5)) ||
                   (k == 9 && !strncmp(f, "handshake", 9));
        f += k + 1;
    }
    t = token(&q, &n);
    copy_token(l->master_id, sizeof l->master_id, t, n);
    token(&q, &n);                              /* ping-sent */
    token(&q, &n);                              /* pong-recv */
    t = token(&q, &n);
    l->epoch = digits(t, n);
    t = token(&q, &n);
    l->connected = n == 9 && !strncmp(t, "connected", 9);
    q += strspn(q, " ");
    l->slot_text = q;
    l->slot_len = strcspn(q, "\r\n");
    for (t = token(&q, &n); n && l->slots < SLOTS; t = token(&q, &n))
        l->slots += slot_count(t, n);
    if (l->slots > SLOTS)
        l->slots = SLOTS;             /* no node owns more */
    return 0;
}

/* The next node's line from *p, which moves past it; -1 at the end. */
int cn_next(const char **p, struct cn_line *l)
{
    while (**p) {
        const char *line = *p, *end = line + strcspn(line, "\n");
        *p = *end ? end + 1 : end;
        if (parse_line(line, l) == 0)
            return 0;
    }
    return -1;
}

int cn_find(const char *view, const char *id, struct cn_line *out)
{
    for (const char *p = view; p && cn_next(&p, out) == 0; )
        if (!strcmp(out->id, id))
            return 0;
    return -1;
}

int cn_myself(const char *view, struct cn_line *out)
{
    for (const char *p = view; p && cn_next(&p, out) == 0; )
        if (out->myself)
            return 0;
    return -1;
}
