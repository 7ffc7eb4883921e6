/* A sentinel's replies to SENTINEL GET-MASTER-ADDR-BY-NAME, SENTINEL
 * MASTER and SENTINEL REPLICAS (init/sentinels.c), and to PING and
 * GET-MASTER-ADDR-BY-NAME as `redis-init health sentinel` reads them. */
#include "fuzz.h"
#include "health.h"
#include "sentinels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    redisReply *r[3] = {0};
    int got = fuzz_replies(data, n, r, 3);
    struct sen_view v = {0};
    struct peer_call c = {0};
    char *why = NULL;

    sen_parse(&v, r[0], r[1], r[2]);
    sen_free(&v, 1);
    if (got >= 2) {
        c.ok = 1;
        c.reply[0] = r[0];
        c.reply[1] = r[1];
        health_judge(&c, ROLE_SENTINEL, "26379", "mymaster", &why);
        free(why);
    }
    for (int i = 0; i < got; i++)
        freeReplyObject(r[i]);
    return 0;
}
