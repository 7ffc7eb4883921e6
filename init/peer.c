#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "diag.h"
#include "peer.h"

/* ---- addresses ---- */

long long peer_num(const char *text)
{
    char *end;
    long long n;

    if (!text || !isdigit((unsigned char)*text))
        return -1;
    errno = 0;
    n = strtoll(text, &end, 10);
    return errno || (*end && *end != '\r') ? -1 : n;
}

static int valid_host(const char *h, size_t n)
{
    if (n == 0 || n > PEER_HOST_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)h[i]) && !strchr(".-_:%", h[i]))
            return 0;
    return 1;
}

int peer_parse(const char *text, size_t n, int defport, struct peer_addr *out,
               const char **why)
{
    const char *host = text, *colon;
    size_t hlen;

    if (n && text[0] == '[') {                      /* [v6] or [v6]:port */
        const char *close = memchr(text, ']', n);
        if (!close) {
            *why = "a '[' without its ']'";
            return -1;
        }
        host = text + 1;
        hlen = close - host;
        colon = close + 1 < text + n ? close + 1 : NULL;
        if (colon && *colon != ':') {
            *why = "text after ']' that is not :port";
            return -1;
        }
    } else {
        colon = memchr(text, ':', n);
        /* Two colons or more: a bare IPv6 address, no port. */
        if (colon && memchr(colon + 1, ':', n - (colon + 1 - text)))
            colon = NULL;
        hlen = colon ? (size_t)(colon - text) : n;
    }
    if (!valid_host(host, hlen)) {
        *why = hlen > PEER_HOST_MAX ? "a host name longer than 253 characters"
                                    : "a host name or IP address";
        return -1;
    }
    memcpy(out->host, host, hlen);
    out->host[hlen] = 0;
    out->port = defport;
    if (colon) {
        char port[8];
        size_t plen = n - (colon + 1 - text);
        long long p;
        if (plen == 0 || plen >= sizeof port) {
            *why = "a port 1..65535";
            return -1;
        }
        memcpy(port, colon + 1, plen);
        port[plen] = 0;
        p = peer_num(port);
        if (p < 1 || p > 65535 || strchr(port, '\r')) {
            *why = "a port 1..65535";
            return -1;
        }
        out->port = (int)p;
    }
    return 0;
}

int peer_parse_list(const char *list, int defport, struct peer_addr *out,
                    int max, int *bad, const char **why)
{
    int n = 0;

    /* Items are separated by a comma or spaces (Bitnami's REDIS_NODES is
     * space-separated); an empty item is an error. */
    list += strspn(list, " ");
    for (;;) {
        size_t len = strcspn(list, ", ");
        *bad = n;
        if (n == max) {
            *why = "at most 64 addresses";
            return -1;
        }
        if (peer_parse(list, len, defport, &out[n], why) < 0)
            return -1;
        n++;
        list += len + strspn(list + len, " ");
        if (!*list)
            return n;
        if (*list == ',')
            list += 1 + strspn(list + 1, " ");
    }
}

/* The numeric form of a socket address; 0 on success. */
static int numeric(const struct sockaddr *sa, char *out, size_t len)
{
    const void *in;

    if (sa->sa_family == AF_INET)
        in = &((const struct sockaddr_in *)sa)->sin_addr;
    else if (sa->sa_family == AF_INET6)
        in = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    else
        return -1;
    return inet_ntop(sa->sa_family, in, out, len) ? 0 : -1;
}

int peer_resolve(const struct peer_addr *a, struct peer_addr *out, int *n,
                 int max, const char **why)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
    int rc = getaddrinfo(a->host, NULL, &hints, &res);

    if (rc != 0) {
        *why = gai_strerror(rc);
        return -1;
    }
    for (ai = res; ai && *n < max; ai = ai->ai_next) {
        struct peer_addr x = {.port = a->port};
        int dup = numeric(ai->ai_addr, x.host, sizeof x.host) < 0;
        for (int i = 0; i < *n && !dup; i++)
            dup = out[i].port == x.port && !strcmp(out[i].host, x.host);
        if (!dup)
            out[(*n)++] = x;
    }
    freeaddrinfo(res);
    return 0;
}

int peer_same(const struct peer_addr *a, const struct peer_addr *b)
{
    return a->port == b->port && !strcasecmp(a->host, b->host);
}

