/*
 * cmdexec and authres: which mail is a command (coordinator, partner and
 * stranger × team-only, with a partner, reply to mistok's own mail ×
 * Authentication-Results passing, failing and spoofed further down), each
 * command in English and Ukrainian with its change in the store and the
 * answer queued in its thread, all or nothing, Dry-Run, bad input (typos,
 * impossible dates, unknown partnership, 1 MB, 10,000 lines, HTML-only,
 * windows-1251) answered with a precise error and nothing changed. The
 * demo directory (contrib/demo) on a fresh database; now is Wednesday
 * 2026-12-02 12:00 in Kyiv.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authres.h"
#include "cmdexec.h"
#include "compose.h"
#include "config.h"
#include "db.h"
#include "directory.h"
#include "imap.h"
#include "ingest.h"
#include "meeting.h"
#include "mime.h"
#include "outbox.h"
#include "remind.h"
#include "store.h"
#include "tz.h"
#include "util.h"

static char tmpdir[] = "/tmp/mistok-test-cmdexec.XXXXXX";
static int dbn;
static uint32_t uid;
static struct config *conf, *conf_auth;
static struct db *db;
static struct ingest *ing;

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char tmp[4096];
	size_t n;

	if (f == NULL)
		fail_msg("%s: cannot open", path);
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	*len = b.len;
	buf_addc(&b, '\0');
	return buf_steal(&b);
}

/*
 * TEST_NO_TEMPLATES=1 (tests/check.sh runs recognition_matrix a second
 * time so) points the templates at a directory that does not exist:
 * every answer then takes the plain-text fallback, which must reach the
 * same people, threaded, with the same result lines. (Commands that send
 * mail of their own, a proposal or a digest, need the templates.)
 */
static struct config *
load_conf(const char *extra)
{
	const char *top = getenv("TEST_NO_TEMPLATES") != NULL ? "/nonexistent" :
	    getenv("TOP") ? getenv("TOP") : ".";
	char *path = xasprintf("%s/c%d.conf", tmpdir, dbn);
	FILE *f = fopen(path, "w");
	struct config *c = NULL;
	struct buf errs;

	assert_non_null(f);
	fprintf(f, "[mailbox]\nhost = localhost\nuser = team@c4c.test\n"
	    "password_command = echo x\n"
	    "[team]\naddress = team@c4c.test\nname = Cities4Cities\n"
	    "domain = c4c.test\ntag = C4C\n"
	    "coordinators = olena@c4c.test, mark@c4c.test\n"
	    "language = uk\ntimezone = Europe/Kyiv\n%s\n"
	    "[store]\npath = %s/x.db\n[templates]\ndir = %s/templates\n",
	    extra, tmpdir, top);
	fclose(f);
	buf_init(&errs);
	if (config_load(path, &c, &errs) != 0)
		fail_msg("config: %s", errs.data);
	buf_free(&errs);
	free(path);
	return c;
}

static void
fresh(struct config *c)
{
	static const char *const kinds[] = { "orgs", "contacts",
	    "partnerships" };
	const char *top = getenv("TOP") ? getenv("TOP") : ".";
	struct dir_import_stats st;
	enum dir_kind k;
	char *path, *data, *err = NULL;
	size_t len, i;

	if (ing != NULL)
		ingest_free(ing);
	if (db != NULL)
		db_close(db);
	path = xasprintf("%s/m%d.db", tmpdir, dbn++);
	assert_int_equal(db_open(path, DB_CREATE | DB_MIGRATE, &db, &err), 0);
	free(path);
	for (i = 0; i < nitems(kinds); i++) {
		path = xasprintf("%s/contrib/demo/%s.csv", top, kinds[i]);
		data = slurp(path, &len);
		assert_int_equal(directory_kind_parse(kinds[i], &k), 0);
		if (directory_import(db, c, k, path, data, len, &st, &err) != 0)
			fail_msg("import: %s", err);
		free(data);
		free(path);
	}
	ing = ingest_new(db, c);
}

/*
 * Stores raw as ingest does (hooks: thread, match, commands), with the
 * server's INTERNALDATE internal (0: none).
 */
static int64_t
deliver_at(struct config *c, const char *raw, time_t internal)
{
	struct store_loc loc = { "INBOX", 1, ++uid };
	struct imap_msg im;
	char *err = NULL;
	int64_t id = 0;

	ingest_set_config(ing, c);
	memset(&im, 0, sizeof(im));
	im.uid = uid;
	im.raw = raw;
	im.len = strlen(raw);
	im.size = (uint32_t)im.len;
	im.internaldate = internal;
	assert_int_equal(db_begin(db), 0);
	if (ingest_store_raw(db, c, &loc, &im, NULL, &err) < 0)
		fail_msg("store: %s", err ? err : "?");
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(db_int(db, &id, "SELECT max(id) FROM messages", ""),
	    1);
	return id;
}

static int64_t
deliver(struct config *c, const char *raw)
{
	return deliver_at(c, raw, 0);
}

static char *
mail(const char *from, const char *to, const char *extra,
    const char *subject, const char *body)
{
	static int n;

	return xasprintf("%sFrom: %s\nTo: %s\nSubject: %s\n"
	    "Message-ID: <cmd%d.%u@test>\nDate: Wed, 02 Dec 2026 10:00:00 "
	    "+0000\nMIME-Version: 1.0\nContent-Type: text/plain; "
	    "charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s",
	    extra ? extra : "", from, to, subject, ++n, uid, body);
}

/* Delivers and runs; returns the message id. */
static int64_t
send_cmd(struct config *c, const char *from, const char *to,
    const char *extra, const char *subject, const char *body)
{
	char *raw = mail(from, to, extra, subject, body), *err = NULL;
	int64_t id = deliver(c, raw);

	free(raw);
	if (cmdexec_run(db, c, 0, &err) < 0)
		fail_msg("run: %s", err);
	return id;
}

static char *reply_of(int64_t);

static char *
status_of(int64_t id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT status FROM commands WHERE "
	    "message = ?");
	char *s = NULL;

	assert_int_equal(db_bind(st, "I", id), 0);
	if (db_step(st) == 1) {
		s = db_col_strdup(st, 0);
		sqlite3_reset(st);
	}
	return s;
}

