/* redis-init: PID 1 of a Redis container. Reads the role and settings,
 * asks the sentinels who the master is, renders redis.conf, sentinel.conf
 * or cluster.conf, starts Redis as an unprivileged user, and supervises it;
 * on SIGTERM a master hands mastership (or its slots) over before Redis
 * stops. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cluster.h"
#include "discover.h"
#include "fence.h"
#include "watch.h"
#include "handover.h"
#include "health.h"
#include "io.h"
#include "known.h"
#include "privs.h"
#include "render.h"
#include "reset.h"
#include "settings.h"
#include "supervise.h"

#ifndef VERSION
#define VERSION "dev"
#endif

/* Exit codes of our own (sysexits.h); the child's code passes through. */
#define EXIT_USAGE       64
#define EXIT_UNAVAILABLE 69
#define EXIT_OSERR       71
#define EXIT_CANTCREAT   73
#define EXIT_TEMPFAIL    75
#define EXIT_CONFIG      78
#define EXIT_STOPPED     (128 + SIGTERM)
#define DEAD_MS          1000   /* a dead master's replicas asked to take over */

enum mode { MODE_ROLE, MODE_RENDER, MODE_HEALTH, MODE_RESET, MODE_CREATE,
            MODE_REBALANCE, MODE_COMMAND, MODE_HELP, MODE_VARIABLES, MODE_VERSION };

struct cmdline {
    enum mode mode;
    const char *role_word;      /* from argv, or NULL */
    char **extra;               /* redis options after the role, or the command */
    int nextra;
};

/* One line on stderr, written at once (helpers log beside PID 1). */
static void logmsg(const char *fmt, ...)
{
    va_list ap;
    char *msg, *line;

    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    if (asprintf(&line, "redis-init: %s\n", msg ? msg : "(out of memory)") >= 0) {
        ssize_t w = write(STDERR_FILENO, line, strlen(line));
        (void)w;                /* nowhere to report a failing stderr */
        free(line);
    }
    free(msg);
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: redis-init [master|slave|replica|sentinel|cluster] [[--] redis options]\n"
        "       redis-init render [ROLE]    print the config it would write\n"
        "       redis-init health [ROLE]    exit 0 when the local instance is usable\n"
        "       redis-init sentinel-reset   make every sentinel forget peers that are gone\n"
        "       redis-init cluster-create   form the cluster of CLUSTER_HOSTS (or say it is)\n"
        "       redis-init cluster-rebalance after scaling: more masters, slots spread, gone nodes forgotten\n"
        "       redis-init COMMAND [ARG]... run any command, supervised\n"
        "       redis-init --help | --variables | --version\n"
        "\nThe role comes from the first argument, else from REDIS_ROLE.\n"
        "Settings (environment; REDIS_INIT_CONF names an optional file):\n");
    settings_usage(f, 0);
    fprintf(f, "\nExit codes: the child's own; 128+N when signal N killed "
            "it; 126/127 when it cannot be run;\n64 usage, 69 MASTER_HOST never "
            "resolved, 71 system failure, 73 cannot write the config,\n75 "
            "named master without data and no replica promoted (cluster: a\nreplica still follows the node that was at this address), 78 invalid "
            "settings,\n143 stopped before Redis started; health: 0 usable, "
            "1 not;\ncluster-create, cluster-rebalance: 0 done, 65 refused, 69 "
            "nodes did not answer,\n75 not done in time.\n");
}

