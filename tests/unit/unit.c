/* Unit tests of the pure parts: settings, validation, quoting, rendering.
 * Run from the repository root (templates/ and tests/golden/ are read). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>

#include "catchup.h"
#include "cnodes.h"
#include "handover.h"
#include "health.h"
#include "hold.h"
#include "io.h"
#include "peer.h"
#include "known.h"
#include "render.h"
#include "rescue.h"
#include "sentinels.h"
#include "settings.h"

static const char *const touched[] = {
    "REDIS_ROLE", "REDIS_REPLICATION_MODE", "REDIS_PORT", "redis_port",
    "REDIS_PORT_NUMBER", "SENTINEL_PORT", "sentinel_port", "MASTER_HOST",
    "REDIS_MASTER_HOST", "MASTER_PORT", "master_port", "REDIS_MASTER_PORT_NUMBER",
    "MASTER_NAME", "REDIS_MASTER_SET", "SENTINEL_QUORUM", "REDIS_SENTINEL_QUORUM",
    "SENTINEL_DOWN_AFTER", "REDIS_SENTINEL_DOWN_AFTER_MILLISECONDS",
    "SENTINEL_FAILOVER", "REDIS_SENTINEL_FAILOVER_TIMEOUT", "REDIS_PASSWORD",
    "REDIS_PASSWORD_FILE", "SENTINEL_PASSWORD", "SENTINEL_PASSWORD_FILE",
    "ANNOUNCE_IP", "ANNOUNCE_PORT", "REDIS_DATA_DIR", "REDIS_APPENDONLY",
    "REDIS_USER", "STOP_TIMEOUT", "TEMPLATE_DIR", "REDIS_INIT_CONF",
    "SENTINEL_HOSTS", "MIN_REPLICAS_TO_WRITE", "START_WAIT", NULL};

static int clean_env(void **state)
{
    char name[80];

    (void)state;
    for (int i = 0; touched[i]; i++)
        unsetenv(touched[i]);
    for (int i = 0; i < S_COUNT; i++) {
        unsetenv(settings_table[i].name);
        snprintf(name, sizeof name, "%s_FILE", settings_table[i].name);
        unsetenv(name);
        for (int a = 0; a < SETTING_ALIASES && settings_table[i].aliases[a]; a++)
            unsetenv(settings_table[i].aliases[a]);
    }
    char dir[512];
    if (getcwd(dir, sizeof dir - 16))
        setenv("TEMPLATE_DIR", strcat(dir, "/templates"), 1);
    return 0;
}

static struct settings load(struct diag *d)
{
    struct settings s = {0};
    settings_load(&s, d);
    return s;
}

static int has_msg(const struct diag *d, const char *needle)
{
    for (int i = 0; i < d->n && i < DIAG_MAX; i++)
        if (strstr(d->msg[i], needle))
            return 1;
    return 0;
}

static void test_defaults(void **state)
{
    struct diag d = {0};
    struct settings s = load(&d);

    (void)state;
    assert_int_equal(d.n, 0);
    assert_string_equal(settings_get(&s, S_REDIS_PORT), "6379");
    assert_string_equal(settings_get(&s, S_SENTINEL_PORT), "26379");
    assert_string_equal(settings_get(&s, S_MASTER_HOST), "redis-master");
    assert_string_equal(settings_get(&s, S_MASTER_NAME), "mymaster");
    assert_string_equal(settings_get(&s, S_STOP_TIMEOUT), "8");
    assert_null(settings_get(&s, S_REDIS_PASSWORD));
    settings_free(&s);
}

static void test_aliases(void **state)
{
    struct diag d = {0};
    struct settings s;

    (void)state;
    setenv("redis_port", "16380", 1);
    setenv("master_port", "16379", 1);
    setenv("sentinel_port", "16381", 1);
    setenv("REDIS_MASTER_HOST", "m.example", 1);
    setenv("REDIS_SENTINEL_QUORUM", "3", 1);
    setenv("REDIS_MASTER_SET", "cache", 1);
    s = load(&d);
    assert_int_equal(d.n, 0);
    assert_string_equal(settings_get(&s, S_REDIS_PORT), "16380");
    assert_string_equal(settings_get(&s, S_MASTER_PORT), "16379");
    assert_string_equal(settings_get(&s, S_SENTINEL_PORT), "16381");
    assert_string_equal(settings_get(&s, S_MASTER_HOST), "m.example");
    assert_string_equal(settings_get(&s, S_SENTINEL_QUORUM), "3");
    assert_string_equal(settings_get(&s, S_MASTER_NAME), "cache");
    settings_free(&s);
    /* The canonical name wins over an alias. */
    setenv("REDIS_PORT", "7000", 1);
    diag_free(&d);
    s = load(&d);
    assert_string_equal(settings_get(&s, S_REDIS_PORT), "7000");
    settings_free(&s);
}

static void test_all_errors_reported(void **state)
{
    struct diag d = {0};
    struct settings s;

    (void)state;
    setenv("REDIS_PORT", "63x9", 1);
    setenv("MASTER_PORT", "70000", 1);
    setenv("SENTINEL_QUORUM", "0", 1);
    setenv("REDIS_APPENDONLY", "maybe", 1);
    setenv("MASTER_HOST", "bad host", 1);
    setenv("REDIS_USER", "9:x", 1);
    s = load(&d);
    assert_int_equal(d.n, 6);
    assert_true(has_msg(&d, "REDIS_PORT=\"63x9\": expected an integer 1..65535"));
    assert_true(has_msg(&d, "MASTER_PORT=\"70000\": expected an integer 1..65535"));
    assert_true(has_msg(&d, "SENTINEL_QUORUM=\"0\": expected an integer 1..1000"));
    assert_true(has_msg(&d, "REDIS_APPENDONLY=\"maybe\": expected one of yes|no"));
    assert_true(has_msg(&d, "MASTER_HOST=\"bad host\": expected a host name"));
    assert_true(has_msg(&d, "REDIS_USER=\"9:x\""));
    settings_free(&s);
    diag_free(&d);
}

static void test_alias_named_in_error(void **state)
{
    struct diag d = {0};
    struct settings s;

    (void)state;
    setenv("redis_port", "-1", 1);
    s = load(&d);
    assert_int_equal(d.n, 1);
    assert_true(has_msg(&d, "redis_port=\"-1\""));
    settings_free(&s);
    diag_free(&d);
}

static void test_line_breaks_refused(void **state)
{
    struct diag d = {0};
    struct settings s;

    (void)state;
    setenv("MASTER_NAME", "a\nsentinel monitor x", 1);
    setenv("REDIS_PASSWORD", "secret\r\nslaveof evil 1", 1);
    s = load(&d);
    assert_int_equal(d.n, 2);
    assert_true(has_msg(&d, "MASTER_NAME=\"a\\x0asentinel monitor x\""));
    assert_true(has_msg(&d, "REDIS_PASSWORD: invalid value (not shown)"));
    for (int i = 0; i < d.n; i++)
        assert_null(strstr(d.msg[i], "secret"));
    settings_free(&s);
    diag_free(&d);
}