static void
assert_status(int64_t id, const char *want)
{
	char *s = status_of(id);

	if (want == NULL && s != NULL)
		fail_msg("message %lld: status %s, want none", (long long)id,
		    s);
	if (want != NULL && (s == NULL || strcmp(s, want) != 0))
		fail_msg("message %lld: status %s, want %s:\n%s",
		    (long long)id, s ? s : "none", want, reply_of(id));
	free(s);
}

/* The answer's text (commands.reply). */
static char *
reply_of(int64_t id)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT reply FROM commands WHERE "
	    "message = ?");
	char *s = NULL;

	assert_int_equal(db_bind(st, "I", id), 0);
	if (db_step(st) == 1) {
		s = db_col_strdup(st, 0);
		sqlite3_reset(st);
	}
	return s ? s : xstrdup("");
}

static void
assert_reply_has(int64_t id, const char *want)
{
	char *s = reply_of(id);

	if (strstr(s, want) == NULL)
		fail_msg("answer to %lld lacks '%s':\n%s", (long long)id, want,
		    s);
	free(s);
}

static int64_t
count(const char *sql)
{
	int64_t v = -1;

	assert_int_equal(db_int(db, &v, sql, ""), 1);
	return v;
}

static char *
stage(const char *slug)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT stage FROM partnerships WHERE "
	    "slug = ?");
	char *s = NULL;

	assert_int_equal(db_bind(st, "t", slug), 0);
	if (db_step(st) == 1) {
		s = db_col_strdup(st, 0);
		sqlite3_reset(st);
	}
	return s;
}

static void
assert_stage(const char *slug, const char *want)
{
	char *s = stage(slug);

	assert_non_null(s);
	if (strcmp(s, want) != 0)
		fail_msg("%s: stage %s, want %s", slug, s, want);
	free(s);
}

/* The answer in the outbox: threaded under the command, to the sender. */
static void
assert_answer_queued(int64_t id, const char *to)
{
	char *key = xasprintf("cmd-reply:%lld", (long long)id);
	sqlite3_stmt *st = db_stmt(db, "SELECT recipients, raw FROM outbox "
	    "WHERE dedupe_key = ?");
	char *rcpt, *raw, *mid, *hdr;
	int64_t n;

	assert_int_equal(db_bind(st, "t", key), 0);
	if (db_step(st) != 1)
		fail_msg("no answer queued for %lld", (long long)id);
	rcpt = db_col_strdup(st, 0);
	raw = db_col_strdup(st, 1);
	sqlite3_reset(st);
	assert_string_equal(rcpt, to);
	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM messages WHERE "
	    "id = ? AND message_id IS NOT NULL", "I", id), 1);
	st = db_stmt(db, "SELECT message_id FROM messages WHERE id = ?");
	assert_int_equal(db_bind(st, "I", id), 0);
	assert_int_equal(db_step(st), 1);
	mid = db_col_strdup(st, 0);
	sqlite3_reset(st);
	hdr = xasprintf("In-Reply-To: <%s>", mid);
	if (strstr(raw, hdr) == NULL)
		fail_msg("answer not threaded (%s):\n%.600s", hdr, raw);
	assert_non_null(strstr(raw, "Auto-Submitted: auto-"));
	free(hdr);
	free(mid);
	free(rcpt);
	free(raw);
	free(key);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	mime_init();
	clock_set_fake(1764669600);	/* 2026-12-02 10:00 UTC */
	conf = load_conf("");
	conf_auth = load_conf("require_authenticated_sender = yes\n"
	    "authserv_id = mx.c4c.test\n");
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc;

	(void)state;
	if (ing != NULL)
		ingest_free(ing);
	if (db != NULL)
		db_close(db);
	config_free(conf);
	config_free(conf_auth);
	rc = system(cmd);
	free(cmd);
	mime_shutdown();
	tz_cache_clear();
	return rc == 0 ? 0 : -1;
}

/* ---- authres ------------------------------------------------------------ */

static void
authres_parses_rfc8601(void **state)
{
	struct authres a;

	(void)state;
	assert_int_equal(authres_parse("mx.c4c.test (Postfix 3.7); "
	    "dkim=pass (2048-bit key) header.d=C4C.test header.i=@c4c.test; "
	    "spf=pass smtp.mailfrom=olena@c4c.test; dmarc=pass (p=none) "
	    "header.from=c4c.test", &a), 0);
	assert_string_equal(a.authserv_id, "mx.c4c.test");
	assert_int_equal(a.n, 3);
	assert_string_equal(a.r[0].method, "dkim");
	assert_string_equal(a.r[0].result, "pass");
	assert_string_equal(a.r[0].header_d, "c4c.test");
	assert_string_equal(a.r[2].header_from, "c4c.test");
	authres_free(&a);
	assert_int_equal(authres_parse("mx.c4c.test 1; none", &a), 0);
	assert_int_equal(a.n, 0);
	authres_free(&a);
	assert_int_equal(authres_parse("\"quoted;id\"; dkim=fail "
	    "reason=\"bad; sig\" header.d=x.test", &a), 0);
	assert_string_equal(a.authserv_id, "quoted;id");
	assert_int_equal(a.n, 1);
	assert_string_equal(a.r[0].result, "fail");
	authres_free(&a);
	assert_int_equal(authres_parse("", &a), -1);
	assert_int_equal(authres_parse("mx; =pass", &a), -1);
	assert_int_equal(authres_parse("(only a comment)", &a), -1);
}

