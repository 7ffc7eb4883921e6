/* supervise: PID 1 duties. Signals are blocked and taken one at a time in a
 * loop; every zombie is reaped; a stop signal is forwarded and followed by
 * SIGKILL once the stop timeout has passed. */
#ifndef REDIS_INIT_SUPERVISE_H
#define REDIS_INIT_SUPERVISE_H

#include <signal.h>
#include <sys/types.h>

typedef void (*sup_log_fn)(const char *fmt, ...);

struct sup {
    pid_t child;
    int stop_timeout;           /* seconds from the stop signal to SIGKILL */
    sup_log_fn log;
    /* Called once on the first SIGTERM/SIGINT, before it is forwarded, with
     * the milliseconds left; used to hand mastership over. May be NULL. */
    void (*on_stop)(void *ctx, long budget_ms);
    void *ctx;
    sigset_t blocked;           /* what the loop waits for */
};

/* Block every asynchronous signal and become a child subreaper when not
 * PID 1. Call before any child exists. */
void sup_init(struct sup *s);

/* True when SIGTERM or SIGINT is pending (before the child exists). */
int sup_stop_pending(void);

/* Fork and exec argv[0] (found in PATH) with a clean signal mask and default
 * dispositions. Returns the pid, or -1 when fork fails. In the child, an exec
 * failure exits 127 (not found) or 126. */
pid_t sup_spawn(struct sup *s, char *const argv[]);

/* Supervise until the child exits; returns its exit code, or 128+N when a
 * signal N killed it. Never fails. */
int sup_run(struct sup *s);

/* Exit code of a wait status: the child's code or 128+signal. */
int sup_exit_code(int status);

#endif