static void test_secret_file(void **state)
{
    char path[] = "/tmp/redis-init-unit-XXXXXX";
    struct diag d = {0};
    struct settings s;
    int fd = mkstemp(path);

    (void)state;
    assert_true(write(fd, "p@ss word\n", 10) == 10);
    close(fd);
    setenv("REDIS_PASSWORD_FILE", path, 1);
    s = load(&d);
    assert_int_equal(d.n, 0);
    assert_string_equal(settings_get(&s, S_REDIS_PASSWORD), "p@ss word");
    settings_free(&s);

    setenv("REDIS_PASSWORD", "other", 1);
    diag_free(&d);
    s = load(&d);
    assert_int_equal(d.n, 1);
    assert_true(has_msg(&d, "REDIS_PASSWORD and REDIS_PASSWORD_FILE are both set"));
    settings_free(&s);
    unsetenv("REDIS_PASSWORD");

    setenv("REDIS_PASSWORD_FILE", "/nonexistent/pw", 1);
    diag_free(&d);
    s = load(&d);
    assert_true(has_msg(&d, "REDIS_PASSWORD_FILE=\"/nonexistent/pw\": cannot read"));
    settings_free(&s);
    diag_free(&d);
    unlink(path);
}

static void test_conf_file(void **state)
{
    char path[] = "/tmp/redis-init-unit-XXXXXX";
    struct diag d = {0};
    struct settings s;
    int fd = mkstemp(path);
    const char *text = "redis_port = 7001\nMASTER_HOST = \"10.1.2.3\"\n"
                       "sentinel_quorum = 3\n";

    (void)state;
    assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    setenv("REDIS_INIT_CONF", path, 1);
    setenv("SENTINEL_QUORUM", "5", 1);  /* the environment wins */
    s = load(&d);
    assert_int_equal(d.n, 0);
    assert_string_equal(settings_get(&s, S_REDIS_PORT), "7001");
    assert_string_equal(settings_get(&s, S_MASTER_HOST), "10.1.2.3");
    assert_string_equal(settings_get(&s, S_SENTINEL_QUORUM), "5");
    settings_free(&s);

    /* Bad values and unknown options in the file are reported too. */
    fd = open(path, O_WRONLY | O_TRUNC);
    text = "redis_port = 99999\n";
    assert_true(write(fd, text, strlen(text)) > 0);
    close(fd);
    diag_free(&d);
    s = load(&d);
    assert_int_equal(d.n, 1);
    assert_true(has_msg(&d, "REDIS_INIT_CONF="));
    assert_true(has_msg(&d, "REDIS_PORT=\"99999\""));
    settings_free(&s);

    fd = open(path, O_WRONLY | O_TRUNC);
    text = "no_such_thing = 1\n";
    assert_true(write(fd, text, strlen(text)) > 0);
    close(fd);
    diag_free(&d);
    s = load(&d);
    assert_true(d.n >= 1);
    assert_true(has_msg(&d, "no_such_thing"));
    settings_free(&s);
    diag_free(&d);
    unlink(path);
}

static void test_check_kinds(void **state)
{
    const char *e;
    const struct setting *host = &settings_table[S_MASTER_HOST];
    const struct setting *hosts = &settings_table[S_SENTINEL_HOSTS];
    const struct setting *user = &settings_table[S_REDIS_USER];

    (void)state;
    assert_int_equal(settings_check(host, "10.0.0.1", &e), 0);
    assert_int_equal(settings_check(host, "redis-master", &e), 0);
    assert_int_equal(settings_check(host, "fe80::1", &e), 0);
    assert_int_equal(settings_check(host, "a;b", &e), -1);
    assert_int_equal(settings_check(hosts, "sentinel", &e), 0);
    assert_int_equal(settings_check(hosts, "s1:26379,s2,[::1]:5", &e), 0);
    assert_int_equal(settings_check(hosts, "s1:0", &e), -1);
    assert_int_equal(settings_check(hosts, "s1,,s2", &e), -1);
    assert_int_equal(settings_check(hosts, "s1,", &e), -1);
    assert_int_equal(settings_check(hosts, "n1 n2:7000  n3, n4", &e), 0);
    assert_int_equal(settings_role("cluster"), ROLE_CLUSTER);
    assert_int_equal(settings_check(user, "redis", &e), 0);
    assert_int_equal(settings_check(user, "999:999", &e), 0);
    assert_int_equal(settings_check(user, "999", &e), -1);
    assert_int_equal(settings_role("replica"), ROLE_SLAVE);
    assert_int_equal(settings_role("slave"), ROLE_SLAVE);
    assert_int_equal(settings_role("master"), ROLE_MASTER);
    assert_int_equal(settings_role("sentinel"), ROLE_SENTINEL);
    assert_int_equal(settings_role("primary"), ROLE_NONE);
}

static void test_quote(void **state)
{
    char out[128];

    (void)state;
    render_quote(out, sizeof out, "plain");
    assert_string_equal(out, "\"plain\"");
    render_quote(out, sizeof out, "a\"b\\c 'd' $%&#");
    assert_string_equal(out, "\"a\\\"b\\\\c 'd' $%&#\"");
    render_quote(out, sizeof out, "tab\there\x7f");
    assert_string_equal(out, "\"tab\\x09here\\x7f\"");
    assert_int_equal(render_quote(out, 4, "abcdef"), 8);
    assert_string_equal(out, "\"ab");
}

static void test_render_lines(void **state)
{
    struct settings s = {0};
    struct diag d = {0};
    char *out;

    (void)state;
    settings_set(&s, S_REDIS_PORT, "7000");
    settings_set(&s, S_REDIS_PASSWORD, "x\"y");
    out = render_text("port {{REDIS_PORT}}\nmasterauth {{REDIS_PASSWORD}}\n"
                      "replicaof {{REPLICAOF_HOST}} {{REPLICAOF_PORT}}\n"
                      "# {{comment}} stays\n", "t", &s, 0, &d);
    assert_non_null(out);
    assert_string_equal(out, "port 7000\nmasterauth \"x\\\"y\"\n# {{comment}} stays\n");
    free(out);
    out = render_text("requirepass {{REDIS_PASSWORD}}\n", "t", &s, 1, &d);
    assert_string_equal(out, "requirepass \"" RENDER_MASK "\"\n");
    free(out);
    out = render_text("x {{NOPE}}\ny {{ALSO_NOPE}}\n", "t.conf", &s, 0, &d);
    assert_null(out);
    assert_int_equal(d.n, 2);
    assert_true(has_msg(&d, "t.conf:1: unknown placeholder {{NOPE}}"));
    settings_free(&s);
    diag_free(&d);
}


/* ---- every setting, every source, at its limit and one past it ---- */

static char *repeat(char c, size_t n)
{
    char *v = malloc(n + 1);
    memset(v, c, n);
    v[n] = 0;
    return v;
}