static void
authres_trusts_only_the_top(void **state)
{
	char *dmarc[] = { "mx.c4c.test; dmarc=pass header.from=c4c.test",
	    NULL };
	char *dkim[] = { "mx.c4c.test; dkim=pass header.d=c4c.test", NULL };
	char *dkim_other[] = { "mx.c4c.test; dkim=pass header.d=evil.test",
	    NULL };
	char *spf[] = { "mx.c4c.test; spf=pass smtp.mailfrom=c4c.test",
	    NULL };
	char *spoofed[] = { "mx.c4c.test; dmarc=fail header.from=c4c.test",
	    "mx.c4c.test; dmarc=pass header.from=c4c.test", NULL };
	char *foreign_top[] = { "relay.evil.test; dmarc=pass",
	    "mx.c4c.test; dkim=pass header.d=c4c.test", NULL };
	char *two_ours[] = { "mx.c4c.test; spf=pass",
	    "MX.C4C.TEST; dkim=pass header.d=c4c.test", NULL };
	const char *why;

	(void)state;
	assert_int_equal(authres_vouches(dmarc, "mx.c4c.test", "c4c.test",
	    NULL), 1);
	assert_int_equal(authres_vouches(dkim, "mx.c4c.test", "C4C.test",
	    NULL), 1);
	assert_int_equal(authres_vouches(dkim_other, "mx.c4c.test",
	    "c4c.test", &why), 0);
	assert_non_null(strstr(why, "SPF alone"));
	assert_int_equal(authres_vouches(spf, "mx.c4c.test", "c4c.test",
	    NULL), 0);
	/* Every header of the run counts (cmdexec passes only the run
	 * adjacent to the top; see recognition_matrix). */
	assert_int_equal(authres_vouches(spoofed, "mx.c4c.test", "c4c.test",
	    NULL), 1);
	/* ...and a header below another server's is never read. */
	assert_int_equal(authres_vouches(foreign_top, "mx.c4c.test",
	    "c4c.test", &why), 0);
	assert_non_null(strstr(why, "another authserv-id"));
	assert_int_equal(authres_vouches(two_ours, "mx.c4c.test", "c4c.test",
	    NULL), 1);
	assert_int_equal(authres_vouches(NULL, "mx.c4c.test", "c4c.test",
	    NULL), 0);
	assert_int_equal(authres_vouches(dmarc, NULL, "c4c.test", NULL), 0);
}

/* ---- recognition -------------------------------------------------------- */

#define OK_AR	"Authentication-Results: mx.c4c.test; dkim=pass " \
		"header.d=c4c.test; dmarc=pass header.from=c4c.test\n"
#define BAD_AR	"Authentication-Results: mx.c4c.test; dkim=fail " \
		"header.d=c4c.test; spf=pass smtp.mailfrom=c4c.test\n"
/* The server's failing verdict on top, the sender's "pass" below. */
#define SPOOF_AR BAD_AR "Received: from evil.test by mx.c4c.test\n" \
		"Authentication-Results: mx.c4c.test; dmarc=pass " \
		"header.from=c4c.test\n"

static void
recognition_matrix(void **state)
{
	static const struct {
		struct config	**conf;
		const char	*from, *to, *extra, *body;
		const char	*status;	/* NULL: none */
		const char	*stage;		/* kharkiv-tempe after */
	} t[] = {
		/* coordinator, team-only */
		{ &conf, "olena@c4c.test", "team@c4c.test", NULL,
		    "Partnership: kharkiv-tempe\nStage: planning\n", "done",
		    "planning" },
		{ &conf, "Mark <mark@c4c.test>", "team+p2@c4c.test", NULL,
		    "Partnership: kharkiv-tempe\nStage: dormant\n", "done",
		    "dormant" },
		/* coordinator with a partner among the recipients */
		{ &conf, "olena@c4c.test", "team@c4c.test, city@kharkiv.test",
		    NULL, "Partnership: kharkiv-tempe\nStage: closed\n", NULL,
		    "dormant" },
		/* partner, team-only: told, not run */
		{ &conf, "city@kharkiv.test", "team@c4c.test", NULL,
		    "Partnership: kharkiv-tempe\nStage: closed\n", "refused",
		    "dormant" },
		/* stranger */
		{ &conf, "x@evil.test", "team@c4c.test", NULL,
		    "Stage: closed\n", "refused", "dormant" },
		/* partner's plain mail: correspondence */
		{ &conf, "city@kharkiv.test", "team@c4c.test", NULL,
		    "Hello, see you soon.\n", NULL, "dormant" },
		/* coordinator's internal note */
		{ &conf, "olena@c4c.test", "team@c4c.test, mark@c4c.test",
		    NULL, "Треба перевірити звіт до п'ятниці.\n", "note",
		    "dormant" },
		/* authentication required */
		{ &conf_auth, "olena@c4c.test", "team@c4c.test", OK_AR,
		    "Partnership: kharkiv-tempe\nStage: planning\n", "done",
		    "planning" },
		{ &conf_auth, "olena@c4c.test", "team@c4c.test", BAD_AR,
		    "Partnership: kharkiv-tempe\nStage: closed\n", "refused",
		    "planning" },
		{ &conf_auth, "olena@c4c.test", "team@c4c.test", SPOOF_AR,
		    "Partnership: kharkiv-tempe\nStage: closed\n", "refused",
		    "planning" },
		{ &conf_auth, "olena@c4c.test", "team@c4c.test", NULL,
		    "Partnership: kharkiv-tempe\nStage: closed\n", "refused",
		    "planning" },
	};
	size_t i;
	int64_t id, before;

	(void)state;
	fresh(conf);
	for (i = 0; i < nitems(t); i++) {
		before = count("SELECT count(*) FROM outbox");
		id = send_cmd(*t[i].conf, t[i].from, t[i].to, t[i].extra,
		    "cmd", t[i].body);
		assert_status(id, t[i].status);
		assert_stage("kharkiv-tempe", t[i].stage);
		if (t[i].status != NULL && strcmp(t[i].status, "refused") ==
		    0) {
			char *k = xasprintf("cmd-foreign:%lld", (long long)id);
			int64_t n = -1;

			assert_int_equal(db_int(db, &n, "SELECT count(*) FROM "
			    "outbox WHERE dedupe_key = ? AND recipients = "
			    "'olena@c4c.test mark@c4c.test'", "t", k), 1);
			if (n != 1)
				fail_msg("case %zu: coordinators not told", i);
			free(k);
		} else if (t[i].status != NULL && strcmp(t[i].status,
		    "done") == 0)
			assert_answer_queued(id, strchr(t[i].from, '<') ?
			    "mark@c4c.test" : t[i].from);
		else if (count("SELECT count(*) FROM outbox") != before)
			fail_msg("case %zu: mail queued for a non-command", i);
	}
	/* Command mail is kind command; the rest is not. */
	assert_int_equal(count("SELECT count(*) FROM messages WHERE kind = "
	    "'command'"), 3);
	/* Running again handles nothing twice. */
	{
		char *err = NULL;

		assert_int_equal(cmdexec_run(db, conf, 0, &err), 0);
	}
}

