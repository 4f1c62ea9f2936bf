/*
 * db: open, schema and migrations, transactions, statement cache, kv,
 * online backup, the status figures.
 *
 * Schema rules for whoever adds a migration: append a new string to
 * migrations[] (never edit a published one: tests/data/db/v1.sql is a file
 * written by version 1 and must keep migrating to the same schema as a
 * fresh database). Each step runs in its own transaction together with
 * its PRAGMA user_version. Instants are UTC seconds (INTEGER), booleans
 * 0/1, addresses lower case. Enumerations whose set DESIGN.md may grow
 * (message kind and rule, org kind, step status) are documented here and
 * checked by their owning module rather than by CHECK constraints, which
 * SQLite can only change by rebuilding the table.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "util.h"

#define DB_BUSY_TIMEOUT_MS	5000

static const char *const migrations[] = {
	/* 1: DESIGN.md's entities. */
	"CREATE TABLE orgs ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  country TEXT CHECK (country IS NULL OR country IN ('UA','US')),"
	/* municipality | volunteer | diplomatic | ngo | other | team */
	"  kind TEXT NOT NULL DEFAULT 'other',"
	"  city TEXT,"
	"  region TEXT,"
	"  zone TEXT,"				/* IANA, canonical */
	"  language TEXT CHECK (language IS NULL OR language IN ('uk','en')),"
	"  hours TEXT,"				/* Mon-Fri 09:00-17:00 */
	"  created INTEGER NOT NULL DEFAULT (unixepoch())"
	");"
	"CREATE TABLE org_domains ("
	"  id INTEGER PRIMARY KEY,"
	"  org INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
	"  domain TEXT NOT NULL UNIQUE CHECK (domain = lower(domain))"
	");"
	"CREATE INDEX org_domains_org ON org_domains(org);"
	"CREATE TABLE contacts ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT,"
	"  org INTEGER REFERENCES orgs(id) ON DELETE SET NULL,"
	"  role TEXT,"
	"  zone TEXT,"				/* NULL: the org's */
	"  language TEXT CHECK (language IS NULL OR language IN ('uk','en')),"
	"  hours TEXT,"
	"  learned INTEGER NOT NULL DEFAULT 0,"	/* seen in mail, not entered */
	"  created INTEGER NOT NULL DEFAULT (unixepoch())"
	");"
	"CREATE INDEX contacts_org ON contacts(org);"
	"CREATE TABLE contact_addresses ("
	"  id INTEGER PRIMARY KEY,"
	"  contact INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
	"  email TEXT NOT NULL UNIQUE CHECK (email = lower(email)),"
	"  bouncing INTEGER NOT NULL DEFAULT 0,"
	"  bounced_at INTEGER"
	");"
	"CREATE INDEX contact_addresses_contact ON contact_addresses(contact);"
	"CREATE TABLE partnerships ("
	"  id INTEGER PRIMARY KEY,"		/* the 12 of [C4C #12], team+p12 */
	"  slug TEXT NOT NULL UNIQUE,"
	"  ua_org INTEGER REFERENCES orgs(id) ON DELETE RESTRICT,"
	"  us_org INTEGER REFERENCES orgs(id) ON DELETE RESTRICT,"
	"  stage TEXT NOT NULL DEFAULT 'prospect' CHECK (stage IN ("
	"    'prospect','contacted','introduced','meeting_held','planning',"
	"    'joint_projects','dormant','closed')),"
	"  coordinator INTEGER REFERENCES contacts(id) ON DELETE SET NULL,"
	"  started INTEGER,"
	"  created INTEGER NOT NULL DEFAULT (unixepoch())"
	");"
	"CREATE INDEX partnerships_ua_org ON partnerships(ua_org);"
	"CREATE INDEX partnerships_us_org ON partnerships(us_org);"
	"CREATE TABLE partnership_orgs ("	/* supporting organisations */
	"  partnership INTEGER NOT NULL"
	"    REFERENCES partnerships(id) ON DELETE CASCADE,"
	"  org INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,"
	"  PRIMARY KEY (partnership, org)"
	");"
	"CREATE INDEX partnership_orgs_org ON partnership_orgs(org);"
	"CREATE TABLE stage_history ("
	"  id INTEGER PRIMARY KEY,"
	"  partnership INTEGER NOT NULL"
	"    REFERENCES partnerships(id) ON DELETE CASCADE,"
	"  stage TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT"				/* an address, or "cli" */
	");"
	"CREATE INDEX stage_history_partnership"
	"  ON stage_history(partnership, at);"
	"CREATE TABLE threads ("
	"  id INTEGER PRIMARY KEY,"
	"  partnership INTEGER REFERENCES partnerships(id) ON DELETE SET NULL,"
	"  rule TEXT,"
	"  subject_base TEXT,"			/* normalised, for the last resort */
	"  conversation TEXT,"			/* Outlook Thread-Index key */
	"  first_date INTEGER,"
	"  last_date INTEGER"
	");"
	"CREATE INDEX threads_partnership ON threads(partnership, last_date);"
	"CREATE INDEX threads_subject ON threads(subject_base);"
	"CREATE INDEX threads_conversation ON threads(conversation);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  message_id TEXT UNIQUE,"		/* without <>; NULL when absent */
	"  content_hash TEXT NOT NULL,"
	"  date INTEGER,"			/* Date:, UTC */
	"  internal_date INTEGER,"
	"  from_name TEXT,"
	"  from_email TEXT,"
	"  subject TEXT,"
	"  body TEXT,"
	"  quote_off INTEGER,"			/* byte offsets into body */
	"  sig_off INTEGER,"
	"  thread INTEGER REFERENCES threads(id) ON DELETE SET NULL,"
	"  parent TEXT,"			/* parent Message-ID (notmuch rule) */
	"  partnership INTEGER REFERENCES partnerships(id) ON DELETE SET NULL,"
	/* own-id | plus-address | subject-tag | thread | meeting-uid |
	 * participants | assigned | none */
	"  rule TEXT NOT NULL DEFAULT 'none',"
	"  direction TEXT CHECK (direction IS NULL OR direction IN ('in','out')),"
	/* correspondence | command | imip | bounce | autoreply | list | own |
	 * quarantined */
	"  kind TEXT NOT NULL DEFAULT 'correspondence',"
	"  error TEXT,"
	"  truncated INTEGER NOT NULL DEFAULT 0,"
	"  in_reply_to TEXT,"
	"  refs TEXT,"				/* References, raw */
	"  list_id TEXT,"
	"  thread_index TEXT,"
	"  auto_submitted TEXT,"
	"  size INTEGER,"
	"  created INTEGER NOT NULL DEFAULT (unixepoch())"
	");"
	"CREATE INDEX messages_hash ON messages(content_hash);"
	"CREATE INDEX messages_thread ON messages(thread, date);"
	"CREATE INDEX messages_partnership ON messages(partnership, date);"
	"CREATE INDEX messages_date ON messages(date);"
	"CREATE INDEX messages_from ON messages(from_email);"
	"CREATE INDEX messages_kind ON messages(kind);"
	"CREATE TABLE message_addresses ("
	"  message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL CHECK (role IN ('to','cc','bcc','reply_to')),"
	"  position INTEGER NOT NULL,"
	"  name TEXT,"
	"  email TEXT NOT NULL,"
	"  PRIMARY KEY (message, role, position)"
	");"
	"CREATE INDEX message_addresses_email ON message_addresses(email);"
	"CREATE TABLE message_locations ("
	"  id INTEGER PRIMARY KEY,"
	"  message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  folder TEXT NOT NULL,"
	"  uidvalidity INTEGER NOT NULL,"
	"  uid INTEGER NOT NULL,"
	"  created INTEGER NOT NULL DEFAULT (unixepoch()),"
	"  UNIQUE (folder, uidvalidity, uid)"
	");"
	"CREATE INDEX message_locations_message ON message_locations(message);"
	"CREATE TABLE attachments ("
	"  id INTEGER PRIMARY KEY,"
	"  message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  name TEXT,"
	"  type TEXT,"
	"  size INTEGER"
	");"
	"CREATE INDEX attachments_message ON attachments(message);"
	"CREATE TABLE calendar_parts ("
	"  id INTEGER PRIMARY KEY,"
	"  message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  method TEXT,"
	"  text TEXT NOT NULL"
	");"
	"CREATE INDEX calendar_parts_message ON calendar_parts(message);"
	/* Every Message-ID a message names: References in order (position
	 * 0, 1, …) and In-Reply-To (position -1). */
	"CREATE TABLE msgid_refs ("
	"  message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
	"  msgid TEXT NOT NULL,"
	"  position INTEGER NOT NULL,"
	"  PRIMARY KEY (message, position)"
	");"
	"CREATE INDEX msgid_refs_msgid ON msgid_refs(msgid);"
	/* Referenced but not (yet) seen Message-IDs, and their thread. */
	"CREATE TABLE ghosts ("
	"  msgid TEXT PRIMARY KEY,"
	"  thread INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE"
	");"
	"CREATE INDEX ghosts_thread ON ghosts(thread);"
	/* mistok's own Message-IDs and what each mail was about. */
	"CREATE TABLE own_ids ("
	"  msgid TEXT PRIMARY KEY,"
	"  kind TEXT NOT NULL,"			/* reminder, invite, answer, … */
	"  object INTEGER,"
	"  partnership INTEGER REFERENCES partnerships(id) ON DELETE SET NULL,"
	"  created INTEGER NOT NULL DEFAULT (unixepoch())"
	");"
	"CREATE TABLE sync_state ("
	"  id INTEGER PRIMARY KEY,"
	"  folder TEXT NOT NULL UNIQUE,"
	"  uidvalidity INTEGER,"
	"  last_uid INTEGER NOT NULL DEFAULT 0,"
	"  highestmodseq INTEGER,"
	"  last_sync INTEGER,"
	"  exists_count INTEGER"
	");"
	"CREATE TABLE meetings ("
	"  id INTEGER PRIMARY KEY,"
	"  uid TEXT NOT NULL UNIQUE,"		/* iCalendar UID */
	"  partnership INTEGER REFERENCES partnerships(id) ON DELETE SET NULL,"
	"  title TEXT,"
	"  sequence INTEGER NOT NULL DEFAULT 0,"
	"  start_utc INTEGER,"
	"  duration INTEGER,"			/* seconds */
	"  status TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN ("
	"    'proposed','scheduled','cancelled','held')),"
	"  link TEXT,"
	"  created INTEGER NOT NULL DEFAULT (unixepoch())"
	");"
	"CREATE INDEX meetings_partnership ON meetings(partnership, start_utc);"
	"CREATE INDEX meetings_start ON meetings(start_utc);"
	"CREATE TABLE attendees ("
	"  id INTEGER PRIMARY KEY,"
	"  meeting INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
	"  email TEXT NOT NULL CHECK (email = lower(email)),"
	"  name TEXT,"
	"  partstat TEXT NOT NULL DEFAULT 'NEEDS-ACTION',"
	"  zone TEXT,"
	"  UNIQUE (meeting, email)"
	");"
	"CREATE INDEX attendees_email ON attendees(email);"
	"CREATE TABLE steps ("
	"  id INTEGER PRIMARY KEY,"
	"  partnership INTEGER NOT NULL"
	"    REFERENCES partnerships(id) ON DELETE CASCADE,"
	"  text TEXT NOT NULL,"
	"  owner_kind TEXT CHECK (owner_kind IS NULL OR owner_kind IN ("
	"    'contact','org','coordinator')),"
	"  owner_id INTEGER,"
	"  due INTEGER,"
	"  status TEXT NOT NULL DEFAULT 'open'," /* open | done | … */
	"  origin TEXT,"			/* command | cli | meeting */
	"  created INTEGER NOT NULL DEFAULT (unixepoch()),"
	"  done_at INTEGER,"
	"  snoozed_until INTEGER"
	");"
	"CREATE INDEX steps_partnership ON steps(partnership, status);"
	"CREATE INDEX steps_due ON steps(status, due);"
	"CREATE INDEX steps_owner ON steps(owner_kind, owner_id);"
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY,"
	"  dedupe_key TEXT NOT NULL UNIQUE,"
	"  raw BLOB NOT NULL,"
	"  env_from TEXT NOT NULL,"
	"  recipients TEXT NOT NULL,"		/* space-separated addresses */
	"  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ("
	"    'queued','sending','sent','failed','cancelled')),"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt INTEGER,"
	"  last_error TEXT,"
	"  message_id TEXT,"
	"  partnership INTEGER REFERENCES partnerships(id) ON DELETE SET NULL,"
	"  created INTEGER NOT NULL DEFAULT (unixepoch()),"
	"  sent_at INTEGER"
	");"
	"CREATE INDEX outbox_due ON outbox(status, next_attempt);"
	"CREATE INDEX outbox_message_id ON outbox(message_id);"
	/* The reminder ledger: (rule, object, occurrence) sent at most once. */
	"CREATE TABLE reminders ("
	"  key TEXT PRIMARY KEY,"
	"  sent_at INTEGER NOT NULL"
	");"
	/* Audit log: stage changes, commands, forgotten contacts, … */
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT,"
	"  action TEXT NOT NULL,"
	"  object TEXT,"
	"  detail TEXT"
	");"
	"CREATE INDEX events_at ON events(at);"
	"CREATE INDEX events_object ON events(object);"
	"CREATE TABLE kv ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT,"
	"  updated INTEGER NOT NULL DEFAULT (unixepoch())"
	");",
	/* 2: threading keys, per message (thread.c): the Outlook
	 * conversation (hex of Thread-Index's first 22 bytes), the normalised
	 * subject, the participants ("\n"-joined sorted addresses without
	 * the team's own) and whether the message may be grouped by subject
	 * (no In-Reply-To, References or Thread-Index reply blocks). */
	"ALTER TABLE messages ADD COLUMN conversation TEXT;"
	"ALTER TABLE messages ADD COLUMN subject_base TEXT;"
	"ALTER TABLE messages ADD COLUMN people TEXT;"
	"ALTER TABLE messages ADD COLUMN subject_root INTEGER NOT NULL"
	"  DEFAULT 0;"
	"CREATE INDEX messages_conversation ON messages(conversation)"
	"  WHERE conversation IS NOT NULL;"
	"CREATE INDEX messages_subject ON messages(subject_base, date)"
	"  WHERE subject_base IS NOT NULL;",
	/* 3: outbox delivery (outbox.c): the subject for listings, the last
	 * SMTP reply code, recipients the server refused ("addr: reply"
	 * lines), when the last attempt began, the Sent copy (NULL none |
	 * pending | done | failed), whether the failure notice was queued,
	 * and how often a crash in 'sending' made it go out again. */
	"ALTER TABLE outbox ADD COLUMN subject TEXT;"
	"ALTER TABLE outbox ADD COLUMN last_code INTEGER;"
	"ALTER TABLE outbox ADD COLUMN rejected TEXT;"
	"ALTER TABLE outbox ADD COLUMN attempted_at INTEGER;"
	"ALTER TABLE outbox ADD COLUMN copy TEXT;"
	"ALTER TABLE outbox ADD COLUMN notified INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE outbox ADD COLUMN recovered INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX outbox_copy ON outbox(copy) WHERE copy = 'pending';",
	/* 4: next steps (steps.c). A due date is a local day: due_date
	 * ("YYYY-MM-DD") of the IANA zone due_zone, and due (from 1) the UTC
	 * instant that day ends there (local midnight starting the next
	 * day), so "overdue" is due <= now. Who added a step and who marked
	 * it done, how often it was snoozed; step_history holds one row per
	 * add, done and snooze (action add | done | snooze, until: the
	 * snooze's end). */
	"ALTER TABLE steps ADD COLUMN due_date TEXT;"
	"ALTER TABLE steps ADD COLUMN due_zone TEXT;"
	"ALTER TABLE steps ADD COLUMN actor TEXT;"
	"ALTER TABLE steps ADD COLUMN done_by TEXT;"
	"ALTER TABLE steps ADD COLUMN snoozes INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE step_history ("
	"  id INTEGER PRIMARY KEY,"
	"  step INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT,"
	"  action TEXT NOT NULL,"
	"  until INTEGER"
	");"
	"CREATE INDEX step_history_step ON step_history(step, at);",
	/* 5: commands by mail (cmdexec.c). commands: one row per message
	 * recognised at ingest — status pending (to run) | foreign (to tell
	 * the coordinators) | executed (changes committed, meeting lines
	 * and the answer still to go) | done | failed | refused | note;
	 * own_id: the
	 * mistok Message-ID it replies to. notes: the Note lines and the
	 * text after command lines, per partnership. nudge_stops: "stop"
	 * replies (the reminders read it). messages_fts: full text of the
	 * subject and body for Search (external content, kept by
	 * triggers). */
	"CREATE TABLE commands ("
	"  message INTEGER PRIMARY KEY REFERENCES messages(id)"
	"    ON DELETE CASCADE,"
	"  status TEXT NOT NULL,"
	"  sender TEXT,"
	"  own_id TEXT,"
	"  reason TEXT,"
	"  reply TEXT,"				/* the answer, once run */
	"  created INTEGER NOT NULL,"
	"  handled INTEGER"
	");"
	"CREATE INDEX commands_status ON commands(status);"
	"CREATE TABLE notes ("
	"  id INTEGER PRIMARY KEY,"
	"  partnership INTEGER NOT NULL REFERENCES partnerships(id)"
	"    ON DELETE CASCADE,"
	"  message INTEGER REFERENCES messages(id) ON DELETE SET NULL,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT,"
	"  text TEXT NOT NULL"
	");"
	"CREATE INDEX notes_partnership ON notes(partnership, at);"
	"CREATE TABLE nudge_stops ("
	"  partnership INTEGER PRIMARY KEY REFERENCES partnerships(id)"
	"    ON DELETE CASCADE,"
	"  at INTEGER NOT NULL,"
	"  actor TEXT"
	");"
	"CREATE VIRTUAL TABLE messages_fts USING fts5(subject, body,"
	"  content='messages', content_rowid='id');"
	"INSERT INTO messages_fts(rowid, subject, body)"
	"  SELECT id, subject, body FROM messages;"
	"CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN"
	"  INSERT INTO messages_fts(rowid, subject, body)"
	"  VALUES (new.id, new.subject, new.body);"
	"END;"
	"CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, subject, body)"
	"  VALUES ('delete', old.id, old.subject, old.body);"
	"END;"
	"CREATE TRIGGER messages_fts_au AFTER UPDATE OF subject, body"
	"  ON messages BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, subject, body)"
	"  VALUES ('delete', old.id, old.subject, old.body);"
	"  INSERT INTO messages_fts(rowid, subject, body)"
	"  VALUES (new.id, new.subject, new.body);"
	"END;",
	/* 6: meetings (meeting.c). meeting_slots: a proposal's slots, n
	 * from 1, best first; relaxed: outside someone's normal hours;
	 * dst_mismatch: in a week when only one side has changed clocks.
	 * attendees.dtstamp: the DTSTAMP of the last reply applied to the
	 * attendee (an older one is ignored). The reply scan's single
	 * cursor is kv "meeting:scan". */
	"CREATE TABLE meeting_slots ("
	"  meeting INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,"
	"  n INTEGER NOT NULL CHECK (n >= 1),"
	"  start_utc INTEGER NOT NULL,"
	"  end_utc INTEGER NOT NULL CHECK (end_utc > start_utc),"
	"  relaxed INTEGER NOT NULL DEFAULT 0,"
	"  dst_mismatch INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY (meeting, n)"
	");"
	"ALTER TABLE attendees ADD COLUMN dtstamp INTEGER;",
	/* 7: the Search index is kept lazily (search.c): indexing every
	 * message in its insert trigger cost a third of a first import's
	 * CPU. search_catch_up() indexes the rows above kv "fts:upto" in
	 * id order; the triggers only touch rows at or below it (an
	 * external-content FTS5 'delete' of a row never indexed corrupts
	 * the index). An insert at or below the cursor (an id reused after
	 * the highest row was deleted) is indexed at once. Everything stored so far is
	 * indexed (migration 5's trigger kept it current); no cursor: 0. */
	"DROP TRIGGER messages_fts_ai;"
	"DROP TRIGGER messages_fts_ad;"
	"DROP TRIGGER messages_fts_au;"
	"INSERT INTO kv (key, value) SELECT 'fts:upto',"
	"  CAST(max(id) AS TEXT) FROM messages HAVING count(*) > 0"
	"  ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
	"CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages"
	"  WHEN new.id <= (SELECT CAST(value AS INTEGER) FROM kv"
	"    WHERE key = 'fts:upto') BEGIN"
	"  INSERT INTO messages_fts(rowid, subject, body)"
	"  VALUES (new.id, new.subject, new.body);"
	"END;"
	"CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages"
	"  WHEN old.id <= (SELECT CAST(value AS INTEGER) FROM kv"
	"    WHERE key = 'fts:upto') BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, subject, body)"
	"  VALUES ('delete', old.id, old.subject, old.body);"
	"END;"
	"CREATE TRIGGER messages_fts_au AFTER UPDATE OF subject, body"
	"  ON messages WHEN old.id <= (SELECT CAST(value AS INTEGER) FROM kv"
	"    WHERE key = 'fts:upto') BEGIN"
	"  INSERT INTO messages_fts(messages_fts, rowid, subject, body)"
	"  VALUES ('delete', old.id, old.subject, old.body);"
	"  INSERT INTO messages_fts(rowid, subject, body)"
	"  VALUES (new.id, new.subject, new.body);"
	"END;",
};

