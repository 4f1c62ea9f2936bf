/*
 * cmd_int: what the command parser's files (cmd.c, cmdtab.c, cmderr.c,
 * cmdval.c, cmdargs.c) share — the parser state, split arguments, field
 * tables and their helpers. Internal to the parser: nothing outside those
 * files includes it, and it never adds to the API of cmd.h.
 */
#ifndef MISTOK_CMD_INT_H
#define MISTOK_CMD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cmd.h"
#include "util.h"

#define MAXTOKEN	40	/* bytes of a keyword before its colon */
#define MAXCP		64	/* code points compared for suggestions */
#define MAXARGS		32	/* ';'-separated arguments of one line */

/* Parser state for one mail. */
struct pctx {
	const struct cmd_opts	*opts;
	struct cmd_mail		*m;
	size_t			 cap;		/* of m->lines */
	size_t			 ecap;		/* of m->errors */
	size_t			 lineno;
	const char		*text;		/* current line, normalised */
	enum cmd_kw		 kw;
	int			 failed;	/* the current line has an error */
	int			 stop;		/* stop reading commands */
};

/* The ';'-separated arguments of one line, pointing into its copy. */
struct args {
	char	*v[MAXARGS];
	size_t	 n;
	int	 overflow;
};

/* A "key value" field of a keyword. */
struct field {
	int		 id;
	const char	*names[6];	/* folded; [0] is the English one */
};

/* An English and a Ukrainian name; static strings. */
struct cmd_names {
	const char	*name;
	const char	*uk;
};

#define CMD_NSTAGES	(STAGE_CLOSED + 1)
extern const struct cmd_names cmd_stages[CMD_NSTAGES];

/* cmd.c: s case-folded into b (reset first). */
void		 cmd_fold(const char *s, struct buf *b);

/* cmdtab.c: a keyword by any of its spellings; the nearest, or NULL. */
enum cmd_kw	 cmd_kw_lookup(const char *token);
const char	*cmd_kw_suggest(const char *token);

/* cmderr.c: suggestions. */
size_t		 cmd_to_cps(const char *s, uint32_t *out);
void		 cmd_consider(const uint32_t *w, size_t nw, const char *cand,
		    const char *show, size_t *best, const char **sugg);
/* cmderr.c: errors on p's mail; each marks the line failed. */
void		 cmd_add_error(struct pctx *p, enum cmd_errcode code,
		    enum cmd_what what, const char *word, const char *sugg,
		    enum dates_error de);
void		 cmd_bad_value(struct pctx *p, enum cmd_what what,
		    const char *word, const char *sugg);
void		 cmd_missing(struct pctx *p, enum cmd_what what);
void		 cmd_date_error(struct pctx *p, enum cmd_what what,
		    const char *word, enum dates_error de);
int		 cmd_is_uk(const char *lang);

/*
 * cmdval.c: splitting and single values. Functions taking a pctx record
 * their error there and return -1 (or NULL); the others only answer.
 */
int		 cmd_is_open_quote(const char *s, size_t *len,
		    const char **close);
void		 cmd_split_args(char *s, struct args *a);
char		*cmd_unquote(char *s);
const char	*cmd_arg_key(char *arg, struct buf *key, char **value);
int		 cmd_field_lookup(const struct field *f, size_t nf,
		    const char *key);
void		 cmd_unknown_field(struct pctx *p, const struct field *f,
		    size_t nf, const char *key, const char *arg);
int		 cmd_valid_email(const char *s);
char		*cmd_lower_dup(const char *s);
int		 cmd_valid_domain(const char *s);
int		 cmd_parse_id(const char *s, int64_t *id);
int		 cmd_split_pair(const char *s, char **a, char **b);
int		 cmd_parse_ref(struct pctx *p, char *arg, struct cmd_ref *r);
int		 cmd_no_args(struct pctx *p, struct args *a);
int		 cmd_one_id(struct pctx *p, struct args *a, int64_t *id);
int		 cmd_parse_stage(struct pctx *p, struct args *a,
		    enum cmd_stage *st);
const char	*cmd_kind_value(const char *folded, const char **sugg);
const char	*cmd_country_value(const char *folded, const char **sugg);
const char	*cmd_lang_value(const char *folded, const char **sugg);
char		*cmd_zone_value(struct pctx *p, const char *v);
int		 cmd_hours_value(struct pctx *p, const char *v, int *has,
		    struct hours *h, char **text);
int		 cmd_duplicate(struct pctx *p, int already,
		    enum cmd_what what);
char		*cmd_skip_poyas(const char *key, char *v);
int		 cmd_parse_mailbox(struct pctx *p, char *s, char **name,
		    char **email);
int		 cmd_is_url(const char *s);
int		 cmd_format_value(const char *folded, enum cmd_format *f);
int		 cmd_parse_bool_value(const char *s, int *v);

/* cmdargs.c: one keyword line's arguments into l; freeing l's. */
void		 cmd_parse_command(struct pctx *p, enum cmd_kw kw,
		    const char *argstr, struct cmd_line *l);
void		 cmd_line_free(struct cmd_line *l);

#endif
