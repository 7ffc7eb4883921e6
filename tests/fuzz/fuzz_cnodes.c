/* CLUSTER NODES text as the cluster creator, keeper, handover and health
 * read it (init/cnodes.c), and the verdict of `redis-init health cluster`
 * on it: every line walked, a node found by the id of each line's master
 * and by the myself flag. */
#include "cnodes.h"
#include "fuzz.h"
#include "health.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    char *view = fuzz_text(data, n);
    redisReply pong = {.type = REDIS_REPLY_STATUS, .str = "PONG", .len = 4};
    redisReply repl = {.type = REDIS_REPLY_STRING, .str = "master_link_status:up",
                       .len = 21};
    redisReply info = {.type = REDIS_REPLY_STRING, .str = "cluster_state:ok",
                       .len = 16};
    redisReply nodes = {.type = REDIS_REPLY_STRING, .str = view, .len = n};
    struct peer_call c = {.ok = 1, .reply = {&pong, &repl, &info, &nodes}};
    struct cn_line l, m;
    char *why = NULL;

    for (const char *p = view; cn_next(&p, &l) == 0; )
        (void)cn_find(view, l.master_id, &m);
    (void)cn_myself(view, &l);
    health_judge(&c, ROLE_CLUSTER, "6379", "mymaster", &why);
    free(why);
    free(view);
    return 0;
}
