/* A sentinel's old sentinel.conf, read back at restart (init/known.c):
 * the input is the file. */
#include "fuzz.h"
#include "known.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    struct settings s = {0};
    struct diag d = {0}, warn = {0};
    int fd;
    const char *path = fuzz_file(data, n, &fd);

    clearenv();
    if (settings_load(&s, &d) != 0)
        abort();
    s.role = ROLE_SENTINEL;
    known_sentinel(&s, path, &warn);
    fuzz_render_all(&s);
    diag_free(&warn);
    diag_free(&d);
    settings_free(&s);
    close(fd);
    return 0;
}
