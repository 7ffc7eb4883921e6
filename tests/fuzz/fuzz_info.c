/* INFO text, as the handover reads a master's replication section (its
 * online replicas, its offset) and a replica's (its offset), as health
 * reads it, and as the rescue reads the keyspace section. */
#include "fuzz.h"
#include "handover.h"
#include "health.h"
#include "rescue.h"

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
    (void)rescue_keys(info);
    health_judge(&c, ROLE_MASTER, "6379", "mymaster", &why);
    free(why);
    free(info);
    return 0;
}
