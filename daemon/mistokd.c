/*
 * mistokd: the daemon's main. Reads the config, opens (and migrates) the
 * database, starts each module on one event loop, and turns signals into
 * a reload (SIGHUP) or a graceful stop (SIGTERM, SIGINT). Modules plug in
 * through the table below (struct daemon_module in daemon.h).
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "db.h"
#include "event.h"
#include "ingest.h"
#include "log.h"
#include "mailtmpl.h"
#include "meeting.h"
#include "outbox.h"
#include "remind.h"
#include "search.h"
#include "util.h"

/*
 * The modules, started in this order and stopped in reverse; a new module
 * is one line here.
 */
static const struct daemon_module *const modules[] = {
	&mailtmpl_module,
	&ingest_module,
	&search_module,
	&outbox_module,
	&remind_module,
	&meeting_feed_module,
	NULL
};

static int started;		/* modules[0 .. started-1] ran init */
static int stop_signal;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: mistokd [-dnv] [-c file] [-T trace]\n"
	    "  -c file   configuration (default $MISTOK_CONFIG, then %s)\n"
	    "  -d        stay in the foreground and log to stderr\n"
	    "  -n        check the configuration and exit\n"
	    "  -v        verbose (debug) logging\n"
	    "  -T list   trace subsystems: %s\n",
	    SYSCONFDIR "/mistok/mistok.conf", log_trace_names());
	exit(EX_USAGE);
}

/*
 * A readable secret for each account that names a password_file (a 0644
 * file is refused here, before anything starts). password_command is not
 * run: it may be slow or interactive, and runs when a module connects.
 */
static int
check_secrets(const struct config *c, struct buf *errors)
{
	const struct config_account *a[] = { &c->mailbox, &c->smtp };
	char *secret, *err;
	size_t i;
	int n = 0;

	for (i = 0; i < nitems(a); i++) {
		if (a[i]->password_file == NULL ||
		    (i > 0 && a[0]->password_file != NULL &&
		    strcmp(a[i]->password_file, a[0]->password_file) == 0))
			continue;
		if (config_secret(a[i], &secret, &err) == -1) {
			buf_printf(errors, "%s\n", err);
			free(err);
			n++;
			continue;
		}
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	return n;
}

/* Loads and checks path; on failure the errors are in errors. */
static struct config *
load(const char *path, struct buf *errors)
{
	struct config *c = NULL;

	if (config_load(path, &c, errors) != 0)
		return NULL;
	if (check_secrets(c, errors) != 0) {
		config_free(c);
		return NULL;
	}
	return c;
}

static void
log_errors(const char *prefix, const char *errors)
{
	const char *p = errors, *e;

	while (*p) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (e > p)
			log_warnx("%s%.*s", prefix, (int)(e - p), p);
		p = *e ? e + 1 : e;
	}
}

static void
notify_status(const char *state, const char *status)
{
	char *msg;

	if (!daemon_notify_enabled())
		return;
	msg = xasprintf("%s%sSTATUS=%s", state ? state : "", state ? "\n" : "",
	    status);
	daemon_notify(msg);
	free(msg);
}

static void
reload(struct daemon_ctx *ctx)
{
	struct config *old = ctx->conf, *c;
	struct buf errors;
	size_t i;

	notify_status("RELOADING=1", "reloading the configuration");
	log_info("mistokd: SIGHUP, reloading %s", ctx->conf_path);
	buf_init(&errors);
	if ((c = load(ctx->conf_path, &errors)) == NULL) {
		log_errors("mistokd: reload: ", errors.data ? errors.data : "");
		log_warnx("mistokd: reload of %s failed, config kept",
		    ctx->conf_path);
		buf_free(&errors);
		notify_status("READY=1", "running; last reload failed, "
		    "old configuration kept");
		return;
	}
	buf_free(&errors);
	/* The database stays open: a new path needs a restart. */
	if (strcmp(c->store_path, old->store_path) != 0) {
		log_warnx("mistokd: [store] path changed to %s; still using "
		    "%s until restart", c->store_path, old->store_path);
		free(c->store_path);
		c->store_path = xstrdup(old->store_path);
	}
	ctx->conf = c;
	for (i = 0; i < (size_t)started; i++)
		if (modules[i]->reload != NULL)
			modules[i]->reload(ctx, old);
	config_free(old);
	log_info("mistokd: reloaded %s", ctx->conf_path);
	notify_status("READY=1", "running");
}

