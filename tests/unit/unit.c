/* Unit tests of the pure parts: settings, validation, quoting, rendering.
 * Run from the repository root (templates/ and tests/golden/ are read). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "render.h"
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
    (void)state;
    for (int i = 0; touched[i]; i++)
        unsetenv(touched[i]);
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
    d.n = 0;
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
    d.n = 0;
    s = load(&d);
    assert_int_equal(d.n, 1);
    assert_true(has_msg(&d, "REDIS_PASSWORD and REDIS_PASSWORD_FILE are both set"));
    settings_free(&s);
    unsetenv("REDIS_PASSWORD");

    setenv("REDIS_PASSWORD_FILE", "/nonexistent/pw", 1);
    d.n = 0;
    s = load(&d);
    assert_true(has_msg(&d, "REDIS_PASSWORD_FILE=\"/nonexistent/pw\": cannot read"));
    settings_free(&s);
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
    d.n = 0;
    s = load(&d);
    assert_int_equal(d.n, 1);
    assert_true(has_msg(&d, "REDIS_INIT_CONF="));
    assert_true(has_msg(&d, "REDIS_PORT=\"99999\""));
    settings_free(&s);

    fd = open(path, O_WRONLY | O_TRUNC);
    text = "no_such_thing = 1\n";
    assert_true(write(fd, text, strlen(text)) > 0);
    close(fd);
    d.n = 0;
    s = load(&d);
    assert_true(d.n >= 1);
    assert_true(has_msg(&d, "no_such_thing"));
    settings_free(&s);
    unlink(path);
}

static void test_check_kinds(void **state)
{
    char e[128];
    const struct setting *host = &settings_table[S_MASTER_HOST];
    const struct setting *hosts = &settings_table[S_SENTINEL_HOSTS];
    const struct setting *user = &settings_table[S_REDIS_USER];

    (void)state;
    assert_int_equal(settings_check(host, "10.0.0.1", e, sizeof e), 0);
    assert_int_equal(settings_check(host, "redis-master", e, sizeof e), 0);
    assert_int_equal(settings_check(host, "fe80::1", e, sizeof e), 0);
    assert_int_equal(settings_check(host, "a;b", e, sizeof e), -1);
    assert_int_equal(settings_check(hosts, "sentinel", e, sizeof e), 0);
    assert_int_equal(settings_check(hosts, "s1:26379,s2,[::1]:5", e, sizeof e), 0);
    assert_int_equal(settings_check(hosts, "s1:0", e, sizeof e), -1);
    assert_int_equal(settings_check(hosts, "s1,,s2", e, sizeof e), -1);
    assert_int_equal(settings_check(user, "redis", e, sizeof e), 0);
    assert_int_equal(settings_check(user, "999:999", e, sizeof e), 0);
    assert_int_equal(settings_check(user, "999", e, sizeof e), -1);
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
    if (getenv("UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "w");
        fputs(out, f);
        fclose(f);
    }
    want = render_slurp(path, &d);
    assert_non_null(want);
    assert_string_equal(out, want);
    free(out);
    free(want);
    settings_free(&s);
}

static void test_golden_master(void **state) { (void)state; golden("master", "redis.conf"); }
static void test_golden_slave(void **state) { (void)state; golden("slave", "redis.conf"); }
static void test_golden_sentinel(void **state) { (void)state; golden("sentinel", "sentinel.conf"); }

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
    int fd = mkstemp(path);

    (void)state;
    assert_true(write(fd, old, strlen(old)) == (ssize_t)strlen(old));
    close(fd);
    settings_set(&s, S_MASTER_NAME, "mymaster");
    render_keep_identity(&s, path);
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
    render_keep_identity(&s, "/nonexistent/sentinel.conf");
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
        cmocka_unit_test_setup(test_keep_identity, clean_env),
        cmocka_unit_test_setup(test_derive, clean_env),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
