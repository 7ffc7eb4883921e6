#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

/* Render one line (without its newline) into b. Returns 1 if written, 0 if
 * left out because a setting is empty, -1 on an unknown placeholder. */
static int render_line(struct buf *b, const char *line, size_t len,
                       const struct settings *s, int mask, const char *where,
                       struct diag *d)
{
    size_t start = b->n;
    const char *end = line + len, *p = line;

    while (p < end) {
        const char *open = memmem(p, end - p, "{{", 2), *close;
        if (!open || !(close = memmem(open, end - open, "}}", 2))) {
            buf_add(b, p, end - p);
            break;
        }
        buf_add(b, p, open - p);
        char name[64];
        size_t n = close - open - 2;
        int id = -1;
        if (n < sizeof name) {
            memcpy(name, open + 2, n);
            name[n] = 0;
            id = settings_lookup(name);
        }
        if (id < 0) {
            diag_add(d, "%s: unknown placeholder {{%.*s}}: expected a "
                     "variable of the settings table", where, (int)n, open + 2);
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
        if (mask && settings_table[id].kind == K_SECRET)
            v = RENDER_MASK;
        if (settings_table[id].flags & S_QUOTE) {
            size_t q = render_quote(NULL, 0, v) + 1;
            char *tmp = malloc(q);
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
        char where[300];
        snprintf(where, sizeof where, "%s:%d", tmpl_name, ++lineno);
        if (*p == '#')
            buf_add(&b, p, len + (p[len] == '\n'));  /* comments verbatim */
        else if (render_line(&b, p, len, s, mask, where, d) < 0)
            bad = 1;
        p += len + (p[len] == '\n');
    }
    if (bad) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

char *render_slurp(const char *path, struct diag *d)
{
    FILE *f = fopen(path, "r");
    struct buf b = {0};
    char chunk[4096];
    size_t n;

    if (!f) {
        diag_add(d, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    buf_add(&b, "", 0);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    return b.p;
}

char *render_file(const char *tmpl_path, const struct settings *s, int mask,
                  struct diag *d)
{
    char *tmpl = render_slurp(tmpl_path, d), *out;

    if (!tmpl)
        return NULL;
    out = render_text(tmpl, tmpl_path, s, mask, d);
    free(tmpl);
    return out;
}

int render_install(const char *path, const char *text, uid_t uid, gid_t gid,
                   struct diag *d)
{
    char tmp[512];
    size_t len = strlen(text);
    int fd;

    snprintf(tmp, sizeof tmp, "%s.redis-init.tmp", path);
    unlink(tmp);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        diag_add(d, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    /* No fsync: the file is rendered anew on every start. */
    if (write(fd, text, len) != (ssize_t)len ||
        (getuid() == 0 && fchown(fd, uid, gid) < 0)) {
        diag_add(d, "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) < 0) {
        diag_add(d, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Next space-separated word of a config line, quotes stripped. */
static const char *word(const char **p, char *out, size_t len)
{
    size_t n;

    *p += strspn(*p, " \t");
    if (**p == '"') {
        n = strcspn(++*p, "\"\n");
        snprintf(out, len, "%.*s", (int)n, *p);
        *p += n + ((*p)[n] == '"');
    } else {
        n = strcspn(*p, " \t\n");
        snprintf(out, len, "%.*s", (int)n, *p);
        *p += n;
    }
    return out;
}

static void keep(struct settings *s, enum setting_id id, const char *v)
{
    char expect[128];

    if (settings_check(&settings_table[id], v, expect, sizeof expect) == 0)
        settings_set(s, id, v);
}

void render_keep_identity(struct settings *s, const char *old_conf)
{
    struct diag ignore = {0};
    char *text = access(old_conf, F_OK) == 0 ? render_slurp(old_conf, &ignore)
                                             : NULL;
    const char *name = settings_get(s, S_MASTER_NAME);

    if (!text)
        return;
    for (const char *p = text; *p; ) {
        const char *q = p;
        char w1[64], w2[64], w3[64], w4[64], w5[64];
        word(&q, w1, sizeof w1);
        word(&q, w2, sizeof w2);
        word(&q, w3, sizeof w3);
        word(&q, w4, sizeof w4);
        word(&q, w5, sizeof w5);
        int ours = name && strcmp(w3, name) == 0;
        if (strcmp(w1, "sentinel") != 0)
            ;
        else if (strcmp(w2, "myid") == 0)
            keep(s, S_SENTINEL_MYID, w3);
        else if (strcmp(w2, "current-epoch") == 0)
            keep(s, S_SENTINEL_CURRENT_EPOCH, w3);
        else if (strcmp(w2, "leader-epoch") == 0 && ours)
            keep(s, S_SENTINEL_LEADER_EPOCH, w4);
        else if (strcmp(w2, "config-epoch") == 0 && ours)
            keep(s, S_SENTINEL_CONFIG_EPOCH, w4);
        else if (strcmp(w2, "monitor") == 0 && ours) {
            keep(s, S_KNOWN_MASTER_HOST, w4);
            keep(s, S_KNOWN_MASTER_PORT, w5);
        }
        p += strcspn(p, "\n");
        p += *p == '\n';
    }
    free(text);
}
