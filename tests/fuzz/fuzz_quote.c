/* Quoting round trip: any value render_quote writes into a config comes
 * back whole, as one word, when the config is read back as Redis reads it
 * (known_split, used on the old sentinel.conf). */
#include "fuzz.h"
#include "known.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    char *v = fuzz_text(data, n), *w[2] = {0};
    size_t len = render_quote(NULL, 0, v) + 1;
    char *q = malloc(len);
    int k;

    if (!q)
        abort();
    render_quote(q, len, v);
    k = known_split(q, strlen(q), w, 2);
    if (k != 1 || strcmp(w[0], v)) {
        fprintf(stderr, "round trip: %d word(s) from %s\n", k, q);
        abort();
    }
    free(w[0]);
    free(q);
    free(v);
    return 0;
}
