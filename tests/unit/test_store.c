/*
 * store (and ingest's per-message path): dedupe by location, Message-ID
 * and content hash; two locations for one message; quarantine; the
 * UIDVALIDITY drop; sync_state; the listing filters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "imap.h"
#include "ingest.h"
#include "log.h"
#include "mime.h"
#include "store.h"
#include "util.h"

static char tmpdir[] = "/tmp/mistok-test-store.XXXXXX";
static int dbn;

static struct db *
fresh_db(void)
{
	struct db *db;
	char *path, *err = NULL;

	path = xasprintf("%s/s%d.db", tmpdir, dbn++);
	assert_int_equal(db_open(path, DB_CREATE | DB_MIGRATE, &db, &err), 0);
	free(path);
	return db;
}

static int
setup(void **state)
{
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	mime_init();
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int rc = system(cmd);

	free(cmd);
	mime_shutdown();
	return rc == 0 ? 0 : -1;
}

static struct msg *
parse(const char *raw)
{
	struct msg *m = NULL;

	assert_int_equal(mime_parse(raw, strlen(raw), NULL, &m), 0);
	return m;
}

static int64_t
count(struct db *db, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(db_int(db, &n, sql, ""), 1);
	return n;
}

static const char *raw_a =
    "From: Olena <olena@c4c.test>\n"
    "To: Mayor <mayor@lviv.test>, office@lviv.test\n"
    "Cc: intl@madison.test\n"
    "Subject: =?UTF-8?B?0J/RgNC40LLRltGC?=\n"
    "Message-ID: <a@c4c.test>\n"
    "In-Reply-To: <p@lviv.test>\n"
    "References: <r0@lviv.test> <p@lviv.test>\n"
    "Date: Mon, 02 Mar 2026 10:00:00 +0200\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=b\n"
    "\n"
    "--b\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "hello\n"
    "--b\n"
    "Content-Type: application/pdf; name=plan.pdf\n"
    "Content-Disposition: attachment; filename=plan.pdf\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "aGVsbG8gd29ybGQ=\n"
    "--b--\n";

static const char *raw_noid =
    "From: city@kharkiv.test\n"
    "To: team@c4c.test\n"
    "Subject: no id\n"
    "Date: Tue, 03 Mar 2026 10:00:00 +0200\n"
    "\n"
    "text\n";

static void
new_message_with_parts_then_known_location(void **state)
{
	struct db *db = fresh_db();
	struct store_loc loc = { "INBOX", 7, 1 };
	struct store_extra x = { 1772000000, 1234, "out" };
	struct msg *m = parse(raw_a);
	char *err = NULL;
	int64_t id = 0, id2 = 0;

	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_message(db, m, &x, &loc, &id, &err), STORE_NEW);
	assert_true(id > 0);
	assert_int_equal(store_message(db, m, &x, &loc, &id2, &err),
	    STORE_KNOWN);
	assert_int_equal(id2, id);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM messages"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM message_addresses "
	    "WHERE role = 'to'"), 2);
	assert_int_equal(count(db, "SELECT count(*) FROM message_addresses "
	    "WHERE role = 'cc'"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM attachments WHERE "
	    "name = 'plan.pdf' AND type = 'application/pdf' AND size = 11"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM msgid_refs"), 3);
	assert_int_equal(count(db, "SELECT count(*) FROM msgid_refs WHERE "
	    "position = -1 AND msgid = 'p@lviv.test'"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM messages WHERE "
	    "subject = 'Привіт' AND direction = 'out' AND size = 1234 AND "
	    "date = 1772438400 AND internal_date = 1772000000"), 1);
	msg_free(m);
	db_close(db);
}

static void
same_message_id_in_sent_is_one_message_two_locations(void **state)
{
	struct db *db = fresh_db();
	struct store_loc in = { "INBOX", 7, 1 }, sent = { "Sent", 9, 4 };
	struct msg *m = parse(raw_a);
	char *err = NULL;
	int64_t a, b;

	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_message(db, m, NULL, &in, &a, &err), STORE_NEW);
	assert_int_equal(store_message(db, m, NULL, &sent, &b, &err),
	    STORE_DUPLICATE);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(a, b);
	assert_int_equal(count(db, "SELECT count(*) FROM messages"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM message_locations"), 2);
	/* The parts were not stored twice. */
	assert_int_equal(count(db, "SELECT count(*) FROM attachments"), 1);
	msg_free(m);
	db_close(db);
}

