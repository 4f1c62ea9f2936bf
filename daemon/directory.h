/*
 * directory: organisations and their mail domains, contacts and their
 * addresses, partnerships with their supporting organisations and stage
 * history — the queries of orgs, org_domains, contacts, contact_addresses,
 * partnerships, partnership_orgs and stage_history, and the events rows
 * of stage changes, imports and forgotten people. It validates every field,
 * imports and exports DESIGN.md's CSV, and answers the look-ups that
 * threading and matching ask. It never reads mail, never decides a
 * thread or a partnership, and never prints.
 */
#ifndef MISTOK_DIRECTORY_H
#define MISTOK_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct buf;
struct config;
struct db;

enum dir_kind { DIR_ORGS, DIR_CONTACTS, DIR_PARTNERSHIPS };

/* "orgs" / "contacts" / "partnerships" (also "org", "contact", …). */
int directory_kind_parse(const char *, enum dir_kind *);
const char *directory_kind_name(enum dir_kind);

/* Return codes of the writers below. */
#define DIR_ERR_DATA	-1	/* bad or conflicting data; *err says which */
#define DIR_ERR_DB	-2	/* the database failed; *err says how */

/*
 * Records as read back. Every string is owned by the struct (NULL when the
 * column is empty); the *_free() functions release them and zero the
 * struct. Instants are UTC seconds, 0 when unset.
 */
struct dir_org {
	int64_t	 id;
	char	*name;
	char	*country;	/* "UA" | "US" */
	char	*kind;		/* municipality volunteer diplomatic ngo other */
	char	*city;
	char	*region;
	char	*zone;		/* canonical IANA name */
	char	*language;	/* "uk" | "en" */
	char	*hours;		/* config_parse_hours() syntax, or NULL */
	char	**domains;	/* lower case, in the order entered */
	size_t	 ndomains;
	time_t	 created;
};

struct dir_contact {
	int64_t	 id;
	char	*name;
	char	**emails;	/* lower case; emails[0] is the primary */
	size_t	 nemails;
	int64_t	 org;		/* 0: none */
	char	*org_name;
	char	*role;
	char	*zone;		/* as entered; NULL = the organisation's */
	char	*language;
	char	*hours;
	char	*eff_zone;	/* own, else the organisation's */
	char	*eff_language;
	char	*eff_hours;
	int	 learned;	/* created from mail, not entered */
	time_t	 created;
};

struct dir_stage {
	char	*stage;
	time_t	 at;
	char	*actor;
};

struct dir_partnership {
	int64_t		 id;		/* the 12 of [C4C #12] and team+p12 */
	char		*slug;
	int64_t		 ua_org;
	char		*ua_org_name;
	int64_t		 us_org;
	char		*us_org_name;
	int64_t		*supporting;	/* organisation ids, in order */
	char		**supporting_names;
	size_t		 nsupporting;
	char		*stage;
	int64_t		 coordinator;	/* contact id, 0: none */
	char		*coordinator_name;
	char		*coordinator_email;	/* the contact's primary */
	time_t		 started;	/* 00:00 UTC of the day, 0: unset */
	time_t		 created;
	struct dir_stage *history;	/* oldest first */
	size_t		 nhistory;
};

void dir_org_free(struct dir_org *);
void dir_contact_free(struct dir_contact *);
void dir_partnership_free(struct dir_partnership *);

/*
 * Readers. *_get() return 1 and fill *out, 0 when there is no such id,
 * -1 on a database error. *_list() return 0 and an array ordered by id
 * (free each element and the array with the *_list_free() helpers), or
 * -1.
 */
int directory_org_get(struct db *, int64_t id, struct dir_org *out);
int directory_contact_get(struct db *, int64_t id, struct dir_contact *out);
int directory_partnership_by_id(struct db *, int64_t id,
    struct dir_partnership *out);
int directory_org_list(struct db *, struct dir_org **out, size_t *n);
int directory_contact_list(struct db *, struct dir_contact **out, size_t *n);
int directory_partnership_list(struct db *, struct dir_partnership **out,
    size_t *n);
