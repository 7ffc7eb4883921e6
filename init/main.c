/* redis-init: PID 1 of a Redis container. Reads the role and settings,
 * renders redis.conf or sentinel.conf, starts Redis, and supervises it. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "ha.h"
#include "privs.h"
#include "render.h"
#include "settings.h"
#include "supervise.h"

#ifndef VERSION
#define VERSION "dev"
#endif

/* Exit codes of our own (sysexits.h); the child's code passes through. */
#define EXIT_USAGE    64
#define EXIT_UNAVAILABLE 69
#define EXIT_OSERR    71
#define EXIT_CANTCREAT 73
#define EXIT_CONFIG   78

enum mode { MODE_ROLE, MODE_RENDER, MODE_HEALTH, MODE_COMMAND, MODE_HELP,
            MODE_VARIABLES, MODE_VERSION };

struct cmdline {
    enum mode mode;
    const char *role_word;      /* from argv, or NULL */
    char **extra;               /* redis options after the role, or the command */
    int nextra;
};

static void logmsg(const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "redis-init: %s\n", line);
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: redis-init [master|slave|replica|sentinel] [[--] redis options]\n"
        "       redis-init render [ROLE]    print the config it would write\n"
        "       redis-init health [ROLE]    exit 0 when the local instance is usable\n"
        "       redis-init COMMAND [ARG]... run any command, supervised\n"
        "       redis-init --help | --variables | --version\n"
        "\nThe role comes from the first argument, else from REDIS_ROLE.\n"
        "Settings (environment; REDIS_INIT_CONF names an optional file):\n");
    settings_usage(f, 0);
    fprintf(f, "\nExit codes: the child's own; 128+N when signal N killed "
            "it; 126/127 when it cannot be run;\n64 usage, 69 MASTER_HOST never "
            "resolved, 71 system failure, 73 cannot write the config,\n78 "
            "invalid settings; health: 0 usable, 1 not.\n");
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

static void die_diag(const struct diag *d, int code)
{
    for (int i = 0; i < d->n && i < DIAG_MAX; i++)
        logmsg("fatal: %s", d->msg[i]);
    if (d->n > DIAG_MAX)
        logmsg("fatal: ... and %d more", d->n - DIAG_MAX);
    exit(code);
}

/* The role PID 1 was started with: `docker exec c redis-init health`
 * checks what the container runs. */
static const char *pid1_role(char *buf, size_t len)
{
    FILE *f = fopen("/proc/1/cmdline", "r");
    size_t n = f ? fread(buf, 1, len - 1, f) : 0;

    if (f)
        fclose(f);
    buf[n] = 0;
    size_t first = strlen(buf) + 1;
    return first < n && settings_role(buf + first) ? buf + first : NULL;
}

/* The role: the argument's word, else REDIS_ROLE (else, for health, PID 1's). */
static enum role pick_role(const struct cmdline *cl, const struct settings *s)
{
    char buf[256];
    const char *w = cl->role_word ? cl->role_word : settings_get(s, S_ROLE);
    enum role r;

    if (!w && cl->mode == MODE_HEALTH)
        w = pid1_role(buf, sizeof buf);
    r = settings_role(w);

    if (r == ROLE_NONE) {
        if (w)
            logmsg("fatal: role \"%s\": expected master, slave, replica or "
                   "sentinel", w);
        else
            logmsg("fatal: no role: name one as the first argument or in "
                   "REDIS_ROLE (master, slave, replica, sentinel)");
        exit(EXIT_USAGE);
    }
    return r;
}

static const char *conf_name(enum role r)
{
    return r == ROLE_SENTINEL ? "sentinel.conf" : "redis.conf";
}

static void path_join(char *out, size_t len, const char *dir, const char *f)
{
    snprintf(out, len, "%s/%s", dir, f);
}

/* A sentinel restarted in place is the same sentinel: read what its last
 * config says (myid, epochs, the master it knew). */
static void keep_identity(struct settings *s)
{
    char old[512];

    if (s->role == ROLE_SENTINEL) {
        path_join(old, sizeof old, settings_get(s, S_DATA_DIR), "sentinel.conf");
        render_keep_identity(s, old);
    }
}

/* Render the role's template into memory; dies on error. */
static char *render_role(struct settings *s, int mask)
{
    char tmpl[512];
    struct diag d = {0};
    char *text;

    settings_derive(s);
    path_join(tmpl, sizeof tmpl, settings_get(s, S_TEMPLATE_DIR),
              conf_name(s->role));
    text = render_file(tmpl, s, mask, &d);
    if (!text)
        die_diag(&d, EXIT_CONFIG);
    return text;
}

