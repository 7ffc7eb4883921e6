#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <confuse.h>

#include "settings.h"

#ifndef TEMPLATE_DIR_DEFAULT
#define TEMPLATE_DIR_DEFAULT "/usr/local/share/redis-init/templates"
#endif

#define SV ROLE_SERVER
#define SN ROLE_SENTINEL
#define AL ROLE_ANY
#define Q S_QUOTE
#define D S_DERIVED

const struct setting settings_table[S_COUNT] = {
    [S_ROLE] = {"REDIS_ROLE", {"REDIS_REPLICATION_MODE"}, K_NAME, NULL, 0, 0,
        "master|slave|replica|sentinel", AL, 0,
        "role when no argument names one"},
    [S_REDIS_PORT] = {"REDIS_PORT", {"redis_port", "REDIS_PORT_NUMBER"}, K_PORT,
        "6379", 1, 65535, NULL, SV, 0, "port of redis-server"},
    [S_SENTINEL_PORT] = {"SENTINEL_PORT", {"sentinel_port",
        "REDIS_SENTINEL_PORT_NUMBER"}, K_PORT, "26379", 1, 65535, NULL, AL, 0,
        "port of redis-sentinel (and default port of SENTINEL_HOSTS)"},
    [S_MASTER_HOST] = {"MASTER_HOST", {"REDIS_MASTER_HOST"}, K_HOST,
        "redis-master", 0, 0, NULL, AL, Q,
        "where a slave and a sentinel find the master"},
    [S_MASTER_PORT] = {"MASTER_PORT", {"master_port", "REDIS_MASTER_PORT_NUMBER"},
        K_PORT, "6379", 1, 65535, NULL, AL, 0, "the master's port"},
    [S_MASTER_NAME] = {"MASTER_NAME", {"REDIS_MASTER_SET"}, K_NAME, "mymaster",
        0, 0, NULL, AL, Q, "the name sentinels monitor"},
    [S_SENTINEL_HOSTS] = {"SENTINEL_HOSTS", {0}, K_HOSTS, "sentinel", 0, 0, NULL,
        AL, 0, "sentinels to ask for the master: host[:port],..."},
    [S_SENTINEL_QUORUM] = {"SENTINEL_QUORUM", {"REDIS_SENTINEL_QUORUM"}, K_UINT,
        "2", 1, 1000, NULL, SN, 0, "sentinels that must agree the master is down"},
    [S_SENTINEL_DOWN_AFTER] = {"SENTINEL_DOWN_AFTER",
        {"REDIS_SENTINEL_DOWN_AFTER_MILLISECONDS"}, K_UINT, "5000", 1,
        86400000, NULL, SN, 0, "down-after-milliseconds"},
    [S_SENTINEL_FAILOVER] = {"SENTINEL_FAILOVER",
        {"REDIS_SENTINEL_FAILOVER_TIMEOUT"}, K_UINT, "10000", 1, 86400000,
        NULL, SN, 0, "failover-timeout, ms"},
    [S_SENTINEL_PARALLEL_SYNCS] = {"SENTINEL_PARALLEL_SYNCS", {0}, K_UINT, "1", 1,
        1000, NULL, SN, 0, "replicas resyncing at once after a failover"},
    [S_REDIS_PASSWORD] = {"REDIS_PASSWORD", {0}, K_SECRET, NULL, 0, 0, NULL, AL,
        Q, "requirepass, masterauth, sentinel auth-pass"},
    [S_SENTINEL_PASSWORD] = {"SENTINEL_PASSWORD", {"REDIS_SENTINEL_PASSWORD"},
        K_SECRET, NULL, 0, 0, NULL, AL, Q,
        "the sentinels' own requirepass; default REDIS_PASSWORD"},
    [S_ANNOUNCE_IP] = {"ANNOUNCE_IP", {"REDIS_SENTINEL_ANNOUNCE_IP",
        "REDIS_REPLICA_IP"}, K_HOST, NULL, 0, 0, NULL, AL, Q,
        "replica-announce-ip / sentinel announce-ip"},
    [S_ANNOUNCE_PORT] = {"ANNOUNCE_PORT", {"REDIS_SENTINEL_ANNOUNCE_PORT",
        "REDIS_REPLICA_PORT"}, K_PORT, NULL, 1, 65535, NULL, AL, 0,
        "replica-announce-port / sentinel announce-port"},
    [S_DATA_DIR] = {"REDIS_DATA_DIR", {0}, K_PATH, "/data", 0, 0, NULL, AL, Q,
        "data and the rendered, writable configs"},
    [S_APPENDONLY] = {"REDIS_APPENDONLY", {"REDIS_AOF_ENABLED"}, K_WORD, "yes",
        0, 0, "yes|no", SV, 0, "appendonly"},
    [S_MIN_REPLICAS_TO_WRITE] = {"MIN_REPLICAS_TO_WRITE", {0}, K_UINT, "0", 0,
        1000, NULL, SV, 0, "min-replicas-to-write (0: off)"},
    [S_MIN_REPLICAS_MAX_LAG] = {"MIN_REPLICAS_MAX_LAG", {0}, K_UINT, "10", 1,
        3600, NULL, SV, 0, "min-replicas-max-lag, s"},
    [S_REDIS_USER] = {"REDIS_USER", {0}, K_USER, "redis", 0, 0, NULL, AL, 0,
        "user Redis runs as when started as root: name or uid:gid"},
    [S_STOP_TIMEOUT] = {"STOP_TIMEOUT", {0}, K_UINT, "8", 1, 3600, NULL, AL, 0,
        "seconds from SIGTERM to SIGKILL of the child"},
    [S_START_WAIT] = {"START_WAIT", {0}, K_UINT, "5", 0, 3600, NULL, AL, 0,
        "seconds to wait for a sentinel's answer at start"},
    [S_RESOLVE_WAIT] = {"RESOLVE_WAIT", {0}, K_UINT, "60", 0, 3600, NULL, SN, 0,
        "seconds a sentinel waits for MASTER_HOST to resolve"},
    [S_TEMPLATE_DIR] = {"TEMPLATE_DIR", {0}, K_PATH, TEMPLATE_DIR_DEFAULT, 0, 0,
        NULL, AL, 0, "where redis.conf and sentinel.conf templates are"},

    [S_PROTECTED_MODE] = {"PROTECTED_MODE", {0}, K_WORD, NULL, 0, 0, "yes|no",
        SV, D, NULL},
    [S_REPLICAOF_HOST] = {"REPLICAOF_HOST", {0}, K_HOST, NULL, 0, 0, NULL, SV,
        D | Q, NULL},
    [S_REPLICAOF_PORT] = {"REPLICAOF_PORT", {0}, K_PORT, NULL, 1, 65535, NULL,
        SV, D, NULL},
    [S_MONITOR_HOST] = {"MONITOR_HOST", {0}, K_HOST, NULL, 0, 0, NULL, SN, D | Q,
        NULL},
    [S_MONITOR_PORT] = {"MONITOR_PORT", {0}, K_PORT, NULL, 1, 65535, NULL, SN, D,
        NULL},
    [S_RESOLVE_HOSTNAMES] = {"RESOLVE_HOSTNAMES", {0}, K_WORD, NULL, 0, 0,
        "yes|no", SN, D, NULL},
    [S_SENTINEL_MYID] = {"SENTINEL_MYID", {0}, K_HEX, NULL, 0, 0, NULL, SN, D,
        NULL},
    [S_SENTINEL_CURRENT_EPOCH] = {"SENTINEL_CURRENT_EPOCH", {0}, K_UINT, NULL, 0,
        LONG_MAX, NULL, SN, D, NULL},
    [S_SENTINEL_LEADER_EPOCH] = {"SENTINEL_LEADER_EPOCH", {0}, K_UINT, NULL, 0,
        LONG_MAX, NULL, SN, D, NULL},
    [S_SENTINEL_CONFIG_EPOCH] = {"SENTINEL_CONFIG_EPOCH", {0}, K_UINT, NULL, 0,
        LONG_MAX, NULL, SN, D, NULL},
    [S_KNOWN_MASTER_HOST] = {"KNOWN_MASTER_HOST", {0}, K_HOST, NULL, 0, 0, NULL,
        SN, D | Q, NULL},
    [S_KNOWN_MASTER_PORT] = {"KNOWN_MASTER_PORT", {0}, K_PORT, NULL, 1, 65535,
        NULL, SN, D, NULL},
};