static void parse_args(int argc, char **argv, struct cmdline *cl)
{
    memset(cl, 0, sizeof *cl);
    cl->mode = MODE_ROLE;
    if (argc < 2)
        return;
    const char *a = argv[1];
    if (!strcmp(a, "--help") || !strcmp(a, "-h"))
        cl->mode = MODE_HELP;
    else if (!strcmp(a, "--variables"))
        cl->mode = MODE_VARIABLES;
    else if (!strcmp(a, "--version"))
        cl->mode = MODE_VERSION;
    else if (!strcmp(a, "sentinel-reset"))
        cl->mode = MODE_RESET;
    else if (!strcmp(a, "cluster-create"))
        cl->mode = MODE_CREATE;
    else if (!strcmp(a, "cluster-rebalance"))
        cl->mode = MODE_REBALANCE;
    else if (!strcmp(a, "render") || !strcmp(a, "health")) {
        cl->mode = a[0] == 'r' ? MODE_RENDER : MODE_HEALTH;
        cl->role_word = argc > 2 ? argv[2] : NULL;
    } else if (settings_role(a) != ROLE_NONE) {
        cl->role_word = a;
        cl->extra = argv + 2;
        cl->nextra = argc - 2;
        if (cl->nextra && !strcmp(cl->extra[0], "--")) {
            cl->extra++;
            cl->nextra--;
        }
    } else {
        cl->mode = MODE_COMMAND;
        cl->extra = argv + 1;
        cl->nextra = argc - 1;
    }
}

/* Print every collected error; the one place redis-init decides to die. */
static int fail(struct diag *d, int code)
{
    for (int i = 0; i < d->n && i < DIAG_MAX; i++)
        logmsg("fatal: %s", d->msg[i] ? d->msg[i] : "out of memory");
    if (d->n > DIAG_MAX)
        logmsg("fatal: ... and %d more", d->n - DIAG_MAX);
    diag_free(d);
    return code;
}

static void warn_all(struct diag *w)
{
    for (int i = 0; i < w->n && i < DIAG_MAX; i++)
        logmsg("warning: %s", w->msg[i] ? w->msg[i] : "out of memory");
    diag_free(w);
}

/* The role PID 1 was started with: `docker exec c redis-init health`
 * checks what the container runs. */
static enum role pid1_role(void)
{
    struct io_text t;
    const char *why;
    enum role r = ROLE_NONE;

    if (io_read("/proc/1/cmdline", 65536, &t, &why) < 0)
        return ROLE_NONE;
    size_t first = strlen(t.data) + 1;
    if (first < t.len)
        r = settings_role(t.data + first);
    free(t.data);
    return r;
}

/* The role: the argument's word, else REDIS_ROLE (else, for health, PID
 * 1's). A bad word is a usage error, reported with the others. */
static enum role pick_role(const struct cmdline *cl, const struct settings *s,
                           struct diag *d)
{
    const char *w = cl->role_word ? cl->role_word : settings_get(s, S_ROLE);
    enum role r = settings_role(w);

    if (!w && cl->mode == MODE_HEALTH)
        r = pid1_role();
    if (r == ROLE_NONE && cl->role_word) {
        char *shown = diag_escape(w, strlen(w));
        diag_add(d, "role \"%s\": expected master, slave, replica, sentinel "
                 "or cluster",
                 shown ? shown : "?");
        free(shown);
    } else if (r == ROLE_NONE && !w) {
        diag_add(d, "no role: name one as the first argument or in REDIS_ROLE "
                 "(master, slave, replica, sentinel, cluster)");
    }
    return r;
}

static const char *conf_name(enum role r)
{
    return r == ROLE_SENTINEL ? "sentinel.conf" : r == ROLE_CLUSTER
        ? "cluster.conf" : "redis.conf";
}

/* Render the role's template; NULL (d filled) on error. */
static char *render_role(struct settings *s, int mask, struct diag *d)
{
    char *tmpl = io_join(settings_get(s, S_TEMPLATE_DIR), conf_name(s->role));
    char *text;

    settings_derive(s);
    text = tmpl ? render_file(tmpl, s, mask, d) : NULL;
    free(tmpl);
    return text;
}

/* ---- the helpers: network conversations out of PID 1 ---- */

/* A helper's decision goes back whole through the pipe. */
static int send_discovery(int fd, const struct discovery *out)
{
    const char *p = (const char *)out;
    size_t left = sizeof *out;

    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return 1;
        p += w;
        left -= w;
    }
    return 0;
}