static void
without_message_id_dedupe_by_content_hash(void **state)
{
	struct db *db = fresh_db();
	struct store_loc l1 = { "INBOX", 7, 1 }, l2 = { "Sent", 9, 2 },
	    l3 = { "INBOX", 7, 3 };
	struct msg *m = parse(raw_noid), *other;
	char *err = NULL, *raw2;

	raw2 = xasprintf("%sanother line\n", raw_noid);
	other = parse(raw2);
	assert_null(m->message_id);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_message(db, m, NULL, &l1, NULL, &err),
	    STORE_NEW);
	assert_int_equal(store_message(db, m, NULL, &l2, NULL, &err),
	    STORE_DUPLICATE);
	/* Same headers, other bytes: another message. */
	assert_int_equal(store_message(db, other, NULL, &l3, NULL, &err),
	    STORE_NEW);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM messages"), 2);
	assert_int_equal(count(db, "SELECT count(*) FROM message_locations"), 3);
	msg_free(m);
	msg_free(other);
	free(raw2);
	db_close(db);
}

static int
failing_hook(struct db *db, int64_t id, const struct msg *m, void *arg)
{
	int *calls = arg;

	(*calls)++;
	return -1;
}

/* A before-insert hook: keys from arg (its thread), or -1 when NULL. */
static int
keys_hook(struct db *db, const struct msg *m, time_t date,
    struct store_keys *k, void *arg)
{
	int64_t *thread = arg;

	if (thread == NULL)
		return -1;
	assert_true(date == m->date);
	k->thread = *thread;
	k->parent = "p@lviv.test";
	k->conversation = "conv";
	k->subject_base = "привіт";
	k->people = "intl@madison.test\nmayor@lviv.test";
	k->subject_root = 0;
	k->rule = "thread";
	return 0;
}

static void
before_insert_keys_go_into_the_row(void **state)
{
	struct db *db = fresh_db();
	struct store_loc loc = { "INBOX", 1, 1 };
	struct msg *m = parse(raw_a);
	char *err = NULL;
	int64_t thread, id;

	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_exec(db, "INSERT INTO threads (subject_base) "
	    "VALUES ('x')", ""), 0);
	thread = db_last_id(db);
	/* A failing hook: nothing of the message is stored. */
	store_set_before_insert(keys_hook, NULL);
	assert_int_equal(store_message(db, m, NULL, &loc, &id, &err), -1);
	assert_non_null(err);
	free(err);
	err = NULL;
	assert_int_equal(count(db, "SELECT count(*) FROM messages"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM message_addresses"),
	    0);
	store_set_before_insert(keys_hook, &thread);
	assert_int_equal(store_message(db, m, NULL, &loc, &id, &err),
	    STORE_NEW);
	store_set_before_insert(NULL, NULL);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM messages WHERE "
	    "thread IS NOT NULL AND parent = 'p@lviv.test' AND conversation = "
	    "'conv' AND subject_base = 'привіт' AND people = "
	    "'intl@madison.test' || char(10) || 'mayor@lviv.test' AND "
	    "subject_root = 0 AND partnership IS NULL AND rule = 'thread'"), 1);
	assert_int_equal(db_int(db, &id, "SELECT thread FROM messages", ""), 1);
	assert_int_equal(id, thread);
	msg_free(m);
	db_close(db);
}

static struct config *
test_config(void)
{
	static char *coords[] = { "olena@c4c.test", "mark@c4c.test", NULL };
	struct config *c = xcalloc(1, sizeof(*c));

	c->team_address = "team@c4c.test";
	c->team_domain = "c4c.test";
	c->coordinators = coords;
	c->max_message_size = 1000;
	return c;
}

static void
imsg(struct imap_msg *im, const char *raw, uint32_t uid)
{
	memset(im, 0, sizeof(*im));
	im->uid = uid;
	im->raw = raw;
	im->len = strlen(raw);
	im->size = (uint32_t)im->len;
	im->internaldate = 1772000000;
}