static const char *const role_words[] = {"master", "slave", "replica", "sentinel"};
static const enum role role_values[] = {ROLE_MASTER, ROLE_SLAVE, ROLE_SLAVE,
                                        ROLE_SENTINEL};

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
         : r == ROLE_SENTINEL ? "sentinel" : "none";
}

int settings_lookup(const char *name)
{
    for (int i = 0; i < S_COUNT; i++)
        if (strcmp(settings_table[i].name, name) == 0)
            return i;
    return -1;
}

void settings_set(struct settings *s, enum setting_id id, const char *v)
{
    free(s->val[id]);
    s->val[id] = v ? strdup(v) : NULL;
}

const char *settings_get(const struct settings *s, enum setting_id id)
{
    return s->val[id] && *s->val[id] ? s->val[id] : NULL;
}

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

static int all_of(const char *v, size_t n, const char *extra)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)v[i]) && !strchr(extra, v[i]))
            return 0;
    return 1;
}

static int is_host(const char *v, size_t n)
{
    return n <= 253 && all_of(v, n, ".-_:%");
}

/* host[:port] or [v6]:port */
static int is_hostport(const char *v, size_t n)
{
    const char *colon;
    char port[8];
    long p;

    if (n && v[0] == '[') {
        const char *close = memchr(v, ']', n);
        if (!close || !is_host(v + 1, close - v - 1))
            return 0;
        colon = close + 1 < v + n ? close + 1 : NULL;
        if (colon && *colon != ':')
            return 0;
    } else {
        colon = memchr(v, ':', n);
        if (!is_host(v, colon ? (size_t)(colon - v) : n))
            return 0;
    }
    if (!colon)
        return 1;
    n -= colon + 1 - v;
    if (n == 0 || n >= sizeof port)
        return 0;
    memcpy(port, colon + 1, n);
    port[n] = 0;
    return parse_long(port, 1, 65535, &p) == 0;
}

