/* diag: error messages, collected so that all are reported at once, and the
 * one log function type that modules are handed. */
#ifndef REDIS_INIT_DIAG_H
#define REDIS_INIT_DIAG_H

#include <stddef.h>

#define DIAG_MAX 64

struct diag {
    int n;                      /* messages recorded (may exceed DIAG_MAX) */
    char *msg[DIAG_MAX];        /* whole, never cut short */
};

/* A progress line for the log (no trailing newline). */
typedef void (*diag_log_fn)(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

void diag_add(struct diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void diag_free(struct diag *d);

/* v (n bytes) made safe to quote in a message, malloc'd: '"', '\' and
 * every byte that is not printable ASCII as \xHH. */
char *diag_escape(const char *v, size_t n);

#endif