struct stmt_slot {
	const char	*sql;
	sqlite3_stmt	*st;
};

struct db {
	sqlite3			*sq;
	char			*path;
	int			 version;
	int			 in_tx;
	struct stmt_slot	*cache;
	size_t			 ncache;
	size_t			 capcache;
};

int
db_latest_version(void)
{
	return (int)nitems(migrations);
}

static int
read_version(sqlite3 *sq, int *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(sq, "PRAGMA user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* One PRAGMA whose single result must read want (or anything if NULL). */
static int
pragma(sqlite3 *sq, const char *sql, const char *want, char **err)
{
	sqlite3_stmt *st;
	const char *got;
	int rc, ok = 0;

	if (sqlite3_prepare_v2(sq, sql, -1, &st, NULL) != SQLITE_OK) {
		*err = xasprintf("%s: %s", sql, sqlite3_errmsg(sq));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		*err = xasprintf("%s: %s", sql, sqlite3_errmsg(sq));
		ok = -1;
	} else if (want != NULL) {
		got = rc == SQLITE_ROW ?
		    (const char *)sqlite3_column_text(st, 0) : NULL;
		if (got == NULL || strcasecmp(got, want) != 0) {
			*err = xasprintf("%s: got %s", sql, got ? got : "nothing");
			ok = -1;
		}
	}
	sqlite3_finalize(st);
	return ok;
}

static int
migrate(struct db *db, const char *const *migs, int n, char **err)
{
	char setv[64], *msg = NULL;
	int v, cur;

	for (v = db->version; v < n; v++) {
		if (sqlite3_exec(db->sq, "BEGIN IMMEDIATE", NULL, NULL, &msg) !=
		    SQLITE_OK)
			goto fail;
		/* Another process may have migrated while we waited. */
		if (read_version(db->sq, &cur) == -1) {
			msg = sqlite3_mprintf("%s", sqlite3_errmsg(db->sq));
			goto fail_rollback;
		}
		if (cur > v) {
			sqlite3_exec(db->sq, "COMMIT", NULL, NULL, NULL);
			v = cur - 1;
			continue;
		}
		snprintf(setv, sizeof(setv), "PRAGMA user_version = %d", v + 1);
		if (sqlite3_exec(db->sq, migs[v], NULL, NULL, &msg) != SQLITE_OK)
			goto fail_rollback;
		if (sqlite3_exec(db->sq, setv, NULL, NULL, &msg) != SQLITE_OK)
			goto fail_rollback;
		if (sqlite3_exec(db->sq, "COMMIT", NULL, NULL, &msg) !=
		    SQLITE_OK)
			goto fail_rollback;
		log_info("db %s: migrated to schema version %d", db->path,
		    v + 1);
	}
	if (read_version(db->sq, &db->version) == -1) {
		*err = xasprintf("%s: %s", db->path, sqlite3_errmsg(db->sq));
		return -1;
	}
	return 0;

fail_rollback:
	sqlite3_exec(db->sq, "ROLLBACK", NULL, NULL, NULL);
fail:
	*err = xasprintf("%s: migration to schema version %d failed: %s",
	    db->path, v + 1, msg ? msg : sqlite3_errmsg(db->sq));
	sqlite3_free(msg);
	return -1;
}

static int
open_with(const char *path, int flags, const char *const *migs, int nmigs,
    struct db **out, char **err)
{
	struct db *db;
	struct stat sb;
	int fd, oflags;

	*out = NULL;
	*err = NULL;
	if (stat(path, &sb) == -1) {
		if (errno != ENOENT || !(flags & DB_CREATE)) {
			*err = xasprintf("%s: %s", path, strerror(errno));
			return -1;
		}
		/* Personal data: nobody else reads it (WAL files follow). */
		if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0600)) == -1 && errno != EEXIST) {
			*err = xasprintf("%s: %s", path, strerror(errno));
			return -1;
		}
		if (fd != -1)
			close(fd);
	} else if (!S_ISREG(sb.st_mode)) {
		*err = xasprintf("%s: not a regular file", path);
		return -1;
	}

	db = xcalloc(1, sizeof(*db));
	db->path = xstrdup(path);
	oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &db->sq, oflags, NULL) != SQLITE_OK) {
		*err = xasprintf("%s: %s", path,
		    db->sq ? sqlite3_errmsg(db->sq) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->sq, 1);
	sqlite3_busy_timeout(db->sq, DB_BUSY_TIMEOUT_MS);
	if (read_version(db->sq, &db->version) == -1) {
		*err = xasprintf("%s: %s", path, sqlite3_errmsg(db->sq));
		goto fail;
	}
	if (db->version > nmigs && !(flags & DB_ANYVERSION)) {
		*err = xasprintf("%s: schema version %d is newer than this "
		    "mistok knows (%d); refusing to open it (run a newer "
		    "mistok, or restore a backup)", path, db->version, nmigs);
		goto fail;
	}
	if (pragma(db->sq, "PRAGMA journal_mode = WAL", "wal", err) == -1 ||
	    pragma(db->sq, "PRAGMA synchronous = FULL", NULL, err) == -1 ||
	    pragma(db->sq, "PRAGMA foreign_keys = ON", NULL, err) == -1 ||
	    /* Savepoint journals (one per stored message) stay in memory:
	     * they only matter until the statement ends. */
	    pragma(db->sq, "PRAGMA temp_store = MEMORY", NULL, err) == -1 ||
	    pragma(db->sq, "PRAGMA cache_size = -8192", NULL, err) == -1) {
		char *e = *err;

		*err = xasprintf("%s: %s", path, e);
		free(e);
		goto fail;
	}
	if ((flags & DB_MIGRATE) && db->version < nmigs &&
	    migrate(db, migs, nmigs, err) == -1)
		goto fail;
	log_trace(TRACE_DB, "db %s: open, schema version %d", path,
	    db->version);
	*out = db;
	return 0;

fail:
	db_close(db);
	return -1;
}