static int is_hosts(const char *v)
{
    for (;;) {
        size_t n = strcspn(v, ",");
        if (!is_hostport(v, n))
            return 0;
        if (!v[n])
            return 1;
        v += n + 1;
    }
}

static int is_user(const char *v)
{
    const char *colon = strchr(v, ':');
    long id;

    if (!colon)
        return all_of(v, strlen(v), "._-") && !isdigit((unsigned char)*v);
    char uid[16];
    size_t n = colon - v;
    if (n == 0 || n >= sizeof uid)
        return 0;
    memcpy(uid, v, n);
    uid[n] = 0;
    return parse_long(uid, 0, 2147483647, &id) == 0 &&
           parse_long(colon + 1, 0, 2147483647, &id) == 0;
}

static int is_printable(const char *v)
{
    for (; *v; v++)
        if ((unsigned char)*v < 0x20 || *v == 0x7f)
            return 0;
    return 1;
}

int settings_check(const struct setting *row, const char *v,
                   char *expect, size_t len)
{
    long n;
    int ok;

    if (strpbrk(v, "\r\n")) {
        snprintf(expect, len, "no CR or LF (a line break would inject "
                 "config directives)");
        return -1;
    }
    switch (row->kind) {
    case K_PORT:
    case K_UINT:
        ok = parse_long(v, row->min, row->max, &n) == 0;
        snprintf(expect, len, "an integer %ld..%ld", row->min, row->max);
        break;
    case K_WORD:
        ok = is_word(v, row->words);
        snprintf(expect, len, "one of %s", row->words);
        break;
    case K_HOST:
        ok = is_host(v, strlen(v));
        snprintf(expect, len, "a host name or IP address");
        break;
    case K_NAME:
        ok = all_of(v, strlen(v), "._-");
        snprintf(expect, len, "a name of letters, digits, '.', '_' or '-'");
        break;
    case K_PATH:
        ok = v[0] == '/' && is_printable(v) && strlen(v) < 256;
        snprintf(expect, len, "an absolute path");
        break;
    case K_USER:
        ok = is_user(v);
        snprintf(expect, len, "a user name or uid:gid");
        break;
    case K_HOSTS:
        ok = is_hosts(v);
        snprintf(expect, len, "a comma-separated list of host[:port]");
        break;
    case K_SECRET:
        ok = is_printable(v) && strlen(v) <= 512;
        snprintf(expect, len, "at most 512 printable characters");
        break;
    case K_HEX:
        ok = strlen(v) == 40 && strspn(v, "0123456789abcdef") == 40;
        snprintf(expect, len, "40 hex digits");
        break;
    default:
        ok = 0;
    }
    return ok ? 0 : -1;
}

