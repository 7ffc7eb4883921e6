/* render: templates to Redis config files.
 *
 * A template is a Redis config file in which {{NAME}} stands for the value of
 * setting NAME. Strings are written Redis-quoted; a line that names a setting
 * with no value is left out. */
#ifndef REDIS_INIT_RENDER_H
#define REDIS_INIT_RENDER_H

#include <stdio.h>
#include <sys/types.h>

#include "diag.h"
#include "settings.h"

#define RENDER_MASK "(hidden)"

/* Write v as a Redis-quoted string ("..." with \", \\ and \xHH escapes).
 * Returns the length it needs (like snprintf). */
size_t render_quote(char *out, size_t len, const char *v);

/* Render template text into a malloc'd string; secrets are replaced by
 * RENDER_MASK when mask is set. NULL (and d filled) on error. */
char *render_text(const char *tmpl, const char *tmpl_name,
                  const struct settings *s, int mask, struct diag *d);

/* Read a whole file into a malloc'd string; NULL on error (d filled). */
char *render_slurp(const char *path, struct diag *d);

/* Render template file into a malloc'd string. */
char *render_file(const char *tmpl_path, const struct settings *s, int mask,
                  struct diag *d);

/* Replace path atomically with text: a 0600 temporary file owned by uid:gid
 * in the same directory, renamed over path. -1 on error. */
int render_install(const char *path, const char *text, uid_t uid, gid_t gid,
                   struct diag *d);

/* Keep a sentinel's identity across restarts: read its myid, epochs and the
 * master it last monitored (KNOWN_MASTER_*, with its config epoch) from the
 * config it last rewrote, if any, into the derived settings. */
void render_keep_identity(struct settings *s, const char *old_conf);

#endif
