/* A _FILE secret: the input is the file's content (REDIS_PASSWORD_FILE and
 * RENAME_COMMANDS_FILE), read, checked and rendered as at start. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    struct settings s = {0};
    struct diag d = {0};
    int fd;
    const char *path = fuzz_file(data, n, &fd);

    clearenv();
    /* The first byte picks the variable, so both kinds of secret are read. */
    setenv(n && (data[0] & 1) ? "RENAME_COMMANDS_FILE" : "REDIS_PASSWORD_FILE",
           path, 1);
    if (settings_load(&s, &d) == 0)
        fuzz_render_all(&s);
    diag_free(&d);
    settings_free(&s);
    close(fd);
    return 0;
}