/* Write the config where Redis can rewrite it, and become the Redis user. */
static void install_role(struct settings *s, const char *text, char *conf,
                         size_t len)
{
    const char *dir = settings_get(s, S_DATA_DIR);
    struct diag d = {0};
    uid_t uid = getuid();
    gid_t gid = getgid();

    if (getuid() == 0 &&
        privs_lookup(settings_get(s, S_REDIS_USER), &uid, &gid, &d) < 0)
        die_diag(&d, EXIT_CONFIG);
    path_join(conf, len, dir, conf_name(s->role));
    umask(0077);
    if (privs_prepare_dir(dir, uid, gid, &d) < 0 ||
        render_install(conf, text, uid, gid, &d) < 0)
        die_diag(&d, EXIT_CANTCREAT);
    if (privs_drop(uid, gid, &d) < 0)
        die_diag(&d, EXIT_OSERR);
}

/* argv for redis-server or redis-sentinel: the config, then user options. */
static char **redis_argv(enum role r, char *conf, char **extra, int nextra)
{
    char **argv = calloc(nextra + 3, sizeof *argv);

    if (!argv)
        exit(EXIT_OSERR);
    argv[0] = r == ROLE_SENTINEL ? "redis-sentinel" : "redis-server";
    argv[1] = conf;
    memcpy(argv + 2, extra, nextra * sizeof *extra);
    return argv;
}

static int supervise(struct sup *sup, char **argv)
{
    sup->child = sup_spawn(sup, argv);
    if (sup->child < 0) {
        logmsg("fatal: cannot fork: %m");
        return EXIT_OSERR;
    }
    return sup_run(sup);
}

/* On SIGTERM, a master hands mastership over before Redis stops. */
static void hand_over(void *ctx, long budget_ms)
{
    struct settings *s = ctx;

    if (s->role != ROLE_SENTINEL)
        ha_handover(s, budget_ms, logmsg);
}

static int health(struct settings *s)
{
    char why[256];
    int rc = ha_health(s, s->role, why, sizeof why);

    printf("%s\n", why);
    return rc;
}

int main(int argc, char **argv)
{
    struct settings s = {0};
    struct cmdline cl;
    struct diag d = {0};
    struct sup sup = {.log = logmsg, .on_stop = hand_over, .ctx = &s};
    char conf[512];
    char *text;

    /* 1. What to do: a role, render, help, or any command. */
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

    /* 2. Settings from the file and the environment, all checked at once. */
    if (settings_load(&s, &d))
        die_diag(&d, EXIT_CONFIG);
    sup.stop_timeout = settings_num(&s, S_STOP_TIMEOUT);

    /* 3. Any other command runs as it is, supervised. */
    if (cl.mode == MODE_COMMAND) {
        sup.on_stop = NULL;
        sup_init(&sup);
        return supervise(&sup, cl.extra);
    }

    /* 4. The role; render and health stop here. */
    s.role = pick_role(&cl, &s);
    keep_identity(&s);
    if (cl.mode == MODE_HEALTH)
        return health(&s);
    if (cl.mode == MODE_RENDER) {
        fputs(render_role(&s, 1), stdout);
        return 0;
    }

    /* 5. Ask the sentinels who the master is; a stop signal is noticed. */
    sup_init(&sup);
    switch (ha_discover(&s, logmsg, sup_stop_pending)) {
    case -1: return EXIT_UNAVAILABLE;
    case -2: return 128 + SIGTERM;
    }

    /* 6. Render the config, write it, drop root. */
    text = render_role(&s, 0);
    if (!settings_get(&s, S_REDIS_PASSWORD))
        logmsg("warning: no REDIS_PASSWORD: protected-mode is off and anyone "
               "who reaches this port can use Redis");
    install_role(&s, text, conf, sizeof conf);

    /* 7. Run Redis under supervision until it exits. */
    logmsg("starting %s as %s on port %s", s.role == ROLE_SENTINEL ?
           "redis-sentinel" : "redis-server", settings_role_name(s.role),
           settings_get(&s, s.role == ROLE_SENTINEL ? S_SENTINEL_PORT
                                                     : S_REDIS_PORT));
    return supervise(&sup, redis_argv(s.role, conf, cl.extra, cl.nextra));
}