static void
never_answers_auto_mail(void **state)
{
	int64_t id;

	(void)state;
	fresh(conf);
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test",
	    "Auto-Submitted: auto-replied\n", "Out of office",
	    "Stage: closed\n");
	assert_status(id, NULL);
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test",
	    "List-Id: <x.c4c.test>\nPrecedence: list\n", "list",
	    "Stage: closed\n");
	assert_status(id, NULL);
	assert_int_equal(count("SELECT count(*) FROM outbox"), 0);
}

/* ---- commands ----------------------------------------------------------- */

static void
commands_in_english_and_ukrainian(void **state)
{
	int64_t id, step;

	(void)state;
	fresh(conf);
	/* Mark writes English. */
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL,
	    "Lviv steps", "Partnership: lviv-madison\n"
	    "Stage: joint_projects\n"
	    "Next-Step: Send the draft agreement ; due 2026-12-05 ; owner me\n"
	    "Note: Call went well\n");
	assert_status(id, "done");
	assert_stage("lviv-madison", "joint_projects");
	assert_reply_has(id, "stage planning → joint_projects");
	assert_reply_has(id, "step #");
	assert_reply_has(id, "due Sat 5 Dec");
	assert_reply_has(id, "note added");
	assert_answer_queued(id, "mark@c4c.test");
	assert_int_equal(count("SELECT count(*) FROM steps WHERE text = "
	    "'Send the draft agreement'"), 1);
	assert_int_equal(count("SELECT count(*) FROM notes WHERE text = "
	    "'Call went well'"), 1);
	assert_int_equal(count("SELECT count(*) FROM events WHERE action = "
	    "'command' AND actor = 'mark@c4c.test'"), 3);
	step = count("SELECT max(id) FROM steps");

	/* Olena writes Ukrainian: the answer is Ukrainian. */
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test", NULL,
	    "Харків", "Партнерство: kharkiv-tempe\nЕтап: planning\n"
	    "Крок: Надіслати лист мерові ; до 05.12\nНотатка: домовились\n");
	assert_status(id, "done");
	assert_stage("kharkiv-tempe", "planning");
	assert_reply_has(id, "етап meeting_held → planning");
	assert_reply_has(id, "крок №");
	assert_reply_has(id, "нотатку додано");

	/* Done, by number, in both languages. */
	{
		char *b = xasprintf("Done: #%lld\n", (long long)step);

		id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL,
		    "done", b);
		free(b);
	}
	assert_reply_has(id, "done");
	assert_int_equal(count("SELECT count(*) FROM steps WHERE status = "
	    "'done'"), 1);

	/* Org and Contact. */
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL, "dir",
	    "Org: City of Austin ; country US ; kind municipality ; "
	    "tz America/Chicago ; domain austin.test\n"
	    "Contact: Ann Lee <ann@austin.test> ; org City of Austin ; "
	    "lang en\n");
	assert_status(id, "done");
	assert_reply_has(id, "organisation #");
	assert_reply_has(id, "contact #");
	assert_int_equal(count("SELECT count(*) FROM contact_addresses WHERE "
	    "email = 'ann@austin.test'"), 1);

	/* New-Partnership, then its context for the next line. */
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test", NULL, "new",
	    "Нове-партнерство: Lviv City Council – City of Austin ; "
	    "coordinator olena@c4c.test\nЕтап: contacted\n");
	assert_status(id, "done");
	assert_stage("lviv-austin", "contacted");

	/* Pair look-up, Show, Search, Help, Digest. */
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL, "show",
	    "Partnership: Lviv – Madison\nShow:\n");
	assert_reply_has(id, "lviv-madison (#");
	assert_reply_has(id, "stage: joint_projects");
	assert_reply_has(id, "open steps:");	/* its step is done */
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL, "find",
	    "Search: draft agreement\n");
	assert_reply_has(id, "\"Lviv steps\"");
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test", NULL, "find",
	    "Пошук: мерові\n");
	assert_reply_has(id, "\"Харків\"");
	assert_reply_has(id, "мерові ; до 05.12 Нотатка");
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test", NULL, "help",
	    "Довідка:\n");
	assert_reply_has(id, "Партнерство");
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL, "digest",
	    "Digest:\n");
	assert_status(id, "done");
	assert_reply_has(id, "your digest is on its way");
	/* remind.c queued the digest itself, to the sender. */
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE dedupe_key "
	    "LIKE 'digest-now:mark@c4c.test:%' AND recipients = "
	    "'mark@c4c.test'"), 1);

	/* Report as text and as a CSV attachment. */
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL, "report",
	    "Report: 2026-11-01..2026-11-30 ; format csv\n");
	assert_reply_has(id, "report-2026-11-01-2026-11-30.csv");
	/* The CSV travels as an attachment of the answer. */
	{
		char *key = xasprintf("cmd-reply:%lld", (long long)id);
		sqlite3_stmt *st = db_stmt(db, "SELECT raw FROM outbox WHERE "
		    "dedupe_key = ?");
		const char *raw;

		assert_int_equal(db_bind(st, "t", key), 0);
		assert_int_equal(db_step(st), 1);
		raw = (const char *)sqlite3_column_blob(st, 0);
		if (raw == NULL || memmem(raw, (size_t)sqlite3_column_bytes(st,
		    0), "Content-Type: text/csv", 22) == NULL)
			fail_msg("no CSV part in the answer");
		sqlite3_reset(st);
		free(key);
	}
}

