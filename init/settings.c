#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <confuse.h>

#include "io.h"
#include "peer.h"
#include "settings.h"

#ifndef TEMPLATE_DIR_DEFAULT
#define TEMPLATE_DIR_DEFAULT "/usr/local/share/redis-init/templates"
#endif

#define SV ROLE_SERVER
#define SN ROLE_SENTINEL
#define AL ROLE_ANY
#define HA (ROLE_MASTER | ROLE_SLAVE | ROLE_SENTINEL)   /* the Sentinel setup */
#define CL ROLE_CLUSTER
#define MS (ROLE_MASTER | ROLE_SLAVE)                   /* Sentinel's data */
#define Q S_QUOTE
#define D S_DERIVED

const struct setting settings_table[S_COUNT] = {
    [S_ROLE] = {"REDIS_ROLE", {"REDIS_REPLICATION_MODE"}, NULL, 0, 0,
        "master|slave|replica|sentinel|cluster", K_WORD, AL, 0,
        "role when no argument names one"},
    [S_REDIS_PORT] = {"REDIS_PORT", {"redis_port", "REDIS_PORT_NUMBER"},
        "6379", 1, 65535, NULL, K_PORT, SV, 0, "port of redis-server"},
    [S_SENTINEL_PORT] = {"SENTINEL_PORT", {"sentinel_port",
        "REDIS_SENTINEL_PORT_NUMBER"}, "26379", 1, 65535, NULL, K_PORT, HA, 0,
        "port of redis-sentinel (and default port of SENTINEL_HOSTS)"},
    [S_MASTER_HOST] = {"MASTER_HOST", {"REDIS_MASTER_HOST"},
        "redis-master", 0, 0, NULL, K_HOST, HA, Q,
        "where a slave and a sentinel find the master"},
    [S_MASTER_PORT] = {"MASTER_PORT", {"master_port", "REDIS_MASTER_PORT_NUMBER"}, "6379", 1, 65535, NULL, K_PORT, HA, 0, "the master's port"},
    [S_MASTER_NAME] = {"MASTER_NAME", {"REDIS_MASTER_SET"}, "mymaster",
        0, 0, NULL, K_NAME, HA, Q, "the name sentinels monitor"},
    [S_SENTINEL_HOSTS] = {"SENTINEL_HOSTS", {0}, "sentinel", 0, 0, NULL, K_HOSTS,
        HA, 0, "sentinels to ask for the master: host[:port],..."},
    [S_SENTINEL_QUORUM] = {"SENTINEL_QUORUM", {"REDIS_SENTINEL_QUORUM"},
        "2", 1, 1000, NULL, K_UINT, SN, 0, "sentinels that must agree the master is down"},
    [S_SENTINEL_DOWN_AFTER] = {"SENTINEL_DOWN_AFTER",
        {"REDIS_SENTINEL_DOWN_AFTER_MILLISECONDS"}, "5000", 100,
        86400000, NULL, K_UINT, HA, 0, "down-after-milliseconds; a master's fence "
        "acts after half of it"},
    [S_SENTINEL_FAILOVER] = {"SENTINEL_FAILOVER",
        {"REDIS_SENTINEL_FAILOVER_TIMEOUT"}, "10000", 1, 86400000,
        NULL, K_UINT, SN, 0, "failover-timeout, ms"},
    [S_SENTINEL_PARALLEL_SYNCS] = {"SENTINEL_PARALLEL_SYNCS", {0}, "1", 1,
        1000, NULL, K_UINT, SN, 0, "replicas resyncing at once after a failover"},
    [S_REDIS_PASSWORD] = {"REDIS_PASSWORD", {0}, NULL, 0, 0, NULL, K_SECRET, AL,
        Q | S_HIDE, "requirepass, masterauth, sentinel auth-pass; the password redis-init uses"},
    [S_SENTINEL_PASSWORD] = {"SENTINEL_PASSWORD", {"REDIS_SENTINEL_PASSWORD"}, NULL, 0, 0, NULL, K_SECRET, HA, Q | S_HIDE,
        "the sentinels' own requirepass; default REDIS_PASSWORD"},
    [S_ANNOUNCE_IP] = {"ANNOUNCE_IP", {"REDIS_SENTINEL_ANNOUNCE_IP",
        "REDIS_REPLICA_IP", "REDIS_CLUSTER_ANNOUNCE_IP"}, NULL, 0, 0,
        NULL, K_HOST, AL, Q, "replica-announce-ip / sentinel announce-ip / "
        "cluster-announce-ip"},
    [S_ANNOUNCE_PORT] = {"ANNOUNCE_PORT", {"REDIS_SENTINEL_ANNOUNCE_PORT",
        "REDIS_REPLICA_PORT", "REDIS_CLUSTER_ANNOUNCE_PORT"}, NULL, 1,
        65535, NULL, K_PORT, AL, 0, "replica-announce-port / sentinel announce-port / "
        "cluster-announce-port"},
    [S_ANNOUNCE_HOSTNAME] = {"ANNOUNCE_HOSTNAME",
        {"REDIS_CLUSTER_ANNOUNCE_HOSTNAME"}, NULL, 0, 0,
        NULL, K_HOST, AL, Q, "a stable DNS name to announce instead of an address "
        "(Kubernetes: the pod's name under its headless service); a cluster "
        "node announces it and prefers it as its endpoint"},
    [S_DATA_DIR] = {"REDIS_DATA_DIR", {0}, "/data", 0, 0, NULL, K_PATH, AL, Q,
        "data and the rendered, writable configs"},
    [S_APPENDONLY] = {"REDIS_APPENDONLY", {"REDIS_AOF_ENABLED"}, "yes",
        0, 0, "yes|no", K_WORD, SV, 0, "appendonly"},
    [S_MIN_REPLICAS_TO_WRITE] = {"MIN_REPLICAS_TO_WRITE", {0}, "0", 0,
        1000, NULL, K_UINT, SV, 0, "min-replicas-to-write (0: off)"},
    [S_MIN_REPLICAS_MAX_LAG] = {"MIN_REPLICAS_MAX_LAG", {0}, "10", 1,
        3600, NULL, K_UINT, SV, 0, "min-replicas-max-lag, s"},
    [S_FENCE] = {"FENCE", {0}, "yes", 0, 0, "yes|no", K_WORD,
        ROLE_MASTER | ROLE_SLAVE, 0,
        "a master cut off from most sentinels refuses writes (see Fencing)"},
    [S_WATCH_WAIT] = {"WATCH_WAIT", {0}, "events", 0, 0, "events|looks",
        K_WORD, MS, 0,
        "while all is calm the watcher waits for the sentinels' events "
        "(looks: one look every SENTINEL_DOWN_AFTER/5 ms throughout, for "
        "sentinels behind a TCP proxy; see Fencing)"},
    [S_REDIS_HOSTS] = {"REDIS_HOSTS", {0}, NULL, 0, 0, NULL, K_HOSTS, MS, 0,
        "every Redis instance of this master, host[:port],... (a name may "
        "resolve to all): no ghost master after every address changed (see "
        "Full restart)"},
    [S_REDIS_USER] = {"REDIS_USER", {0}, "redis", 0, 0, NULL, K_USER, AL, 0,
        "user Redis runs as when started as root: name or uid:gid"},
    [S_STOP_TIMEOUT] = {"STOP_TIMEOUT", {0}, "8", 1, 3600, NULL, K_UINT, AL, 0,
        "seconds from SIGTERM to SIGKILL of the child"},
    [S_START_WAIT] = {"START_WAIT", {0}, "5", 0, 3600, NULL, K_UINT, HA, 0,
        "seconds to wait for a sentinel's answer at start"},
    [S_RESOLVE_WAIT] = {"RESOLVE_WAIT", {0}, "60", 0, 3600, NULL, K_UINT, SN, 0,
        "seconds a sentinel waits for MASTER_HOST to resolve"},
    [S_TEMPLATE_DIR] = {"TEMPLATE_DIR", {0}, TEMPLATE_DIR_DEFAULT, 0, 0,
        NULL, K_PATH, AL, 0, "where the redis.conf, sentinel.conf and cluster.conf "
        "templates are"},

    [S_RENAME_COMMANDS] = {"RENAME_COMMANDS", {0}, NULL, 0, 0, NULL, K_RENAMES,
        AL, S_HIDE, "commands to disable (FLUSHALL) or rename "
        "(CONFIG:a-secret-name), comma-separated; the sentinels learn the new names"},

    [S_ANNOUNCE_BUS_PORT] = {"ANNOUNCE_BUS_PORT",
        {"REDIS_CLUSTER_ANNOUNCE_BUS_PORT"}, NULL, 1, 65535, NULL, K_PORT, CL,
        0, "cluster-announce-bus-port; default REDIS_PORT + 10000"},
    [S_CLUSTER_NODE_TIMEOUT] = {"CLUSTER_NODE_TIMEOUT", {0}, "5000",
        100, 86400000, NULL, K_UINT, CL, 0, "cluster-node-timeout, ms"},
    [S_CLUSTER_HOSTS] = {"CLUSTER_HOSTS", {"REDIS_NODES"}, NULL, 0,
        0, NULL, K_HOSTS, CL, 0, "every node of the cluster: host[:port],... (or "
        "spaces), or one name that resolves to all of them"},
    [S_CLUSTER_REPLICAS] = {"CLUSTER_REPLICAS", {"REDIS_CLUSTER_REPLICAS"}, "1", 0, 16, NULL, K_UINT, CL, 0, "replicas per master at creation"},
    [S_CLUSTER_SIZE] = {"CLUSTER_SIZE", {0}, "0", 0, 64, NULL, K_UINT, CL,
        0, "nodes that must answer before creation; 0: the entries of "
        "CLUSTER_HOSTS, at least 3 x (1 + CLUSTER_REPLICAS)"},
    [S_CLUSTER_CREATE] = {"CLUSTER_CREATE", {0}, "no", 0, 0,
        "yes|no", K_WORD, CL, 0, "yes: the node whose address sorts first creates "
        "the cluster once CLUSTER_SIZE nodes answer (see Redis Cluster)"},
    [S_CLUSTER_WAIT] = {"CLUSTER_WAIT", {0}, "60", 1, 3600, NULL, K_UINT, CL,
        0, "seconds cluster-create may take, waiting for the nodes included"},

    [S_PROTECTED_MODE] = {"PROTECTED_MODE", {0}, NULL, 0, 0, "yes|no", K_WORD,
        SV, D, NULL},
    [S_REPLICAOF_HOST] = {"REPLICAOF_HOST", {0}, NULL, 0, 0, NULL, K_HOST, SV,
        D | Q, NULL},
    [S_REPLICAOF_PORT] = {"REPLICAOF_PORT", {0}, NULL, 1, 65535, NULL, K_PORT,
        SV, D, NULL},
    [S_MONITOR_HOST] = {"MONITOR_HOST", {0}, NULL, 0, 0, NULL, K_HOST, SN, D | Q,
        NULL},
    [S_MONITOR_PORT] = {"MONITOR_PORT", {0}, NULL, 1, 65535, NULL, K_PORT, SN, D,
        NULL},
    [S_RESOLVE_HOSTNAMES] = {"RESOLVE_HOSTNAMES", {0}, NULL, 0, 0,
        "yes|no", K_WORD, SN, D, NULL},
    [S_ANNOUNCE_HOSTNAMES] = {"ANNOUNCE_HOSTNAMES", {0}, NULL, 0, 0,
        "yes|no", K_WORD, SN, D, NULL},
    [S_SENTINEL_MYID] = {"SENTINEL_MYID", {0}, NULL, 0, 0, NULL, K_HEX, SN, D,
        NULL},
    [S_SENTINEL_CURRENT_EPOCH] = {"SENTINEL_CURRENT_EPOCH", {0}, NULL, 0,
        SETTING_UNBOUNDED, NULL, K_UINT, SN, D, NULL},
    [S_SENTINEL_LEADER_EPOCH] = {"SENTINEL_LEADER_EPOCH", {0}, NULL, 0,
        SETTING_UNBOUNDED, NULL, K_UINT, SN, D, NULL},
    [S_SENTINEL_CONFIG_EPOCH] = {"SENTINEL_CONFIG_EPOCH", {0}, NULL, 0,
        SETTING_UNBOUNDED, NULL, K_UINT, SN, D, NULL},
    [S_KNOWN_MASTER_HOST] = {"KNOWN_MASTER_HOST", {0}, NULL, 0, 0, NULL, K_HOST,
        SN, D | Q, NULL},
    [S_KNOWN_MASTER_PORT] = {"KNOWN_MASTER_PORT", {0}, NULL, 1, 65535,
        NULL, K_PORT, SN, D, NULL},
    [S_RENAMED_COMMANDS] = {"RENAMED_COMMANDS", {0}, NULL, 0, 0,
        NULL, K_RENAMES, SV, D | S_HIDE | S_LINES, NULL},
    [S_SENTINEL_RENAMES] = {"SENTINEL_RENAMES", {0}, NULL, 0, 0,
        NULL, K_RENAMES, SN, D | S_HIDE | S_LINES, NULL},
    [S_CLUSTER_BUS_PORT] = {"CLUSTER_BUS_PORT", {0}, NULL, 1, 65535,
        NULL, K_PORT, CL, D, NULL},
    [S_CLUSTER_ENDPOINT_TYPE] = {"CLUSTER_ENDPOINT_TYPE", {0}, NULL,
        0, 0, "ip|hostname", K_WORD, CL, D, NULL},
    /* min-replicas-to-write as Redis starts: MIN_REPLICAS_TO_WRITE, or the
     * fence's value when it starts with writes refused (discover.h). */
    [S_START_MIN_REPLICAS] = {"START_MIN_REPLICAS", {0}, NULL, 0,
        SETTING_UNBOUNDED, NULL, K_UINT, SV, D, NULL},
};

