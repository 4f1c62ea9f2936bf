/*
 * db_schema: the text of every migration, in order; db.c runs them.
 *
 * Schema rules for whoever adds a migration: append a new string to
 * db_migrations[] (never edit a published one: tests/data/db/v1.sql is a
 * file written by version 1 and must keep migrating to the same schema as
 * a fresh database). Each step runs in its own transaction together with
 * its PRAGMA user_version. Instants are UTC seconds (INTEGER), booleans
 * 0/1, addresses lower case. Enumerations whose set DESIGN.md may grow
 * (message kind and rule, org kind, step status) are documented here and
 * checked by their owning module rather than by CHECK constraints, which
 * SQLite can only change by rebuilding the table.
 */
#include "db_int.h"
#include "util.h"

const char *const db_migrations[] = {
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
	/* 8: subject grouping by look-up, not by scan (thread.c): one row
	 * per participant of each message with a subject base, first = 1 for
	 * the message's first (smallest) participant, so a message finds the
	 * messages whose participants contain its own or are contained in
	 * them with one look-up per participant (the scan over every message
	 * of a common subject in the window grew with the mailbox). base and
	 * person are mistok_key() hashes of the subject base and the address
	 * (str_key(): small integer keys; a collision only adds a candidate,
	 * and candidates are checked against the message's own columns).
	 * Filled from the messages stored so far. No foreign key: messages
	 * are never deleted, and a row whose message is gone only yields a
	 * candidate that the look-up of its message drops. The indexes
	 * nothing reads go: messages_subject (the old scan), and
	 * threads_subject, threads_conversation and threads_partnership
	 * (rewritten whenever a message moves a thread's dates, never used
	 * by a query). */
	"CREATE TABLE subject_people ("
	"  base INTEGER NOT NULL,"
	"  person INTEGER NOT NULL,"
	"  date INTEGER NOT NULL,"
	"  message INTEGER NOT NULL,"
	"  first INTEGER NOT NULL,"
	"  root INTEGER NOT NULL,"
	"  PRIMARY KEY (base, person, date, message)"
	") WITHOUT ROWID;"
	"WITH RECURSIVE split(message, base, date, root, person, rest, first)"
	"  AS (SELECT id, subject_base, coalesce(date, internal_date, 0),"
	"    subject_root, NULL, people || char(10), 0 FROM messages"
	"    WHERE subject_base IS NOT NULL AND people IS NOT NULL"
	"    AND people <> '' AND coalesce(date, internal_date, 0) > 0"
	"  UNION ALL SELECT message, base, date, root,"
	"    substr(rest, 1, instr(rest, char(10)) - 1),"
	"    substr(rest, instr(rest, char(10)) + 1), person IS NULL"
	"    FROM split WHERE rest <> '')"
	"INSERT OR IGNORE INTO subject_people (base, person, date, message,"
	"  first, root) SELECT mistok_key(base), mistok_key(person), date,"
	"  message, first, root FROM split WHERE person IS NOT NULL;"
	"DROP INDEX messages_subject;"
	"DROP INDEX threads_subject;"
	"DROP INDEX threads_conversation;"
	"DROP INDEX threads_partnership;",
};

const int db_nmigrations = (int)nitems(db_migrations);