static int discover_main(void *arg, int fd)
{
    struct discovery out;

    discover(arg, &out, logmsg);
    return send_discovery(fd, &out);
}

static int alone_main(void *arg, int fd)
{
    struct discovery out;

    memset(&out, 0, sizeof out);
    discover_alone(arg, &out, logmsg);
    return send_discovery(fd, &out);
}

/* Run helper fn and read its decision into *out: SUP_DONE with a whole
 * decision, SUP_STOPPED, or SUP_TIMEOUT for any failure (said why). */
static enum sup_wait run_discovery(struct sup *sup, struct settings *s,
                                   int (*fn)(void *, int), msec budget,
                                   struct discovery *out, const char *what)
{
    int fd, status = 0;
    size_t got = 0;
    pid_t pid = sup_helper(sup, fn, s, &fd);
    enum sup_wait w;

    if (pid < 0)
        return SUP_TIMEOUT;     /* sup_helper said why */
    w = sup_wait_helper(sup, pid, clock_now() + budget + 2000, &status);
    while (w == SUP_DONE && got < sizeof *out) {
        ssize_t r = read(fd, (char *)out + got, sizeof *out - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += r;
    }
    close(fd);
    if (w == SUP_STOPPED)
        return w;
    if (got != sizeof *out) {
        logmsg("warning: %s %s", what, w == SUP_TIMEOUT
               ? "overran its deadline" : WIFSIGNALED(status)
               ? "crashed" : "failed");
        return SUP_TIMEOUT;
    }
    return SUP_DONE;
}

/* Step 3: ask who the master is, in a helper bounded by its budget. Returns
 * 0, or an exit code. */
static int ask_sentinels(struct sup *sup, struct settings *s)
{
    struct discovery out;
    enum sup_wait w = run_discovery(sup, s, discover_main,
                                    discover_budget(s), &out,
                                    "asking the sentinels");

    if (w == SUP_STOPPED)
        return EXIT_STOPPED;
    /* A sentinel must never start on a MASTER_HOST that does not resolve
     * (Sentinel exits on it): without the discovery, its own check runs in
     * a fresh helper, and without that either, nothing starts. */
    if (w != SUP_DONE && s->role == ROLE_SENTINEL) {
        w = run_discovery(sup, s, alone_main,
                          settings_num(s, S_RESOLVE_WAIT) * 1000LL, &out,
                          "checking that MASTER_HOST resolves");
        if (w == SUP_STOPPED)
            return EXIT_STOPPED;
        if (w != SUP_DONE) {
            logmsg("fatal: cannot tell whether MASTER_HOST=%s resolves: "
                   "not starting redis-sentinel",
                   settings_get(s, S_MASTER_HOST));
            return EXIT_UNAVAILABLE;
        }
    } else if (w != SUP_DONE) {
        logmsg("warning: starting as %s, as the role says",
               settings_role_name(s->role));
        return 0;
    }
    if (out.exit_code)
        return out.exit_code == DISCOVER_EMPTY_MASTER ? EXIT_TEMPFAIL
                                                      : EXIT_UNAVAILABLE;
    s->role = out.role;
    if (*out.master.host) {
        char port[8];
        int sentinel = s->role == ROLE_SENTINEL;
        snprintf(port, sizeof port, "%d", out.master.port);
        settings_set(s, sentinel ? S_MONITOR_HOST : S_REPLICAOF_HOST,
                     out.master.host);
        settings_set(s, sentinel ? S_MONITOR_PORT : S_REPLICAOF_PORT, port);
    }
    if (out.forget_config_epoch)
        settings_set(s, S_SENTINEL_CONFIG_EPOCH, NULL);
    if (out.fenced)
        settings_set(s, S_START_MIN_REPLICAS, FENCED_MIN_REPLICAS);
    return 0;
}

/* What a helper process is given: the supervisor, the settings, and the
 * deadline of its whole task. */
struct helper_ctx {
    struct sup *sup;
    const struct settings *s;
    msec deadline;
};

/* Step 3 of a cluster node: one without its nodes.conf (new, or its
 * volume lost) first waits, in a helper, until no replica follows the node
 * that was at its address. 0, or an exit code. */
static int fresh_main(void *arg, int fd)
{
    const struct helper_ctx *f = arg;

    close(fd);
    return cluster_wait_fresh(f->s, f->deadline, logmsg);
}

static int wait_fresh(struct sup *sup, const struct settings *s)
{
    struct helper_ctx f = {sup, s, clock_now() +
                           settings_num(s, S_CLUSTER_WAIT) * 1000LL};
    char *nodes = io_join(settings_get(s, S_DATA_DIR), "nodes.conf");
    struct stat st;
    int fd, status = 0;
    /* Redis takes an empty nodes.conf (a first write cut short) for none. */
    int fresh = nodes && (stat(nodes, &st) < 0 ? errno == ENOENT : st.st_size == 0);
    enum sup_wait w;
    pid_t pid;

    free(nodes);
    if (!fresh || !settings_get(s, S_CLUSTER_HOSTS))
        return 0;
    if ((pid = sup_helper(sup, fresh_main, &f, &fd)) < 0)
        return EXIT_OSERR;      /* sup_helper said why */
    close(fd);
    w = sup_wait_helper(sup, pid, f.deadline + 2000, &status);
    if (w == SUP_STOPPED)
        return EXIT_STOPPED;
    if (w == SUP_DONE && WIFEXITED(status))
        return WEXITSTATUS(status) ? EXIT_TEMPFAIL : 0;     /* it said why */
    logmsg("fatal: the check that no replica follows a node that was at this "
           "address %s: not starting Redis empty (exit 75; a restart tries "
           "again)", w == SUP_TIMEOUT ? "overran its deadline" : "crashed");
    return EXIT_TEMPFAIL;
}

static int handover_main(void *arg, int fd)
{
    struct helper_ctx *c = arg;

    close(fd);
    return handover(c->s, c->deadline, logmsg);
}

/* On SIGTERM, a master hands mastership over before Redis stops. */
static pid_t on_stop(void *arg, msec deadline)
{
    struct helper_ctx *c = arg;

    c->deadline = deadline;
    return sup_helper(c->sup, handover_main, c, NULL);
}

static int dead_main(void *arg, int fd)
{
    struct helper_ctx *c = arg;

    close(fd);
    return handover_dead(c->s, c->deadline, logmsg);
}

static void after_death(struct helper_ctx *c)
{
    int status;
    pid_t pid;

    /* The helper stops asking a little before it is killed, to log. */
    c->deadline = clock_now() + DEAD_MS;
    pid = sup_helper(c->sup, dead_main, c, NULL);
    if (pid > 0)
        sup_wait_helper(c->sup, pid, c->deadline + 100, &status);
}

static int watch_main(void *arg, int fd)
{
    const struct settings *s = ((const struct helper_ctx *)arg)->s;

    close(fd);
    if (s->role == ROLE_CLUSTER)
        return cluster_keep(s, logmsg);
    return watch_run(s, logmsg);
}

static pid_t start_watch(void *arg)
{
    struct helper_ctx *c = arg;

    return sup_helper(c->sup, watch_main, c, NULL);
}

/* Redis gets our environment less every secret. */
static char **child_env(void)
{
    extern char **environ;
    size_t n = 0, k = 0;
    char **env;

    while (environ[n])
        n++;
    if (!(env = calloc(n + 1, sizeof *env)))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(environ[i], "=");
        int secret = 0;
        for (int r = 0; r < S_COUNT && !secret; r++) {
            const struct setting *row = &settings_table[r];
            if (!(row->flags & S_HIDE))
                continue;
            secret = strlen(row->name) == len && !strncmp(row->name, environ[i], len);
            for (int a = 0; a < SETTING_ALIASES && row->aliases[a] && !secret; a++)
                secret = strlen(row->aliases[a]) == len &&
                         !strncmp(row->aliases[a], environ[i], len);
        }
        if (!secret)
            env[k++] = environ[i];
    }
    return env;
}

