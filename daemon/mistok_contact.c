/*
 * mistok contact add|edit|list|show|forget: its options, columns, text
 * and forget; mistok_dir.c runs the rest. Also the JSON shape of a contact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "directory.h"
#include "json.h"
#include "mistok.h"
#include "util.h"

static const struct cli_field_opt contact_opts[] = {
	{ "name", "name" }, { "email", "email" }, { "emails", "emails" },
	{ "org", "organisation" }, { "organisation", "organisation" },
	{ "role", "role" }, { "tz", "timezone" }, { "timezone", "timezone" },
	{ "lang", "language" }, { "language", "language" },
	{ "hours", "hours" }, { NULL, NULL },
};

struct json *
cli_json_contact(const struct dir_contact *c)
{
	struct json *j, *a;
	size_t i;

	j = json_object();
	json_set_int(j, "id", c->id);
	json_set_string(j, "name", c->name);
	json_set_string(j, "email", c->nemails ? c->emails[0] : NULL);
	a = json_set(j, "address", json_object());
	json_set_string(a, "name", c->name);
	json_set_string(a, "email", c->nemails ? c->emails[0] : NULL);
	a = json_set(j, "emails", json_array());
	for (i = 0; i < c->nemails; i++)
		json_append(a, json_string(c->emails[i]));
	json_set_string(j, "organisation", c->org_name);
	json_set(j, "organisation_id", c->org ? json_int(c->org) :
	    json_null());
	json_set_string(j, "role", c->role);
	json_set_string(j, "timezone", c->zone);
	json_set_string(j, "language", c->language);
	json_set_string(j, "hours", c->hours);
	json_set_string(j, "effective_timezone", c->eff_zone);
	json_set_string(j, "effective_language", c->eff_language);
	json_set_string(j, "effective_hours", c->eff_hours);
	json_set(j, "learned", json_bool(c->learned));
	json_set(j, "created", cli_json_time(c->created));
	return j;
}

/* The cli_dir_entity slots, typed for struct dir_contact. */
static int
contact_load(struct db *db, void **v, size_t *n)
{
	struct dir_contact *c = NULL;
	int rc;

	rc = directory_contact_list(db, &c, n);
	*v = c;
	return rc;
}

static void
contact_list_free(void *v, size_t n)
{
	dir_contact_list_free(v, n);
}

static struct json *
contact_json(const void *c)
{
	return cli_json_contact(c);
}

static int
contact_row(const void *rec, const char **row, char **own)
{
	const struct dir_contact *c = rec;

	own[0] = xasprintf("%lld%s", (long long)c->id, c->learned ? "*" : "");
	row[0] = own[0];
	row[1] = c->name;
	row[2] = c->nemails ? c->emails[0] : NULL;
	row[3] = c->org_name;
	row[4] = c->role;
	row[5] = c->eff_zone;
	row[6] = c->eff_language;
	return c->learned;
}

static int
contact_get(struct db *db, int64_t id, void *c)
{
	return directory_contact_get(db, id, c);
}

static void
contact_text(const void *rec)
{
	const struct dir_contact *c = rec;
	size_t i;

	printf("contact #%lld: %s%s\n", (long long)c->id,
	    c->name ? c->name : "(no name)",
	    c->learned ? " (learned from mail)" : "");
	printf("  addresses:   ");
	for (i = 0; i < c->nemails; i++)
		printf(" %s", c->emails[i]);
	printf("\n");
	printf("  organisation: %s\n", c->org_name ? c->org_name : "-");
	printf("  role:         %s\n", c->role ? c->role : "-");
	printf("  time zone:    %s%s\n", c->eff_zone ? c->eff_zone : "-",
	    c->zone ? "" : " (the organisation's)");
	printf("  language:     %s%s\n",
	    c->eff_language ? c->eff_language : "-",
	    c->language ? "" : " (the organisation's)");
	printf("  hours:        %s%s\n", c->eff_hours ? c->eff_hours :
	    "the [schedule] default", c->hours || !c->eff_hours ? "" :
	    " (the organisation's)");
}

static void
contact_free(void *c)
{
	dir_contact_free(c);
}

static int
contact_forget(struct cli *cli, struct db *db, const char *addr)
{
	struct dir_forget_stats st;
	struct json *j;
	char *err = NULL;
	int rc;

	if ((rc = directory_forget(db, addr, "cli", &st, &err)) != 0) {
		fprintf(stderr, "mistok: forget: %s\n", err);
		free(err);
		return rc == DIR_ERR_DATA ? EX_DATAERR : EX_SOFTWARE;
	}
	if (cli->json) {
		j = json_object();
		json_set(j, "contact", st.contact ? json_int(st.contact) :
		    json_null());
		json_set_int(j, "addresses", (int64_t)st.addresses);
		json_set_int(j, "messages", (int64_t)st.messages);
		json_set_int(j, "recipients", (int64_t)st.recipients);
		json_set_int(j, "texts", (int64_t)st.texts);
		cli_print_json(j);
	} else if (st.contact == 0 && st.messages + st.recipients +
	    st.texts == 0)
		printf("nothing knew that address; nothing changed\n");
	else {
		if (st.contact != 0)
			printf("contact #%lld erased with %zu address%s\n",
			    (long long)st.contact, st.addresses,
			    st.addresses == 1 ? "" : "es");
		printf("stored mail: %zu sender%s, %zu recipient%s, %zu "
		    "text%s rewritten\n", st.messages,
		    st.messages == 1 ? "" : "s", st.recipients,
		    st.recipients == 1 ? "" : "s", st.texts,
		    st.texts == 1 ? "" : "s");
	}
	return EX_OK;
}

static const char *const contact_header[] = {
	"ID", "NAME", "EMAIL", "ORGANISATION", "ROLE", "ZONE", "LANG",
};

static const struct cli_dir_entity contact_entity = {
	.cmd = "contact",
	.what = "contact",
	.kind = DIR_CONTACTS,
	.opts = contact_opts,
	.header = contact_header,
	.ncols = nitems(contact_header),
	.nown = 1,
	.note = "(* learned from mail)",
	.size = sizeof(struct dir_contact),
	.list = contact_load,
	.list_free = contact_list_free,
	.json = contact_json,
	.row = contact_row,
	.show_size = sizeof(struct dir_contact),
	.get = contact_get,
	.show_json = contact_json,
	.show_text = contact_text,
	.show_free = contact_free,
	.verb = "forget",
	.verb_fn = contact_forget,
};

int
cmd_contact(int argc, char **argv, struct cli *cli)
{
	return cli_dir_cmd(argc, argv, cli, &contact_entity);
}