int
db_open(const char *path, int flags, struct db **out, char **err)
{
	return open_with(path, flags, migrations, (int)nitems(migrations), out,
	    err);
}

int
db_open_at(const char *path, int max, struct db **out, char **err)
{
	if (max < 0 || max > (int)nitems(migrations)) {
		*out = NULL;
		*err = xasprintf("no schema version %d", max);
		return -1;
	}
	return open_with(path, DB_CREATE | DB_MIGRATE | DB_ANYVERSION,
	    migrations, max, out, err);
}

int
db_open_list(const char *path, const char *const *migs, int n,
    struct db **out, char **err)
{
	return open_with(path, DB_CREATE | DB_MIGRATE, migs, n, out, err);
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->ncache; i++)
		sqlite3_finalize(db->cache[i].st);
	free(db->cache);
	if (db->sq != NULL && sqlite3_close(db->sq) != SQLITE_OK)
		log_warnx("db %s: close: %s", db->path, sqlite3_errmsg(db->sq));
	free(db->path);
	free(db);
}

int
db_schema_version(struct db *db)
{
	return db->version;
}

const char *
db_path(struct db *db)
{
	return db->path;
}

sqlite3 *
db_handle(struct db *db)
{
	return db->sq;
}

const char *
db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->sq);
}

static int
tx(struct db *db, const char *sql)
{
	if (sqlite3_exec(db->sq, sql, NULL, NULL, NULL) != SQLITE_OK) {
		log_warnx("db %s: %s: %s", db->path, sql,
		    sqlite3_errmsg(db->sq));
		return -1;
	}
	return 0;
}

