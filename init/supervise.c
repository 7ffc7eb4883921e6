#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "supervise.h"

/* Signals the kernel raises for a fault of our own: never block those. */
static const int synchronous[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT,
                                  SIGTRAP, SIGSYS};

void sup_init(struct sup *s)
{
    sigfillset(&s->blocked);
    for (size_t i = 0; i < sizeof synchronous / sizeof *synchronous; i++)
        sigdelset(&s->blocked, synchronous[i]);
    sigprocmask(SIG_SETMASK, &s->blocked, NULL);
    /* Orphans must come to us even when a runtime starts us as a child. */
    if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
        s->log("warning: cannot become a child subreaper: %s", strerror(errno));
}

int sup_stop_pending(void)
{
    sigset_t set;

    sigpending(&set);
    return sigismember(&set, SIGTERM) || sigismember(&set, SIGINT);
}

/* Default disposition for every signal, by the raw system call: libc's
 * sigaction refuses its own internal real-time signals (32..34), which an
 * ancestor may have left ignored. An all-zero kernel sigaction is SIG_DFL,
 * no flags, empty mask, whatever the architecture's layout. */
static void default_dispositions(void)
{
    unsigned long zero[4] = {0};

    for (int sig = 1; sig < 65; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            syscall(SYS_rt_sigaction, sig, zero, NULL, 8);
}

pid_t sup_spawn(struct sup *s, char *const argv[])
{
    sigset_t none;
    pid_t pid = fork();

    if (pid != 0)
        return pid;
    /* The child starts clean: nothing ignored, nothing blocked. */
    default_dispositions();
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execvp(argv[0], argv);
    int err = errno;
    s->log("fatal: cannot run %s: %s", argv[0], strerror(err));
    _exit(err == ENOENT ? 127 : 126);
}

int sup_exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 1;
}

/* Reap everything that has exited; returns 1 when the main child was one. */
static int reap(struct sup *s, int *code)
{
    int status, found = 0;
    pid_t pid;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        if (pid == s->child) {
            *code = sup_exit_code(status);
            found = 1;
        }
    return found;
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void kill_all(struct sup *s)
{
    s->log("child did not stop within STOP_TIMEOUT=%d s: sending SIGKILL",
           s->stop_timeout);
    kill(s->child, SIGKILL);
    /* In our own PID namespace, -1 means every process but us. */
    if (getpid() == 1)
        kill(-1, SIGKILL);
}

/* The first stop signal starts the clock (and the handover); later ones,
 * also after the SIGKILL (deadline -1), are only forwarded. */
static void on_stop_signal(struct sup *s, int sig, long *deadline)
{
    if (*deadline) {
        kill(s->child, sig);
        return;
    }
    *deadline = now_ms() + s->stop_timeout * 1000L;
    s->log("%s: stopping the child (SIGKILL in %d s)",
           sig == SIGTERM ? "SIGTERM" : "SIGINT", s->stop_timeout);
    if (s->on_stop)
        s->on_stop(s->ctx, *deadline - now_ms());
    kill(s->child, sig);
}

int sup_run(struct sup *s)
{
    long deadline = 0;
    int code = 0;

    for (;;) {
        siginfo_t info;
        int sig;

        if (deadline > 0) {
            long left = deadline - now_ms();
            struct timespec ts = {left > 0 ? left / 1000 : 0,
                                  left > 0 ? left % 1000 * 1000000 : 0};
            sig = sigtimedwait(&s->blocked, &info, &ts);
            if (sig < 0 && errno == EAGAIN) {
                kill_all(s);
                deadline = -1;  /* stopping, no more timer */
                continue;
            }
        } else {
            sig = sigwaitinfo(&s->blocked, &info);
        }
        if (sig < 0)
            continue;
        if (sig == SIGCHLD) {
            if (reap(s, &code))
                return code;
        } else if (sig == SIGTERM || sig == SIGINT) {
            on_stop_signal(s, sig, &deadline);
        } else {
            kill(s->child, sig);
        }
    }
}
