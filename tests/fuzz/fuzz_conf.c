/* The libconfuse settings file named by REDIS_INIT_CONF: the input is its
 * content, read, checked and rendered as at start. REDIS_PASSWORD is set in
 * the environment: no message and no masked render may show it. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    struct settings s = {0};
    struct diag d = {0};
    int fd;
    const char *path = fuzz_file(data, n, &fd);

    clearenv();
    setenv("REDIS_INIT_CONF", path, 1);
    setenv("REDIS_PASSWORD", FUZZ_CANARY, 1);
    if (settings_load(&s, &d) == 0)
        fuzz_render_all(&s);
    fuzz_check_messages(&d);
    diag_free(&d);
    settings_free(&s);
    close(fd);
    return 0;
}