/* ---- loading ---- */

/* Printable form of a user's value for an error message. */
static void shown(char *out, size_t len, const char *v)
{
    size_t o = 0;

    for (; *v && o + 5 < len; v++) {
        unsigned char c = *v;
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
            o += snprintf(out + o, len - o, "\\x%02x", c);
        else
            out[o++] = c;
    }
    out[o] = 0;
}

static void report(struct diag *d, const char *where, const char *name,
                   const struct setting *row, const char *v)
{
    char expect[128], val[160];

    if (settings_check(row, v, expect, sizeof expect) == 0)
        return;
    if (row->kind == K_SECRET) {
        diag_add(d, "%s%s: invalid value (not shown): expected %s", where,
                 name, expect);
        return;
    }
    shown(val, sizeof val, v);
    diag_add(d, "%s%s=\"%s\": expected %s", where, name, val, expect);
}

/* Read a Docker secret file: the whole file, one trailing newline dropped. */
static char *read_secret(const char *path, struct diag *d, const char *name)
{
    FILE *f = fopen(path, "r");
    char buf[1024];
    size_t n;

    if (!f) {
        diag_add(d, "%s_FILE=\"%s\": cannot read: %s", name, path,
                 strerror(errno));
        return NULL;
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    if (memchr(buf, 0, n)) {
        diag_add(d, "%s_FILE=\"%s\": contains a NUL byte: expected printable "
                 "text", name, path);
        return NULL;
    }
    if (n && buf[n - 1] == '\n')
        buf[--n] = 0;
    if (n && buf[n - 1] == '\r')
        buf[--n] = 0;
    return strdup(buf);
}

static struct diag *file_diag;

static void file_error(cfg_t *cfg, const char *fmt, va_list ap)
{
    char msg[DIAG_LEN - 64];

    vsnprintf(msg, sizeof msg, fmt, ap);
    diag_add(file_diag, "REDIS_INIT_CONF=\"%s\": %s", cfg->filename, msg);
}

/* Settings from a libconfuse file: every user row as an optional string. */
static void load_file(struct settings *s, const char *path, struct diag *d)
{
    cfg_opt_t opts[S_COUNT + 1];
    int n = 0, rc;
    cfg_t *cfg;

    for (int i = 0; i < S_COUNT; i++)
        if (!(settings_table[i].flags & S_DERIVED))
            opts[n++] = (cfg_opt_t)CFG_STR(settings_table[i].name, NULL,
                                           CFGF_NODEFAULT);
    opts[n] = (cfg_opt_t)CFG_END();

    cfg = cfg_init(opts, CFGF_NOCASE);
    file_diag = d;
    cfg_set_error_function(cfg, file_error);
    rc = cfg_parse(cfg, path);
    if (rc == CFG_FILE_ERROR)
        diag_add(d, "REDIS_INIT_CONF=\"%s\": cannot read: %s", path,
                 strerror(errno));
    else if (rc == CFG_SUCCESS)
        for (int i = 0; i < S_COUNT; i++) {
            const char *name = settings_table[i].name;
            if (!(settings_table[i].flags & S_DERIVED) && cfg_size(cfg, name))
                settings_set(s, i, cfg_getstr(cfg, name));
        }
    cfg_free(cfg);
}

/* One row from the environment; returns the name the value came under. */
static const char *load_env(struct settings *s, int i, struct diag *d)
{
    const struct setting *row = &settings_table[i];
    char fname[80];
    const char *v, *file;

    if (row->kind == K_SECRET) {
        snprintf(fname, sizeof fname, "%s_FILE", row->name);
        file = getenv(fname);
        v = getenv(row->name);
        if (file && *file && v && *v) {
            diag_add(d, "%s and %s are both set: expected only one", row->name,
                     fname);
            return NULL;
        }
        if (file && *file) {
            char *secret = read_secret(file, d, row->name);
            if (secret)
                settings_set(s, i, secret);
            free(secret);
            return secret ? row->name : NULL;
        }
    }
    if ((v = getenv(row->name)) && *v) {
        settings_set(s, i, v);
        return row->name;
    }
    for (int a = 0; a < 4 && row->aliases[a]; a++)
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

        if (row->flags & S_DERIVED)
            continue;
        from = load_env(s, i, d);
        if (s->val[i] && *s->val[i]) {
            char where[320] = "";
            if (!from)
                snprintf(where, sizeof where, "REDIS_INIT_CONF=\"%s\": ", conf);
            report(d, where, from ? from : row->name, row, s->val[i]);
        } else if (row->def) {
            settings_set(s, i, row->def);
        }
    }
    /* The sentinels' own password defaults to the data password. */
    if (!settings_get(s, S_SENTINEL_PASSWORD))
        settings_set(s, S_SENTINEL_PASSWORD, settings_get(s, S_REDIS_PASSWORD));
    return d->n - before;
}

