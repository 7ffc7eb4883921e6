/* peer: every conversation with Redis, Sentinel (and Cluster) goes through
 * here. An address is parsed once and resolved; then a set of peers is
 * asked in parallel, each over its own non-blocking connection (AUTH first
 * when a password is set, the commands pipelined), all under one deadline.
 * hiredis formats the commands and parses the replies; each peer may send
 * at most PEER_REPLY_MAX bytes. A failed call says which peer and why. */
#ifndef REDIS_INIT_PEER_H
#define REDIS_INIT_PEER_H

#include <stddef.h>

#include "clock.h"

#define PEER_HOST_MAX 253           /* the longest DNS name */
#define PEER_MAX 64                 /* addresses asked at once */
#define PEER_CMDS 4                 /* commands in one call */
#define PEER_REPLY_MAX (4 << 20)    /* bytes one peer may send us */
#define PEER_ELEMENTS_MAX 65536     /* elements of one reply array */

struct peer_addr {
    char host[PEER_HOST_MAX + 1];   /* a name, or a numeric IPv4/IPv6 */
    int port;
};

struct redisReply;
struct redisReader;

struct peer_call {
    struct peer_addr addr;          /* a name is resolved at connect */
    const char *password;           /* AUTH first when set */
    int keep;                       /* leave an ok call's connection open */
    /* Filled by peer_ask: */
    struct redisReply *reply[PEER_CMDS];  /* one per command, in order */
    int ok;                         /* connected, AUTH accepted, all replies */
    char *err;                      /* why not (malloc'd), NULL when ok */
    int fd;                         /* with keep: the open connection of an
                                       ok call (the caller closes it), or -1 */
    /* Internal: */
    char *out;
    size_t outlen;
    int ncmd;
};

/* Parse n bytes of "host", "host:port", "[v6]" or "[v6]:port"; the port
 * defaults to defport. 0, or -1 with *why. */
int peer_parse(const char *text, size_t n, int defport, struct peer_addr *out,
               const char **why);

/* Parse a comma-separated list into out[0..max). The count, or -1 with
 * *why (and *bad the 0-based index of the bad item). */
int peer_parse_list(const char *list, int defport, struct peer_addr *out,
                    int max, int *bad, const char **why);

/* Append every numeric address a resolves to (itself when numeric) to
 * out[*n..max), without duplicates. 0, or -1 with *why when it does not
 * resolve. The lookup is the resolver's own: callers that must keep a
 * deadline run in a helper process the supervisor bounds. */
int peer_resolve(const struct peer_addr *a, struct peer_addr *out, int *n,
                 int max, const char **why);

/* Do a and b name the same host (without case) and port? */
int peer_same(const struct peer_addr *a, const struct peer_addr *b);

/* Is numeric address a one of this host's interface addresses? */
int peer_is_local(const char *numeric);

/* Queue a command (hiredis format: %s, %d, %b) on a call. -1 when full. */
int peer_cmd(struct peer_call *c, const char *fmt, ...);

/* A hiredis reader as peer_ask uses it: arrays longer than
 * PEER_ELEMENTS_MAX are refused. NULL when out of memory; free with
 * redisReaderFree. Exposed for the fuzz targets (tests/fuzz/). */
struct redisReader *peer_reader(void);

/* Ask every call's peer at once; returns how many are ok. */
int peer_ask(struct peer_call *calls, int n, msec deadline);

/* Ask one call's peer: 0 when it answered and no reply is an error. */
int peer_ask1(struct peer_call *c, msec deadline);

/* Why a call failed, for a log line: its error, else its first error
 * reply escaped (kept in c->err until peer_reset), else "no reply". */
const char *peer_why(struct peer_call *c);

/* Point a call at the local instance on port (127.0.0.1), with AUTH
 * when password is set. */
void peer_local(struct peer_call *c, int port, const char *password);

/* Free replies, buffers and errors; addr and password are kept. */
void peer_reset(struct peer_call *c);

/* Reply helpers, all NULL-safe. */
const char *peer_str(const struct redisReply *r);     /* string or status */
int peer_is_error(const struct redisReply *r);
/* The value of key in a flat [key, value, ...] array reply. */
const char *peer_field(const struct redisReply *r, const char *key);
/* A "key:value" line of an INFO text into out (len bytes); -1 when
 * missing or longer than out. */
int peer_info(const char *info, const char *key, char *out, size_t len);
/* A non-negative integer of an INFO text or a field; -1 if not one. */
long long peer_info_num(const char *info, const char *key);
long long peer_num(const char *text);

#endif
