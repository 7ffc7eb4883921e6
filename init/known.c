#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "known.h"

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : tolower(c) - 'a' + 10;
}

/* One word starting at *p (after blanks); malloc'd, or NULL on error. */
static char *word(const char **p, const char *end, int *err)
{
    char *out = malloc(end - *p + 1), *o = out;
    const char *q = *p;

    if (!out) {
        *err = 1;
        return NULL;
    }
    if (*q == '"') {
        for (q++; q < end && *q != '"'; q++) {
            if (*q == '\\' && q + 3 < end && q[1] == 'x' &&
                isxdigit((unsigned char)q[2]) && isxdigit((unsigned char)q[3])) {
                *o++ = hexval(q[2]) * 16 + hexval(q[3]);
                q += 3;
            } else if (*q == '\\' && q + 1 < end) {
                const char *from = "nrtba", *to = "\n\r\t\b\a";
                const char *m = strchr(from, *++q);
                *o++ = m && *m ? to[m - from] : *q;
            } else {
                *o++ = *q;
            }
        }
        if (q == end || (q + 1 < end && !isspace((unsigned char)q[1])))
            *err = 1;           /* unbalanced, or text glued to the quote */
        q++;
    } else if (*q == '\'') {
        for (q++; q < end && *q != '\''; q++) {
            if (*q == '\\' && q + 1 < end && q[1] == '\'')
                q++;
            *o++ = *q;
        }
        if (q == end || (q + 1 < end && !isspace((unsigned char)q[1])))
            *err = 1;
        q++;
    } else {
        while (q < end && !isspace((unsigned char)*q))
            *o++ = *q++;
    }
    *o = 0;
    *p = q;
    if (*err) {
        free(out);
        return NULL;
    }
    return out;
}

int known_split(const char *line, size_t len, char **words, int max)
{
    const char *p = line, *end = line + len;
    int n = 0, err = 0;

    for (;;) {
        while (p < end && isspace((unsigned char)*p))
            p++;
        if (p >= end || n == max)
            return n;
        words[n] = word(&p, end, &err);
        if (err) {
            while (n > 0)
                free(words[--n]);
            return -1;
        }
        n++;
    }
}

/* Keep v as derived setting id if it is valid; else say why not. */
static void keep(struct settings *s, enum setting_id id, const char *v,
                 const char *path, struct diag *warn)
{
    const char *expect;

    if (settings_check(&settings_table[id], v, &expect) == 0) {
        settings_set(s, id, v);
        return;
    }
    char *shown = diag_escape(v, strlen(v));
    diag_add(warn, "%s: ignored \"%s\" for %s: expected %s", path,
             shown ? shown : "?", settings_table[id].name, expect);
    free(shown);
}

void known_sentinel(struct settings *s, const char *path, struct diag *warn)
{
    const char *name = settings_get(s, S_MASTER_NAME), *why;
    struct io_text t;

    if (io_read(path, KNOWN_FILE_MAX, &t, &why) < 0) {
        if (errno != ENOENT)
            diag_add(warn, "%s: not read back: %s", path, why);
        return;
    }
    for (const char *p = t.data; p < t.data + t.len; ) {
        size_t len = strcspn(p, "\n");
        char *w[6];
        int n = known_split(p, len, w, 6);
        if (n >= 3 && !strcmp(w[0], "sentinel")) {
            int ours = name && !strcmp(w[2], name);
            if (!strcmp(w[1], "myid"))
                keep(s, S_SENTINEL_MYID, w[2], path, warn);
            else if (!strcmp(w[1], "current-epoch"))
                keep(s, S_SENTINEL_CURRENT_EPOCH, w[2], path, warn);
            else if (!strcmp(w[1], "leader-epoch") && ours && n >= 4)
                keep(s, S_SENTINEL_LEADER_EPOCH, w[3], path, warn);
            else if (!strcmp(w[1], "config-epoch") && ours && n >= 4)
                keep(s, S_SENTINEL_CONFIG_EPOCH, w[3], path, warn);
            else if (!strcmp(w[1], "monitor") && ours && n >= 5) {
                keep(s, S_KNOWN_MASTER_HOST, w[3], path, warn);
                keep(s, S_KNOWN_MASTER_PORT, w[4], path, warn);
            }
        }
        while (n > 0)
            free(w[--n]);
        p += len + 1;
    }
    free(t.data);
}