static void
assign_and_forwarding(void **state)
{
	int64_t lost, id;
	char *b;

	(void)state;
	fresh(conf);
	lost = send_cmd(conf, "someone@unknown.test", "team@c4c.test", NULL,
	    "A question", "Hello, who can help us?\n");
	assert_int_equal(count("SELECT count(*) FROM messages WHERE "
	    "partnership IS NULL"), 1);
	b = xasprintf("Partnership: irpin-madison\nAssign: #%lld\n",
	    (long long)lost);
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL, "file",
	    b);
	free(b);
	assert_status(id, "done");
	assert_int_equal(count("SELECT count(*) FROM messages m JOIN "
	    "partnerships p ON p.id = m.partnership WHERE p.slug = "
	    "'irpin-madison' AND m.rule = 'assigned'"), 1);
	/* Filing by forwarding, by the forwarded headers. */
	lost = send_cmd(conf, "other@unknown.test", "team@c4c.test", NULL,
	    "Conference", "Will you come?\n");
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL,
	    "Fwd: Conference", "Partnership: kharkiv-tempe\n\n"
	    "---------- Forwarded message ---------\n"
	    "From: Other <other@unknown.test>\nSubject: Conference\n\n"
	    "Will you come?\n");
	assert_status(id, "done");
	assert_reply_has(id, "filed under kharkiv-tempe");
	{
		int64_t n = -1;

		assert_int_equal(db_int(db, &n, "SELECT count(*) FROM messages "
		    "WHERE id = ? AND rule = 'assigned'", "I", lost), 1);
		assert_int_equal(n, 1);
	}
}

/* ---- all or nothing ----------------------------------------------------- */

static void
one_bad_line_runs_nothing(void **state)
{
	static const struct {
		const char *body, *want;
	} t[] = {
		{ "Partnership: lviv-madison\nStage: closed\nStge: planning\n",
		    "line 3" },
		{ "Partnership: lviv-madison\nStage: planing\n",
		    "did you mean 'planning'" },
		{ "Partnership: lviv-madisn\nStage: closed\n",
		    "did you mean 'lviv-madison'" },
		{ "Partnership: lviv-madison\nStage: closed\n"
		    "Next-Step: x ; due 2026-02-30\n", "line 3" },
		{ "Partnership: lviv-madison\nStage: closed\n"
		    "Next-Step: x ; owner Nobody Atall\n", "line 3" },
		{ "Partnership: lviv-madison\nStage: closed\nDone: #999\n",
		    "line 3" },
		{ "Stage: closed\n", "which partnership" },
		{ "Partnership: lviv-madison\nStage: closed\nCancel: #77\n",
		    "no meeting #77" },
	};
	size_t i;
	int64_t id, steps0, events0;

	(void)state;
	fresh(conf);
	steps0 = count("SELECT count(*) FROM steps");
	events0 = count("SELECT count(*) FROM events");
	for (i = 0; i < nitems(t); i++) {
		id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL,
		    "bad", t[i].body);
		assert_status(id, "failed");
		assert_reply_has(id, t[i].want);
		assert_stage("lviv-madison", "planning");
		assert_answer_queued(id, "mark@c4c.test");
	}
	assert_int_equal(count("SELECT count(*) FROM steps"), steps0);
	/* Only the failures' own audit rows. */
	assert_int_equal(count("SELECT count(*) FROM events") - events0,
	    (int64_t)nitems(t));
	/* Ukrainian errors for Olena. */
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test", NULL, "bad",
	    "Партнерство: lviv-madison\nЕтап: планувння\n");
	assert_status(id, "failed");
	assert_reply_has(id, "рядок 2");
}

static void
dry_run_changes_nothing(void **state)
{
	int64_t id;

	(void)state;
	fresh(conf);
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL, "dry",
	    "Dry-Run: yes\nPartnership: lviv-madison\nStage: closed\n"
	    "Next-Step: Try ; due 2026-12-10\n");
	assert_status(id, "done");
	assert_reply_has(id, "stage planning → closed");
	assert_stage("lviv-madison", "planning");
	assert_int_equal(count("SELECT count(*) FROM steps"), 0);
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE dedupe_key "
	    "LIKE 'cmd-reply:%'"), 1);
}

static void
bad_input_is_answered_precisely(void **state)
{
	struct buf b;
	int64_t id;
	size_t i;
	char *raw, *err = NULL;

	(void)state;
	fresh(conf);
	/* 10,000 command lines. */
	buf_init(&b);
	buf_adds(&b, "Partnership: lviv-madison\n");
	for (i = 0; i < 10000; i++)
		buf_adds(&b, "Stage: closed\n");
	buf_addc(&b, '\0');
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL, "many",
	    b.data);
	assert_status(id, "failed");
	assert_stage("lviv-madison", "planning");
	buf_free(&b);
	/* 1 MB on one command line. */
	buf_init(&b);
	buf_adds(&b, "Partnership: lviv-madison\nNote: ");
	for (i = 0; i < 1024 * 1024; i++)
		buf_addc(&b, 'a');
	buf_adds(&b, "\n");
	buf_addc(&b, '\0');
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL, "big",
	    b.data);
	assert_status(id, "failed");
	assert_int_equal(count("SELECT count(*) FROM notes"), 0);
	buf_free(&b);
	/* HTML only: reduced to text, then read. */
	raw = xasprintf("From: mark@c4c.test\nTo: team@c4c.test\n"
	    "Subject: html\nMessage-ID: <html1@test>\nMIME-Version: 1.0\n"
	    "Content-Type: text/html; charset=utf-8\n\n<html><body>"
	    "Partnership: lviv-madison<br>Stage: planing<br>"
	    "</body></html>\n");
	id = deliver(conf, raw);
	free(raw);
	assert_true(cmdexec_run(db, conf, 0, &err) >= 0);
	assert_status(id, "failed");
	assert_reply_has(id, "did you mean 'planning'");
	/* windows-1251 Cyrillic, decoded by mime. */
	raw = xasprintf("From: olena@c4c.test\nTo: team@c4c.test\n"
	    "Subject: cp\nMessage-ID: <cp1@test>\nMIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=windows-1251\n"
	    "Content-Transfer-Encoding: 8bit\n\n"
	    "\xcf\xe0\xf0\xf2\xed\xe5\xf0\xf1\xf2\xe2\xee: kharkiv-tempe\n"
	    "\xc5\xf2\xe0\xef: planing\n");
	id = deliver(conf, raw);
	free(raw);
	assert_true(cmdexec_run(db, conf, 0, &err) >= 0);
	assert_status(id, "failed");
	assert_reply_has(id, "рядок 2");
	assert_stage("kharkiv-tempe", "meeting_held");
}

