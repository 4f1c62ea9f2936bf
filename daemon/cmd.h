/*
 * cmd: the command-mail body parser of COMMANDS.md. It reads the
 * pseudo-header lines ("Keyword: arguments", English or Ukrainian) and the
 * reply words (done, snooze 3d, 2, так …) into typed data that an executor
 * runs, with per-line errors in English and Ukrainian. It owns the keyword
 * table that the Help reply is made from. It never touches the database,
 * never sends mail and never decides who may do what.
 */
#ifndef MISTOK_CMD_H
#define MISTOK_CMD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "dates.h"
#include "tz.h"

#define CMD_MAX_LINES	200	/* command lines in one mail */
#define CMD_MAX_LINE	2000	/* bytes in one command line */
#define CMD_MAX_ERRORS	20	/* then one "too many errors" */

enum cmd_kw {
	CMD_NONE = 0,
	CMD_PARTNERSHIP,
	CMD_NEW_PARTNERSHIP,
	CMD_ORG,
	CMD_CONTACT,
	CMD_STAGE,
	CMD_NEXT_STEP,
	CMD_DONE,
	CMD_NOTE,
	CMD_MEETING,
	CMD_RESCHEDULE,
	CMD_CANCEL,
	CMD_SHOW,
	CMD_SEARCH,
	CMD_ASSIGN,
	CMD_REPORT,
	CMD_DIGEST,
	CMD_HELP,
	CMD_DRY_RUN,
};

/* One row of the keyword table; every string is static. */
struct cmd_keyword {
	enum cmd_kw	 kw;
	const char	*name;		/* "Next-Step" */
	const char	*uk;		/* "Крок" */
	const char	*args_en;	/* argument synopsis */
	const char	*args_uk;
	const char	*help_en;	/* one line */
	const char	*help_uk;
};

/* Same order as directory_stages[]. */
enum cmd_stage {
	STAGE_PROSPECT,
	STAGE_CONTACTED,
	STAGE_INTRODUCED,
	STAGE_MEETING_HELD,
	STAGE_PLANNING,
	STAGE_JOINT_PROJECTS,
	STAGE_DORMANT,
	STAGE_CLOSED,
};

/* The first line of a reply to mistok's own mail. */
enum reply_word {
	REPLY_NONE = 0,
	REPLY_DONE,	/* done, готово */
	REPLY_SNOOZE,	/* snooze [DATE], відкласти [DATE] */
	REPLY_SLOT,	/* 1 … 9 */
	REPLY_CANCEL,	/* cancel, скасувати */
	REPLY_STOP,	/* stop, стоп */
	REPLY_SEND,	/* send, надіслати */
	REPLY_YES,	/* yes, так: a partner's answer to an invitation */
	REPLY_NO,	/* no, ні */
};

/* A partnership named in a command. */
enum cmd_ref_kind { CMD_REF_SLUG, CMD_REF_ID, CMD_REF_PAIR };
struct cmd_ref {
	enum cmd_ref_kind kind;
	char		*slug;		/* CMD_REF_SLUG: lower case */
	int64_t		 id;		/* CMD_REF_ID */
	char		*ua_org;	/* CMD_REF_PAIR: "Lviv – Madison" */
	char		*us_org;
};

struct cmd_new_partnership {
	char	*ua_org;
	char	*us_org;
	char	*coordinator;		/* lower-case email, or NULL */
};

/* Org and Contact: NULL / 0 for each field not given. */
struct cmd_org {
	char		*name;
	char		*country;	/* "UA" or "US" */
	char		*kind;		/* municipality volunteer diplomatic
					   ngo other */
	char		*tz;		/* canonical IANA name */
	char		**domains;	/* lower case */
	size_t		 ndomains;
	int		 has_hours;
	struct hours	 hours;
	char		*hours_text;	/* as written */
};

struct cmd_contact {
	char		*name;		/* display name, or NULL */
	char		*email;		/* lower case */
	char		*org;
	char		*role;
	char		*tz;
	char		*lang;		/* "uk" or "en" */
	int		 has_hours;
	struct hours	 hours;
	char		*hours_text;
};

enum cmd_owner { CMD_OWNER_NONE, CMD_OWNER_ME, CMD_OWNER_NAMED };
struct cmd_step {
	char		*text;
	int		 has_due;
	struct tz_date	 due;		/* in the sender's zone */
	enum cmd_owner	 owner_kind;
	char		*owner;		/* CMD_OWNER_NAMED: an org, a contact's
					   name or address, as written */
};

/* Meeting; Reschedule uses id and the window. */
struct cmd_meeting {
	int64_t			 id;		/* Reschedule: #meeting */
	int			 minutes;	/* 0: not given */
	int			 has_window;
	struct dates_window	 window;	/* in the sender's zone */
	time_t			 window_start;	/* UTC, inclusive */
	time_t			 window_end;	/* UTC, exclusive */
	char			*title;
	char			**with;		/* addresses or org names */
	size_t			 nwith;
	char			*link;
	int			 auto_book;
};

enum cmd_format { CMD_FMT_TEXT, CMD_FMT_CSV, CMD_FMT_HTML };
struct cmd_report {
	int			 has_range;
	struct dates_window	 range;
	enum cmd_format		 format;
};