static const char *const role_words[] = {"master", "slave", "replica", "sentinel",
                                         "cluster"};
static const enum role role_values[] = {ROLE_MASTER, ROLE_SLAVE, ROLE_SLAVE,
                                        ROLE_SENTINEL, ROLE_CLUSTER};

enum role settings_role(const char *word)
{
    for (size_t i = 0; i < sizeof role_words / sizeof *role_words; i++)
        if (word && strcmp(word, role_words[i]) == 0)
            return role_values[i];
    return ROLE_NONE;
}

const char *settings_role_name(enum role r)
{
    return r == ROLE_MASTER ? "master" : r == ROLE_SLAVE ? "slave"
         : r == ROLE_SENTINEL ? "sentinel" : r == ROLE_CLUSTER ? "cluster"
         : "none";
}

int settings_lookup(const char *name, size_t len)
{
    for (int i = 0; i < S_COUNT; i++)
        if (strlen(settings_table[i].name) == len &&
            strncmp(settings_table[i].name, name, len) == 0)
            return i;
    return -1;
}

/* gcc 12 -fanalyzer reports a leak of copy at its NULL check: a false
 * positive (copy is stored in s->val and freed by the next set or
 * settings_free). */
#if defined(__GNUC__) && !defined(__clang__)  /* gcc only */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
int settings_set(struct settings *s, enum setting_id id, const char *v)
{
    char *copy = v ? strdup(v) : NULL;

    if (v && !copy)
        return -1;
    free(s->val[id]);
    s->val[id] = copy;
    return 0;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

const char *settings_get(const struct settings *s, enum setting_id id)
{
    return s->val[id] && *s->val[id] ? s->val[id] : NULL;
}

/* Only for validated numeric rows. */
long settings_num(const struct settings *s, enum setting_id id)
{
    const char *v = settings_get(s, id);
    return v ? strtol(v, NULL, 10) : 0;
}

void settings_free(struct settings *s)
{
    for (int i = 0; i < S_COUNT; i++)
        settings_set(s, i, NULL);
}

/* ---- validation ---- */

static int parse_long(const char *v, long min, long max, long *out)
{
    char *end;
    long n;

    if (!isdigit((unsigned char)*v))
        return -1;
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno || *end || n < min || n > max)
        return -1;
    *out = n;
    return 0;
}

