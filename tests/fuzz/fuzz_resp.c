/* Any reply from Redis or Sentinel: the input is the bytes a peer sends,
 * read by peer_ask's reader (capped arrays), then looked at with every
 * reply helper redis-init uses. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    redisReply *r[8];
    int got = fuzz_replies(data, n, r, 8);
    char out[64];

    for (int i = 0; i < got; i++) {
        const char *t = peer_str(r[i]);
        (void)peer_is_error(r[i]);
        (void)peer_field(r[i], "flags");
        (void)peer_num(peer_field(r[i], "config-epoch"));
        (void)peer_num(t);
        (void)peer_info(t, "role", out, sizeof out);
        (void)peer_info_num(t, "master_repl_offset");
        freeReplyObject(r[i]);
    }
    return 0;
}
