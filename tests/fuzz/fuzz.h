/* Shared helpers of the libFuzzer targets (tests/fuzz/fuzz_NAME.c). Each target
 * feeds one kind of input we parse to the real parser, as redis-init calls
 * it; libFuzzer with ASan+UBSan (and its leak check) judges the run. */
#ifndef REDIS_INIT_FUZZ_H
#define REDIS_INIT_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "diag.h"
#include "peer.h"
#include "render.h"
#include "settings.h"

/* data as a regular file (a memfd) named by the returned path; the fd in
 * *fd, closed by the caller. Exits on failure: the harness is broken. */
static inline const char *fuzz_file(const uint8_t *data, size_t n, int *fd)
{
    static char path[64];

    *fd = memfd_create("fuzz", MFD_CLOEXEC);
    if (*fd < 0 || (n && write(*fd, data, n) != (ssize_t)n))
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", *fd);
    return path;
}

/* data as a NUL-terminated string, malloc'd (NUL bytes inside stay). */
static inline char *fuzz_text(const uint8_t *data, size_t n)
{
    char *t = malloc(n + 1);

    if (!t)
        abort();
    memcpy(t, data, n);
    t[n] = 0;
    return t;
}

/* A secret set in the environment; no message may ever show it. */
#define FUZZ_CANARY "Zq7-canary-secret"

/* Does text hold FUZZ_CANARY? A plain loop, not strstr: libFuzzer learns
 * strings from intercepted strstr calls and would write the canary into a
 * non-secret value itself. */
static inline int fuzz_has_canary(const char *text)
{
    const char *c = FUZZ_CANARY;
    size_t n = sizeof FUZZ_CANARY - 1;

    for (; text && *text; text++) {
        size_t i = 0;
        while (i < n && text[i] == c[i])
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

/* The property: no message in d shows the environment's secret. */
static inline void fuzz_check_messages(const struct diag *d)
{
    for (int i = 0; i < d->n && i < DIAG_MAX; i++)
        if (fuzz_has_canary(d->msg[i])) {
            fprintf(stderr, "a message shows the secret: %s\n", d->msg[i]);
            abort();
        }
}

/* Render both templates of templates/ for a loaded settings set, as main
 * does for its role. */
static inline void fuzz_render_all(struct settings *s)
{
    static const char *names[] = {"redis.conf", "sentinel.conf"};
    static const enum role roles[] = {ROLE_MASTER, ROLE_SENTINEL};

    for (int i = 0; i < 2; i++) {
        struct diag d = {0};
        char path[512];
        snprintf(path, sizeof path, "%s/%s", FUZZ_TEMPLATE_DIR, names[i]);
        s->role = roles[i];
        settings_derive(s);
        char *text = render_file(path, s, 1, &d);
        /* Masked (as render prints it): the secret must not appear. */
        if (fuzz_has_canary(text)) {
            fprintf(stderr, "render shows the secret:\n%s\n", text);
            abort();
        }
        fuzz_check_messages(&d);
        free(text);
        diag_free(&d);
    }
}

/* Up to max replies read by peer_ask's own reader from data; returns how
 * many (each freed with freeReplyObject by the caller). */
static inline int fuzz_replies(const uint8_t *data, size_t n, redisReply **out,
                               int max)
{
    redisReader *r = peer_reader();
    int got = 0;
    void *reply;

    if (!r)
        abort();
    /* Fed in two pieces, as a reply split across recv calls is. */
    size_t half = n ? data[0] % (n + 1) : 0;
    if (redisReaderFeed(r, (const char *)data, half) == REDIS_OK &&
        redisReaderFeed(r, (const char *)data + half, n - half) == REDIS_OK)
        while (got < max && redisReaderGetReply(r, &reply) == REDIS_OK && reply)
            out[got++] = reply;
    redisReaderFree(r);
    return got;
}

#endif