/* A host name of exactly n characters: labels of at most 63. */
static char *hostname(size_t n)
{
    char *v = repeat('a', n);
    for (size_t i = 63; i < n; i += 64)
        v[i] = '.';
    if (n && v[n - 1] == '.')
        v[n - 1] = 'b';
    return v;
}

/* n comma-separated addresses. */
static char *host_list(int n)
{
    char *v = malloc(n * 8 + 1), *o = v;
    for (int i = 0; i < n; i++)
        o += sprintf(o, "%sh%d:1", i ? "," : "", i);
    return v;
}

/* The values at the edge of a row's range: good[i] must load whole,
 * bad[i] must be refused with the row's expectation. */
static int edges(const struct setting *row, char **good, char **bad)
{
    char num[32];
    int n = 0;

    switch (row->kind) {
    case K_PORT:
    case K_UINT:
        snprintf(num, sizeof num, "%ld", settings_max(row));
        good[n] = strdup(num);
        snprintf(num, sizeof num, "%lu", (unsigned long)settings_max(row) + 1);
        bad[n++] = strdup(num);
        if (row->min > 0) {
            snprintf(num, sizeof num, "%d", row->min);
            good[n] = strdup(num);
            snprintf(num, sizeof num, "%d", row->min - 1);
            bad[n++] = strdup(num);
        }
        break;
    case K_WORD:
        good[n] = strndup(row->words, strcspn(row->words, "|"));
        bad[n++] = strdup("nonesuch");
        break;
    case K_HOST:
        good[n] = hostname(253);
        bad[n++] = hostname(254);
        break;
    case K_NAME:
        good[n] = repeat('n', SETTING_NAME_MAX);
        bad[n++] = repeat('n', SETTING_NAME_MAX + 1);
        break;
    case K_PATH:
        good[n] = repeat('p', SETTING_PATH_MAX);
        good[n][0] = '/';
        bad[n] = repeat('p', SETTING_PATH_MAX + 1);
        bad[n++][0] = '/';
        break;
    case K_USER:
        good[n] = repeat('u', 32);
        bad[n++] = repeat('u', 33);
        break;
    case K_HOSTS:
        good[n] = host_list(PEER_MAX);
        bad[n++] = host_list(PEER_MAX + 1);
        good[n] = hostname(253);
        bad[n++] = hostname(254);
        break;
    case K_RENAMES:
        good[n] = repeat('r', 64 + 7);
        memcpy(good[n], "CONFIG:", 7);
        bad[n] = repeat('r', 64 + 8);
        memcpy(bad[n++], "CONFIG:", 7);
        good[n] = strdup("FLUSHALL,KEYS,SLAVEOF:s1");
        bad[n++] = strdup("FLUSHALL,CONFIG");
        break;
    case K_SECRET:
        good[n] = repeat('s', SETTING_SECRET_MAX);
        bad[n++] = repeat('s', SETTING_SECRET_MAX + 1);
        break;
    default:
        break;
    }
    return n;
}

enum source { SRC_ENV, SRC_ALIAS, SRC_FILE, SRC_SECRET_FILE, SRC_COUNT };
static const char *const source_name[] = {"environment", "alias", "file", "_FILE"};

/* Put v in the source; returns the name an error must show, or NULL when
 * the source does not apply to the row. */
static const char *put(enum source src, const struct setting *row,
                       const char *v, const char *dir)
{
    static char path[256], fname[80];
    FILE *f;

    switch (src) {
    case SRC_ENV:
        setenv(row->name, v, 1);
        return row->name;
    case SRC_ALIAS:
        if (!row->aliases[0])
            return NULL;
        setenv(row->aliases[0], v, 1);
        return row->aliases[0];
    case SRC_FILE:
        if (strlen(v) + strlen(row->name) + 8 > CONF_LINE_MAX)
            return NULL;            /* longer than a settings file line */
        snprintf(path, sizeof path, "%s/conf", dir);
        f = fopen(path, "w");
        fprintf(f, "%s = \"%s\"\n", row->name, v);
        fclose(f);
        setenv("REDIS_INIT_CONF", path, 1);
        return row->name;
    case SRC_SECRET_FILE:
        if (row->kind != K_SECRET)
            return NULL;
        snprintf(path, sizeof path, "%s/secret", dir);
        f = fopen(path, "w");
        fprintf(f, "%s\n", v);
        fclose(f);
        snprintf(fname, sizeof fname, "%s_FILE", row->name);
        setenv(fname, path, 1);
        return fname;
    default:
        return NULL;
    }
}