static int is_word(const char *v, const char *words)
{
    size_t n = strlen(v);

    for (const char *w = words; *w; ) {
        size_t len = strcspn(w, "|");
        if (len == n && strncmp(w, v, n) == 0)
            return 1;
        w += len + (w[len] == '|');
    }
    return 0;
}

static int all_of(const char *v, size_t max, const char *extra)
{
    size_t n = strlen(v);

    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)v[i]) && !strchr(extra, v[i]))
            return 0;
    return 1;
}

static int is_user(const char *v)
{
    const char *colon = strchr(v, ':');
    long id;
    char uid[16];
    size_t n;

    if (!colon)
        return all_of(v, 32, "._-") && !isdigit((unsigned char)*v);
    n = colon - v;
    if (n == 0 || n >= sizeof uid)
        return 0;
    memcpy(uid, v, n);
    uid[n] = 0;
    return parse_long(uid, 0, INT_MAX, &id) == 0 &&
           parse_long(colon + 1, 0, INT_MAX, &id) == 0;
}

static int is_printable(const char *v, size_t max)
{
    size_t n = 0;

    for (; *v; v++, n++)
        if ((unsigned char)*v < 0x20 || *v == 0x7f)
            return 0;
    return n <= max;
}

static int is_hosts(const char *v)
{
    struct peer_addr a[PEER_MAX];
    const char *why;
    int bad;

    return peer_parse_list(v, 1, a, PEER_MAX, &bad, &why) > 0;
}

