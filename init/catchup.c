#include <stdio.h>
#include <string.h>

#include "catchup.h"
#include "peer.h"

void catchup_init(struct catchup *c, const struct settings *s, diag_log_fn log)
{
    memset(c, 0, sizeof *c);
    c->s = s;
    c->log = log;
}

int catchup_behind(const struct sen_view *mine, const struct sen_now *now)
{
    int best, votes = 0;
    const struct peer_addr *m;

    if (mine->ok && (!mine->master_down || mine->failover))
        return -1;
    if ((best = sen_agreed(now)) < 0)
        return -1;
    m = &now->v[best].master;
    if (mine->ok && peer_same(m, &mine->master))
        return -1;
    /* A majority of all of them names m, sees it up, and is newer. */
    for (int j = 0; j < now->n; j++) {
        const struct sen_view *v = &now->v[j];
        votes += v->ok && peer_same(&v->master, m) && !v->master_down &&
                 (!mine->ok || v->config_epoch > mine->config_epoch);
    }
    return 2 * votes > now->n + now->unresolved ? best : -1;
}

/* What the local sentinel says of MASTER_NAME: 0 when it answered (mine
 * ok or not), -1 when it did not answer at all. */
static int ask_mine(struct catchup *c, struct sen_view *mine, msec deadline)
{
    const char *name = settings_get(c->s, S_MASTER_NAME);
    struct peer_call p = {0};
    int rc = -1;

    peer_local(&p, (int)settings_num(c->s, S_SENTINEL_PORT),
               settings_get(c->s, S_SENTINEL_PASSWORD));
    peer_cmd(&p, "SENTINEL GET-MASTER-ADDR-BY-NAME %s", name);
    peer_cmd(&p, "SENTINEL MASTER %s", name);
    memset(mine, 0, sizeof *mine);
    if (peer_ask(&p, 1, deadline)) {
        sen_parse(mine, p.reply[0], p.reply[1], NULL);
        rc = 0;
    }
    peer_reset(&p);
    return rc;
}

/* Point the local sentinel at m, with sentinel.conf's options. When a
 * rename fails after the MONITOR, the master is removed again: the next
 * look finds it monitoring none and starts over. */
static int monitor(struct catchup *c, const struct peer_addr *m, int had,
                   msec deadline)
{
    const struct settings *s = c->s;
    const char *name = settings_get(s, S_MASTER_NAME);
    const char *pass = settings_get(s, S_REDIS_PASSWORD);
    const char *renames = settings_get(s, S_SENTINEL_RENAMES);
    struct peer_call p = {0};
    int rc;

    peer_local(&p, (int)settings_num(s, S_SENTINEL_PORT),
               settings_get(s, S_SENTINEL_PASSWORD));
    if (had)
        peer_cmd(&p, "SENTINEL REMOVE %s", name);
    peer_cmd(&p, "SENTINEL MONITOR %s %s %d %s", name, m->host, m->port,
             settings_get(s, S_SENTINEL_QUORUM));
    peer_cmd(&p, "SENTINEL SET %s down-after-milliseconds %s failover-timeout "
             "%s parallel-syncs %s", name, settings_get(s, S_SENTINEL_DOWN_AFTER),
             settings_get(s, S_SENTINEL_FAILOVER),
             settings_get(s, S_SENTINEL_PARALLEL_SYNCS));
    if (pass)
        peer_cmd(&p, "SENTINEL SET %s auth-pass %s", name, pass);
    rc = peer_ask1(&p, deadline);
    int monitored = rc == 0;
    /* "CMD NEWNAME" items: one SET each. */
    for (const char *r = renames; rc == 0 && r && *r;) {
        size_t len = strcspn(r, (char[]){SETTING_ITEM_SEP, 0});
        size_t cmd = strcspn(r, " ");
        peer_reset(&p);
        peer_cmd(&p, "SENTINEL SET %s rename-command %b %b", name, r, cmd,
                 r + cmd + 1, len - cmd - 1);
        rc = peer_ask1(&p, deadline);
        r += len + (r[len] == SETTING_ITEM_SEP);
    }
    if (rc < 0)
        c->log("catchup: SENTINEL MONITOR or SET failed: %s", peer_why(&p));
    peer_reset(&p);
    if (rc < 0 && monitored) {
        peer_cmd(&p, "SENTINEL REMOVE %s", name);
        peer_ask1(&p, deadline);
        peer_reset(&p);
    }
    return rc;
}

void catchup_look(struct catchup *c, struct sen_now *now, msec deadline)
{
    struct sen_view mine;
    const struct peer_addr *m;
    int best;

    if (ask_mine(c, &mine, deadline) < 0 ||
        (mine.ok && (!mine.master_down || mine.failover))) {
        sen_free(&mine, 1);
        c->since = 0;
        return;
    }
    now = sen_now_ask(c->s, now, deadline);
    if ((best = catchup_behind(&mine, now)) < 0) {
        sen_free(&mine, 1);
        c->since = 0;
        return;
    }
    if (!c->since)
        c->since = clock_now();
    m = &now->v[best].master;
    /* The asking may have used up the look's deadline (a sentinel that
     * drops packets): acting gets a period of its own. */
    deadline = clock_now() + settings_num(c->s, S_SENTINEL_DOWN_AFTER);
    if (clock_now() - c->since >= CATCHUP_AFTER_MS &&
        sen_master_answers(c->s, m, deadline) &&
        monitor(c, m, mine.ok, deadline) == 0) {
        if (mine.ok)
            c->log("catchup: this sentinel has seen its master %s:%d down "
                   "for %lld ms while a majority of the sentinels names "
                   "%s:%d master (config epoch %lld, this one's %lld): "
                   "monitoring it now", mine.master.host, mine.master.port,
                   clock_now() - c->since, m->host, m->port,
                   now->v[best].config_epoch, mine.config_epoch);
        else
            c->log("catchup: this sentinel monitors no %s while a majority "
                   "of the sentinels names %s:%d master: monitoring it now",
                   settings_get(c->s, S_MASTER_NAME), m->host, m->port);
        c->since = 0;
    }
    sen_free(&mine, 1);
}