int
db_begin(struct db *db)
{
	if (db->in_tx) {
		log_warnx("db %s: BEGIN inside a transaction", db->path);
		return -1;
	}
	if (tx(db, "BEGIN IMMEDIATE") == -1)
		return -1;
	db->in_tx = 1;
	return 0;
}

int
db_commit(struct db *db)
{
	if (tx(db, "COMMIT") == -1) {
		/* A failed COMMIT may leave the transaction open. */
		if (sqlite3_get_autocommit(db->sq))
			db->in_tx = 0;
		return -1;
	}
	db->in_tx = 0;
	return 0;
}

int
db_rollback(struct db *db)
{
	int rc = 0;

	if (!sqlite3_get_autocommit(db->sq))
		rc = tx(db, "ROLLBACK");
	db->in_tx = 0;
	return rc;
}

int
db_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(db->sq);
}

sqlite3_stmt *
db_stmt(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i].sql == sql ||
		    strcmp(db->cache[i].sql, sql) == 0) {
			st = db->cache[i].st;
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return st;
		}
	if (sqlite3_prepare_v3(db->sq, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL) != SQLITE_OK) {
		log_warnx("db %s: prepare \"%.60s\": %s", db->path, sql,
		    sqlite3_errmsg(db->sq));
		return NULL;
	}
	if (db->ncache == db->capcache) {
		db->capcache = db->capcache ? db->capcache * 2 : 16;
		db->cache = xreallocarray(db->cache, db->capcache,
		    sizeof(*db->cache));
	}
	db->cache[db->ncache].sql = sql;
	db->cache[db->ncache].st = st;
	db->ncache++;
	return st;
}

