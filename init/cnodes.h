/* cnodes: the text of CLUSTER NODES, one line per node ("id ip:port@bus
 * flags master-id ping pong epoch link slots..."), read without copying
 * the whole view. Used by the cluster creator and keeper, the cluster
 * handover and its health. A confused peer's text gives -1, never a crash
 * (tests/fuzz/fuzz_cnodes.c). */
#ifndef REDIS_INIT_CNODES_H
#define REDIS_INIT_CNODES_H

#include <stddef.h>

#include "peer.h"

#define CN_ID_LEN 40

struct cn_line {
    char id[CN_ID_LEN + 1];
    char host[PEER_HOST_MAX + 1];   /* as announced; may be empty */
    int port, bus;
    int myself, master, connected;
    int fail;                       /* fail, fail?, handshake or noaddr */
    int failed, noaddr;             /* fail (agreed), noaddr */
    char master_id[CN_ID_LEN + 1];  /* "-" for a master */
    long long epoch;
    int slots;                      /* slots it owns */
    const char *slot_text;          /* the rest of the line, in the view */
    size_t slot_len;
};

/* The next node's line from *p, which moves past it; -1 at the end. */
int cn_next(const char **p, struct cn_line *l);

/* The line of node id, or of the node flagged myself; -1 when absent. A
 * NULL view has no lines. */
int cn_find(const char *view, const char *id, struct cn_line *out);
int cn_myself(const char *view, struct cn_line *out);

#endif