int peer_is_local(const char *host)
{
    struct ifaddrs *ifs, *i;
    char ip[INET6_ADDRSTRLEN];
    int found = 0;

    if (getifaddrs(&ifs) < 0)
        return 0;
    for (i = ifs; i && !found; i = i->ifa_next)
        if (i->ifa_addr && numeric(i->ifa_addr, ip, sizeof ip) == 0)
            found = !strcmp(ip, host);
    freeifaddrs(ifs);
    return found;
}

/* ---- replies ---- */

const char *peer_str(const redisReply *r)
{
    return r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS)
        ? r->str : NULL;
}

int peer_is_error(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_ERROR;
}

const char *peer_why(struct peer_call *c)
{
    for (int i = 0; !c->err && i < PEER_CMDS; i++)
        if (peer_is_error(c->reply[i]))
            c->err = diag_escape(c->reply[i]->str, c->reply[i]->len);
    return c->err ? c->err : "no reply";
}

void peer_local(struct peer_call *c, int port, const char *password)
{
    strcpy(c->addr.host, "127.0.0.1");
    c->addr.port = port;
    c->password = password;
}

const char *peer_field(const redisReply *r, const char *key)
{
    if (!r || r->type != REDIS_REPLY_ARRAY)
        return NULL;
    for (size_t i = 0; i + 1 < r->elements; i += 2)
        if (peer_str(r->element[i]) && !strcmp(r->element[i]->str, key))
            return peer_str(r->element[i + 1]);
    return NULL;
}

int peer_info(const char *info, const char *key, char *out, size_t len)
{
    size_t klen = strlen(key);

    for (const char *p = info; p && *p; ) {
        size_t line = strcspn(p, "\r\n");
        if (line > klen && !strncmp(p, key, klen) && p[klen] == ':') {
            size_t vlen = line - klen - 1;
            if (vlen >= len)
                return -1;
            memcpy(out, p + klen + 1, vlen);
            out[vlen] = 0;
            return 0;
        }
        p += line;
        p += strspn(p, "\r\n");
    }
    return -1;
}

long long peer_info_num(const char *info, const char *key)
{
    char v[24];

    return info && peer_info(info, key, v, sizeof v) == 0 ? peer_num(v) : -1;
}

/* ---- calls ---- */

int peer_cmd(struct peer_call *c, const char *fmt, ...)
{
    char *cmd, *grown;
    va_list ap;
    int len;

    if (c->ncmd == PEER_CMDS)
        return -1;
    va_start(ap, fmt);
    len = redisvFormatCommand(&cmd, fmt, ap);
    va_end(ap);
    if (len < 0)
        return -1;
    grown = realloc(c->out, c->outlen + len);
    if (!grown) {
        free(cmd);      /* redisvFormatCommand allocates with malloc */
        return -1;
    }
    memcpy(grown + c->outlen, cmd, len);
    free(cmd);
    c->out = grown;
    c->outlen += len;
    c->ncmd++;
    return 0;
}

void peer_reset(struct peer_call *c)
{
    for (int i = 0; i < PEER_CMDS; i++) {
        if (c->reply[i])
            freeReplyObject(c->reply[i]);
        c->reply[i] = NULL;
    }
    free(c->out);
    free(c->err);
    c->out = c->err = NULL;
    c->outlen = 0;
    c->ncmd = 0;
    c->ok = 0;
}

/* A reply array larger than any real answer is refused by the parser
 * instead of being allocated. */
static redisReplyObjectFunctions base_fn, capped_fn;

static void *capped_size(const redisReadTask *t, size_t elements)
{
    return elements > PEER_ELEMENTS_MAX ? NULL : base_fn.createArray(t, elements);
}

static void *capped_int(const redisReadTask *t, int elements)
{
    return elements > PEER_ELEMENTS_MAX ? NULL : base_fn.createArray(t, elements);
}

/* Debian's hiredis 0.14.1 declares the element count int in read.h; the
 * static build's read.h is fixed to size_t, like the function itself. */
#define CAPPED_ARRAY _Generic(base_fn.createArray, \
    void *(*)(const redisReadTask *, int): capped_int, default: capped_size)

enum { CONNECTING, TALKING, DONE };

struct conn {
    int fd, state, want, got, skip_auth;
    size_t sent, received;
    char *buf;                  /* AUTH + the call's commands */
    size_t len;
    redisReader *reader;
    struct sockaddr_storage ss; /* where to, for a redial */
    socklen_t sl;
    msec redial, every;         /* when to send a new SYN, and the step */
};