static void
a_message_that_cannot_be_stored_is_quarantined_once(void **state)
{
	struct db *db = fresh_db();
	struct config *c = test_config();
	struct store_loc loc = { "INBOX", 7, 5 };
	struct ingest_counts cnt;
	struct imap_msg im;
	struct db_status st;
	char *err = NULL;
	int calls = 0;

	memset(&cnt, 0, sizeof(cnt));
	imsg(&im, raw_a, 5);
	store_set_after_insert(failing_hook, &calls);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(ingest_store_raw(db, c, &loc, &im, &cnt, &err),
	    STORE_NEW);
	/* Fetched again (a crash before commit, a rescan): not again. */
	assert_int_equal(ingest_store_raw(db, c, &loc, &im, &cnt, &err),
	    STORE_KNOWN);
	assert_int_equal(db_commit(db), 0);
	store_set_after_insert(NULL, NULL);
	assert_int_equal(calls, 1);
	assert_int_equal(cnt.quarantined, 1);
	assert_int_equal(cnt.known, 1);
	/* Nothing of the failed insert is left; the stub is. */
	assert_int_equal(count(db, "SELECT count(*) FROM messages"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM attachments"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM messages WHERE "
	    "kind = 'quarantined' AND message_id IS NULL AND error LIKE "
	    "'cannot store: %hook%' AND subject = 'Привіт'"), 1);
	assert_int_equal(db_status(db, &st, &err), 0);
	assert_int_equal(st.quarantined, 1);
	db_status_free(&st);
	free(c);
	db_close(db);
}

static void
over_max_size_headers_only_with_a_note_and_direction(void **state)
{
	struct db *db = fresh_db();
	struct config *c = test_config();
	struct store_loc loc = { "Sent", 9, 1 };
	struct imap_msg im;
	char *err = NULL, *hdr;

	/* What imap.c hands over for a big message: the header only. */
	hdr = xstrndup(raw_a, strstr(raw_a, "\n\n") - raw_a + 2);
	imsg(&im, hdr, 1);
	im.headers_only = 1;
	im.size = 30000000;
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(ingest_store_raw(db, c, &loc, &im, NULL, &err),
	    STORE_NEW);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM messages WHERE "
	    "truncated = 1 AND size = 30000000 AND direction = 'out' AND "
	    "error LIKE 'over max_message_size (30000000 bytes): headers "
	    "only%' AND subject = 'Привіт' AND kind <> 'quarantined'"), 1);
	free(hdr);
	free(c);
	db_close(db);
}

static void
uidvalidity_drop_keeps_messages_and_rescan_adds_no_row(void **state)
{
	struct db *db = fresh_db();
	struct store_loc old = { "INBOX", 7, 1 }, sent = { "Sent", 9, 1 },
	    fresh = { "INBOX", 8, 1 };
	struct msg *m = parse(raw_a), *n = parse(raw_noid);
	struct store_loc old2 = { "INBOX", 7, 2 }, fresh2 = { "INBOX", 8, 2 };
	char *err = NULL;

	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_message(db, m, NULL, &old, NULL, &err),
	    STORE_NEW);
	assert_int_equal(store_message(db, m, NULL, &sent, NULL, &err),
	    STORE_DUPLICATE);
	assert_int_equal(store_message(db, n, NULL, &old2, NULL, &err),
	    STORE_NEW);
	assert_int_equal(store_drop_locations(db, "INBOX", 8), 2);
	assert_int_equal(store_message(db, m, NULL, &fresh, NULL, &err),
	    STORE_DUPLICATE);
	assert_int_equal(store_message(db, n, NULL, &fresh2, NULL, &err),
	    STORE_DUPLICATE);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM messages"), 2);
	assert_int_equal(count(db, "SELECT count(*) FROM message_locations "
	    "WHERE folder = 'INBOX' AND uidvalidity = 7"), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM message_locations "
	    "WHERE folder = 'INBOX' AND uidvalidity = 8"), 2);
	/* Other folders are untouched. */
	assert_int_equal(count(db, "SELECT count(*) FROM message_locations "
	    "WHERE folder = 'Sent'"), 1);
	msg_free(m);
	msg_free(n);
	db_close(db);
}

static void
sync_state_never_goes_back_and_resets_on_new_uidvalidity(void **state)
{
	struct db *db = fresh_db();
	struct store_sync s;

	assert_int_equal(store_sync_get(db, "INBOX", &s), 0);
	assert_int_equal(store_sync_set(db, "INBOX", 7, 100, 90, 1000), 0);
	assert_int_equal(store_sync_set(db, "INBOX", 7, 50, -1, 1001), 0);
	assert_int_equal(store_sync_get(db, "INBOX", &s), 1);
	assert_int_equal(s.uidvalidity, 7);
	assert_int_equal(s.last_uid, 100);
	assert_int_equal(s.last_sync, 1001);
	assert_int_equal(count(db, "SELECT exists_count FROM sync_state"), 90);
	assert_int_equal(store_sync_set(db, "INBOX", 8, 0, 3, 1002), 0);
	assert_int_equal(store_sync_get(db, "INBOX", &s), 1);
	assert_int_equal(s.uidvalidity, 8);
	assert_int_equal(s.last_uid, 0);
	db_close(db);
}

