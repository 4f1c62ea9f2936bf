/*
 * daemon: what mistokd's main holds together — the context every module
 * plugs into (config, database, event loop), the module hooks (init,
 * reload, shutdown), detaching from the terminal, and systemd's
 * sd_notify protocol spoken over $NOTIFY_SOCKET without libsystemd. It
 * parses no config and opens no database itself.
 */
#ifndef MISTOK_DAEMON_H
#define MISTOK_DAEMON_H

struct config;
struct db;
struct ev_loop;

/*
 * Owned by mistokd's main for the daemon's life. conf is replaced on each
 * successful reload (a module must not keep pointers into the old one
 * past its reload hook); db and loop never change.
 */
struct daemon_ctx {
	const char	*conf_path;
	struct config	*conf;
	struct db	*db;
	struct ev_loop	*loop;
};

/*
 * A module of the daemon (ingest, outbox, scheduler …). init registers its
 * watchers and timers on ctx->loop and returns 0, or -1 after logging why
 * (mistokd then stops). reload runs after ctx->conf was swapped for a new
 * valid config; old is still readable during the call. shutdown stops its
 * watchers and frees what init made; it runs in reverse order of init,
 * also after a failed init of a later module. Any hook may be NULL.
 */
struct daemon_module {
	const char	*name;
	int		(*init)(struct daemon_ctx *);
	void		(*reload)(struct daemon_ctx *, const struct config *old);
	void		(*shutdown)(struct daemon_ctx *);
};

/*
 * Forks into the background (setsid, chdir /, stdio on /dev/null) and
 * returns 0 in the child with *report_fd set; -1 on failure (errno). The
 * parent waits until the child calls daemon_detach_report(): with NULL
 * the parent exits 0, with an error text it prints it and exits 1 (also
 * when the child dies first). So start-up errors still reach the shell.
 */
int daemon_detach(int *report_fd);
/* Tells the waiting parent how start-up went; closes fd (-1: no-op). */
void daemon_detach_report(int fd, const char *error);

/* True when $NOTIFY_SOCKET is set (systemd Type=notify). */
int daemon_notify_enabled(void);

/*
 * Sends one sd_notify datagram ("READY=1", "STATUS=…", "RELOADING=1",
 * "STOPPING=1"; several lines may be joined with \n) to $NOTIFY_SOCKET; an
 * address starting with @ is abstract. Returns 0 when sent or when there
 * is no socket, -1 on failure (logged once per call).
 */
int daemon_notify(const char *state);

#endif
