#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "diag.h"

void diag_add(struct diag *d, const char *fmt, ...)
{
    if (d->n < DIAG_MAX) {
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&d->msg[d->n], fmt, ap) < 0)
            d->msg[d->n] = NULL;        /* shown as "out of memory" */
        va_end(ap);
    }
    d->n++;
}

void diag_free(struct diag *d)
{
    for (int i = 0; i < d->n && i < DIAG_MAX; i++)
        free(d->msg[i]);
    d->n = 0;
}

char *diag_escape(const char *v, size_t n)
{
    char *out = malloc(n * 4 + 1), *o = out;

    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = v[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            o += sprintf(o, "\\x%02x", c);
        else
            *o++ = c;
    }
    *o = 0;
    return out;
}
