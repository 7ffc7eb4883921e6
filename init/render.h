/* render: templates to Redis config text.
 *
 * A template is a Redis config file in which {{NAME}} stands for the value of
 * setting NAME. Strings are written Redis-quoted; a line that names a setting
 * with no value is left out; comment lines are copied. */
#ifndef REDIS_INIT_RENDER_H
#define REDIS_INIT_RENDER_H

#include <stddef.h>

#include "diag.h"
#include "settings.h"

#define RENDER_MASK "(hidden)"
#define TEMPLATE_MAX 65536          /* bytes of a template file */

/* Write v as a Redis-quoted string ("..." with \", \\ and \xHH escapes).
 * Returns the length it needs (like snprintf). */
size_t render_quote(char *out, size_t len, const char *v);

/* Render template text into a malloc'd string; secrets are replaced by
 * RENDER_MASK when mask is set. NULL (and d filled) on error. */
char *render_text(const char *tmpl, const char *tmpl_name,
                  const struct settings *s, int mask, struct diag *d);

/* Render a template file. */
char *render_file(const char *tmpl_path, const struct settings *s, int mask,
                  struct diag *d);

#endif
