/* settings: the one table of redis-init's settings, read from an optional
 * libconfuse file and the environment, validated (every problem reported),
 * and the values redis-init derives from them. */
#ifndef REDIS_INIT_SETTINGS_H
#define REDIS_INIT_SETTINGS_H

#include <limits.h>
#include <stdio.h>

#include "diag.h"

enum role { ROLE_NONE = 0, ROLE_MASTER = 1, ROLE_SLAVE = 2, ROLE_SENTINEL = 4,
            ROLE_CLUSTER = 8 };
#define ROLE_SERVER (ROLE_MASTER | ROLE_SLAVE | ROLE_CLUSTER)
#define ROLE_ANY    (ROLE_SERVER | ROLE_SENTINEL)

/* Limits: a value longer than its limit is refused by name. */
#define SETTING_NAME_MAX   255      /* K_NAME */
#define SETTING_SECRET_MAX 512      /* K_SECRET */
#define SETTING_PATH_MAX   3840     /* K_PATH: room for a file name in PATH_MAX */
#define SECRET_FILE_MAX    4096     /* bytes of a NAME_FILE */
#define CONF_FILE_MAX      65536    /* bytes of REDIS_INIT_CONF */
#define CONF_LINE_MAX      4096     /* bytes of one line of it */

enum kind {
    K_PORT,     /* integer 1..65535 */
    K_UINT,     /* integer in [min, max] */
    K_WORD,     /* one of a '|'-separated list */
    K_HOST,     /* host name (up to 253) or IP address */
    K_NAME,     /* [A-Za-z0-9._-]+ */
    K_PATH,     /* absolute path of printable characters */
    K_USER,     /* user name, or uid:gid */
    K_HOSTS,    /* comma-separated host[:port] list */
    K_SECRET,   /* printable text, never echoed */
    K_RENAMES,  /* comma-separated CMD (disabled) or CMD:NEWNAME (renamed) */
    K_HEX,      /* derived: 40 hex digits */
};

/* Flags of a row. */
#define S_DERIVED 1     /* computed by redis-init, not read from the user */
#define S_QUOTE   2     /* rendered as a Redis-quoted string */
#define S_HIDE    4     /* a secret: never echoed, masked by render, kept
                           out of Redis' environment, also read from NAME_FILE */
#define S_LINES   8     /* derived list: its line is rendered once per item
                           (items separated by SETTING_ITEM_SEP) */
#define SETTING_ITEM_SEP '\n'     /* never in a value: refused everywhere */

enum setting_id {
    S_ROLE, S_REDIS_PORT, S_SENTINEL_PORT, S_MASTER_HOST, S_MASTER_PORT,
    S_MASTER_NAME, S_SENTINEL_HOSTS, S_SENTINEL_QUORUM, S_SENTINEL_DOWN_AFTER,
    S_SENTINEL_FAILOVER, S_SENTINEL_PARALLEL_SYNCS, S_REDIS_PASSWORD,
    S_SENTINEL_PASSWORD, S_ANNOUNCE_IP, S_ANNOUNCE_PORT, S_ANNOUNCE_HOSTNAME,
    S_DATA_DIR,
    S_APPENDONLY, S_MIN_REPLICAS_TO_WRITE, S_MIN_REPLICAS_MAX_LAG, S_FENCE,
    S_WATCH_WAIT, S_REDIS_HOSTS,
    S_REDIS_USER, S_STOP_TIMEOUT, S_START_WAIT, S_RESOLVE_WAIT, S_TEMPLATE_DIR,
    S_RENAME_COMMANDS, S_ANNOUNCE_BUS_PORT, S_CLUSTER_NODE_TIMEOUT,
    S_CLUSTER_HOSTS, S_CLUSTER_REPLICAS, S_CLUSTER_SIZE, S_CLUSTER_CREATE,
    S_CLUSTER_WAIT,
    /* derived */
    S_PROTECTED_MODE, S_REPLICAOF_HOST, S_REPLICAOF_PORT, S_MONITOR_HOST,
    S_MONITOR_PORT, S_RESOLVE_HOSTNAMES, S_ANNOUNCE_HOSTNAMES, S_SENTINEL_MYID,
    S_SENTINEL_CURRENT_EPOCH, S_SENTINEL_LEADER_EPOCH, S_SENTINEL_CONFIG_EPOCH,
    S_KNOWN_MASTER_HOST, S_KNOWN_MASTER_PORT, S_RENAMED_COMMANDS,
    S_SENTINEL_RENAMES, S_CLUSTER_BUS_PORT, S_CLUSTER_ENDPOINT_TYPE,
    S_START_MIN_REPLICAS,
    S_COUNT
};

#define SETTING_ALIASES 3          /* the most any row has */
#define SETTING_UNBOUNDED INT_MAX   /* a K_UINT max that means LONG_MAX */

struct setting {
    const char *name;           /* environment variable and template placeholder */
    const char *aliases[SETTING_ALIASES];  /* names users already have */
    const char *def;            /* default, NULL for none */
    int min, max;               /* K_UINT bounds; max SETTING_UNBOUNDED: LONG_MAX */
    const char *words;          /* K_WORD choices */
    unsigned char kind;         /* enum kind; small fields together: */
    unsigned char roles;        /* roles it applies to (the table is */
    unsigned short flags;       /* RELRO data in the static binary) */
    const char *help;
};

extern const struct setting settings_table[S_COUNT];

struct settings {
    char *val[S_COUNT];         /* NULL or "" when unset */
    enum role role;
};

/* Read every setting from the file named by REDIS_INIT_CONF (if set) and then
 * the environment (which wins), validate all of them, and fill in defaults.
 * Every problem is added to d; returns the number of problems. */
int settings_load(struct settings *s, struct diag *d);

/* A K_UINT row's largest value. */
long settings_max(const struct setting *row);

/* Validate one value for a row: 0, or -1 with what was expected. */
int settings_check(const struct setting *row, const char *v,
                   const char **expect);

/* A role word (master, slave, replica, sentinel); ROLE_NONE if unknown. */
enum role settings_role(const char *word);
const char *settings_role_name(enum role r);

/* Compute the derived rows that depend only on the settings themselves. */
void settings_derive(struct settings *s);

/* Set a value (copied); NULL unsets. -1 when out of memory. */
int settings_set(struct settings *s, enum setting_id id, const char *v);
const char *settings_get(const struct settings *s, enum setting_id id);
long settings_num(const struct settings *s, enum setting_id id);
int settings_lookup(const char *name, size_t len);   /* index, or -1 */

void settings_free(struct settings *s);

/* The name a command has on this instance's servers (RENAME_COMMANDS). */
const char *settings_command(const struct settings *s, const char *cmd,
                             char *buf, size_t len);

/* Print the table for --help, or as a Markdown table for the README. */
void settings_usage(FILE *f, int markdown);

#endif