static void test_limits(void **state)
{
    char dir[] = "/tmp/redis-init-unit-XXXXXX";
    int checked = 0;

    assert_non_null(mkdtemp(dir));
    for (int i = 0; i < S_COUNT; i++) {
        const struct setting *row = &settings_table[i];
        char *good[4], *bad[4];
        const char *expect;
        int n;

        if (row->flags & S_DERIVED)
            continue;
        n = edges(row, good, bad);
        assert_true(n > 0);
        for (int e = 0; e < n; e++)
            for (int src = 0; src < SRC_COUNT; src++) {
                struct diag d = {0};
                struct settings s;
                const char *from;

                clean_env(state);
                unsetenv("TEMPLATE_DIR");   /* each row from its source only */
                if (!(from = put(src, row, good[e], dir)))
                    continue;
                s = load(&d);
                if (d.n)
                    print_error("%s from %s: %s\n", row->name,
                                source_name[src], d.msg[0]);
                assert_int_equal(d.n, 0);
                /* Kept whole: not one character cut. */
                assert_string_equal(settings_get(&s, i), good[e]);
                settings_free(&s);

                clean_env(state);
                unsetenv("TEMPLATE_DIR");
                put(src, row, bad[e], dir);
                s = load(&d);
                if (d.n != 1)
                    print_error("%s from %s (%zu chars): %d errors\n", row->name,
                                source_name[src], strlen(bad[e]), d.n);
                assert_int_equal(d.n, 1);
                if (!strstr(d.msg[0], from))
                    print_error("%s from %s: \"%s\" does not name %s\n",
                                row->name, source_name[src], d.msg[0], from);
                assert_int_equal(settings_check(row, bad[e], &expect), -1);
                assert_non_null(strstr(d.msg[0], from));
                assert_non_null(strstr(d.msg[0], expect));
                if (row->flags & S_HIDE)
                    assert_null(strstr(d.msg[0], bad[e]));   /* never shown */
                else if (strlen(bad[e]) < 400)
                    assert_non_null(strstr(d.msg[0], bad[e]));
                diag_free(&d);
                settings_free(&s);
                checked += 2;
            }
        for (int e = 0; e < n; e++) {
            free(good[e]);
            free(bad[e]);
        }
    }
    clean_env(state);
    print_message("%d values checked at their limits\n", checked);
    assert_true(checked > 100);
    char path[300];
    snprintf(path, sizeof path, "%s/conf", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/secret", dir);
    unlink(path);
    rmdir(dir);
}

/* The files themselves: a settings file line, a settings file, a secret
 * file, each at its limit and one past. */
static void write_file(const char *path, char fill, size_t n, const char *head)
{
    FILE *f = fopen(path, "w");
    size_t h = strlen(head);

    fputs(head, f);
    for (size_t i = h; i < n; i++)
        fputc(i == n - 1 ? '\n' : fill, f);
    fclose(f);
}

static void test_file_limits(void **state)
{
    char path[] = "/tmp/redis-init-unit-XXXXXX";
    struct diag d = {0};
    struct settings s;
    int fd = mkstemp(path);

    (void)state;
    close(fd);
    setenv("REDIS_INIT_CONF", path, 1);
    /* A comment line of exactly CONF_LINE_MAX bytes, then one more. */
    write_file(path, 'c', CONF_LINE_MAX + 1, "#");
    s = load(&d);
    assert_int_equal(d.n, 0);
    settings_free(&s);
    write_file(path, 'c', CONF_LINE_MAX + 2, "#");
    s = load(&d);
    assert_int_equal(d.n, 1);
    assert_true(has_msg(&d, "line 1 is longer than 4096 bytes"));
    diag_free(&d);
    settings_free(&s);
    /* The whole file: CONF_FILE_MAX bytes of comment lines, then one more. */
    FILE *f = fopen(path, "w");
    for (int i = 0; i < CONF_FILE_MAX / 64; i++)
        fprintf(f, "#%062d\n", i);
    fclose(f);
    s = load(&d);
    assert_int_equal(d.n, 0);
    settings_free(&s);
    f = fopen(path, "a");
    fputc('\n', f);
    fclose(f);
    s = load(&d);
    assert_int_equal(d.n, 1);
    assert_true(has_msg(&d, "larger than 65536 bytes"));
    diag_free(&d);
    settings_free(&s);
    unsetenv("REDIS_INIT_CONF");
    /* A secret file: SECRET_FILE_MAX bytes is read (and then too long a
     * secret), one more is refused as a file. */
    setenv("REDIS_PASSWORD_FILE", path, 1);
    write_file(path, 's', SECRET_FILE_MAX, "");
    s = load(&d);
    assert_int_equal(d.n, 1);
    assert_true(has_msg(&d, "REDIS_PASSWORD_FILE: invalid value (not shown)"));
    diag_free(&d);
    settings_free(&s);
    write_file(path, 's', SECRET_FILE_MAX + 1, "");
    s = load(&d);
    assert_int_equal(d.n, 1);
    assert_true(has_msg(&d, "larger than 4096 bytes"));
    diag_free(&d);
    settings_free(&s);
    unlink(path);
}

/* RENAME_COMMANDS: a line per command for Redis, one per renamed command
 * for the sentinels. */
static void test_renames(void **state)
{
    struct settings s = {0};
    struct diag d = {0};
    const char *tmpl = "rename-command {{RENAMED_COMMANDS}}\n"
                       "sentinel rename-command {{MASTER_NAME}} {{SENTINEL_RENAMES}}\n";
    char *out;

    (void)state;
    setenv("RENAME_COMMANDS", "FLUSHALL,CONFIG:cfg-1,keys,SLAVEOF:s_2", 1);
    assert_int_equal(settings_load(&s, &d), 0);
    s.role = ROLE_MASTER;
    settings_derive(&s);
    out = render_text(tmpl, "t", &s, 0, &d);
    assert_non_null(out);
    assert_string_equal(out,
        "rename-command FLUSHALL \"\"\nrename-command CONFIG cfg-1\n"
        "rename-command keys \"\"\nrename-command SLAVEOF s_2\n"
        "sentinel rename-command \"mymaster\" CONFIG cfg-1\n"
        "sentinel rename-command \"mymaster\" SLAVEOF s_2\n");
    free(out);
    out = render_text(tmpl, "t", &s, 1, &d);     /* render masks them */
    assert_non_null(out);
    assert_null(strstr(out, "cfg-1"));
    free(out);
    settings_free(&s);
}

static void golden(const char *role, const char *file)
{
    struct settings s = {0};
    struct diag d = {0};
    char path[256], *out, *want;

    setenv("REDIS_PASSWORD", "p\"w\\ '$%&# x", 1);
    setenv("MASTER_HOST", "redis-master", 1);
    setenv("ANNOUNCE_IP", "192.0.2.7", 1);
    setenv("ANNOUNCE_PORT", "16380", 1);
    setenv("REDIS_DATA_DIR", "/data", 1);
    assert_int_equal(settings_load(&s, &d), 0);
    s.role = settings_role(role);
    settings_derive(&s);
    snprintf(path, sizeof path, "templates/%s", file);
    out = render_file(path, &s, 0, &d);
    assert_non_null(out);
    snprintf(path, sizeof path, "tests/golden/%s.conf", role);
    if (getenv("UPDATE_GOLDEN")) {     /* a rewrite, not a test: skipped */
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(out, f);
        assert_int_equal(fclose(f), 0);
        free(out);
        settings_free(&s);
        skip();
    }
    struct io_text t;
    const char *why;
    assert_int_equal(io_read(path, 65536, &t, &why), 0);
    want = t.data;
    assert_string_equal(out, want);
    free(out);
    free(want);
    settings_free(&s);
}

static void test_golden_master(void **state) { (void)state; golden("master", "redis.conf"); }
static void test_golden_slave(void **state) { (void)state; golden("slave", "redis.conf"); }
static void test_golden_sentinel(void **state) { (void)state; golden("sentinel", "sentinel.conf"); }
static void test_golden_cluster(void **state) { (void)state; golden("cluster", "cluster.conf"); }

/* The bus port: REDIS_PORT + 10000, or ANNOUNCE_BUS_PORT; a hostname is
 * the preferred endpoint when announced. */
static void test_cluster_derived(void **state)
{
    struct settings s = {0};
    struct diag d = {0};

    (void)state;
    setenv("REDIS_PORT", "7000", 1);
    setenv("REDIS_CLUSTER_ANNOUNCE_HOSTNAME", "node-0.nodes", 1);
    setenv("REDIS_NODES", "node-0 node-1 node-2", 1);
    assert_int_equal(settings_load(&s, &d), 0);
    s.role = ROLE_CLUSTER;
    settings_derive(&s);
    assert_string_equal(settings_get(&s, S_CLUSTER_BUS_PORT), "17000");
    assert_string_equal(settings_get(&s, S_CLUSTER_ENDPOINT_TYPE), "hostname");
    assert_string_equal(settings_get(&s, S_ANNOUNCE_HOSTNAME), "node-0.nodes");
    assert_string_equal(settings_get(&s, S_CLUSTER_HOSTS), "node-0 node-1 node-2");
    settings_free(&s);
    setenv("REDIS_CLUSTER_ANNOUNCE_BUS_PORT", "30000", 1);
    assert_int_equal(settings_load(&s, &d), 0);
    settings_derive(&s);
    assert_string_equal(settings_get(&s, S_CLUSTER_BUS_PORT), "30000");
    settings_free(&s);
    setenv("CLUSTER_REPLICAS", "17", 1);
    assert_int_equal(settings_load(&s, &d), 1);
    diag_free(&d);
    settings_free(&s);
}

static void test_keep_identity(void **state)
{
    char path[] = "/tmp/redis-init-unit-XXXXXX";
    const char *old =
        "port 26379\nsentinel myid 0123456789abcdef0123456789abcdef01234567\n"
        "sentinel monitor mymaster 10.0.0.9 6379 2\n"
        "sentinel config-epoch mymaster 5\nsentinel config-epoch other 8\n"
        "sentinel leader-epoch mymaster 7\nsentinel leader-epoch other 9\n"
        "sentinel known-sentinel mymaster 10.0.0.5 26379 aaaa\n"
        "sentinel current-epoch 7\n";
    struct settings s = {0};
    struct diag d = {0};
    int fd = mkstemp(path);

    (void)state;
    assert_true(write(fd, old, strlen(old)) == (ssize_t)strlen(old));
    close(fd);
    settings_set(&s, S_MASTER_NAME, "mymaster");
    known_sentinel(&s, path, &d);
    assert_string_equal(settings_get(&s, S_SENTINEL_MYID),
                        "0123456789abcdef0123456789abcdef01234567");
    assert_string_equal(settings_get(&s, S_SENTINEL_CURRENT_EPOCH), "7");
    assert_string_equal(settings_get(&s, S_SENTINEL_LEADER_EPOCH), "7");
    assert_string_equal(settings_get(&s, S_SENTINEL_CONFIG_EPOCH), "5");
    assert_string_equal(settings_get(&s, S_KNOWN_MASTER_HOST), "10.0.0.9");
    assert_string_equal(settings_get(&s, S_KNOWN_MASTER_PORT), "6379");
    unlink(path);
    settings_free(&s);
    /* No old file: nothing kept, nothing invented. */
    settings_set(&s, S_MASTER_NAME, "mymaster");
    known_sentinel(&s, "/nonexistent/sentinel.conf", &d);
    assert_int_equal(d.n, 0);
    assert_null(settings_get(&s, S_SENTINEL_MYID));
    settings_free(&s);
}

static void test_derive(void **state)
{
    struct settings s = {0};
    struct diag d = {0};

    (void)state;
    settings_load(&s, &d);
    s.role = ROLE_SLAVE;
    settings_derive(&s);
    assert_string_equal(settings_get(&s, S_PROTECTED_MODE), "no");
    assert_string_equal(settings_get(&s, S_REPLICAOF_HOST), "redis-master");
    assert_string_equal(settings_get(&s, S_RESOLVE_HOSTNAMES), "yes");
    settings_free(&s);
    setenv("MASTER_HOST", "10.0.0.1", 1);
    setenv("REDIS_PASSWORD", "pw", 1);
    settings_load(&s, &d);
    s.role = ROLE_MASTER;
    settings_derive(&s);
    assert_null(settings_get(&s, S_REPLICAOF_HOST));
    assert_string_equal(settings_get(&s, S_PROTECTED_MODE), "yes");
    assert_string_equal(settings_get(&s, S_SENTINEL_PASSWORD), "pw");
    assert_string_equal(settings_get(&s, S_RESOLVE_HOSTNAMES), "no");
    settings_free(&s);
}


/* Regression (UBSan): without a password peer_ask copied 0 bytes from a
 * NULL AUTH command (memcpy(buf, NULL, 0) is undefined; the ASan+UBSan
 * build of the discovery helper died of it). A peer that listens and never
 * answers: the call fails at the deadline, and the request was sent. */
static void test_peer_no_password(void **state)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    int l = socket(AF_INET, SOCK_STREAM, 0), a;
    struct peer_call c = {0};
    char got[64] = {0};

    (void)state;
    assert_true(l >= 0);
    assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(l, 1), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &sl), 0);
    strcpy(c.addr.host, "127.0.0.1");
    c.addr.port = ntohs(sa.sin_port);
    assert_int_equal(peer_cmd(&c, "PING"), 0);
    assert_int_equal(peer_ask(&c, 1, clock_now() + 300), 0);
    assert_non_null(c.err);
    assert_non_null(strstr(c.err, "deadline"));
    a = accept(l, NULL, NULL);
    assert_true(a >= 0);
    assert_true(read(a, got, sizeof got - 1) > 0);
    assert_string_equal(got, "*1\r\n$4\r\nPING\r\n");
    peer_reset(&c);
    close(a);
    close(l);
}