static void
replies_to_own_mail(void **state)
{
	int64_t id, step;
	char *err = NULL, *hdr;

	(void)state;
	fresh(conf);
	/* A step and mistok's reminder about it (as the reminders record). */
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL, "s",
	    "Partnership: lviv-madison\nNext-Step: Call Madison\n");
	step = count("SELECT max(id) FROM steps");
	assert_int_equal(compose_record_own_id(db, "mistok.rem1@c4c.test",
	    REMIND_OWN_STEP, step, 0, &err), 0);
	hdr = xasprintf("In-Reply-To: <mistok.rem1@c4c.test>\n");
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", hdr,
	    "Re: reminder", "snooze 3d\n\n> Call Madison is due\n");
	assert_status(id, "done");
	assert_reply_has(id, "snoozed until");
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", hdr,
	    "Re: reminder", "done\n\n> Call Madison is due\n");
	assert_status(id, "done");
	assert_int_equal(count("SELECT count(*) FROM steps WHERE status = "
	    "'done'"), 1);
	/* stop: the partnership of the mail it answers. */
	assert_int_equal(compose_record_own_id(db, "mistok.nudge1@c4c.test",
	    "nudge", 0, 2, &err), 0);
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test",
	    "In-Reply-To: <mistok.nudge1@c4c.test>\n", "Re: nudge", "стоп\n");
	assert_status(id, "done");
	assert_int_equal(cmdexec_nudges_stopped(db, 2), 1);
	assert_int_equal(cmdexec_nudges_stopped(db, 1), 0);
	/* send: this nudge names no unanswered mail; a slot number
	 * without a proposal. */
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test",
	    "In-Reply-To: <mistok.nudge1@c4c.test>\n", "Re: nudge",
	    "надіслати\n");
	assert_status(id, "failed");
	assert_reply_has(id, "«надіслати» — відповідь");
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test",
	    "In-Reply-To: <mistok.nudge1@c4c.test>\n", "Re: nudge", "2\n");
	assert_status(id, "failed");
	/* A reply word in mail that answers nothing of mistok's. */
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test", NULL, "x",
	    "done\nPartnership: lviv-madison\nStage: closed\n");
	assert_status(id, "failed");
	assert_stage("lviv-madison", "planning");
	free(hdr);
}


/* A text column of one row, or NULL (caller frees). */
static char *
text_of(const char *sql, int64_t arg)
{
	sqlite3_stmt *st = db_stmt(db, sql);
	char *v = NULL;

	assert_non_null(st);
	assert_int_equal(db_bind(st, "I", arg), 0);
	if (db_step(st) == 1) {
		v = db_col_strdup(st, 0);
		sqlite3_reset(st);
	}
	return v;
}

static int64_t
int_of(const char *sql, int64_t arg)
{
	int64_t v = -1;

	assert_int_equal(db_int(db, &v, sql, "I", arg), 1);
	return v;
}

/* Answers to (or notices about) message id in the outbox. */
static int64_t
answers(int64_t id)
{
	char *k1 = xasprintf("cmd-reply:%lld", (long long)id);
	char *k2 = xasprintf("cmd-foreign:%lld", (long long)id);
	int64_t n = -1;

	assert_int_equal(db_int(db, &n, "SELECT count(*) FROM outbox WHERE "
	    "dedupe_key IN (?, ?)", "tt", k1, k2), 1);
	free(k1);
	free(k2);
	return n;
}

static void
old_command_mail_is_stale(void **state)
{
	time_t now = clock_now();
	char *raw, *err = NULL;
	int64_t id;

	(void)state;
	fresh(conf);
	/* An import of last year's mailbox: INTERNALDATE a year ago. */
	raw = mail("olena@c4c.test", "team@c4c.test", NULL, "old",
	    "Partnership: lviv-madison\nStage: closed\n");
	id = deliver_at(conf, raw, now - 365 * 86400);
	free(raw);
	assert_status(id, "stale");
	assert_true(cmdexec_run(db, conf, 0, &err) >= 0);
	assert_status(id, "stale");
	assert_stage("lviv-madison", "planning");
	assert_int_equal(answers(id), 0);
	assert_int_equal(count("SELECT count(*) FROM outbox"), 0);
	/* No INTERNALDATE: the Date header decides (4 days > 3d). */
	raw = xasprintf("From: olena@c4c.test\nTo: team@c4c.test\n"
	    "Subject: old2\nMessage-ID: <old2@test>\n"
	    "Date: Fri, 28 Nov 2025 09:00:00 +0000\n\n"
	    "Partnership: lviv-madison\nStage: closed\n");
	id = deliver(conf, raw);
	free(raw);
	assert_true(cmdexec_run(db, conf, 0, &err) >= 0);
	assert_status(id, "stale");
	assert_stage("lviv-madison", "planning");
	/* A stranger's old command mail: not told to the coordinators. */
	raw = mail("mayor@lviv.test", "team@c4c.test", NULL, "old3",
	    "Partnership: lviv-madison\nStage: closed\n");
	id = deliver_at(conf, raw, now - 30 * 86400);
	free(raw);
	assert_true(cmdexec_run(db, conf, 0, &err) >= 0);
	assert_status(id, "stale");
	assert_int_equal(answers(id), 0);
	/* An old reply to mistok's own mail: nothing either. */
	assert_int_equal(compose_record_own_id(db, "mistok.n9@c4c.test",
	    REMIND_OWN_NUDGE, 0, 1, &err), 0);
	raw = mail("olena@c4c.test", "team@c4c.test",
	    "In-Reply-To: <mistok.n9@c4c.test>\n", "Re: nudge", "stop\n");
	id = deliver_at(conf, raw, now - 10 * 86400);
	free(raw);
	assert_true(cmdexec_run(db, conf, 0, &err) >= 0);
	assert_status(id, "stale");
	assert_int_equal(cmdexec_nudges_stopped(db, 1), 0);
	assert_int_equal(count("SELECT count(*) FROM outbox"), 0);

	/* A recent one (INTERNALDATE an hour ago) runs and is answered. */
	raw = mail("olena@c4c.test", "team@c4c.test", NULL, "new",
	    "Partnership: lviv-madison\nStage: closed\n");
	id = deliver_at(conf, raw, now - 3600);
	free(raw);
	assert_true(cmdexec_run(db, conf, 0, &err) >= 0);
	assert_status(id, "done");
	assert_stage("lviv-madison", "closed");
	assert_int_equal(answers(id), 1);

	/* Recent when stored, but mistok ran it only 4 days later. */
	raw = mail("olena@c4c.test", "team@c4c.test", NULL, "late",
	    "Partnership: lviv-madison\nStage: planning\n");
	id = deliver_at(conf, raw, now);
	free(raw);
	assert_status(id, "pending");
	clock_set_fake(now + 4 * 86400);
	assert_true(cmdexec_run(db, conf, 0, &err) >= 0);
	clock_set_fake(now);
	assert_status(id, "stale");
	assert_stage("lviv-madison", "closed");
	assert_int_equal(answers(id), 0);
}

