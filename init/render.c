#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "render.h"

size_t render_quote(char *out, size_t len, const char *v)
{
    size_t o = 0;

#define PUT(c) do { if (o + 1 < len) out[o] = (c); o++; } while (0)
    PUT('"');
    for (; *v; v++) {
        unsigned char c = *v;
        if (c == '"' || c == '\\') {
            PUT('\\');
            PUT(c);
        } else if (c < 0x20 || c >= 0x7f) {
            /* sdssplitargs reads \xHH; raw bytes would be fine but are
             * invisible in a log and a diff. */
            char hex[5];
            snprintf(hex, sizeof hex, "\\x%02x", c);
            for (int i = 0; i < 4; i++)
                PUT(hex[i]);
        } else {
            PUT(c);
        }
    }
    PUT('"');
#undef PUT
    if (len)
        out[o < len ? o : len - 1] = 0;
    return o;
}

struct buf {
    char *p;
    size_t n, cap;
    int failed;
};

/* Append n bytes; on out of memory the buffer is marked failed. */
static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->n + n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

/* Item number item of a list value (its length in *n); *count items. */
static const char *list_item(const char *v, int item, size_t *n, int *count)
{
    const char *found = v;

    *count = 1;
    for (const char *p = v; (p = strchr(p, SETTING_ITEM_SEP)); p++)
        if ((*count)++ == item)
            found = p + 1;
    if (item >= *count)
        found = v + strlen(v);
    *n = strcspn(found, (char[]){SETTING_ITEM_SEP, 0});
    return found;
}

/* Render one line (without its newline) into b. Returns 1 if written, 0 if
 * left out because a setting is empty, -1 on an unknown placeholder. A
 * list placeholder (S_LINES) takes its item-th item; *items says how many
 * the line has (1 without a list). The line lies in the NUL-terminated
 * template and ends at its newline or NUL, so a "{{" or "}}" that starts
 * before end lies wholly in it. */
static int render_line(struct buf *b, const char *line, size_t len,
                       const struct settings *s, int mask, const char *where,
                       struct diag *d, int item, int *items)
{
    size_t start = b->n;
    const char *end = line + len, *p = line;

    while (p < end) {
        const char *open = strstr(p, "{{"), *close = NULL;
        if (open && open < end)
            close = strstr(open, "}}");
        if (!close || close >= end) {
            buf_add(b, p, end - p);
            break;
        }
        buf_add(b, p, open - p);
        size_t n = close - open - 2;
        int id = settings_lookup(open + 2, n);
        if (id < 0) {
            char *shown = diag_escape(open + 2, n);
            diag_add(d, "%s: unknown placeholder {{%s}}: expected a variable "
                     "of the settings table", where, shown ? shown : "?");
            free(shown);
            b->n = start;
            return -1;
        }
        const char *v = settings_get(s, id);
        if (!v) {
            b->n = start;
            if (b->p)
                b->p[start] = 0;
            return 0;
        }
        if (mask && (settings_table[id].flags & S_HIDE))
            v = RENDER_MASK;
        if (settings_table[id].flags & S_LINES) {
            size_t ilen;
            const char *it = list_item(v, item, &ilen, items);
            buf_add(b, it, ilen);
        } else if (settings_table[id].flags & S_QUOTE) {
            size_t q = render_quote(NULL, 0, v) + 1;
            char *tmp = malloc(q);
            if (!tmp) {
                b->failed = 1;
                return -1;
            }
            render_quote(tmp, q, v);
            buf_add(b, tmp, q - 1);
            free(tmp);
        } else {
            buf_add(b, v, strlen(v));
        }
        p = close + 2;
    }
    buf_add(b, "\n", 1);
    return 1;
}

char *render_text(const char *tmpl, const char *tmpl_name,
                  const struct settings *s, int mask, struct diag *d)
{
    struct buf b = {0};
    int lineno = 0, bad = 0;

    buf_add(&b, "", 0);
    for (const char *p = tmpl; *p; ) {
        size_t len = strcspn(p, "\n");
        char *where;
        if (asprintf(&where, "%s:%d", tmpl_name, ++lineno) < 0) {
            b.failed = 1;
            break;
        }
        int items = 1;
        if (*p == '#')
            buf_add(&b, p, len + (p[len] == '\n'));  /* comments verbatim */
        else
            for (int i = 0; i < items; i++)
                if (render_line(&b, p, len, s, mask, where, d, i, &items) < 0) {
                    bad = 1;
                    break;
                }
        free(where);
        p += len + (p[len] == '\n');
    }
    if (b.failed)
        diag_add(d, "%s: out of memory while rendering", tmpl_name);
    if (bad || b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

char *render_file(const char *tmpl_path, const struct settings *s, int mask,
                  struct diag *d)
{
    struct io_text t;
    const char *why;
    char *out;

    if (io_read(tmpl_path, TEMPLATE_MAX, &t, &why) < 0) {
        diag_add(d, "cannot read %s: %s", tmpl_path, why);
        return NULL;
    }
    if (strlen(t.data) != t.len) {
        diag_add(d, "%s: holds a NUL byte: expected a template", tmpl_path);
        free(t.data);
        return NULL;
    }
    out = render_text(t.data, tmpl_path, s, mask, d);
    free(t.data);
    return out;
}
