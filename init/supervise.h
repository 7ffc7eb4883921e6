/* supervise: PID 1 duties. Signals are blocked and taken one at a time in a
 * loop; every zombie is reaped; a stop signal is forwarded and followed by
 * SIGKILL once the stop timeout has passed. Network conversations run in
 * helper processes this loop bounds and reaps: a library crash or a hung
 * peer never stops PID 1 from forwarding, reaping, or killing on time. */
#ifndef REDIS_INIT_SUPERVISE_H
#define REDIS_INIT_SUPERVISE_H

#include <signal.h>
#include <sys/types.h>

#include "clock.h"
#include "diag.h"

struct sup {
    pid_t child;
    int stop_timeout;           /* seconds from the stop signal to SIGKILL */
    diag_log_fn log;
    /* Called once on the first SIGTERM/SIGINT, before it is forwarded:
     * starts a helper process (the handover) that must be done by the
     * deadline given, and returns its pid, or -1 for none. The stop signal
     * reaches the child when the helper ends or is killed at the deadline. */
    pid_t (*on_stop)(void *ctx, msec deadline);
    /* Starts a watcher that lives beside the child (the fence), or NULL.
     * Restarted when it dies, unless it died within a second of starting;
     * killed when the child stops. */
    pid_t (*watch)(void *ctx);
    void *ctx;
    /* Send SIGTERM again every second while the child runs after the stop
     * signal (Redis drops a shutdown it cannot do yet and never tries
     * again); 0 for a command run with --, which gets the signal once. */
    int resend;
    sigset_t blocked;           /* what the loop waits for */
};

/* Redis keeps at least this much of STOP_TIMEOUT for its own stop and
 * save: half of it, and never less than 3 s. The handover gets the rest. */
msec sup_save_window(int stop_timeout);

/* Block every asynchronous signal and become a child subreaper when not
 * PID 1. Call before any child exists. -1 (d filled) on error. */
int sup_init(struct sup *s, struct diag *d);

/* Fork and exec argv[0] (found in PATH) with environment envp, a clean
 * signal mask and default dispositions. The pid, or -1 when fork fails. In
 * the child, an exec failure exits 127 (not found) or 126. */
pid_t sup_spawn(struct sup *s, char *const argv[], char *const envp[]);

/* Fork a helper that runs fn(arg, fd) and exits with its return value; fd
 * is the write end of a pipe whose read end goes to *rfd. -1 on error. */
pid_t sup_helper(struct sup *s, int (*fn)(void *arg, int fd), void *arg,
                 int *rfd);

/* How long a helper killed with SIGKILL is waited for (ms). */
#define HELPER_KILL_MS 1000

/* Before the child exists: wait until helper pid exits (its wait status in
 * *status), a stop signal arrives or the deadline passes; in the last two
 * cases the helper is killed, and reaped within HELPER_KILL_MS. */
enum sup_wait { SUP_DONE, SUP_STOPPED, SUP_TIMEOUT };
enum sup_wait sup_wait_helper(struct sup *s, pid_t pid, msec deadline,
                              int *status);

/* Supervise until the child exits; returns its exit code, or 128+N when a
 * signal N killed it. Never fails. */
int sup_run(struct sup *s);

/* Exit code of a wait status: the child's code or 128+signal. */
int sup_exit_code(int status);

#endif
