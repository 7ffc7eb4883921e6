/* sentinels: what the sentinels of SENTINEL_HOSTS say about MASTER_NAME,
 * asked all at once under one deadline, and whether an address they name
 * is this very instance. */
#ifndef REDIS_INIT_SENTINELS_H
#define REDIS_INIT_SENTINELS_H

#include "clock.h"
#include "diag.h"
#include "peer.h"
#include "settings.h"

struct sen_view {
    struct peer_addr sentinel;
    int ok;                     /* it answered and knows MASTER_NAME */
    int gone;                   /* refused or closed: it is not running */
    struct peer_addr master;    /* the master it names */
    long long config_epoch;
    int failover;               /* a failover of MASTER_NAME is in progress */
    int master_down;            /* it flags the master s_down or o_down */
    long long replicas_offset;  /* the highest offset of a replica it knows,
                                   -1 when it knows none (REPLICAS asked) */
    int replicas_up;            /* replicas it knows and sees up (REPLICAS) */
    char *err;                  /* why not ok (malloc'd) */
};

/* Every address of SENTINEL_HOSTS (a name gives all of its addresses).
 * Names that do not resolve now are counted in *unresolved. */
int sen_list(const struct settings *s, struct peer_addr *out, int max,
             int *unresolved);

/* Ask n sentinels at once for MASTER_NAME's master, its config epoch and
 * flags (and its replicas' offsets when with_replicas). Returns how many
 * answered; v[i] is filled for each. Free with sen_free. */
int sen_ask(const struct settings *s, const struct peer_addr *sen, int n,
            struct sen_view *v, int with_replicas, msec deadline);
void sen_free(struct sen_view *v, int n);

/* Fill v (zeroed by the caller) from one sentinel's replies to SENTINEL
 * GET-MASTER-ADDR-BY-NAME (a), SENTINEL MASTER (m) and SENTINEL REPLICAS
 * (r, or NULL when not asked); any of them may be NULL or of any type.
 * 0 when a names a valid master (v->ok), else -1 with v->err. Used by
 * sen_ask; exposed for the fuzz targets. */
struct redisReply;
int sen_parse(struct sen_view *v, const struct redisReply *a,
              const struct redisReply *m, const struct redisReply *r);

/* What the sentinels say now, asked at most once per look of the watcher
 * and shared by whoever needs it there (the fence, the rescue). */
struct sen_now {
    int asked, n, unresolved, answered;
    struct peer_addr sen[PEER_MAX];
    struct sen_view v[PEER_MAX];
};
/* Ask them the first time; later calls return the same answers. */
struct sen_now *sen_now_ask(const struct settings *s, struct sen_now *w,
                            msec deadline);
void sen_now_free(struct sen_now *w);

/* The answer with the highest config epoch, or -1 when none answered. */
int sen_best(const struct sen_view *v, int n);

/* The answer naming the master that more than half of the sentinels
 * listed (the unresolved ones counted) name, none of them in a failover;
 * -1 when there is no such one. */
int sen_agreed(const struct sen_now *w);

/* Does m answer ROLE as a master (REDIS_PASSWORD)? */
int sen_master_answers(const struct settings *s, const struct peer_addr *m,
                       msec deadline);

/* Is a (as a sentinel or INFO names it) this instance: its announced
 * address when ANNOUNCE_IP is set, else one of its interface addresses,
 * on its (announced) port? A name is resolved first. */
int sen_is_self(const struct settings *s, const struct peer_addr *a);

#endif