static int
vbind(sqlite3_stmt *st, const char *types, va_list ap)
{
	const char *s;
	const void *p;
	size_t len;
	time_t t;
	int i, rc;

	for (i = 1; *types; types++, i++) {
		switch (*types) {
		case 'i':
			rc = sqlite3_bind_int(st, i, va_arg(ap, int));
			break;
		case 'I':
			rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'T':
			t = va_arg(ap, time_t);
			rc = t ? sqlite3_bind_int64(st, i, (sqlite3_int64)t) :
			    sqlite3_bind_null(st, i);
			break;
		case 't':
			s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, i, s, -1,
			    SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
			break;
		case 'b':
			p = va_arg(ap, const void *);
			len = va_arg(ap, size_t);
			rc = sqlite3_bind_blob64(st, i, p, len,
			    SQLITE_TRANSIENT);
			break;
		case 'n':
			rc = sqlite3_bind_null(st, i);
			break;
		default:
			log_warnx("db: bad bind type '%c'", *types);
			return -1;
		}
		if (rc != SQLITE_OK) {
			log_warnx("db: bind %d: %s", i,
			    sqlite3_errmsg(sqlite3_db_handle(st)));
			return -1;
		}
	}
	return 0;
}

int
db_bind(sqlite3_stmt *st, const char *types, ...)
{
	va_list ap;
	int rc;

	va_start(ap, types);
	rc = vbind(st, types, ap);
	va_end(ap);
	return rc;
}

