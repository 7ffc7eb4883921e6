/* diag: a list of error messages, collected so that all are reported at once. */
#ifndef REDIS_INIT_DIAG_H
#define REDIS_INIT_DIAG_H

#define DIAG_MAX 64
#define DIAG_LEN 320

struct diag {
    int n;                          /* messages recorded (may exceed DIAG_MAX) */
    char msg[DIAG_MAX][DIAG_LEN];
};

void diag_add(struct diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