static void
on_signal(int signo, void *arg)
{
	struct daemon_ctx *ctx = arg;

	if (signo == SIGHUP) {
		reload(ctx);
		return;
	}
	stop_signal = signo;
	ev_break(ctx->loop);
}

static void
shutdown_modules(struct daemon_ctx *ctx)
{
	while (started > 0) {
		started--;
		if (modules[started]->shutdown != NULL)
			modules[started]->shutdown(ctx);
	}
}

int
main(int argc, char *argv[])
{
	struct daemon_ctx ctx;
	struct buf errors;
	const char *cpath = NULL, *bad;
	char *err = NULL, *fail = NULL;
	unsigned mask = 0;
	int ch, dflag = 0, nflag = 0, verbose = 0, notify, report = -1;
	int rc = EX_OK;

	log_init(1, "mistokd");
	while ((ch = getopt(argc, argv, "c:dnvT:")) != -1) {
		switch (ch) {
		case 'c':
			cpath = optarg;
			break;
		case 'd':
			dflag = 1;
			break;
		case 'n':
			nflag = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'T':
			if (log_trace_parse(optarg, &mask, &bad) == -1) {
				fprintf(stderr, "mistokd: unknown trace "
				    "subsystem \"%s\" (known: %s)\n", bad,
				    log_trace_names());
				exit(EX_USAGE);
			}
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_setverbose(verbose);
	log_trace_set(mask);

	memset(&ctx, 0, sizeof(ctx));
	ctx.conf_path = config_default_path(cpath);
	buf_init(&errors);
	if ((ctx.conf = load(ctx.conf_path, &errors)) == NULL) {
		fputs(errors.data ? errors.data : "", stderr);
		fprintf(stderr, "mistokd: %s: configuration not valid\n",
		    ctx.conf_path);
		buf_free(&errors);
		return EX_CONFIG;
	}
	buf_free(&errors);
	if (nflag) {
		fprintf(stderr, "mistokd: %s: configuration OK\n",
		    ctx.conf_path);
		config_free(ctx.conf);
		return EX_OK;
	}

	/*
	 * Under systemd (Type=notify) the service manager tracks this
	 * process: never fork then. Detach before the database opens, since
	 * SQLite's locks do not survive a fork.
	 */
	notify = daemon_notify_enabled();
	if (!dflag && !notify) {
		if (daemon_detach(&report) == -1) {
			fprintf(stderr, "mistokd: detach: %s\n",
			    strerror(errno));
			config_free(ctx.conf);
			return EX_OSERR;
		}
		log_init(0, "mistokd");
	} else if (!dflag)
		log_init(0, "mistokd");
	umask(077);
	signal(SIGPIPE, SIG_IGN);

	ctx.loop = ev_loop_new();
	if (ev_signal(ctx.loop, SIGTERM, on_signal, &ctx) == -1 ||
	    ev_signal(ctx.loop, SIGINT, on_signal, &ctx) == -1 ||
	    ev_signal(ctx.loop, SIGHUP, on_signal, &ctx) == -1)
		fatal("mistokd: signals");
	if (db_open(ctx.conf->store_path, DB_CREATE | DB_MIGRATE, &ctx.db,
	    &err) == -1) {
		fail = xasprintf("mistokd: database: %s", err);
		free(err);
		rc = EX_CANTCREAT;
		goto out;
	}
	for (started = 0; modules[started] != NULL; started++)
		if (modules[started]->init != NULL &&
		    modules[started]->init(&ctx) == -1) {
			fail = xasprintf("mistokd: module %s failed to start",
			    modules[started]->name);
			rc = EX_SOFTWARE;
			goto out;
		}

	log_info("mistokd: started, config %s, database %s, schema version %d",
	    ctx.conf_path, db_path(ctx.db), db_schema_version(ctx.db));
	daemon_detach_report(report, NULL);
	report = -1;
	notify_status("READY=1", "running");

	if (ev_run(ctx.loop) == -1)
		rc = EX_OSERR;
	notify_status("STOPPING=1", "stopping");
	if (stop_signal)
		log_info("mistokd: %s, stopping",
		    stop_signal == SIGINT ? "SIGINT" : "SIGTERM");

out:
	if (fail != NULL) {
		log_warnx("%s", fail);
		daemon_detach_report(report, fail);
		free(fail);
	}
	shutdown_modules(&ctx);
	db_close(ctx.db);
	config_free(ctx.conf);
	ev_loop_free(ctx.loop);
	if (rc == EX_OK)
		log_info("mistokd: stopped");
	return rc;
}