/* hold_wait over real loopback TCP: a sentinel that closes its held
 * connection (it restarts) was there to close it, so the fence counts a
 * majority heard at that moment; the connection is dropped. Regression:
 * it was dropped first, the majority not counted, and a master whose
 * other sentinel was down fenced at once. */
static void test_hold_closed_is_heard(void **state)
{
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    int l = socket(AF_INET, SOCK_STREAM, 0), peer[2];
    struct hold h;
    msec heard, before;

    (void)state;
    assert_true(l >= 0);
    assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(l, 2), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&sa, &sl), 0);
    hold_init(&h, 2000);
    for (int i = 0; i < 2; i++) {
        h.fd[i] = socket(AF_INET, SOCK_STREAM, 0);
        assert_int_equal(connect(h.fd[i], (struct sockaddr *)&sa, sizeof sa), 0);
        peer[i] = accept(l, NULL, NULL);
        assert_true(peer[i] >= 0);
        snprintf(h.addr[i].host, sizeof h.addr[i].host, "127.0.0.%d", i + 1);
        h.addr[i].port = 26379;
        h.good[i] = 1;
    }
    h.n = 2;
    /* Nothing happens: both were heard from lately (the handshake). */
    before = clock_now();
    assert_int_equal(hold_wait(&h, clock_now() + 50, 2, &heard), HOLD_QUIET);
    assert_true(heard > before - 1000);
    assert_int_equal(h.n, 2);
    /* An event on one: read and discarded, still held. */
    assert_int_equal(write(peer[1], "x", 1), 1);
    assert_int_equal(hold_wait(&h, clock_now() + 1000, 2, &heard), HOLD_EVENT);
    assert_int_equal(h.n, 2);
    /* One closes: an event, heard at the close, dropped. */
    close(peer[0]);
    before = clock_now();
    assert_int_equal(hold_wait(&h, clock_now() + 1000, 2, &heard), HOLD_EVENT);
    assert_true(heard >= before - 1000);
    assert_int_equal(h.n, 1);
    assert_string_equal(h.addr[0].host, "127.0.0.2");
    /* Fewer good ones than k: no majority heard. */
    assert_int_equal(hold_wait(&h, clock_now() + 20, 2, &heard), HOLD_QUIET);
    assert_int_equal(heard, 0);
    hold_drop(&h);
    assert_int_equal(h.n, 0);
    close(peer[1]);
    close(l);
}

/* conf_text PATH TEXT: write a settings file. */
static void conf_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    assert_true(fd >= 0);
    assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
}

