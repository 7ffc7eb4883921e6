#include <stdarg.h>
#include <stdio.h>

#include "diag.h"

void diag_add(struct diag *d, const char *fmt, ...)
{
    va_list ap;

    if (d->n < DIAG_MAX) {
        va_start(ap, fmt);
        vsnprintf(d->msg[d->n], DIAG_LEN, fmt, ap);
        va_end(ap);
    }
    d->n++;
}