int
db_step(sqlite3_stmt *st)
{
	int rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	log_warnx("db: \"%.60s\": %s", sqlite3_sql(st),
	    sqlite3_errmsg(sqlite3_db_handle(st)));
	sqlite3_reset(st);
	return -1;
}

int
db_exec(struct db *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	va_start(ap, types);
	rc = vbind(st, types, ap);
	va_end(ap);
	if (rc == -1)
		return -1;
	while ((rc = db_step(st)) == 1)
		;
	return rc;
}

int
db_int(struct db *db, int64_t *out, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc;

	if ((st = db_stmt(db, sql)) == NULL)
		return -1;
	va_start(ap, types);
	rc = vbind(st, types, ap);
	va_end(ap);
	if (rc == -1)
		return -1;
	if ((rc = db_step(st)) == 1) {
		*out = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	return rc;
}

int64_t
db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->sq);
}

int
db_changes(struct db *db)
{
	return sqlite3_changes(db->sq);
}

char *
db_col_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *s;

	if ((s = sqlite3_column_text(st, col)) == NULL)
		return NULL;
	return xstrdup((const char *)s);
}

time_t
db_col_time(sqlite3_stmt *st, int col)
{
	return (time_t)sqlite3_column_int64(st, col);
}

int
db_kv_get(struct db *db, const char *key, char **value)
{
	sqlite3_stmt *st;
	int rc;

	*value = NULL;
	if ((st = db_stmt(db, "SELECT value FROM kv WHERE key = ?")) == NULL ||
	    db_bind(st, "t", key) == -1)
		return -1;
	if ((rc = db_step(st)) == 1) {
		*value = db_col_strdup(st, 0);
		sqlite3_reset(st);
		if (*value == NULL)
			*value = xstrdup("");
	}
	return rc;
}