/* Is word (n bytes) one of the space-separated list? */
static int among(const char *w, size_t n, const char *list)
{
    for (const char *p = list; *p; ) {
        size_t len = strcspn(p, " ");
        if (len == n && !strncasecmp(p, w, n))
            return 1;
        p += len + (p[len] == ' ');
    }
    return 0;
}

#define CMDS_OURS     "AUTH PING INFO CLIENT SENTINEL"
#define CMDS_SENTINEL "CONFIG SLAVEOF REPLICAOF MULTI EXEC SCRIPT PUBLISH SUBSCRIBE"

static int is_renames(const char *v)
{
    for (;;) {
        size_t len = strcspn(v, ","), cmd = strcspn(v, ":,");
        size_t name = cmd < len ? len - cmd - 1 : 0;
        if (cmd == 0 || cmd > 32 || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                           "abcdefghijklmnopqrstuvwxyz") < cmd ||
            among(v, cmd, CMDS_OURS) ||
            (cmd == len && among(v, cmd, CMDS_SENTINEL)) ||
            (cmd < len && (name == 0 || name > 64 ||
                           strspn(v + cmd + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
                                  "ghijklmnopqrstuvwxyz0123456789-_") < name)))
            return 0;
        if (!v[len])
            return 1;
        v += len + 1;
    }
}

/* Derive the config lines of RENAME_COMMANDS: "CMD NEWNAME" or CMD ""
 * for redis.conf, "CMD NEWNAME" for the sentinels (renamed ones only). */
static void derive_renames(struct settings *s)
{
    const char *v = settings_get(s, S_RENAME_COMMANDS);
    char *server = NULL, *sentinel = NULL;
    size_t ls = 0, lt = 0;
    FILE *fs, *ft;

    settings_set(s, S_RENAMED_COMMANDS, NULL);
    settings_set(s, S_SENTINEL_RENAMES, NULL);
    if (!v || !(fs = open_memstream(&server, &ls)))
        return;
    if (!(ft = open_memstream(&sentinel, &lt))) {
        fclose(fs);
        free(server);
        return;
    }
    for (int first = 1, sfirst = 1; *v; first = 0) {
        size_t len = strcspn(v, ","), cmd = strcspn(v, ":,");
        if (!first)
            fputc(SETTING_ITEM_SEP, fs);
        if (cmd < len) {
            fprintf(fs, "%.*s %.*s", (int)cmd, v, (int)(len - cmd - 1), v + cmd + 1);
            if (!sfirst)
                fputc(SETTING_ITEM_SEP, ft);
            fprintf(ft, "%.*s %.*s", (int)cmd, v, (int)(len - cmd - 1), v + cmd + 1);
            sfirst = 0;
        } else {
            fprintf(fs, "%.*s \"\"", (int)cmd, v);
        }
        v += len + (v[len] == ',');
    }
    /* Both closed whatever the first gives (found by gcc -fanalyzer). */
    int bad = fclose(fs) != 0;
    bad |= fclose(ft) != 0;
    if (!bad) {
        settings_set(s, S_RENAMED_COMMANDS, server);
        settings_set(s, S_SENTINEL_RENAMES, sentinel);
    }
    free(server);
    free(sentinel);
}

long settings_max(const struct setting *row)
{
    return row->max == SETTING_UNBOUNDED ? LONG_MAX : row->max;
}