void dir_org_list_free(struct dir_org *, size_t);
void dir_contact_list_free(struct dir_contact *, size_t);
void dir_partnership_list_free(struct dir_partnership *, size_t);

/*
 * The light list a scheduler tick walks (a few columns, no joins): the
 * partnerships that are neither closed nor dormant, ordered by id.
 * Returns 0 and *out (caller frees; NULL when *n is 0), or -1 (logged).
 */
struct dir_partnership_brief {
	int64_t		 id;
	int64_t		 coordinator;	/* contact id, 0: none */
	time_t		 since;		/* started, else created */
};
int directory_partnership_briefs(struct db *,
    struct dir_partnership_brief **out, size_t *n);

/*
 * Whether contact coordinates a partnership that is not closed (dormant
 * ones count): 1 yes, 0 no, -1 on a database error (logged).
 */
int directory_coordinates_open(struct db *, int64_t contact);

/*
 * Finds a record the way a person names it on the command line: digits
 * are an id; otherwise an organisation's name (exact, else the one
 * case-insensitive match), a contact's address (anything with '@') or
 * name (when only one contact has it), a partnership's slug. Returns 1
 * and *id, 0 with *err "no organisation 'X'" (or "2 contacts are named
 * 'X'; use an address or an id"), -1 on a database error with *err.
 * The caller frees *err.
 */
int directory_find(struct db *, enum dir_kind, const char *key, int64_t *id,
    char **err);

/*
 * ---- look-ups for threading and matching --------------------------------
 * Each one is an index look-up, needs no transaction and may run inside
 * the caller's. Addresses and domains are compared in lower case (the
 * argument may be in any case). All return 1 (found), 0 (not found) or
 * -1 (database error, logged); an out pointer may be NULL.
 */

/* The contact owning email (any of its addresses) and its org (0: none). */
int directory_contact_by_email(struct db *, const char *email,
    int64_t *contact, int64_t *org);

/*
 * The organisation whose mail domain is domain, or else the nearest parent
 * domain with at least one dot: mail from rada.lviv.test belongs to the
 * organisation of lviv.test. The local part is ignored when domain holds
 * an '@', so an address may be passed as it is.
 */
int directory_org_by_domain(struct db *, const char *domain, int64_t *org);

/*
 * Every partnership org takes part in — as its UA organisation, its US
 * organisation or a supporting one — whatever the stage (closed and
 * dormant ones included; the caller filters). Returns 0 and *ids sorted
 * ascending without duplicates (caller frees; NULL when *n is 0), or -1.
 */
int directory_partnerships_of_org(struct db *, int64_t org, int64_t **ids,
    size_t *n);

/* The partnership with slug (exact, lower case). */
int directory_partnership_by_slug(struct db *, const char *slug,
    int64_t *id);

/*
 * Whether email is a coordinator: it must be the address of a contact, and
 * either listed in the config's [team] coordinators or an address of a
 * contact of the team's own organisation (the organisation that owns the
 * team's domain, [team] domain). conf NULL: only the second test.
 */
int directory_is_coordinator(struct db *, const struct config *conf,
    const char *email);

/*
 * Records an address seen in mail as a contact marked learned, without a
 * name when name is NULL or empty, in organisation org (0: none); its zone,
 * language and hours are the organisation's. A known address is left
 * alone (a person's entry always wins). Runs under a SAVEPOINT, so it
 * works inside the caller's transaction (and is atomic without one).
 * Returns 1 (created) or 0 (already known) with *id (may be NULL) the
 * contact's id, or -1 (an invalid address, or a database error; logged).
 */
int directory_learn_contact(struct db *, const char *email, const char *name,
    int64_t org, int64_t *id);

/*
 * ---- writing ------------------------------------------------------------
 * A write names its fields with DESIGN.md's CSV column names:
 *   orgs          name country kind city region timezone language domains
 *                 hours
 *   contacts      name email emails organisation role timezone language
 *                 hours
 *   partnerships  slug ua_org us_org supporting_orgs stage coordinator
 *                 started
 * Values are trimmed; an empty value clears an optional field; a field
 * not given keeps its value (or its default for a new record).
 */
