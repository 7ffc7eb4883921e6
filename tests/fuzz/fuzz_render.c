/* A template (TEMPLATE_DIR's redis.conf or sentinel.conf): the input is
 * the file, rendered with settings that give every kind of value (quoted,
 * secret, list, unset), masked and not. */
#include "fuzz.h"

static struct settings s;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct diag d = {0};

    (void)argc;
    (void)argv;
    clearenv();
    setenv("REDIS_PASSWORD", "p\"a\\s s%{{x}}", 1);
    setenv("RENAME_COMMANDS", "FLUSHALL,CONFIG:cfg-x", 1);
    setenv("ANNOUNCE_IP", "10.0.0.1", 1);
    if (settings_load(&s, &d) != 0)
        abort();
    s.role = ROLE_SLAVE;
    settings_derive(&s);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    struct diag d = {0};
    int fd;
    const char *path = fuzz_file(data, n, &fd);

    free(render_file(path, &s, n && (data[0] & 1), &d));
    diag_free(&d);
    close(fd);
    return 0;
}