/* Regression: libconfuse reads "\x00" (or "\0") in a quoted value as a NUL
 * byte and keeps what precedes it, so REDIS_PASSWORD = "ab\x00cd" gave the
 * password "ab". Such a value is refused by name, never shown. */
static void test_conf_nul_escape(void **state)
{
    static const char *const bad[] = {
        "REDIS_PASSWORD = \"p@ss\\x00cd\"\n", "redis_password = \"\\x0\"\n",
        "REDIS_PASSWORD = \"p@ss\\0cd\"\n", "REDIS_PASSWORD = \"p@ss\\000\"\n",
        "REDIS_PASSWORD = \"p@ss\\x001\"\n",
        "# \"\\x00\" in a comment is fine\nmaster_host = \"h\"\n"
        "REDIS_PASSWORD = \"line\\\ncont\\x00inued\"\n", NULL};
    static const char *const good[] = {
        "REDIS_PASSWORD = \"ab\\x41cd\"\n", "REDIS_PASSWORD = \"a\\\\x00b\"\n",
        "REDIS_PASSWORD = 'a\\x00b'\n", "# \"\\x00\"\nREDIS_PASSWORD = \"abc\"\n",
        "/* \"\\0\" */ REDIS_PASSWORD = \"ab\\101\"\n", NULL};
    char path[] = "/tmp/redis-init-unit-XXXXXX";
    int fd = mkstemp(path);

    (void)state;
    close(fd);
    setenv("REDIS_INIT_CONF", path, 1);
    for (int i = 0; bad[i]; i++) {
        struct diag d = {0};
        conf_text(path, bad[i]);
        struct settings s = load(&d);
        assert_int_equal(d.n, 1);
        assert_true(has_msg(&d, "the value holds a NUL byte"));
        assert_true(has_msg(&d, ": REDIS_PASSWORD: "));
        /* The message names the file, whose mkstemp name is random: the
         * secret holds a '@', which such a name never does. */
        assert_false(has_msg(&d, "p@ss"));
        assert_null(settings_get(&s, S_REDIS_PASSWORD));
        diag_free(&d);
        settings_free(&s);
    }
    {
        struct diag d = {0};
        conf_text(path, bad[5]);
        struct settings s = load(&d);
        assert_true(has_msg(&d, "line 4: REDIS_PASSWORD:"));
        diag_free(&d);
        settings_free(&s);
    }
    for (int i = 0; good[i]; i++) {
        struct diag d = {0};
        conf_text(path, good[i]);
        struct settings s = load(&d);
        assert_int_equal(d.n, 0);
        assert_non_null(settings_get(&s, S_REDIS_PASSWORD));
        assert_true(strlen(settings_get(&s, S_REDIS_PASSWORD)) >= 3);
        settings_free(&s);
    }
    unlink(path);
    unsetenv("REDIS_INIT_CONF");
}

/* Regression: libconfuse replaces ${VAR} (quoted or not) by the
 * environment's VAR, so MASTER_HOST = "${REDIS_PASSWORD}" put the password
 * into a message ("MASTER_HOST="my secret": expected a host name"). */
static void test_conf_env_subst(void **state)
{
    static const char *const bad[] = {
        "master_host = \"${REDIS_PASSWORD}\"\n", "master_host = ${REDIS_PASSWORD}\n",
        "# ok\nmaster_host = \"x${REDIS_PASSWORD:-y}\"\n", NULL};
    char path[] = "/tmp/redis-init-unit-XXXXXX";
    int fd = mkstemp(path);

    (void)state;
    close(fd);
    setenv("REDIS_INIT_CONF", path, 1);
    setenv("REDIS_PASSWORD", "my secret", 1);
    for (int i = 0; bad[i]; i++) {
        struct diag d = {0};
        conf_text(path, bad[i]);
        struct settings s = load(&d);
        assert_int_equal(d.n, 1);
        assert_true(has_msg(&d, ": MASTER_HOST: \"${...}\" takes a value from the environment"));
        assert_false(has_msg(&d, "my secret"));
        assert_string_equal(settings_get(&s, S_MASTER_HOST), "redis-master");
        diag_free(&d);
        settings_free(&s);
    }
    /* Single-quoted, it is the text itself (and not a host name). */
    {
        struct diag d = {0};
        conf_text(path, "master_host = '${REDIS_PASSWORD}'\n");
        struct settings s = load(&d);
        assert_int_equal(d.n, 1);
        assert_true(has_msg(&d, "MASTER_HOST=\"${REDIS_PASSWORD}\""));
        assert_false(has_msg(&d, "my secret"));
        diag_free(&d);
        settings_free(&s);
    }
    unlink(path);
    unsetenv("REDIS_INIT_CONF");
    unsetenv("REDIS_PASSWORD");
}

/* replies TEXT REPLY[]: parse RESP text as peer_ask does. */
static int replies(const char *text, redisReply **out, int max)
{
    redisReader *r = peer_reader();
    void *reply;
    int n = 0;

    assert_non_null(r);
    assert_int_equal(redisReaderFeed(r, text, strlen(text)), REDIS_OK);
    while (n < max && redisReaderGetReply(r, &reply) == REDIS_OK && reply)
        out[n++] = reply;
    redisReaderFree(r);
    return n;
}

/* Regression: `health sentinel` printed the master a peer names as it
 * came, so a hostile sentinel could write escape sequences or a second
 * line into the health output. */
static void test_health_escapes(void **state)
{
    redisReply *r[2];
    struct peer_call c = {.ok = 1};
    char *why = NULL;

    (void)state;
    assert_int_equal(replies("+PONG\r\n*2\r\n$8\r\nh\x1b[31m\nx\r\n$4\r\n6\"79\r\n",
                             r, 2), 2);
    c.reply[0] = r[0];
    c.reply[1] = r[1];
    assert_int_equal(health_judge(&c, ROLE_SENTINEL, "26379", "mymaster", &why), 0);
    assert_string_equal(why, "ok: master of mymaster is h\\x1b[31m\\x0ax:6\\x2279");
    free(why);
    freeReplyObject(r[0]);
    freeReplyObject(r[1]);
    /* An error text from the peer is escaped too. */
    assert_int_equal(replies("-ERR bad\x07\r\n+x\r\n", r, 2), 2);
    c.reply[0] = r[0];
    c.reply[1] = r[1];
    assert_int_equal(health_judge(&c, ROLE_MASTER, "6379", "mymaster", &why), 1);
    assert_string_equal(why, "PING failed on port 6379: ERR bad\\x07");
    free(why);
    freeReplyObject(r[0]);
    freeReplyObject(r[1]);
    /* A sentinel that answers PING but sends no second reply. */
    c.reply[1] = NULL;
    assert_int_equal(replies("+PONG\r\n", r, 1), 1);
    c.reply[0] = r[0];
    assert_int_equal(health_judge(&c, ROLE_SENTINEL, "26379", "mymaster", &why), 1);
    free(why);
    freeReplyObject(r[0]);
}

/* A peer's error text reaches the log escaped (peer_why), whichever of
 * the commands failed. */