int settings_check(const struct setting *row, const char *v,
                   const char **expect)
{
    static char range[64];
    struct peer_addr a;
    const char *why;
    long n;
    int ok;

    if (strpbrk(v, "\r\n")) {
        *expect = "no CR or LF (a line break would inject config directives)";
        return -1;
    }
    switch (row->kind) {
    case K_PORT:
    case K_UINT:
        ok = parse_long(v, row->min, settings_max(row), &n) == 0;
        snprintf(range, sizeof range, "an integer %d..%ld", row->min,
                 settings_max(row));
        *expect = range;
        break;
    case K_WORD:
        ok = is_word(v, row->words);
        *expect = row->words;       /* shown as "one of ..." */
        break;
    case K_HOST:
        ok = peer_parse(v, strlen(v), 1, &a, &why) == 0 && !strchr(v, '[') &&
             (!strchr(v, ':') || strchr(strchr(v, ':') + 1, ':'));
        *expect = "a host name (at most 253 characters) or IP address";
        break;
    case K_NAME:
        ok = all_of(v, SETTING_NAME_MAX, "._-");
        *expect = "a name of at most 255 letters, digits, '.', '_' or '-'";
        break;
    case K_PATH:
        ok = v[0] == '/' && is_printable(v, SETTING_PATH_MAX);
        *expect = "an absolute path of at most 3840 printable characters";
        break;
    case K_USER:
        ok = is_user(v);
        *expect = "a user name or uid:gid";
        break;
    case K_HOSTS:
        ok = is_hosts(v);
        *expect = "a comma-separated list of at most 64 host[:port]";
        break;
    case K_SECRET:
        ok = is_printable(v, SETTING_SECRET_MAX) && *v;
        *expect = "1 to 512 printable characters";
        break;
    case K_RENAMES:
        ok = is_renames(v);
        *expect = "comma-separated CMD (disabled) or CMD:NEWNAME (renamed), "
                  "NEWNAME of letters, digits, '-' or '_'; AUTH, PING, INFO, "
                  "CLIENT and SENTINEL left alone (redis-init needs them); "
                  "CONFIG, SLAVEOF, REPLICAOF, MULTI, EXEC, SCRIPT, PUBLISH and "
                  "SUBSCRIBE renamed, not disabled (Sentinel needs them)";
        break;
    case K_HEX:
        ok = strlen(v) == 40 && strspn(v, "0123456789abcdef") == 40;
        *expect = "40 hex digits";
        break;
    default:
        ok = 0;
        *expect = "a known kind of value";
    }
    return ok ? 0 : -1;
}

/* ---- loading ---- */

/* Add a message if v is not valid for row; where names the source. */
static void report(struct diag *d, const char *where, const char *name,
                   const struct setting *row, const char *v)
{
    const char *expect;
    char *shown;

    if (settings_check(row, v, &expect) == 0)
        return;
    if (row->kind == K_WORD && !strpbrk(v, "\r\n")) {
        shown = diag_escape(v, strlen(v));
        diag_add(d, "%s%s=\"%s\": expected one of %s", where, name,
                 shown ? shown : "?", expect);
        free(shown);
        return;
    }
    if (row->flags & S_HIDE) {
        diag_add(d, "%s%s: invalid value (not shown): expected %s", where,
                 name, expect);
        return;
    }
    shown = diag_escape(v, strlen(v));
    diag_add(d, "%s%s=\"%s\": expected %s", where, name, shown ? shown : "?",
             expect);
    free(shown);
}

/* A Docker or Kubernetes secret file: a regular file whose text, less one
 * trailing newline, is the secret. An empty one is an error: Docker makes
 * a directory, or an empty file, where a mounted secret is missing, and
 * "no password" must never be the silent result. */
static char *read_secret(const char *var, const char *path, struct diag *d)
{
    struct io_text t;
    const char *why;
    char *shown = diag_escape(path, strlen(path));

    if (io_read(path, SECRET_FILE_MAX, &t, &why) < 0) {
        if (!strcmp(why, "larger than the limit"))
            diag_add(d, "%s=\"%s\": larger than %d bytes: expected a secret "
                     "file", var, shown, SECRET_FILE_MAX);
        else
            diag_add(d, "%s=\"%s\": cannot read: %s", var, shown, why);
        free(shown);
        return NULL;
    }
    if (t.len && t.data[t.len - 1] == '\n')
        t.data[--t.len] = 0;
    if (t.len && t.data[t.len - 1] == '\r')
        t.data[--t.len] = 0;
    if (t.len == 0)
        diag_add(d, "%s=\"%s\": the file is empty: expected the secret",
                 var, shown);
    else if (memchr(t.data, 0, t.len))
        diag_add(d, "%s=\"%s\": holds a NUL byte: expected printable text",
                 var, shown);
    free(shown);
    if (t.len == 0 || memchr(t.data, 0, t.len)) {
        free(t.data);
        return NULL;
    }
    return t.data;
}

/* ---- the settings file ---- */

struct conf {
    const char *path;
    struct diag *d;
    const char *text;
    unsigned char *secret_line;     /* 1 for a line that holds a secret */
    int lines;
};

static struct conf *conf_now;       /* libconfuse's error callback has no arg */

/* The row a settings file's name w (n bytes, any case) sets, or -1. */
static int conf_row(const char *w, size_t n)
{
    for (int i = 0; i < S_COUNT; i++) {
        const struct setting *row = &settings_table[i];
        if (row->flags & S_DERIVED)
            continue;
        if (strlen(row->name) == n && !strncasecmp(row->name, w, n))
            return i;
        for (int a = 0; a < SETTING_ALIASES && row->aliases[a]; a++)
            if (strlen(row->aliases[a]) == n && !strncasecmp(row->aliases[a], w, n))
                return i;
    }
    return -1;
}

static int is_secret_name(const char *w, size_t n)
{
    int id = conf_row(w, n);

    return id >= 0 && (settings_table[id].flags & S_HIDE);
}

/* Mark the lines that hold a secret's value (and the lines a quoted value
 * spans), so that no message ever shows any part of them. */