int
db_kv_set(struct db *db, const char *key, const char *value)
{
	return db_exec(db, "INSERT INTO kv (key, value, updated) "
	    "VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
	    "value = excluded.value, updated = excluded.updated",
	    "ttT", key, value, clock_now());
}

int
db_kv_del(struct db *db, const char *key)
{
	return db_exec(db, "DELETE FROM kv WHERE key = ?", "t", key);
}

static int
fsync_path(const char *path, int dir)
{
	int fd, rc;

	if ((fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDWR) |
	    O_CLOEXEC)) == -1)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
db_backup(struct db *db, const char *dest, int force, char **err)
{
	sqlite3 *out = NULL;
	sqlite3_backup *bk;
	struct stat sb;
	char *tmp, *dir, *slash;
	int fd, rc, tries;

	*err = NULL;
	if (!force && lstat(dest, &sb) == 0) {
		*err = xasprintf("%s: already exists (use --force to replace)",
		    dest);
		return -1;
	}
	tmp = xasprintf("%s.tmp", dest);
	/* A stale FILE.tmp is a backup that died; ours to replace. */
	if (unlink(tmp) == -1 && errno != ENOENT) {
		*err = xasprintf("%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1) {
		*err = xasprintf("%s: %s", tmp, strerror(errno));
		goto fail;
	}
	close(fd);
	if (sqlite3_open_v2(tmp, &out, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		*err = xasprintf("%s: %s", tmp,
		    out ? sqlite3_errmsg(out) : "out of memory");
		goto fail_unlink;
	}
	sqlite3_busy_timeout(out, DB_BUSY_TIMEOUT_MS);
	if ((bk = sqlite3_backup_init(out, "main", db->sq, "main")) == NULL) {
		*err = xasprintf("%s: %s", dest, sqlite3_errmsg(out));
		goto fail_unlink;
	}
	/*
	 * One step copies every page inside one read transaction: in WAL
	 * mode writers go on, and the copy is the snapshot at its start.
	 */
	for (tries = 0; tries < 100; tries++) {
		rc = sqlite3_backup_step(bk, -1);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		sqlite3_sleep(100);
	}
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		*err = xasprintf("%s: backup: %s", dest, sqlite3_errstr(rc));
		goto fail_unlink;
	}
	if (sqlite3_close(out) != SQLITE_OK) {
		out = NULL;
		*err = xasprintf("%s: close failed", tmp);
		goto fail_unlink;
	}
	out = NULL;
	if (fsync_path(tmp, 0) == -1) {
		*err = xasprintf("%s: fsync: %s", tmp, strerror(errno));
		goto fail_unlink;
	}
	rc = force ? rename(tmp, dest) :
	    renameat2(AT_FDCWD, tmp, AT_FDCWD, dest, RENAME_NOREPLACE);
	if (rc == -1) {
		*err = xasprintf("%s: %s", dest, strerror(errno));
		goto fail_unlink;
	}
	dir = xstrdup(dest);
	if ((slash = strrchr(dir, '/')) != NULL) {
		slash[slash == dir ? 1 : 0] = '\0';
		(void)fsync_path(dir, 1);
	} else
		(void)fsync_path(".", 1);
	free(dir);
	free(tmp);
	log_debug("db %s: backed up to %s", db->path, dest);
	return 0;

fail_unlink:
	if (out != NULL)
		sqlite3_close(out);
	unlink(tmp);
fail:
	free(tmp);
	return -1;
}

int
db_status(struct db *db, struct db_status *s, char **err)
{
	sqlite3_stmt *st;
	char *v = NULL;
	size_t cap = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	*err = NULL;
	s->schema_version = db->version;
	if (db->version < 1)
		return 0;

	if ((st = db_stmt(db, "SELECT folder, uidvalidity, last_uid, "
	    "last_sync, exists_count FROM sync_state ORDER BY folder")) == NULL)
		goto fail;
	while ((rc = db_step(st)) == 1) {
		if (s->nfolders == cap) {
			cap = cap ? cap * 2 : 4;
			s->folders = xreallocarray(s->folders, cap,
			    sizeof(*s->folders));
		}
		s->folders[s->nfolders].name = db_col_strdup(st, 0);
		if (s->folders[s->nfolders].name == NULL)
			s->folders[s->nfolders].name = xstrdup("");
		s->folders[s->nfolders].uidvalidity =
		    sqlite3_column_int64(st, 1);
		s->folders[s->nfolders].last_uid = sqlite3_column_int64(st, 2);
		s->folders[s->nfolders].last_sync = db_col_time(st, 3);
		s->folders[s->nfolders].exists = sqlite3_column_int64(st, 4);
		s->nfolders++;
	}
	if (rc == -1)
		goto fail;
	if ((rc = db_kv_get(db, "unreachable_since", &v)) == -1)
		goto fail;
	if (rc == 1)
		s->unreachable_since = (time_t)strtoll(v, NULL, 10);
	free(v);
	if (db_int(db, &s->quarantined, "SELECT count(*) FROM messages "
	    "WHERE kind = 'quarantined'", "") == -1 ||
	    db_int(db, &s->outbox_queued, "SELECT count(*) FROM outbox "
	    "WHERE status IN ('queued','sending')", "") == -1 ||
	    db_int(db, &s->outbox_failed, "SELECT count(*) FROM outbox "
	    "WHERE status = 'failed'", "") == -1)
		goto fail;
	return 0;

fail:
	*err = xasprintf("%s: %s", db->path, sqlite3_errmsg(db->sq));
	db_status_free(s);
	return -1;
}

void
db_status_free(struct db_status *s)
{
	size_t i;

	for (i = 0; i < s->nfolders; i++)
		free(s->folders[i].name);
	free(s->folders);
	s->folders = NULL;
	s->nfolders = 0;
}