struct dir_field {
	const char	*name;
	const char	*value;
};

enum dir_put_mode {
	DIR_PUT_ADD,		/* a new record; its key must be free */
	DIR_PUT_EDIT,		/* the record id */
	DIR_PUT_UPSERT,		/* update the record with this key, else add */
};

struct dir_put {
	enum dir_kind		 kind;
	enum dir_put_mode	 mode;
	int64_t			 id;		/* DIR_PUT_EDIT */
	const struct dir_field	*fields;
	size_t			 nfields;
	const struct config	*conf;		/* the coordinator rule */
	const char		*actor;		/* audit: "cli", "import", … */
	/* Results. */
	int64_t			 out_id;
	int			 created;	/* a new record */
	int			 changed;	/* a new or changed record */
	const char		*bad_field;	/* the column at fault, or NULL */
};

/*
 * Validates and writes one record (the key of DIR_PUT_ADD and _UPSERT is
 * the name, the email or the slug). A partnership's stage, when new or
 * changed, gets a stage_history row; a change also an events row (action
 * "stage", object "partnership:ID", detail "old -> new"). Atomic (a
 * SAVEPOINT), inside the caller's transaction or not. Returns 0, or
 * DIR_ERR_DATA with *err (caller frees) and p->bad_field (a static
 * column name, or NULL when no one column is at fault), or DIR_ERR_DB.
 */
int directory_put(struct db *, struct dir_put *p, char **err);

struct dir_import_stats {
	size_t	rows;
	size_t	added;
	size_t	updated;
	size_t	unchanged;
};

/*
 * Imports CSV text (RFC 4180, UTF-8, a header row; columns in any order,
 * each at most once; the optional ones may be left out) in one
 * transaction: a row is added, or updates the record with its key, so
 * importing a file twice changes nothing the second time. The first
 * problem aborts the whole import and rolls it back; *err (caller frees)
 * then reads "NAME:LINE: column COLUMN: message" (NAME is name, e.g. the
 * file's path; LINE is where the record starts). Must not be called in a
 * transaction. Returns 0, DIR_ERR_DATA or DIR_ERR_DB.
 */
int directory_import(struct db *, const struct config *conf, enum dir_kind,
    const char *name, const char *data, size_t len,
    struct dir_import_stats *stats, char **err);

/*
 * Appends the whole table as CSV with the import columns (so it imports
 * back to the same records), records ordered by id, CRLF line ends.
 * Returns 0, or -1 with *err (caller frees).
 */
int directory_export(struct db *, enum dir_kind, struct buf *out, char **err);

/*
 * Erases a person: the contact that owns email with all its addresses,
 * and in stored mail every one of those addresses and their display names
 * (messages' sender, message_addresses, meeting attendees) replaced by
 * DIR_FORGOTTEN_EMAIL and no name, the addresses' occurrences in message
 * bodies, subjects and calendar parts replaced too, and so are they as
 * the actor of stage_history and events rows. Queued outbox mail is left
 * alone. The events row (action
 * "forget") names the contact's id and the counts, never the address.
 * Runs its own transaction (must not be called in one). Returns 0 (also
 * when nothing knew the address: every count is then 0), or DIR_ERR_DATA
 * (not an address) or DIR_ERR_DB, with *err (caller frees).
 */
#define DIR_FORGOTTEN_EMAIL	"forgotten@invalid"
struct dir_forget_stats {
	int64_t	contact;	/* the erased contact's id, 0: none */
	size_t	addresses;	/* its addresses */
	size_t	messages;	/* messages whose sender was erased */
	size_t	recipients;	/* message_addresses and attendees rows */
	size_t	texts;		/* bodies and calendar parts rewritten */
};
int directory_forget(struct db *, const char *email, const char *actor,
    struct dir_forget_stats *, char **err);

/* The stage names, in order, NULL-terminated. */
extern const char *const directory_stages[];

#endif