static void mark_secrets(struct conf *c)
{
    int line = 1, secret = 0, quoted = 0;

    for (const char *p = c->text; *p; p++) {
        if (p == c->text || p[-1] == '\n') {
            if (!quoted) {
                const char *w = p + strspn(p, " \t");
                secret = is_secret_name(w, strcspn(w, " \t=\r\n"));
            }
            c->secret_line[line] = secret;
        }
        if (secret && (*p == '"' || *p == '\'') && (p == c->text || p[-1] != '\\'))
            quoted = !quoted;
        if (*p == '\n')
            line++;
    }
}

static void conf_error(cfg_t *cfg, const char *fmt, va_list ap)
{
    struct conf *c = conf_now;
    int line = cfg ? cfg->line : 0;
    char *shown = diag_escape(c->path, strlen(c->path)), *msg = NULL;

    if (line >= 1 && line <= c->lines && c->secret_line[line]) {
        diag_add(c->d, "REDIS_INIT_CONF=\"%s\": line %d: cannot parse the "
                 "value of a secret (not shown)", shown, line);
    } else {
        if (vasprintf(&msg, fmt, ap) < 0)
            msg = NULL;
        char *safe = msg ? diag_escape(msg, strlen(msg)) : NULL;
        diag_add(c->d, "REDIS_INIT_CONF=\"%s\": line %d: %s", shown, line,
                 safe ? safe : "cannot parse");
        free(safe);
        free(msg);
    }
    free(shown);
}

/* A settings file is bounded text: checked here before libconfuse sees
 * it (its scanner exits the process on a read error, and is slow on NUL
 * bytes). 0 when it is. */
static int conf_is_text(struct conf *c, size_t len, const char *shown)
{
    int line = 1;
    size_t start = 0;

    for (size_t i = 0; i <= len; i++) {
        unsigned char ch = i < len ? c->text[i] : '\n';
        if (ch == '\n') {
            if (i - start > CONF_LINE_MAX) {
                diag_add(c->d, "REDIS_INIT_CONF=\"%s\": line %d is longer than "
                         "%d bytes: expected a settings file", shown, line,
                         CONF_LINE_MAX);
                return -1;
            }
            start = i + 1;
            line++;
        } else if ((ch < 0x20 && ch != '\t' && ch != '\r') || ch == 0x7f) {
            diag_add(c->d, "REDIS_INIT_CONF=\"%s\": byte 0x%02x on line %d: "
                     "expected a text file", shown, ch, line);
            return -1;
        }
    }
    c->lines = line - 1;
    return 0;
}

/* The length of a libconfuse escape at p (after its '\\') that yields a
 * NUL byte ("\\x0", "\\x00", "\\0", "\\00", "\\000"), else 0. */
static size_t nul_escape(const char *p)
{
    size_t n = 0;

    if (*p == 'x') {                        /* \xH or \xHH */
        while (n < 2 && isxdigit((unsigned char)p[1 + n]) && p[1 + n] == '0')
            n++;
        /* At most two digits are read: "\\x001" is NUL, then '1'. */
        return n && (n == 2 || !isxdigit((unsigned char)p[1 + n])) ? n + 1 : 0;
    }
    while (n < 3 && p[n] >= '0' && p[n] <= '7') {      /* \O to \OOO */
        if (p[n] != '0')
            return 0;
        n++;
    }
    return n;
}

#define CONF_NO_SUBST "\"${...}\" takes a value from the environment: " \
    "expected the value itself (the environment sets every setting)"

/* Name the setting a refused value is given to. */
static void conf_refuse(struct conf *c, const char *shown, int line,
                        const char *name, size_t nlen, const char *why)
{
    int id = conf_row(name, nlen);
    char *n = id >= 0 ? strdup(settings_table[id].name) : diag_escape(name, nlen);

    diag_add(c->d, "REDIS_INIT_CONF=\"%s\": line %d: %s: %s", shown, line,
             n ? n : "?", why);
    free(n);
}

/* Two things libconfuse does to a value are refused here, by the name the
 * value is given to:
 * - "\x00" (or "\0") becomes a NUL byte and silently keeps only what
 *   precedes it;
 * - ${VAR}, quoted or not, is replaced by the environment's VAR: any
 *   variable, a secret too, which a message about the value would show.
 * Follows libconfuse's lexer: comments (#, //, / * * /), '...' (neither
 * applies) and "..." strings. */
static int conf_quoted_values(struct conf *c, const char *shown)
{
    enum { CODE, DQ, SQ, LINE_COMMENT, BLOCK_COMMENT } st = CODE;
    const char *name = c->text;
    size_t nlen = 0;
    int line = 1;

    for (const char *p = c->text; *p; p++) {
        if (st == CODE && (p == c->text || p[-1] == '\n' || p[-1] == ';')) {
            name = p + strspn(p, " \t");
            nlen = strcspn(name, " \t=\r\n");
        }
        switch (st) {
        case CODE:
            if (*p == '$' && p[1] == '{') {
                conf_refuse(c, shown, line, name, nlen, CONF_NO_SUBST);
                return -1;
            }
            if (*p == '"')
                st = DQ;
            else if (*p == '\'')
                st = SQ;
            else if (*p == '#' || (*p == '/' && p[1] == '/'))
                st = LINE_COMMENT;
            else if (*p == '/' && p[1] == '*')
                st = BLOCK_COMMENT, p++;
            break;
        case DQ:
            if (*p == '"') {
                st = CODE;
            } else if (*p == '$' && p[1] == '{') {
                conf_refuse(c, shown, line, name, nlen, CONF_NO_SUBST);
                return -1;
            } else if (*p == '\\' && p[1]) {
                if (nul_escape(p + 1)) {
                    conf_refuse(c, shown, line, name, nlen, "the value holds "
                                "a NUL byte (an escape such as \\x00): "
                                "expected text");
                    return -1;      /* where the next value starts is unsure */
                }
                p++;                /* the escaped byte (a newline is counted) */
            }
            break;
        case SQ:
            if (*p == '\\' && p[1] == '\'')
                p++;
            else if (*p == '\'')
                st = CODE;
            break;
        case LINE_COMMENT:
            if (*p == '\n')
                st = CODE;
            break;
        case BLOCK_COMMENT:
            if (*p == '*' && p[1] == '/')
                st = CODE, p++;
            break;
        }
        line += *p == '\n';
    }
    return 0;
}

