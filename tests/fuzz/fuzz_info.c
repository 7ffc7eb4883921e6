/* INFO replication text, as the handover reads a master's (its online
 * replicas, its offset), a replica's (its offset) and health reads it. */
#include "fuzz.h"
#include "handover.h"
#include "health.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    char *info = fuzz_text(data, n);
    struct peer_addr out[PEER_MAX];
    redisReply pong = {.type = REDIS_REPLY_STATUS, .str = "PONG", .len = 4};
    redisReply text = {.type = REDIS_REPLY_STRING, .str = info, .len = n};
    struct peer_call c = {.ok = 1, .reply = {&pong, &text}};
    char *why = NULL;

    (void)handover_replicas(info, out, PEER_MAX);
    (void)peer_info_num(info, "master_repl_offset");
    (void)peer_info_num(info, "slave_repl_offset");
    health_judge(&c, 0, "6379", "mymaster", &why);
    free(why);
    free(info);
    return 0;
}