/* The own id meeting.c recorded of kind for object (caller frees). */
static char *
own_msgid(const char *kind, int64_t object)
{
	sqlite3_stmt *st = db_stmt(db, "SELECT msgid FROM own_ids WHERE "
	    "kind = ? AND object = ? ORDER BY created DESC, rowid DESC "
	    "LIMIT 1");
	char *v = NULL;

	assert_int_equal(db_bind(st, "tI", kind, object), 0);
	if (db_step(st) == 1) {
		v = db_col_strdup(st, 0);
		sqlite3_reset(st);
	}
	if (v == NULL)
		fail_msg("no own id of kind %s for %lld", kind,
		    (long long)object);
	return v;
}

static int64_t
reply_to(const char *from, const char *msgid, const char *body)
{
	char *hdr = xasprintf("In-Reply-To: <%s>\nReferences: <%s>\n", msgid,
	    msgid);
	int64_t id = send_cmd(conf, from, "team@c4c.test", hdr, "Re: mistok",
	    body);

	free(hdr);
	return id;
}

static void
meeting_lines_and_replies(void **state)
{
	int64_t id, mid, slot2, n0;
	char *own, *s;

	(void)state;
	fresh(conf);
	/* Meeting (propose): the proposal mail to the coordinator. */
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test", NULL, "m",
	    "Партнерство: lviv-madison\n"
	    "Зустріч: 60 хв ; 2025-12-08..2025-12-12 ; \"Plan\"\n");
	assert_status(id, "done");
	assert_reply_has(id, "пропозиція зустрічі №");
	mid = count("SELECT max(id) FROM meetings");
	s = text_of("SELECT status FROM meetings WHERE id = ?", mid);
	assert_string_equal(s, "proposed");
	free(s);
	assert_true(int_of("SELECT count(*) FROM meeting_slots WHERE "
	    "meeting = ?", mid) >= 2);
	slot2 = int_of("SELECT start_utc FROM meeting_slots WHERE meeting = ? "
	    "AND n = 2", mid);
	/* A slot it does not have. */
	own = own_msgid("proposal", mid);
	id = reply_to("olena@c4c.test", own, "9\n");
	assert_status(id, "failed");
	assert_reply_has(id, "варіанта 9 немає");
	/* "2": slot 2 booked, the invitations queued. */
	n0 = count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE "
	    "'invite:%'");
	id = reply_to("olena@c4c.test", own, "2\n\n> 1) ...\n> 2) ...\n");
	assert_status(id, "done");
	assert_reply_has(id, "час 2 пропозиції");
	s = text_of("SELECT status FROM meetings WHERE id = ?", mid);
	assert_string_equal(s, "scheduled");
	free(s);
	assert_int_equal(int_of("SELECT start_utc FROM meetings WHERE id = ?",
	    mid), slot2);
	assert_true(count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE "
	    "'invite:%'") > n0);
	free(own);

	/* "cancel" to an invitation (own id kind invite, object the
	 * attendee): the meeting is cancelled, CANCEL to everyone. */
	own = own_msgid("invite", int_of("SELECT min(id) FROM attendees WHERE "
	    "meeting = ?", mid));
	id = reply_to("mark@c4c.test", own, "cancel\n");
	assert_status(id, "done");
	assert_reply_has(id, "cancelled");
	s = text_of("SELECT status FROM meetings WHERE id = ?", mid);
	assert_string_equal(s, "cancelled");
	free(s);
	assert_true(count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE "
	    "'cancel:%'") > 0);
	free(own);

	/* "скасувати" to a proposal nobody was invited to: withdrawn. */
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test", NULL, "m2",
	    "Partnership: lviv-madison\nMeeting: 45m ; 2025-12-15..2025-12-19"
	    "\n");
	mid = count("SELECT max(id) FROM meetings");
	own = own_msgid("proposal", mid);
	n0 = count("SELECT count(*) FROM outbox");
	id = reply_to("olena@c4c.test", own, "скасувати\n");
	assert_status(id, "done");
	assert_reply_has(id, "відкликано");
	s = text_of("SELECT status FROM meetings WHERE id = ?", mid);
	assert_string_equal(s, "cancelled");
	free(s);
	/* Only the answer went out. */
	assert_int_equal(count("SELECT count(*) FROM outbox"), n0 + 1);
	/* The slot of a withdrawn proposal can no longer be picked. */
	id = reply_to("olena@c4c.test", own, "1\n");
	assert_status(id, "failed");
	free(own);

	/* Meeting auto: the best slot booked at once. */
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL, "m3",
	    "Partnership: lviv-madison\nMeeting: 30m ; 2025-12-08..2025-12-12 "
	    "; auto\n");
	assert_status(id, "done");
	assert_reply_has(id, "booked for");
	mid = count("SELECT max(id) FROM meetings");
	s = text_of("SELECT status FROM meetings WHERE id = ?", mid);
	assert_string_equal(s, "scheduled");
	free(s);
	assert_int_equal(int_of("SELECT start_utc FROM meetings WHERE id = ?",
	    mid), int_of("SELECT start_utc FROM meeting_slots WHERE meeting = "
	    "? AND n = 1", mid));
	assert_int_equal(int_of("SELECT duration FROM meetings WHERE id = ?",
	    mid), 30 * 60);

	/* Reschedule: SEQUENCE+1, into the new window. */
	s = xasprintf("Reschedule: #%lld ; 2025-12-15..2025-12-19\n",
	    (long long)mid);
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL, "m4", s);
	free(s);
	assert_status(id, "done");
	assert_reply_has(id, "moved to");
	assert_int_equal(int_of("SELECT sequence FROM meetings WHERE id = ?",
	    mid), 1);
	/* 2025-12-15 00:00 UTC .. 2025-12-20 00:00 UTC, give or take
	 * the zones. */
	assert_true(int_of("SELECT start_utc FROM meetings WHERE id = ?", mid)
	    >= 1765756800 - 86400);
	assert_true(int_of("SELECT start_utc FROM meetings WHERE id = ?", mid)
	    < 1766188800 + 86400);

	/* Cancel line (Ukrainian). */
	s = xasprintf("Скасувати: #%lld\n", (long long)mid);
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test", NULL, "m5", s);
	free(s);
	assert_status(id, "done");
	assert_reply_has(id, "скасовано");
	s = text_of("SELECT status FROM meetings WHERE id = ?", mid);
	assert_string_equal(s, "cancelled");
	free(s);
	assert_int_equal(int_of("SELECT sequence FROM meetings WHERE id = ?",
	    mid), 2);
}