/* ---- derived ---- */

static int is_ip(const char *h)
{
    return strspn(h, "0123456789.") == strlen(h) || strchr(h, ':');
}

void settings_derive(struct settings *s)
{
    const char *pw = settings_get(s, S_REDIS_PASSWORD);

    settings_set(s, S_PROTECTED_MODE, pw ? "yes" : "no");
    if (s->role == ROLE_SLAVE && !settings_get(s, S_REPLICAOF_HOST)) {
        settings_set(s, S_REPLICAOF_HOST, settings_get(s, S_MASTER_HOST));
        settings_set(s, S_REPLICAOF_PORT, settings_get(s, S_MASTER_PORT));
    }
    if (!settings_get(s, S_MONITOR_HOST)) {
        settings_set(s, S_MONITOR_HOST, settings_get(s, S_MASTER_HOST));
        settings_set(s, S_MONITOR_PORT, settings_get(s, S_MASTER_PORT));
    }
    settings_set(s, S_RESOLVE_HOSTNAMES,
                 is_ip(settings_get(s, S_MONITOR_HOST)) ? "no" : "yes");
}

/* ---- help ---- */

static const char *roles_text(unsigned r)
{
    return r == ROLE_ANY ? "all" : r == ROLE_SERVER ? "master, slave"
         : r == ROLE_SENTINEL ? "sentinel" : "";
}

void settings_usage(FILE *f, int md)
{
    if (md)
        fprintf(f, "| variable | aliases | default | roles | meaning |\n"
                   "|---|---|---|---|---|\n");
    for (int i = 0; i < S_COUNT; i++) {
        const struct setting *row = &settings_table[i];
        char al[160] = "";

        if (row->flags & S_DERIVED)
            continue;
        for (int a = 0; a < 4 && row->aliases[a]; a++)
            snprintf(al + strlen(al), sizeof al - strlen(al), "%s%s",
                     a ? ", " : "", row->aliases[a]);
        if (row->kind == K_SECRET)
            snprintf(al + strlen(al), sizeof al - strlen(al), "%s%s_FILE",
                     *al ? ", " : "", row->name);
        if (md)
            fprintf(f, "| `%s` | %s | %s | %s | %s |\n", row->name, al,
                    row->def ? row->def : "none", roles_text(row->roles),
                    row->help);
        else
            fprintf(f, "  %-24s %-10s %s%s%s\n", row->name,
                    row->def ? row->def : "-", row->help,
                    *al ? "; also " : "", al);
    }
}
