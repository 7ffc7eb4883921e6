#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervise.h"

extern char **environ;

/* Signals the kernel raises for a fault of our own: never block those. */
static const int synchronous[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT,
                                  SIGTRAP, SIGSYS};

msec sup_save_window(int stop_timeout)
{
    msec half = stop_timeout * 500LL;

    return half > 3000 ? half : 3000;
}

int sup_init(struct sup *s, struct diag *d)
{
    sigfillset(&s->blocked);
    for (size_t i = 0; i < sizeof synchronous / sizeof *synchronous; i++)
        sigdelset(&s->blocked, synchronous[i]);
    if (sigprocmask(SIG_SETMASK, &s->blocked, NULL) < 0) {
        diag_add(d, "cannot block signals: %s", strerror(errno));
        return -1;
    }
    /* Orphans must come to us even when a runtime starts us as a child. */
    if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        s->log("warning: cannot become a child subreaper: %s", strerror(errno));
    return 0;
}

/* Default disposition for every signal, by the raw system call: libc's
 * sigaction refuses its own internal real-time signals (32..34), which an
 * ancestor may have left ignored. An all-zero kernel sigaction is SIG_DFL,
 * no flags, empty mask, whatever the architecture's layout. */
static int default_dispositions(void)
{
    unsigned long zero[4] = {0};

    for (int sig = 1; sig < 65; sig++)
        if (sig != SIGKILL && sig != SIGSTOP &&
            syscall(SYS_rt_sigaction, sig, zero, NULL, 8) < 0)
            return -1;
    return 0;
}

pid_t sup_spawn(struct sup *s, char *const argv[], char *const envp[])
{
    sigset_t none;
    pid_t pid = fork();
    int err;

    if (pid != 0)
        return pid;
    /* The child starts clean: nothing ignored, nothing blocked. */
    sigemptyset(&none);
    if (default_dispositions() < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0) {
        s->log("fatal: cannot reset the signals of %s: %s", argv[0],
               strerror(errno));
        _exit(126);
    }
    environ = (char **)envp;
    execvp(argv[0], argv);
    err = errno;
    s->log("fatal: cannot run %s: %s", argv[0], strerror(err));
    _exit(err == ENOENT ? 127 : 126);
}

pid_t sup_helper(struct sup *s, int (*fn)(void *arg, int fd), void *arg,
                 int *rfd)
{
    int p[2];
    pid_t pid;

    if (pipe2(p, O_CLOEXEC) < 0) {
        s->log("warning: cannot make a pipe for a helper: %s", strerror(errno));
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        s->log("warning: cannot fork a helper: %s", strerror(errno));
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        _exit(fn(arg, p[1]));
    }
    close(p[1]);
    if (rfd)
        *rfd = p[0];
    else
        close(p[0]);
    return pid;
}

int sup_exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 1;
}

/* sigwaitinfo, or sigtimedwait until the deadline (0: none). -1 with
 * errno EAGAIN when the deadline passed. */
static int next_signal(struct sup *s, msec deadline, siginfo_t *info)
{
    struct timespec ts;
    msec left;

    if (!deadline)
        return sigwaitinfo(&s->blocked, info);
    left = clock_left(deadline);
    ts.tv_sec = left / 1000;
    ts.tv_nsec = left % 1000 * 1000000;
    return sigtimedwait(&s->blocked, info, &ts);
}

/* SIGKILL a helper and reap it. SIGKILL cannot be refused, but a process
 * stuck in the kernel (a hung NFS mount) dies only when it leaves it: wait
 * HELPER_KILL_MS at most, for SIGCHLD alone (any other signal stays
 * pending), then leave it to sup_run's reaping of every zombie. */
static void kill_helper(pid_t pid)
{
    msec deadline = clock_now() + HELPER_KILL_MS;
    sigset_t chld;
    int st;

    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    kill(pid, SIGKILL);
    while (waitpid(pid, &st, WNOHANG) == 0 && clock_left(deadline) > 0) {
        msec left = clock_left(deadline);
        struct timespec ts = {left / 1000, left % 1000 * 1000000};
        sigtimedwait(&chld, NULL, &ts);
    }
}

enum sup_wait sup_wait_helper(struct sup *s, pid_t pid, msec deadline,
                              int *status)
{
    for (;;) {
        siginfo_t info;
        int sig = next_signal(s, deadline, &info), st;
        pid_t p;

        if (sig < 0 && errno == EAGAIN) {
            kill_helper(pid);
            return SUP_TIMEOUT;
        }
        if (sig == SIGTERM || sig == SIGINT) {
            kill_helper(pid);
            return SUP_STOPPED;
        }
        if (sig != SIGCHLD)
            continue;                   /* nothing to forward it to yet */
        while ((p = waitpid(-1, &st, WNOHANG)) > 0)
            if (p == pid) {
                *status = st;
                return SUP_DONE;
            }
    }
}

static void kill_all(struct sup *s)
{
    s->log("child did not stop within STOP_TIMEOUT=%d s (Redis refuses to exit "
           "when its last save fails, on a full disk say: see its log): "
           "sending SIGKILL", s->stop_timeout);
    kill(s->child, SIGKILL);
    /* In our own PID namespace, -1 means every process but us. */
    if (getpid() == 1)
        kill(-1, SIGKILL);
}