static void test_peer_why(void **state)
{
    redisReply *r[2];
    struct peer_call c = {.ok = 1};

    (void)state;
    assert_string_equal(peer_why(&c), "no reply");
    assert_int_equal(replies("+OK\r\n-ERR no\x1b[2J\r\n", r, 2), 2);
    c.reply[0] = r[0];
    c.reply[1] = r[1];
    assert_string_equal(peer_why(&c), "ERR no\\x1b[2J");
    peer_reset(&c);
}

/* One sentinel's answer for catchup_behind. */
static struct sen_view view(const char *host, long long epoch, int down,
                            int failover)
{
    struct sen_view v = {.ok = 1, .config_epoch = epoch,
                         .master_down = down, .failover = failover};

    snprintf(v.master.host, sizeof v.master.host, "%s", host);
    v.master.port = 6379;
    return v;
}

/* A sentinel catches up only when its master is down for it and a
 * majority of all the sentinels listed names another, newer one that
 * they see up, with no failover anywhere. */
static void test_catchup_behind(void **state)
{
    static struct sen_now now;
    struct sen_view mine = view("10.0.0.1", 0, 1, 0);

    (void)state;
    now.n = 3;
    now.v[0] = mine;                            /* itself, in the list */
    now.v[1] = view("10.0.0.2", 1, 0, 0);
    now.v[2] = view("10.0.0.2", 1, 0, 0);
    assert_int_equal(catchup_behind(&mine, &now), 1);
    mine.master_down = 0;                       /* its master is up */
    assert_int_equal(catchup_behind(&mine, &now), -1);
    mine.master_down = 1;
    mine.failover = 1;                          /* it fails over itself */
    assert_int_equal(catchup_behind(&mine, &now), -1);
    mine.failover = 0;
    mine.config_epoch = 1;                      /* not newer than its own */
    assert_int_equal(catchup_behind(&mine, &now), -1);
    mine.config_epoch = 0;
    now.v[2].failover = 1;                      /* a peer still fails over */
    assert_int_equal(catchup_behind(&mine, &now), -1);
    now.v[2].failover = 0;
    now.v[2].master_down = 1;                   /* 1 of 3 sees it up */
    assert_int_equal(catchup_behind(&mine, &now), -1);
    now.v[1].master_down = 1;                   /* none does */
    assert_int_equal(catchup_behind(&mine, &now), -1);
    now.v[1].master_down = now.v[2].master_down = 0;
    now.v[2].config_epoch = 0;                  /* 1 of 3 is newer */
    assert_int_equal(catchup_behind(&mine, &now), -1);
    now.v[2].config_epoch = 1;
    now.unresolved = 1;                         /* 2 of 4: no majority */
    assert_int_equal(catchup_behind(&mine, &now), -1);
    now.unresolved = 0;
    now.v[2] = view("10.0.0.3", 2, 0, 0);       /* split three ways */
    assert_int_equal(catchup_behind(&mine, &now), -1);
    now.v[2] = view("10.0.0.2", 1, 0, 0);
    mine.ok = 0;                                /* it monitors nothing */
    assert_int_equal(catchup_behind(&mine, &now), 1);
    now.v[0] = view("10.0.0.2", 1, 0, 0);
    mine = view("10.0.0.2", 0, 1, 0);           /* same master: its own */
    assert_int_equal(catchup_behind(&mine, &now), -1);
}

#define N1 "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca"
#define N2 "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1"

/* CLUSTER NODES: slots counted exactly (migrating ones not owned); a slot
 * or port that is not one, or a sum past 16384, never overflows. */
static void test_cnodes(void **state)
{
    struct cn_line l;
    const char *view =
        N2 " 10.0.0.2:6379@16379 slave " N1 " 0 1 2 connected\n"
        "garbage line\n"
        N1 " 10.0.0.1:6379@16379,node-1 myself,master - 0 0 1 connected "
        "0-5460 5461 [5462->-" N2 "]\n";

    (void)state;
    assert_int_equal(cn_myself(view, &l), 0);
    assert_string_equal(l.id, N1);
    assert_string_equal(l.host, "10.0.0.1");
    assert_int_equal(l.port, 6379);
    assert_int_equal(l.bus, 16379);
    assert_true(l.master);
    assert_int_equal(l.slots, 5462);
    assert_int_equal(l.epoch, 1);
    assert_int_equal(cn_find(view, N2, &l), 0);
    assert_false(l.master);
    assert_string_equal(l.master_id, N1);
    assert_int_equal(l.epoch, 2);
    /* Regression: the epoch was read with peer_num, which wants the
     * number to end the string, and was always -1. Not a number: -1. */
    assert_int_equal(cn_myself(N1 " h:1@2 myself,master - 0 0 123456789012 connected", &l), 0);
    assert_int_equal(l.epoch, 123456789012LL);
    assert_int_equal(cn_myself(N1 " h:1@2 myself,master - 0 0 7x connected", &l), 0);
    assert_int_equal(l.epoch, -1);
    assert_int_equal(cn_find(view, "nope", &l), -1);
    assert_int_equal(cn_myself(NULL, &l), -1);
    /* Regression (UBSan, fuzz_cnodes): "-1638389127--546129999" summed to
     * a signed overflow. Not a slot: 0; ports past 65535: no line. */
    assert_int_equal(cn_myself(N1 " h:1@2 myself,master - 0 0 1 connected "
                               "-1638389127--546129999 99999 5-3 16384", &l), 0);
    assert_int_equal(l.slots, 0);
    assert_int_equal(cn_myself(N1 " h:70000@2 myself,master - 0 0 1 connected", &l), -1);
    assert_int_equal(cn_myself(N1 " h:1@2x myself,master - 0 0 1 connected", &l), -1);
    assert_int_equal(cn_myself(N1 " h:1@2 myself,master - 0 0 1 connected "
                               "0-16383 0-16383 0-16383", &l), 0);
    assert_int_equal(l.slots, 16384);
    /* The flags of a node that is gone: "fail" (agreed) and "noaddr" told
     * from "fail?" (one node's doubt); an empty address parses. */
    assert_int_equal(cn_find(N2 " :0@0 slave,fail,noaddr " N1 " 1 1 7 disconnected\n"
                             N1 " h:1@2 master,fail? - 0 0 1 connected 0-9",
                             N2, &l), 0);
    assert_true(l.failed && l.noaddr && l.fail);
    assert_string_equal(l.host, "");
    assert_false(l.connected);
    assert_int_equal(cn_find(N2 " :0@0 slave,fail,noaddr " N1 " 1 1 7 disconnected\n"
                             N1 " h:1@2 master,fail? - 0 0 1 connected 0-9",
                             N1, &l), 0);
    assert_true(l.fail);
    assert_false(l.failed || l.noaddr);
}

/* The health of a cluster node, from PING, INFO replication, CLUSTER INFO
 * and CLUSTER NODES; the master id it quotes is escaped. */
