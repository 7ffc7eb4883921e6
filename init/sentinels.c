#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "sentinels.h"

int sen_list(const struct settings *s, struct peer_addr *out, int max,
             int *unresolved)
{
    struct peer_addr names[PEER_MAX];
    const char *why;
    int bad, n = 0;
    int k = peer_parse_list(settings_get(s, S_SENTINEL_HOSTS),
                            (int)settings_num(s, S_SENTINEL_PORT), names,
                            PEER_MAX, &bad, &why);

    *unresolved = 0;
    for (int i = 0; i < k; i++)         /* validated by settings: k > 0 */
        if (peer_resolve(&names[i], out, &n, max, &why) < 0)
            (*unresolved)++;
    return n;
}

/* Is this failure the peer's absence (nobody listens, it went away) rather
 * than slowness? */
static int absent(const char *err)
{
    return err && (strstr(err, "refused") || strstr(err, "closed") ||
                   strstr(err, "reset") || strstr(err, "unreachable"));
}

int sen_ask(const struct settings *s, const struct peer_addr *sen, int n,
            struct sen_view *v, int with_replicas, msec deadline)
{
    const char *name = settings_get(s, S_MASTER_NAME);
    struct peer_call c[PEER_MAX];
    int answered = 0;

    if (n > PEER_MAX)
        n = PEER_MAX;
    memset(c, 0, sizeof c);
    memset(v, 0, n * sizeof *v);
    for (int i = 0; i < n; i++) {
        c[i].addr = sen[i];
        c[i].password = settings_get(s, S_SENTINEL_PASSWORD);
        peer_cmd(&c[i], "SENTINEL GET-MASTER-ADDR-BY-NAME %s", name);
        peer_cmd(&c[i], "SENTINEL MASTER %s", name);
        if (with_replicas)
            peer_cmd(&c[i], "SENTINEL REPLICAS %s", name);
    }
    peer_ask(c, n, deadline);
    for (int i = 0; i < n; i++) {
        v[i].sentinel = sen[i];
        if (!c[i].ok) {
            v[i].replicas_offset = -1;
            v[i].gone = absent(c[i].err);
            v[i].err = c[i].err;
            c[i].err = NULL;
        } else {
            answered += sen_parse(&v[i], c[i].reply[0], c[i].reply[1],
                                  c[i].reply[2]) == 0;
        }
        peer_reset(&c[i]);
    }
    return answered;
}

/* gcc 12 -fanalyzer reports v->err leaked: a false positive (it is stored
 * in the caller's view and freed by sen_free). */
#if defined(__GNUC__) && !defined(__clang__)  /* gcc only */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
int sen_parse(struct sen_view *v, const redisReply *a, const redisReply *m,
              const redisReply *r)
{
    const char *why, *flags;

    v->replicas_offset = -1;
    if (!a || a->type != REDIS_REPLY_ARRAY || a->elements != 2 ||
        !peer_str(a->element[0]) || !peer_str(a->element[1]) ||
        peer_parse(a->element[0]->str, strlen(a->element[0]->str), 1,
                   &v->master, &why) < 0 ||
        (v->master.port = (int)peer_num(a->element[1]->str)) < 1 ||
        v->master.port > 65535) {
        v->err = strdup(a && a->type == REDIS_REPLY_NIL
            ? "it knows no master of that name"
            : "an answer that is not a host and a port");
        return -1;
    }
    flags = peer_field(m, "flags");
    v->ok = 1;
    v->config_epoch = peer_num(peer_field(m, "config-epoch"));
    v->failover = flags && strstr(flags, "failover_in_progress");
    v->master_down = flags && strstr(flags, "_down");
    for (size_t j = 0; r && r->type == REDIS_REPLY_ARRAY && j < r->elements; j++) {
        long long off = peer_num(peer_field(r->element[j], "slave-repl-offset"));
        const char *rf = peer_field(r->element[j], "flags");
        if (off > v->replicas_offset)
            v->replicas_offset = off;
        v->replicas_up += rf && !strstr(rf, "_down") &&
                          !strstr(rf, "disconnected");
    }
    return 0;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

void sen_free(struct sen_view *v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i].err);
        v[i].err = NULL;
    }
}

struct sen_now *sen_now_ask(const struct settings *s, struct sen_now *w,
                            msec deadline)
{
    if (!w->asked) {
        w->n = sen_list(s, w->sen, PEER_MAX, &w->unresolved);
        w->answered = sen_ask(s, w->sen, w->n, w->v, 0, deadline);
        w->asked = 1;
    }
    return w;
}

void sen_now_free(struct sen_now *w)
{
    if (w->asked)
        sen_free(w->v, w->n);
    w->asked = 0;
}

int sen_best(const struct sen_view *v, int n)
{
    int best = -1;

    for (int i = 0; i < n; i++)
        if (v[i].ok && (best < 0 || v[i].config_epoch > v[best].config_epoch))
            best = i;
    return best;
}

int sen_agreed(const struct sen_now *w)
{
    for (int i = 0; i < w->n; i++) {
        int votes = 0;
        if (!w->v[i].ok)
            continue;
        for (int j = 0; j < w->n; j++) {
            if (w->v[j].ok && w->v[j].failover)
                return -1;
            votes += w->v[j].ok && peer_same(&w->v[j].master, &w->v[i].master);
        }
        if (2 * votes > w->n + w->unresolved)
            return i;
    }
    return -1;
}

int sen_master_answers(const struct settings *s, const struct peer_addr *m,
                       msec deadline)
{
    struct peer_call c = {.addr = *m,
                          .password = settings_get(s, S_REDIS_PASSWORD)};
    int yes;

    peer_cmd(&c, "ROLE");
    yes = peer_ask1(&c, deadline) == 0 && c.reply[0] &&
          c.reply[0]->type == REDIS_REPLY_ARRAY && c.reply[0]->elements > 0 &&
          peer_str(c.reply[0]->element[0]) &&
          !strcmp(peer_str(c.reply[0]->element[0]), "master");
    peer_reset(&c);
    return yes;
}

/* DNS names compare without case and without a trailing dot. */
static int same_name(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);

    la -= la && a[la - 1] == '.';
    lb -= lb && b[lb - 1] == '.';
    return la == lb && !strncasecmp(a, b, la);
}

int sen_is_self(const struct settings *s, const struct peer_addr *a)
{
    const char *ip = settings_get(s, S_ANNOUNCE_IP);
    const char *name = settings_get(s, S_ANNOUNCE_HOSTNAME);
    long port = settings_get(s, S_ANNOUNCE_PORT)
        ? settings_num(s, S_ANNOUNCE_PORT) : settings_num(s, S_REDIS_PORT);
    struct peer_addr ips[PEER_MAX];
    const char *why;
    int n = 0;

    if (a->port != port)
        return 0;
    if ((ip && !strcasecmp(ip, a->host)) || (name && same_name(name, a->host)))
        return 1;
    if (peer_resolve(a, ips, &n, PEER_MAX, &why) < 0)
        return 0;
    for (int i = 0; i < n; i++)
        if ((ip && !strcmp(ip, ips[i].host)) || (!ip && peer_is_local(ips[i].host)))
            return 1;
    return 0;
}