/* Settings from a libconfuse file: every user row as an optional string. */
static void load_file(struct settings *s, const char *path, struct diag *d)
{
    cfg_opt_t opts[S_COUNT + 1];
    struct conf c = {.path = path, .d = d};
    char *shown = diag_escape(path, strlen(path));
    struct io_text t;
    const char *why;
    int n = 0;
    cfg_t *cfg;

    if (io_read(path, CONF_FILE_MAX, &t, &why) < 0) {
        if (!strcmp(why, "larger than the limit"))
            diag_add(d, "REDIS_INIT_CONF=\"%s\": larger than %d bytes: "
                     "expected a settings file", shown, CONF_FILE_MAX);
        else
            diag_add(d, "REDIS_INIT_CONF=\"%s\": cannot read: %s", shown, why);
        free(shown);
        return;
    }
    c.text = t.data;
    if (conf_is_text(&c, t.len, shown) < 0 || conf_quoted_values(&c, shown) < 0 ||
        !(c.secret_line = calloc(c.lines + 2, 1))) {
        free(t.data);
        free(shown);
        return;
    }
    mark_secrets(&c);
    for (int i = 0; i < S_COUNT; i++)
        if (!(settings_table[i].flags & S_DERIVED))
            opts[n++] = (cfg_opt_t)CFG_STR(settings_table[i].name, NULL,
                                           CFGF_NODEFAULT);
    opts[n] = (cfg_opt_t)CFG_END();
    cfg = cfg_init(opts, CFGF_NOCASE);
    if (!cfg) {
        diag_add(d, "REDIS_INIT_CONF=\"%s\": out of memory", shown);
    } else {
        conf_now = &c;
        cfg_set_error_function(cfg, conf_error);
        int rc = cfg_parse_buf(cfg, t.data);
        if (rc == CFG_SUCCESS)
            for (int i = 0; i < S_COUNT; i++) {
                const char *name = settings_table[i].name;
                if (!(settings_table[i].flags & S_DERIVED) && cfg_size(cfg, name))
                    settings_set(s, i, cfg_getstr(cfg, name));
            }
        else if (d->n == 0)
            diag_add(d, "REDIS_INIT_CONF=\"%s\": cannot parse it", shown);
        cfg_free(cfg);
        conf_now = NULL;
    }
    free(c.secret_line);
    free(t.data);
    free(shown);
}

/* One row from the environment; returns the name the value came under. */
static const char *load_env(struct settings *s, int i, struct diag *d,
                            int *failed)
{
    const struct setting *row = &settings_table[i];
    const char *v;

    *failed = 0;
    if (row->flags & S_HIDE) {
        static char fname[64];     /* returned: outlives the call */
        const char *file;
        snprintf(fname, sizeof fname, "%s_FILE", row->name);  /* our names */
        file = getenv(fname);
        v = getenv(row->name);
        if (file && *file && v && *v) {
            diag_add(d, "%s and %s are both set: expected only one", row->name,
                     fname);
            *failed = 1;
            return NULL;
        }
        if (file && *file) {
            char *secret = read_secret(fname, file, d);
            *failed = !secret || settings_set(s, i, secret) < 0;
            free(secret);
            return *failed ? NULL : fname;
        }
    }
    if ((v = getenv(row->name)) && *v) {
        settings_set(s, i, v);
        return row->name;
    }
    for (int a = 0; a < SETTING_ALIASES && row->aliases[a]; a++)
        if ((v = getenv(row->aliases[a])) && *v) {
            settings_set(s, i, v);
            return row->aliases[a];
        }
    return NULL;
}

int settings_load(struct settings *s, struct diag *d)
{
    const char *conf = getenv("REDIS_INIT_CONF");
    int before = d->n;

    if (conf && *conf)
        load_file(s, conf, d);
    for (int i = 0; i < S_COUNT; i++) {
        const struct setting *row = &settings_table[i];
        const char *from;
        int failed;

        if (row->flags & S_DERIVED)
            continue;
        from = load_env(s, i, d, &failed);
        if (failed)
            settings_set(s, i, NULL);
        else if (settings_get(s, i)) {
            char *where = NULL, *shown = conf ? diag_escape(conf, strlen(conf)) : NULL;
            if (!from && asprintf(&where, "REDIS_INIT_CONF=\"%s\": ",
                                  shown ? shown : "") < 0)
                where = NULL;
            report(d, where ? where : "", from ? from : row->name, row,
                   s->val[i]);
            free(where);
            free(shown);
        } else if (row->def) {
            settings_set(s, i, row->def);
        }
    }
    if (settings_get(s, S_ANNOUNCE_IP) && settings_get(s, S_ANNOUNCE_HOSTNAME))
        diag_add(d, "ANNOUNCE_IP and ANNOUNCE_HOSTNAME are both set: expected "
                 "only one (a name, or an address)");
    /* The sentinels' own password defaults to the data password. */
    if (!settings_get(s, S_SENTINEL_PASSWORD))
        settings_set(s, S_SENTINEL_PASSWORD, settings_get(s, S_REDIS_PASSWORD));
    return d->n - before;
}

