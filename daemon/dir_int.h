/*
 * dir_int: what the directory's files (directory.c, dirget.c, dirfield.c,
 * dirput.c, dirio.c, forget.c) share — the column tables, small
 * validators, savepoints and error helpers. Internal to the directory:
 * nothing else includes it, and it never adds to directory.h's API.
 */
#ifndef MISTOK_DIR_INT_H
#define MISTOK_DIR_INT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <sqlite3.h>

#include "directory.h"

struct buf;
struct db;

/*
 * The CSV columns, required ones first (DESIGN.md "Directory import"); the
 * order is the export's. Pointers into these tables are the static
 * bad_field names.
 */
#define DIR_ORG_NCOLS		9
#define DIR_CONTACT_NCOLS	8
#define DIR_PARTNERSHIP_NCOLS	7
extern const char *const dir_org_cols[DIR_ORG_NCOLS];
extern const char *const dir_contact_cols[DIR_CONTACT_NCOLS];
extern const char *const dir_partnership_cols[DIR_PARTNERSHIP_NCOLS];

struct dir_kind_info {
	const char		*name;
	const char		*one;		/* "organisation" */
	const char *const	*cols;
	size_t			 ncols;
	size_t			 nrequired;
};
#define DIR_NKINDS	(DIR_PARTNERSHIPS + 1)
extern const struct dir_kind_info dir_kinds[DIR_NKINDS];

/* NULL-terminated. */
extern const char *const dir_org_kinds[];
extern const char *const dir_public_domains[];

/* directory.c: small helpers. */
int		 dir_in_list(const char *const *list, const char *s);
char		*dir_list_join(const char *const *list, const char *sep);
const char	*dir_colname(enum dir_kind k, const char *name);
void		 dir_set_err(char **err, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
int		 dir_db_fail(struct db *db, char **err, const char *what);
void		 dir_replace(char **slot, char *s);
void		 dir_strv_free(char **v, size_t n);
void		 dir_strv_add(char ***v, size_t *n, const char *s);
int		 dir_strv_has(char **v, size_t n, const char *s);
int		 dir_valid_domain(const char *d);
int		 dir_valid_address(const char *a);
int		 dir_clean(const char *v, char **out);
int		 dir_parse_date(const char *s, time_t *out);
void		 dir_fmt_date(time_t t, char out[11]);
void		 dir_split_words(const char *s, int sep, char ***v, size_t *n);
int		 dir_savepoint(struct db *db);
int		 dir_release(struct db *db, int ok);
int		 dir_org_by_name(struct db *db, const char *name, int64_t *id);

/* dirget.c: a statement's ids or strings, all rows. */
int		 dir_ids_of(sqlite3_stmt *st, int64_t **ids, size_t *n);
int		 dir_strings_of(sqlite3_stmt *st, char ***v, size_t *n);

/* dirfield.c: fields of a put, one validator per column. */
const char	*dir_field_value(const struct dir_put *p, const char *name);
int		 dir_bad(struct dir_put *p, const char *col, char **err,
		    const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
void		 dir_org_row(const struct dir_org *o, struct buf *b);
void		 dir_contact_row(const struct dir_contact *c, struct buf *b);
void		 dir_partnership_row(const struct dir_partnership *p,
		    struct buf *b);
int		 dir_org_apply(struct db *db, struct dir_put *p,
		    struct dir_org *o, const char *name, const char *v,
		    char **err);
int		 dir_check_address(struct dir_put *p, const char *col,
		    const char *v, char **out, char **err);
int		 dir_contact_apply(struct db *db, struct dir_put *p,
		    struct dir_contact *c, const char *name, const char *v,
		    char **err);
int		 dir_valid_slug(const char *s);
int		 dir_partnership_apply(struct db *db, struct dir_put *p,
		    struct dir_partnership *x, const char *name, const char *v,
		    char **err);

#endif