static void
replies_to_reminders(void **state)
{
	struct meeting_env env;
	int64_t id, mid, out, step, pid;
	char *raw, *err = NULL, *s;

	(void)state;
	fresh(conf);
	pid = count("SELECT id FROM partnerships WHERE slug = "
	    "'lviv-madison'");

	/* "send" to a nudge: remind.c queues the follow-up, once. */
	raw = xasprintf("From: Cities4Cities <team@c4c.test>\n"
	    "To: Mayor <mayor@lviv.test>\nSubject: Draft agreement\n"
	    "Message-ID: <out1@c4c.test>\n"
	    "Date: Mon, 24 Nov 2025 10:00:00 +0000\n\nPlease have a look.\n");
	out = deliver(conf, raw);
	free(raw);
	assert_int_equal(compose_record_own_id(db, "mistok.nudge2@c4c.test",
	    REMIND_OWN_NUDGE, out, pid, &err), 0);
	id = reply_to("olena@c4c.test", "mistok.nudge2@c4c.test",
	    "send\n\n> mayor@lviv.test has not answered\n");
	assert_status(id, "done");
	assert_reply_has(id, "партнерові надсилається");
	s = xasprintf("followup:no-answer:%lld:%lld", (long long)pid,
	    (long long)out);
	{
		int64_t n = -1;

		assert_int_equal(db_int(db, &n, "SELECT count(*) FROM outbox "
		    "WHERE dedupe_key = ? AND recipients = 'mayor@lviv.test'",
		    "t", s), 1);
		assert_int_equal(n, 1);
	}
	id = reply_to("olena@c4c.test", "mistok.nudge2@c4c.test",
	    "надіслати\n");
	assert_status(id, "done");
	assert_reply_has(id, "уже надіслано");
	{
		int64_t n = -1;

		assert_int_equal(db_int(db, &n, "SELECT count(*) FROM outbox "
		    "WHERE dedupe_key = ?", "t", s), 1);
		assert_int_equal(n, 1);
	}
	free(s);

	/* "done" / "snooze" only on a step reminder, not on a nudge. */
	id = send_cmd(conf, "mark@c4c.test", "team@c4c.test", NULL, "s",
	    "Partnership: lviv-madison\nNext-Step: Call Madison\n");
	step = count("SELECT max(id) FROM steps");
	id = reply_to("mark@c4c.test", "mistok.nudge2@c4c.test", "done\n");
	assert_status(id, "failed");
	assert_int_equal(int_of("SELECT count(*) FROM steps WHERE id = ? AND "
	    "status = 'done'", step), 0);
	assert_int_equal(compose_record_own_id(db, "mistok.rem2@c4c.test",
	    REMIND_OWN_STEP, step, pid, &err), 0);
	id = reply_to("mark@c4c.test", "mistok.rem2@c4c.test", "відкласти 2d\n");
	assert_status(id, "done");
	assert_true(int_of("SELECT coalesce(snoozed_until, 0) FROM steps "
	    "WHERE id = ?", step) > clock_now());
	id = reply_to("mark@c4c.test", "mistok.rem2@c4c.test", "готово\n");
	assert_status(id, "done");
	assert_int_equal(int_of("SELECT count(*) FROM steps WHERE id = ? AND "
	    "status = 'done'", step), 1);

	/* Next-Step lines answering the outcome mail: on the meeting's
	 * partnership (the own id names none), origin meeting. */
	memset(&env, 0, sizeof(env));
	env.db = db;
	env.conf = conf;
	assert_int_equal(meeting_book(&env, "kharkiv-tempe", 1764842400, 60,
	    NULL, "Kick-off", NULL, &mid, &err), 0);
	assert_int_equal(compose_record_own_id(db, "mistok.out1@c4c.test",
	    REMIND_OWN_OUTCOME, mid, 0, &err), 0);
	id = reply_to("olena@c4c.test", "mistok.out1@c4c.test",
	    "Крок: Надіслати протокол ; до 2025-12-09\n"
	    "Next-Step: Share the photos\n");
	assert_status(id, "done");
	assert_int_equal(count("SELECT count(*) FROM steps s JOIN partnerships "
	    "p ON p.id = s.partnership WHERE p.slug = 'kharkiv-tempe' AND "
	    "s.origin = 'meeting' AND s.text IN ('Надіслати протокол', "
	    "'Share the photos')"), 2);
	assert_reply_has(id, "kharkiv-tempe");
	/* Without an outcome mail the same line needs a partnership. */
	id = send_cmd(conf, "olena@c4c.test", "team@c4c.test", NULL, "x",
	    "Next-Step: Share the photos\n");
	assert_status(id, "failed");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(authres_parses_rfc8601),
		cmocka_unit_test(authres_trusts_only_the_top),
		cmocka_unit_test(recognition_matrix),
		cmocka_unit_test(never_answers_auto_mail),
		cmocka_unit_test(commands_in_english_and_ukrainian),
		cmocka_unit_test(assign_and_forwarding),
		cmocka_unit_test(one_bad_line_runs_nothing),
		cmocka_unit_test(dry_run_changes_nothing),
		cmocka_unit_test(bad_input_is_answered_precisely),
		cmocka_unit_test(replies_to_own_mail),
		cmocka_unit_test(old_command_mail_is_stale),
		cmocka_unit_test(meeting_lines_and_replies),
		cmocka_unit_test(replies_to_reminders),
	};

	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, setup, teardown);
}