/* argv for redis-server or redis-sentinel: the config, then user options. */
static char **redis_argv(enum role r, char *conf, char **extra, int nextra)
{
    char **argv = calloc(nextra + 3, sizeof *argv);

    if (!argv)
        return NULL;
    argv[0] = r == ROLE_SENTINEL ? "redis-sentinel" : "redis-server";
    argv[1] = conf;
    if (nextra)                 /* no options: extra may be NULL */
        memcpy(argv + 2, extra, nextra * sizeof *extra);
    return argv;
}

static int supervise(struct sup *sup, char **argv, char **envp)
{
    if (!argv || !envp) {
        logmsg("fatal: out of memory");
        return EXIT_OSERR;
    }
    sup->child = sup_spawn(sup, argv, envp);
    if (sup->child < 0) {
        logmsg("fatal: cannot fork: %s", strerror(errno));
        return EXIT_OSERR;
    }
    return sup_run(sup);
}

int main(int argc, char **argv)
{
    /* Static: what the early returns leave allocated stays reachable (no
     * leak report from the sanitizers or valgrind at exit). */
    static struct settings s;
    static struct diag d, warn;
    struct cmdline cl;
    struct sup sup = {.log = logmsg};
    struct helper_ctx stop = {.sup = &sup, .s = &s};
    uid_t uid = getuid();
    gid_t gid = getgid();
    char *conf, *text;
    int rc;

    /* 1. What to do: a role, render, health, help, or any command. */
    parse_args(argc, argv, &cl);
    if (cl.mode == MODE_HELP) {
        usage(stdout);
        return 0;
    }
    if (cl.mode == MODE_VARIABLES) {    /* the README's table */
        settings_usage(stdout, 1);
        return 0;
    }
    if (cl.mode == MODE_VERSION) {
        printf("redis-init %s\n", VERSION);
        return 0;
    }

    /* 2. Settings, role, template and user, every problem reported at once;
     *    nothing is written and nothing started before they all pass. */
    settings_load(&s, &d);
    sup.stop_timeout = (int)settings_num(&s, S_STOP_TIMEOUT);
    if (cl.mode == MODE_RESET) {        /* run by hand, not as PID 1 */
        if (d.n)
            return fail(&d, EXIT_CONFIG);
        return sentinel_reset(&s, logmsg);
    }
    if (cl.mode == MODE_CREATE || cl.mode == MODE_REBALANCE) {
        cluster_check(&s, 1, &d);       /* by hand, or a one-shot service */
        if (d.n)
            return fail(&d, EXIT_CONFIG);
        return (cl.mode == MODE_CREATE ? cluster_create : cluster_rebalance)
            (&s, clock_now() + settings_num(&s, S_CLUSTER_WAIT) * 1000LL, logmsg);
    }
    if (cl.mode == MODE_COMMAND) {      /* any other command, supervised */
        if (d.n)
            return fail(&d, EXIT_CONFIG);
        if (sup_init(&sup, &d) < 0)
            return fail(&d, EXIT_OSERR);
        return supervise(&sup, cl.extra, environ);
    }
    s.role = pick_role(&cl, &s, &d);
    if (s.role == ROLE_SENTINEL && settings_get(&s, S_DATA_DIR)) {
        /* A sentinel restarted in place is the same sentinel. */
        char *old = io_join(settings_get(&s, S_DATA_DIR), "sentinel.conf");
        if (old)
            known_sentinel(&s, old, &warn);
        free(old);
    }
    if (cl.mode == MODE_HEALTH) {
        char *why = NULL;
        if (d.n)
            return fail(&d, s.role ? EXIT_CONFIG : EXIT_USAGE);
        rc = health(&s, s.role, &why);
        printf("%s\n", why ? why : "out of memory");
        free(why);
        return rc;
    }
    if (s.role == ROLE_CLUSTER)
        cluster_check(&s, 0, &d);
    if (s.role != ROLE_NONE)
        free(render_role(&s, 1, &d));   /* the template, checked now */
    if (getuid() == 0 && settings_get(&s, S_REDIS_USER))
        privs_lookup(settings_get(&s, S_REDIS_USER), &uid, &gid, &d);
    if (d.n)
        return fail(&d, s.role ? EXIT_CONFIG : EXIT_USAGE);
    warn_all(&warn);
    if (cl.mode == MODE_RENDER) {
        text = render_role(&s, 1, &d);
        if (!text)
            return fail(&d, EXIT_CONFIG);
        fputs(text, stdout);
        free(text);
        settings_free(&s);
        return 0;
    }

    /* 3. Ask who the master is; a stop signal meanwhile ends it here. A
     *    cluster node knows from its nodes.conf; one without it waits
     *    while a replica follows the node that was at its address. */
    if (sup_init(&sup, &d) < 0)
        return fail(&d, EXIT_OSERR);
    if ((rc = s.role == ROLE_CLUSTER ? wait_fresh(&sup, &s)
                                     : ask_sentinels(&sup, &s)))
        return rc;

    /* 4. Render the config, write it where Redis can rewrite it, give the
     *    data directory to the Redis user, and become that user. */
    if (!(text = render_role(&s, 0, &d)))
        return fail(&d, EXIT_CONFIG);
    if (!settings_get(&s, S_REDIS_PASSWORD))
        logmsg("warning: no REDIS_PASSWORD: protected-mode is off and anyone "
               "who reaches this port can use Redis");
    if (getuid() == 0 && uid == 0)
        logmsg("warning: REDIS_USER=%s: Redis runs as root",
               settings_get(&s, S_REDIS_USER));
    conf = io_join(settings_get(&s, S_DATA_DIR), conf_name(s.role));
    umask(0077);
    rc = !conf || privs_prepare_dir(settings_get(&s, S_DATA_DIR), uid, gid, &d) < 0 ||
         io_install(conf, text, uid, gid, &d) < 0 ? EXIT_CANTCREAT
         : privs_drop(uid, gid, &d) < 0 ? EXIT_OSERR : 0;
    free(text);
    if (rc) {
        free(conf);
        return fail(&d, rc);
    }

    /* 5. Run Redis under supervision until it exits; a master hands over
     *    on SIGTERM; a cluster node's keeper meets its peers again and
     *    creates the cluster (CLUSTER_CREATE). */
    logmsg("starting %s as %s on port %s", s.role == ROLE_SENTINEL ?
           "redis-sentinel" : "redis-server", settings_role_name(s.role),
           settings_get(&s, s.role == ROLE_SENTINEL ? S_SENTINEL_PORT
                                                     : S_REDIS_PORT));
    if (s.role == ROLE_MASTER || s.role == ROLE_SLAVE) {
        sup.on_stop = on_stop;
        sup.ctx = &stop;
    }
    if (s.role != ROLE_CLUSTER && watch_wanted(&s)) {
        sup.ctx = &stop;
        sup.watch = start_watch;
    }
    if (s.role == ROLE_CLUSTER) {
        sup.on_stop = on_stop;
        sup.ctx = &stop;
        if (settings_get(&s, S_CLUSTER_HOSTS))
            sup.watch = start_watch;
    }
    sup.resend = 1;
    char **rargv = redis_argv(s.role, conf, cl.extra, cl.nextra);
    char **renv = child_env();
    rc = supervise(&sup, rargv, renv);

    /* 6. A cluster master whose Redis a signal killed (a crash, or while
     *    it stopped, before its handover could finish) has a replica take
     *    its slots at once. */
    if (s.role == ROLE_CLUSTER && rc > 128)
        after_death(&stop);
    free(rargv);
    free(renv);
    free(conf);
    settings_free(&s);
    return rc;
}