static void test_cluster_health(void **state)
{
    redisReply pong = {.type = REDIS_REPLY_STATUS, .str = "PONG", .len = 4};
    redisReply repl = {.type = REDIS_REPLY_STRING, .str = "master_link_status:up", .len = 21};
    redisReply info = {.type = REDIS_REPLY_STRING, .str = "cluster_state:ok", .len = 16};
    redisReply nodes = {.type = REDIS_REPLY_STRING};
    struct peer_call c = {.ok = 1, .reply = {&pong, &repl, &info, &nodes}};
    char *why = NULL;

    (void)state;
    nodes.str = N1 " 10.0.0.1:6379@16379 myself,master - 0 0 1 connected 0-99\n";
    assert_int_equal(health_judge(&c, ROLE_CLUSTER, "6379", "m", &why), 0);
    assert_string_equal(why, "ok: master of 100 slots");
    free(why);
    nodes.str = N2 " 10.0.0.2:6379@16379 myself,slave " N1 " 0 0 1 connected\n"
                N1 " 10.0.0.1:6379@16379 master - 0 0 1 connected 0-99\n";
    assert_int_equal(health_judge(&c, ROLE_CLUSTER, "6379", "m", &why), 0);
    assert_string_equal(why, "ok: replica of e7d1eecc (100 slots), link up");
    free(why);
    nodes.str = N2 " 10.0.0.2:6379@16379 myself,slave \x1b[2Jx\x1b 0 0 1 connected\n";
    assert_int_equal(health_judge(&c, ROLE_CLUSTER, "6379", "m", &why), 1);
    assert_string_equal(why, "replica of \\x1b[2Jx\\x1b, which owns no slots");
    free(why);
    info.str = "cluster_state:fail";
    assert_int_equal(health_judge(&c, ROLE_CLUSTER, "6379", "m", &why), 1);
    assert_string_equal(why, "cluster_state is not ok");
    free(why);
}

/* The sentinel replies and INFO texts the fuzz targets start from. */
static void test_parse_replies(void **state)
{
    redisReply *r[3];
    struct sen_view v = {0};
    struct peer_addr a[PEER_MAX];

    (void)state;
    assert_int_equal(replies("*2\r\n$8\r\n10.0.0.1\r\n$4\r\n6379\r\n"
        "*4\r\n$5\r\nflags\r\n$13\r\nmaster,s_down\r\n$12\r\nconfig-epoch\r\n$1\r\n7\r\n"
        "*1\r\n*2\r\n$17\r\nslave-repl-offset\r\n$2\r\n42\r\n", r, 3), 3);
    assert_int_equal(sen_parse(&v, r[0], r[1], r[2]), 0);
    assert_string_equal(v.master.host, "10.0.0.1");
    assert_int_equal(v.master.port, 6379);
    assert_int_equal(v.config_epoch, 7);
    assert_true(v.master_down);
    assert_int_equal(v.replicas_offset, 42);
    sen_free(&v, 1);
    for (int i = 0; i < 3; i++)
        freeReplyObject(r[i]);
    /* A port that is not one, a nil, an integer: refused, never a crash. */
    memset(&v, 0, sizeof v);
    assert_int_equal(replies("*2\r\n$1\r\nh\r\n$5\r\n65536\r\n", r, 1), 1);
    assert_int_equal(sen_parse(&v, r[0], NULL, NULL), -1);
    assert_false(v.ok);
    sen_free(&v, 1);
    freeReplyObject(r[0]);
    memset(&v, 0, sizeof v);
    assert_int_equal(sen_parse(&v, NULL, NULL, NULL), -1);
    sen_free(&v, 1);
    /* handover: only online replicas with an address and a port. */
    assert_int_equal(handover_replicas(
        "slave0:ip=10.0.0.2,port=6379,state=online,offset=1,lag=0\r\n"
        "slave1:ip=10.0.0.3,port=6379,state=wait_bgsave,offset=0,lag=0\r\n"
        "slave2:ip=bad host,port=6379,state=online,offset=1,lag=0\r\n"
        "slave3:ip=::1,port=70000,state=online,offset=1,lag=0\r\n"
        "slave4:ip=::1,port=6380,state=online,offset=1,lag=0\r\n",
        a, PEER_MAX), 2);
    assert_string_equal(a[0].host, "10.0.0.2");
    assert_string_equal(a[1].host, "::1");
    assert_int_equal(a[1].port, 6380);
    assert_int_equal(handover_replicas(NULL, a, PEER_MAX), 0);
    /* Regression (UBSan): the rescue summed a peer's key counts without a
     * bound, a signed overflow. Capped now; negative counts ignored. */
    assert_int_equal(rescue_keys("db0:keys=9223372036854775807,expires=0\r\n"
                                 "db1:keys=5,expires=0\r\n"), LLONG_MAX);
    assert_int_equal(rescue_keys("db0:keys=3,expires=0\r\ndb3:keys=-9\r\n"
                                 "db15:keys=4\r\ndb16:keys=100\r\n"), 7);
    assert_int_equal(rescue_keys(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_defaults, clean_env),
        cmocka_unit_test_setup(test_aliases, clean_env),
        cmocka_unit_test_setup(test_all_errors_reported, clean_env),
        cmocka_unit_test_setup(test_alias_named_in_error, clean_env),
        cmocka_unit_test_setup(test_line_breaks_refused, clean_env),
        cmocka_unit_test_setup(test_secret_file, clean_env),
        cmocka_unit_test_setup(test_conf_file, clean_env),
        cmocka_unit_test_setup(test_check_kinds, clean_env),
        cmocka_unit_test_setup(test_quote, clean_env),
        cmocka_unit_test_setup(test_render_lines, clean_env),
        cmocka_unit_test_setup(test_golden_master, clean_env),
        cmocka_unit_test_setup(test_golden_slave, clean_env),
        cmocka_unit_test_setup(test_golden_sentinel, clean_env),
        cmocka_unit_test_setup(test_golden_cluster, clean_env),
        cmocka_unit_test_setup(test_cluster_derived, clean_env),
        cmocka_unit_test_setup(test_keep_identity, clean_env),
        cmocka_unit_test_setup(test_derive, clean_env),
        cmocka_unit_test_setup(test_limits, clean_env),
        cmocka_unit_test_setup(test_renames, clean_env),
        cmocka_unit_test_setup(test_file_limits, clean_env),
        cmocka_unit_test_setup(test_conf_nul_escape, clean_env),
        cmocka_unit_test_setup(test_conf_env_subst, clean_env),
        cmocka_unit_test_setup(test_health_escapes, clean_env),
        cmocka_unit_test_setup(test_peer_why, clean_env),
        cmocka_unit_test_setup(test_cnodes, clean_env),
        cmocka_unit_test_setup(test_catchup_behind, clean_env),
        cmocka_unit_test_setup(test_cluster_health, clean_env),
        cmocka_unit_test_setup(test_parse_replies, clean_env),
        cmocka_unit_test_setup(test_peer_no_password, clean_env),
        cmocka_unit_test(test_hold_closed_is_heard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