struct cmd_line {
	size_t		 lineno;	/* 1-based in the body */
	char		*text;		/* the line, white space normalised */
	enum cmd_kw	 kw;
	/*
	 * Index in cmd_mail.lines of the Partnership or New-Partnership line
	 * above that sets this line's context, or -1: the thread's.
	 */
	int		 ctx;
	union {
		struct cmd_ref			 ref;	/* Partnership; Show
							   with an argument
							   (has_ref) */
		struct cmd_new_partnership	 newp;
		struct cmd_org			 org;
		struct cmd_contact		 contact;
		enum cmd_stage			 stage;
		struct cmd_step			 step;
		int64_t				 id;	/* Done, Cancel,
							   Assign */
		char				*text;	/* Note, Search */
		struct cmd_meeting		 meeting;
		struct cmd_report		 report;
		int				 dry_run;
	} u;
	int		 has_ref;	/* Show: u.ref is set */
};

enum cmd_errcode {
	CE_UNKNOWN_KEYWORD,	/* word, suggestion */
	CE_NOT_COMMAND,		/* a line in the block without "Keyword:" */
	CE_MISSING,		/* a required argument is missing (what) */
	CE_BAD_VALUE,		/* word is not a valid what; suggestion */
	CE_UNKNOWN_FIELD,	/* word is not a field of kw; suggestion */
	CE_DUPLICATE,		/* field what given twice */
	CE_EXTRA,		/* kw takes no (more) arguments: word */
	CE_DATE,		/* date_err, word */
	CE_TOO_MANY_LINES,	/* more than CMD_MAX_LINES command lines */
	CE_LINE_TOO_LONG,	/* more than CMD_MAX_LINE bytes */
	CE_TOO_MANY_ERRORS,	/* errors stopped at this line */
};

/* What a CE_MISSING / CE_BAD_VALUE / CE_DUPLICATE is about. */
enum cmd_what {
	CW_NONE, CW_STAGE, CW_KIND, CW_COUNTRY, CW_LANG, CW_ZONE, CW_HOURS,
	CW_EMAIL, CW_ID, CW_DATE, CW_WINDOW, CW_DURATION, CW_FORMAT, CW_BOOL,
	CW_PARTNERSHIP, CW_PAIR, CW_NAME, CW_TEXT, CW_DOMAIN, CW_URL,
	CW_OWNER, CW_TITLE, CW_WITH, CW_SLOT,
};

struct cmd_error {
	size_t			 lineno;	/* 1-based; 0: the mail */
	char			*text;		/* the line, or NULL */
	enum cmd_errcode	 code;
	enum cmd_kw		 kw;		/* of the line, or CMD_NONE */
	enum cmd_what		 what;
	char			*word;		/* the offending word, or NULL */
	const char		*suggestion;	/* static, or NULL */
	enum dates_error	 date_err;	/* CE_DATE */
};

struct cmd_mail {
	struct cmd_line		*lines;
	size_t			 n;
	char			*note;		/* the text after the command
						   lines, or the whole text of
						   an internal note; NULL when
						   empty */
	size_t			 note_line;	/* its first line */
	int			 dry_run;
	enum reply_word		 first_word;
	size_t			 first_word_line;
	int			 slot;		/* REPLY_SLOT: 1-9 */
	int			 has_snooze;	/* REPLY_SNOOZE with a date */
	struct tz_date		 snooze_until;
	struct cmd_error	*errors;
	size_t			 nerrors;
};

/* What cmd_parse() needs besides the body. */
struct cmd_opts {
	const struct tz	*zone;		/* the sender's: dates are read in it */
	time_t		 now;
};

/*
 * Parses body[0..len) (UTF-8, CRLF or LF) up to min(quote_off, sig_off,
 * len), as struct msg gives them; lines starting with ">" are skipped
 * wherever they are. Always returns a cmd_mail (free with cmd_mail_free()):
 * when nerrors > 0 the executor runs none of its lines. No keyword at the
 * top: n == 0 and the text is the note, unless the first line looks like a
 * mistyped keyword — "Word:" within edit distance 1 (words of up to 4
 * letters) or 2 of a keyword of either language, or any "Word-Word:" —
 * which is an error. Linear in len.
 */
struct cmd_mail *cmd_parse(const char *body, size_t len, size_t quote_off,
    size_t sig_off, const struct cmd_opts *);
void cmd_mail_free(struct cmd_mail *);

/* The keyword table, in the order of COMMANDS.md; *n its length. */
const struct cmd_keyword *cmd_keywords(size_t *n);
/* The row of kw, or NULL. */
const struct cmd_keyword *cmd_keyword(enum cmd_kw);
/* "planning"; static. */
const char *cmd_stage_name(enum cmd_stage);

/*
 * One error as a line of text in lang ("uk" or "en"), e.g. "line 3:
 * unknown stage 'planing' — did you mean 'planning'?". Caller frees.
 */
char *cmd_error_text(const struct cmd_error *, const char *lang);
/*
 * Every error of m, each followed by its line indented by four spaces,
 * and a closing sentence that nothing was done. Caller frees.
 */
char *cmd_errors_text(const struct cmd_mail *, const char *lang);
/* The body of the Help reply in lang. Caller frees. */
char *cmd_help_text(const char *lang);

#endif
