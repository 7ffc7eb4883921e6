/* known: what an instance knew when it last ran, read back from the files
 * Redis rewrote in its data directory. A sentinel restarted in place keeps
 * its myid, its epochs and the master it monitored last. */
#ifndef REDIS_INIT_KNOWN_H
#define REDIS_INIT_KNOWN_H

#include "diag.h"
#include "settings.h"

#define KNOWN_FILE_MAX (1 << 20)    /* bytes of a sentinel.conf we read back */

/* Split one Redis config line into words as Redis does ("..." with \xHH,
 * \n, \", \\ escapes; '...' with \'). Returns the word count (at most
 * max), each word malloc'd; -1 on unbalanced quotes or out of memory. */
int known_split(const char *line, size_t len, char **words, int max);

/* Fill SENTINEL_MYID, the epochs and KNOWN_MASTER_* from the sentinel.conf
 * at path, if it exists. A value that is not valid (a host name longer than
 * 253 characters, say) is left out and named in warn. */
void known_sentinel(struct settings *s, const char *path, struct diag *warn);

#endif