struct seen {
	int	n;
	char	ids[16][64];
};

static int
collect(void *arg, const struct store_row *r)
{
	struct seen *s = arg;

	if (s->n < 16)
		snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s",
		    r->message_id ? r->message_id : "-");
	s->n++;
	return 0;
}

static int
list(struct db *db, const struct store_filter *f, struct seen *s)
{
	char *err = NULL;

	memset(s, 0, sizeof(*s));
	assert_int_equal(store_list(db, f, collect, s, &err), 0);
	return s->n;
}

static void
listing_filters(void **state)
{
	struct db *db = fresh_db();
	struct store_loc in = { "INBOX", 7, 1 }, sent = { "Sent", 9, 1 },
	    in2 = { "INBOX", 7, 2 };
	struct msg *a = parse(raw_a), *b = parse(raw_noid);
	struct store_filter f;
	struct seen s;
	char *err = NULL;

	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_message(db, a, NULL, &sent, NULL, &err),
	    STORE_NEW);
	assert_int_equal(store_message(db, a, NULL, &in, NULL, &err),
	    STORE_DUPLICATE);
	assert_int_equal(store_message(db, b, NULL, &in2, NULL, &err),
	    STORE_NEW);
	assert_int_equal(db_exec(db, "INSERT INTO partnerships (id, slug) "
	    "VALUES (12, 'lviv-madison')", ""), 0);
	assert_int_equal(db_exec(db, "UPDATE messages SET partnership = 12 "
	    "WHERE message_id = 'a@c4c.test'", ""), 0);
	assert_int_equal(db_commit(db), 0);

	memset(&f, 0, sizeof(f));
	assert_int_equal(list(db, NULL, &s), 2);
	assert_string_equal(s.ids[0], "a@c4c.test");	/* oldest first */
	f.folder = "Sent";
	assert_int_equal(list(db, &f, &s), 1);
	assert_string_equal(s.ids[0], "a@c4c.test");
	f.folder = "INBOX";
	assert_int_equal(list(db, &f, &s), 2);
	f.folder = "Trash";
	assert_int_equal(list(db, &f, &s), 0);
	memset(&f, 0, sizeof(f));
	f.from = "city@kharkiv.test";
	assert_int_equal(list(db, &f, &s), 1);
	assert_string_equal(s.ids[0], "-");
	f.from = "@c4c.test";
	assert_int_equal(list(db, &f, &s), 1);
	assert_string_equal(s.ids[0], "a@c4c.test");
	f.from = "@4c.test";		/* whole domains only */
	assert_int_equal(list(db, &f, &s), 0);
	memset(&f, 0, sizeof(f));
	f.since = 1772500000;		/* between the two dates */
	assert_int_equal(list(db, &f, &s), 1);
	assert_string_equal(s.ids[0], "-");
	memset(&f, 0, sizeof(f));
	f.partnership = "lviv-madison";
	assert_int_equal(list(db, &f, &s), 1);
	assert_string_equal(s.ids[0], "a@c4c.test");
	f.partnership = "nope";
	assert_int_equal(list(db, &f, &s), 0);
	msg_free(a);
	msg_free(b);
	db_close(db);
}

/* store_message_recipients(): the addresses seen, in order. */
struct rcpts {
	char	*v[8];
	size_t	 n;
	size_t	 stop_after;	/* 0: never */
};

static int
rcpt_cb(void *arg, const char *email)
{
	struct rcpts *r = arg;

	assert_true(r->n < sizeof(r->v) / sizeof(r->v[0]));
	r->v[r->n++] = xstrdup(email);
	return r->stop_after != 0 && r->n == r->stop_after ? 5 : 0;
}

static void
rcpts_free(struct rcpts *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i]);
	memset(r, 0, sizeof(*r));
}

