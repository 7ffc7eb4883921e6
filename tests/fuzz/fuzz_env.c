/* The environment: each input line NAME=VALUE is one variable; every
 * setting is read, checked, derived and rendered as at start. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    char *text = fuzz_text(data, n), *line, *save = NULL;
    struct settings s = {0};
    struct diag d = {0};

    clearenv();
    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        if (!eq || eq == line)
            continue;
        *eq = 0;
        /* Files are other targets' business (fuzz_secret, fuzz_conf). */
        if (strstr(line, "_FILE") || !strcmp(line, "REDIS_INIT_CONF"))
            continue;
        setenv(line, eq + 1, 1);
    }
    /* A secret of the input's own, or the canary no message may show. */
    setenv("SENTINEL_PASSWORD", FUZZ_CANARY, 0);
    if (settings_load(&s, &d) == 0)
        fuzz_render_all(&s);
    fuzz_check_messages(&d);
    diag_free(&d);
    settings_free(&s);
    free(text);
    return 0;
}