/* How often the stop signal goes again to a Redis that still runs (resend):
 * Redis drops a shutdown it cannot do yet (while it writes its first AOF
 * after a full sync, or its save fails: "can't exit") and never tries
 * again by itself. */
#define RESEND_MS 1000

struct stopping {
    pid_t watcher;              /* 0: none */
    msec watcher_since;
    msec kill_at;               /* 0: no stop signal yet */
    msec resend_at;             /* 0: none due before kill_at */
    msec helper_at;             /* the handover's deadline */
    pid_t helper;               /* 0: none running */
    int sig;                    /* the stop signal to forward */
    int resent;                 /* it went again at least once */
    int killed;
};

/* The next resend RESEND_MS after at, if the child gets one (sup.resend)
 * and it comes before the SIGKILL; else 0. */
static msec next_resend(const struct sup *s, const struct stopping *st,
                        msec at)
{
    return s->resend && at + RESEND_MS < st->kill_at ? at + RESEND_MS : 0;
}

/* The stop signal goes to the child once the helper is done. */
static void forward_stop(struct sup *s, struct stopping *st)
{
    st->helper = 0;
    st->resend_at = next_resend(s, st, clock_now());
    kill(s->child, st->sig);
}

/* SIGTERM again, never SIGINT: a second SIGINT makes Redis exit at once,
 * unsaved. Redis takes a repeated SIGTERM during a shutdown it is doing as
 * the same shutdown. */
static void resend_stop(struct sup *s, struct stopping *st)
{
    if (!st->resent)
        s->log("the child still runs %d ms after the stop signal: SIGTERM "
               "again every %d ms until STOP_TIMEOUT", RESEND_MS, RESEND_MS);
    st->resent = 1;
    kill(s->child, SIGTERM);
    st->resend_at = next_resend(s, st, st->resend_at);
}

static void on_stop_signal(struct sup *s, struct stopping *st, int sig)
{
    msec now = clock_now();

    if (st->kill_at) {                  /* a second one: no more waiting */
        if (st->helper) {
            s->log("%s again: handover cut short",
                   sig == SIGTERM ? "SIGTERM" : "SIGINT");
            kill(st->helper, SIGKILL);
            st->sig = sig;
            forward_stop(s, st);
        } else {
            kill(s->child, sig);
        }
        return;
    }
    st->sig = sig;
    if (st->watcher) {                  /* no fencing while stopping */
        kill(st->watcher, SIGKILL);
        st->watcher = 0;
    }
    st->kill_at = now + s->stop_timeout * 1000LL;
    st->helper_at = st->kill_at - sup_save_window(s->stop_timeout);
    s->log("%s: stopping the child (SIGKILL in %d s)",
           sig == SIGTERM ? "SIGTERM" : "SIGINT", s->stop_timeout);
    st->helper = s->on_stop ? s->on_stop(s->ctx, st->helper_at) : -1;
    if (st->helper <= 0)
        forward_stop(s, st);
}

static void start_watcher(struct sup *s, struct stopping *st)
{
    pid_t pid = s->watch ? s->watch(s->ctx) : -1;

    st->watcher = pid > 0 ? pid : 0;
    st->watcher_since = clock_now();
}

/* Reap everything that has exited; 1 when the main child was one. */
static int reap(struct sup *s, struct stopping *st, int *code)
{
    int status, found = 0;
    pid_t pid;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == s->child) {
            *code = sup_exit_code(status);
            found = 1;
        } else if (st->helper && pid == st->helper) {
            forward_stop(s, st);
        } else if (st->watcher && pid == st->watcher) {
            st->watcher = 0;
            if (clock_now() - st->watcher_since < 1000) {
                s->log("warning: the watcher ended at once (status %d): not "
                       "restarted", sup_exit_code(status));
            } else {
                s->log("warning: the watcher ended (status %d): restarted",
                       sup_exit_code(status));
                start_watcher(s, st);
            }
        }
    }
    if (found && st->watcher)
        kill(st->watcher, SIGKILL);
    if (found && st->helper) {          /* Redis ended during the handover */
        s->log("the child exited during the handover (status %d)", *code);
        kill(st->helper, SIGKILL);      /* reaped by the kernel with us */
    }
    return found;
}

int sup_run(struct sup *s)
{
    struct stopping st = {0};
    int code = 0;

    start_watcher(s, &st);
    for (;;) {
        msec deadline = st.helper ? st.helper_at : st.killed ? 0 :
                        st.resend_at ? st.resend_at : st.kill_at;
        siginfo_t info;
        int sig = next_signal(s, deadline, &info);

        if (sig < 0 && errno == EAGAIN) {
            if (st.helper) {
                s->log("handover cut at its deadline: Redis keeps %lld ms to "
                       "save", (long long)sup_save_window(s->stop_timeout));
                kill(st.helper, SIGKILL);
                forward_stop(s, &st);
            } else if (st.resend_at) {
                resend_stop(s, &st);
            } else {
                kill_all(s);
                st.killed = 1;
            }
            continue;
        }
        if (sig < 0)
            continue;
        if (sig == SIGCHLD) {
            if (reap(s, &st, &code)) {
                return code;
            }
        } else if (sig == SIGTERM || sig == SIGINT) {
            on_stop_signal(s, &st, sig);
        } else {
            kill(s->child, sig);
        }
    }
}