static void
lookups_last_mail_parent_and_recipients(void **state)
{
	struct db *db = fresh_db();
	struct store_loc in = { "INBOX", 7, 1 }, sent = { "Sent", 9, 1 };
	struct msg *a = parse(raw_a), *b = parse(raw_noid);
	struct rcpts r;
	char *err = NULL, *mid, *refs, *ti;
	const char *dir;
	int64_t ida, idb, id;
	time_t date;

	assert_int_equal(db_begin(db), 0);
	assert_int_equal(store_message(db, a, NULL, &sent, &ida, &err),
	    STORE_NEW);
	assert_int_equal(store_message(db, b, NULL, &in, &idb, &err),
	    STORE_NEW);
	assert_int_equal(db_exec(db, "INSERT INTO partnerships (id, slug) "
	    "VALUES (12, 'lviv-madison'), (13, 'irpin-madison')", ""), 0);
	assert_int_equal(db_exec(db, "UPDATE messages SET partnership = 12, "
	    "kind = 'correspondence', direction = CASE id WHEN ? THEN 'out' "
	    "ELSE 'in' END", "I", ida), 0);
	assert_int_equal(db_commit(db), 0);

	/* b (3 March, in) is newer than a (2 March, out). */
	assert_int_equal(store_last_mail(db, 12, NULL, &id, &date, &dir), 1);
	assert_int_equal(id, idb);
	assert_int_equal(date, 1772524800);	/* 2026-03-03T08:00:00Z */
	assert_string_equal(dir, "in");
	assert_int_equal(store_last_mail(db, 12, "out", &id, &date, &dir), 1);
	assert_int_equal(id, ida);
	assert_int_equal(date, 1772438400);	/* 2026-03-02T08:00:00Z */
	assert_string_equal(dir, "out");
	assert_int_equal(store_last_mail(db, 12, "in", &id, NULL, NULL), 1);
	assert_int_equal(id, idb);
	assert_int_equal(store_last_mail(db, 13, NULL, &id, &date, &dir), 0);
	/* A command is not correspondence: the last mail is a again. */
	assert_int_equal(store_set_kind(db, idb, "command"), 0);
	assert_int_equal(store_last_mail(db, 12, NULL, &id, NULL, &dir), 1);
	assert_int_equal(id, ida);
	assert_string_equal(dir, "out");
	assert_int_equal(store_last_mail(db, 12, "in", NULL, NULL, NULL), 0);

	/* What a follow-up of a threads under. */
	assert_int_equal(store_message_parent(db, ida, &mid, &refs, &ti), 1);
	assert_string_equal(mid, "a@c4c.test");
	assert_non_null(refs);
	assert_non_null(strstr(refs, "r0@lviv.test"));
	assert_true(strstr(refs, "r0@lviv.test") < strstr(refs, "p@lviv.test"));
	assert_null(ti);
	free(mid);
	free(refs);
	assert_int_equal(store_message_parent(db, idb, &mid, NULL, NULL), 1);
	assert_null(mid);		/* raw_noid has no Message-ID */
	assert_int_equal(store_message_parent(db, idb + 100, &mid, &refs,
	    &ti), 0);
	assert_null(mid);
	assert_null(refs);
	assert_null(ti);

	/* Every To in header order, then every Cc. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(store_message_recipients(db, ida, rcpt_cb, &r), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.v[0], "mayor@lviv.test");
	assert_string_equal(r.v[1], "office@lviv.test");
	assert_string_equal(r.v[2], "intl@madison.test");
	rcpts_free(&r);
	r.stop_after = 2;
	assert_int_equal(store_message_recipients(db, ida, rcpt_cb, &r), 5);
	assert_int_equal(r.n, 2);
	rcpts_free(&r);
	assert_int_equal(store_message_recipients(db, idb + 100, rcpt_cb,
	    &r), 0);
	assert_int_equal(r.n, 0);
	msg_free(a);
	msg_free(b);
	db_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_message_with_parts_then_known_location),
		cmocka_unit_test(
		    same_message_id_in_sent_is_one_message_two_locations),
		cmocka_unit_test(without_message_id_dedupe_by_content_hash),
		cmocka_unit_test(
		    a_message_that_cannot_be_stored_is_quarantined_once),
		cmocka_unit_test(
		    over_max_size_headers_only_with_a_note_and_direction),
		cmocka_unit_test(
		    uidvalidity_drop_keeps_messages_and_rescan_adds_no_row),
		cmocka_unit_test(
		    sync_state_never_goes_back_and_resets_on_new_uidvalidity),
		cmocka_unit_test(before_insert_keys_go_into_the_row),
		cmocka_unit_test(listing_filters),
		cmocka_unit_test(lookups_last_mail_parent_and_recipients),
	};

	log_init(1, "test_store");
	return cmocka_run_group_tests(tests, setup, teardown);
}