/* A connect not answered in PEER_REDIAL_MS starts again with a new SYN,
 * at doubling intervals: the kernel's own first retry comes after 1 s, so
 * a SYN lost in a 200 ms network hiccup would cost the whole deadline of
 * a look that is shorter (the fence looks every 200 ms at
 * SENTINEL_DOWN_AFTER=1000). Doubling lets a path slower than the first
 * step still connect. */
#define PEER_REDIAL_MS 100

static void fail(struct peer_call *c, struct conn *k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct peer_call *c, struct conn *k, const char *fmt, ...)
{
    if (!c->err) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&c->err, fmt, ap) < 0)
            c->err = NULL;
        va_end(ap);
    }
    c->ok = 0;
    k->state = DONE;
}

/* gcc 12 -fanalyzer reports k->buf leaked when k->reader is assigned: a
 * false positive (both are members of the caller's conn array, which
 * peer_ask frees for every peer whatever start returns). */
#if defined(__GNUC__) && !defined(__clang__)  /* gcc only */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
/* A new socket and its SYN; the one before, if any, is closed. */
static int dial(struct peer_call *c, struct conn *k)
{
    if (k->fd >= 0)
        close(k->fd);
    k->fd = socket(k->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (k->fd < 0) {
        fail(c, k, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(k->fd, (struct sockaddr *)&k->ss, k->sl) < 0 &&
        errno != EINPROGRESS) {
        fail(c, k, "connect: %s", strerror(errno));
        return -1;
    }
    k->state = CONNECTING;
    k->redial = clock_now() + k->every;
    k->every *= 2;
    return 0;
}

static int start(struct peer_call *c, struct conn *k)
{
    struct sockaddr_storage ss = {0};
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    socklen_t sl;
    char *auth = NULL;
    int alen = 0;

    if (inet_pton(AF_INET, c->addr.host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(c->addr.port);
        sl = sizeof *v4;
    } else if (inet_pton(AF_INET6, c->addr.host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(c->addr.port);
        sl = sizeof *v6;
    } else {
        /* A name (an announced host name): its first address. */
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
        char port[8];
        int rc;
        snprintf(port, sizeof port, "%d", c->addr.port);
        if ((rc = getaddrinfo(c->addr.host, port, &hints, &res)) != 0) {
            fail(c, k, "cannot resolve: %s", gai_strerror(rc));
            return -1;
        }
        memcpy(&ss, res->ai_addr, res->ai_addrlen);
        sl = res->ai_addrlen;
        freeaddrinfo(res);
    }
    if (c->password && (alen = redisFormatCommand(&auth, "AUTH %s",
                                                  c->password)) < 0) {
        fail(c, k, "out of memory");
        return -1;
    }
    k->len = alen + c->outlen;
    k->buf = malloc(k->len ? k->len : 1);
    k->reader = peer_reader();
    if (!k->buf || !k->reader) {
        free(auth);
        fail(c, k, "out of memory");
        return -1;
    }
    if (alen)                       /* no password: auth is NULL */
        memcpy(k->buf, auth, alen);
    if (c->outlen)
        memcpy(k->buf + alen, c->out, c->outlen);
    free(auth);
    k->want = c->ncmd + (c->password != NULL);
    k->skip_auth = c->password != NULL;
    k->ss = ss;
    k->sl = sl;
    k->every = PEER_REDIAL_MS;
    return dial(c, k);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

static void on_reply(struct peer_call *c, struct conn *k, redisReply *r)
{
    if (k->skip_auth) {             /* AUTH's own reply: checked, not kept */
        k->skip_auth = 0;
        k->got++;
        if (peer_is_error(r)) {
            char *shown = diag_escape(r->str, r->len);
            fail(c, k, "AUTH refused: %s", shown ? shown : "?");
            free(shown);
        }
        freeReplyObject(r);
        return;
    }
    c->reply[k->got - (c->password != NULL)] = r;
    k->got++;
}

static void talk(struct peer_call *c, struct conn *k, short revents)
{
    if (k->state == CONNECTING) {
        int err = 0;
        socklen_t el = sizeof err;
        if (getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
            err = errno;
        if (err) {
            fail(c, k, "connect: %s", strerror(err));
            return;
        }
        k->state = TALKING;
    }
    if (k->sent < k->len && (revents & POLLOUT)) {
        ssize_t w = send(k->fd, k->buf + k->sent, k->len - k->sent, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
            fail(c, k, "send: %s", strerror(errno));
            return;
        }
        k->sent += w > 0 ? w : 0;
    }
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        char chunk[16384];
        ssize_t r = recv(k->fd, chunk, sizeof chunk, 0);
        void *reply;
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (r <= 0) {
            fail(c, k, "%s", r < 0 ? strerror(errno)
                                   : "the connection was closed before the reply");
            return;
        }
        k->received += r;
        if (k->received > PEER_REPLY_MAX) {
            fail(c, k, "reply larger than %d bytes", PEER_REPLY_MAX);
            return;
        }
        if (redisReaderFeed(k->reader, chunk, r) != REDIS_OK) {
            fail(c, k, "unreadable reply");
            return;
        }
        while (k->state != DONE && k->got < k->want) {
            if (redisReaderGetReply(k->reader, &reply) != REDIS_OK) {
                fail(c, k, "not a Redis reply (%s)", k->reader->errstr);
                return;
            }
            if (!reply)
                break;
            on_reply(c, k, reply);
        }
        if (k->state != DONE && k->got == k->want) {
            c->ok = 1;
            k->state = DONE;
        }
    }
}

/* The capped reply functions, set up once. 0, or -1 when out of memory. */
static int capped_init(void)
{
    if (!base_fn.createArray) {
        redisReader *r = redisReaderCreate();
        if (r) {
            base_fn = capped_fn = *r->fn;
            capped_fn.createArray = CAPPED_ARRAY;
            redisReaderFree(r);
        }
    }
    return base_fn.createArray ? 0 : -1;
}

redisReader *peer_reader(void)
{
    redisReader *r = capped_init() == 0 ? redisReaderCreate() : NULL;

    if (r)
        r->fn = &capped_fn;
    return r;
}

int peer_ask(struct peer_call *calls, int n, msec deadline)
{
    struct conn k[PEER_MAX];
    struct pollfd pfd[PEER_MAX];
    int ok = 0;

    capped_init();
    if (n > PEER_MAX)
        n = PEER_MAX;
    memset(k, 0, sizeof k);
    for (int i = 0; i < n; i++) {
        k[i].fd = -1;
        calls[i].ok = 0;
        if (!base_fn.createArray)
            fail(&calls[i], &k[i], "out of memory");
        else
            start(&calls[i], &k[i]);
    }
    for (;;) {
        int live = 0;
        for (int i = 0; i < n; i++) {
            pfd[i].fd = k[i].state == DONE ? -1 : k[i].fd;
            pfd[i].events = k[i].state == CONNECTING ? POLLOUT
                : POLLIN | (k[i].sent < k[i].len ? POLLOUT : 0);
            pfd[i].revents = 0;
            live += k[i].state != DONE;
        }
        if (!live)
            break;
        msec until = deadline;
        for (int i = 0; i < n; i++)
            if (k[i].state == CONNECTING && k[i].redial < until)
                until = k[i].redial;
        msec left = clock_left(until);
        int r = left ? poll(pfd, n, left > INT_MAX ? INT_MAX : (int)left) : 0;
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || (r == 0 && !clock_left(deadline))) { /* the deadline */
            for (int i = 0; i < n; i++)
                if (k[i].state != DONE)
                    fail(&calls[i], &k[i], "no answer before the deadline");
            break;
        }
        for (int i = 0; i < n; i++)                     /* redials due */
            if (k[i].state == CONNECTING && !pfd[i].revents &&
                !clock_left(k[i].redial))
                dial(&calls[i], &k[i]);
        for (int i = 0; i < n; i++)
            if (k[i].state != DONE && pfd[i].revents)
                talk(&calls[i], &k[i], pfd[i].revents);
    }
    for (int i = 0; i < n; i++) {
        calls[i].fd = -1;
        if (k[i].fd >= 0 && calls[i].keep && calls[i].ok)
            calls[i].fd = k[i].fd;
        else if (k[i].fd >= 0)
            close(k[i].fd);
        if (k[i].reader)
            redisReaderFree(k[i].reader);
        free(k[i].buf);
        ok += calls[i].ok;
    }
    return ok;
}

int peer_ask1(struct peer_call *c, msec deadline)
{
    if (!peer_ask(c, 1, deadline))
        return -1;
    for (int i = 0; i < PEER_CMDS; i++)
        if (peer_is_error(c->reply[i]))
            return -1;
    return 0;
}