const char *settings_command(const struct settings *s, const char *cmd,
                             char *buf, size_t len)
{
    const char *v = settings_get(s, S_RENAME_COMMANDS);
    size_t n = strlen(cmd);

    for (; v && *v; v += strcspn(v, ","), v += *v == ',') {
        size_t item = strcspn(v, ","), name = strcspn(v, ":,");
        if (name == n && !strncasecmp(v, cmd, n) && name < item &&
            item - name - 1 < len) {        /* validated: at most 64 */
            memcpy(buf, v + name + 1, item - name - 1);
            buf[item - name - 1] = 0;
            return buf;
        }
    }
    return cmd;
}

/* ---- derived ---- */

static int is_ip(const char *h)
{
    if (!h)                 /* unset when out of memory */
        return 0;
    return strspn(h, "0123456789.") == strlen(h) || strchr(h, ':');
}

void settings_derive(struct settings *s)
{
    const char *pw = settings_get(s, S_REDIS_PASSWORD);

    settings_set(s, S_PROTECTED_MODE, pw ? "yes" : "no");
    derive_renames(s);
    if (s->role != ROLE_SLAVE) {
        settings_set(s, S_REPLICAOF_HOST, NULL);
        settings_set(s, S_REPLICAOF_PORT, NULL);
    } else if (!settings_get(s, S_REPLICAOF_HOST)) {
        settings_set(s, S_REPLICAOF_HOST, settings_get(s, S_MASTER_HOST));
        settings_set(s, S_REPLICAOF_PORT, settings_get(s, S_MASTER_PORT));
    }
    if (!settings_get(s, S_START_MIN_REPLICAS))
        settings_set(s, S_START_MIN_REPLICAS,
                     settings_get(s, S_MIN_REPLICAS_TO_WRITE));
    if (!settings_get(s, S_MONITOR_HOST)) {
        settings_set(s, S_MONITOR_HOST, settings_get(s, S_MASTER_HOST));
        settings_set(s, S_MONITOR_PORT, settings_get(s, S_MASTER_PORT));
    }
    /* Names announced or monitored need Sentinel to resolve them; when
     * this instance announces a name, its peers do too (one spec). */
    settings_set(s, S_ANNOUNCE_HOSTNAMES,
                 settings_get(s, S_ANNOUNCE_HOSTNAME) ? "yes" : NULL);
    settings_set(s, S_RESOLVE_HOSTNAMES,
                 is_ip(settings_get(s, S_MONITOR_HOST)) &&
                 !settings_get(s, S_ANNOUNCE_HOSTNAME) ? "no" : "yes");
    /* Redis' own bus port rule, said explicitly (cluster.c refuses a
     * REDIS_PORT above 55535 without ANNOUNCE_BUS_PORT). */
    if (!settings_get(s, S_ANNOUNCE_BUS_PORT)) {
        char bus[24];
        long p = settings_num(s, S_REDIS_PORT) + 10000;
        snprintf(bus, sizeof bus, "%ld", p);
        settings_set(s, S_CLUSTER_BUS_PORT, p <= 65535 ? bus : NULL);
    } else {
        settings_set(s, S_CLUSTER_BUS_PORT, settings_get(s, S_ANNOUNCE_BUS_PORT));
    }
    settings_set(s, S_CLUSTER_ENDPOINT_TYPE,
                 settings_get(s, S_ANNOUNCE_HOSTNAME) ? "hostname" : NULL);
}

/* ---- help ---- */

static const char *roles_text(unsigned r, char *buf, size_t len)
{
    static const enum role each[] = {ROLE_MASTER, ROLE_SLAVE, ROLE_SENTINEL,
                                      ROLE_CLUSTER};

    if (r == ROLE_ANY)
        return "all";
    *buf = 0;
    for (size_t i = 0; i < sizeof each / sizeof *each; i++)
        if (r & each[i])
            snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
                     *buf ? ", " : "", settings_role_name(each[i]));
    return buf;
}

void settings_usage(FILE *f, int md)
{
    if (md)
        fprintf(f, "| variable | aliases | default | roles | meaning |\n"
                   "|---|---|---|---|---|\n");
    for (int i = 0; i < S_COUNT; i++) {
        const struct setting *row = &settings_table[i];
        char al[160] = "";              /* our own names: they fit */

        if (row->flags & S_DERIVED)
            continue;
        for (int a = 0; a < SETTING_ALIASES && row->aliases[a]; a++)
            snprintf(al + strlen(al), sizeof al - strlen(al), "%s%s",
                     a ? ", " : "", row->aliases[a]);
        if (row->flags & S_HIDE)
            snprintf(al + strlen(al), sizeof al - strlen(al), "%s%s_FILE",
                     *al ? ", " : "", row->name);
        if (md) {
            char roles[40];
            fprintf(f, "| `%s` | %s | %s | %s | %s |\n", row->name, al,
                    row->def ? row->def : "none",
                    roles_text(row->roles, roles, sizeof roles),
                    row->help);
        } else
            fprintf(f, "  %-24s %-10s %s%s%s\n", row->name,
                    row->def ? row->def : "-", row->help,
                    *al ? "; also " : "", al);
    }
}
