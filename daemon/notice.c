/*
 * notice: coordinators' notices about mistok's own mail (see notice.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "config.h"
#include "db.h"
#include "json.h"
#include "log.h"
#include "mailtmpl.h"
#include "notice.h"
#include "outbox.h"
#include "tmplset.h"
#include "util.h"

/* The set loaded outside mistokd, once per process (never freed). */
static struct tmpl_set *own_set;
static int own_tried;

const struct tmpl_set *
notice_templates(const struct config *conf)
{
	struct buf errors;
	char *dir;

	if (mailtmpl_current() != NULL)
		return mailtmpl_current();
	if (own_tried)
		return own_set;
	own_tried = 1;
	if (conf->templates_dir == NULL)
		return NULL;
	dir = mailtmpl_dir(conf->templates_dir);
	buf_init(&errors);
	if ((own_set = mailtmpl_load(dir, &errors)) == NULL)
		log_warnx("templates %s: broken; notices go out as plain "
		    "text:\n%s", dir, errors.data ? errors.data : "");
	buf_free(&errors);
	free(dir);
	return own_set;
}

/* Common template data: team, coordinator (signing as the team). */
static struct json *
base_data(const struct config *conf)
{
	struct json *d = json_object(), *o;

	o = json_set(d, "team", json_object());
	json_set_string(o, "name", conf->team_name);
	json_set_string(o, "address", conf->team_address);
	o = json_set(d, "coordinator", json_object());
	json_set_string(o, "name", "");
	json_set_string(o, "email", "");
	return d;
}

/* The notice rendered and composed; 0 or -1 with *err. */
static int
compose_notice(const struct config *conf, const struct tmpl_set *set,
    const struct notice *n, struct buf *raw, char **msgid, char **subject,
    char **err)
{
	struct mailtmpl_mail mm;
	struct compose *c;
	struct json *d, *o;
	size_t i;
	int rc;

	d = base_data(conf);
	o = json_set(d, "notice", json_object());
	json_set(o, "failed", json_bool(n->failed));
	json_set(o, "bounced", json_bool(n->bounced));
	json_set_string(o, "recipient", n->recipient ? n->recipient : "");
	json_set_string(o, "subject", n->subject ? n->subject : "");
	json_set_string(o, "reason", n->reason ? n->reason : "");
	json_set_int(o, "outbox_id", n->outbox_id);
	rc = mailtmpl_render(set, "notice", conf->team_language,
	    conf->team_language, d, &mm, err);
	json_free(d);
	if (rc == -1)
		return -1;
	c = compose_new_team(conf);
	for (i = 0; conf->coordinators[i] != NULL; i++)
		compose_add_to(c, NULL, conf->coordinators[i]);
	mailtmpl_to_compose(&mm, c);
	rc = compose_write(c, raw, err);
	if (rc == 0) {
		*msgid = xstrdup(compose_message_id(c));
		*subject = xstrdup(mm.subject);
	}
	compose_free(c);
	mailtmpl_mail_free(&mm);
	return rc;
}

int
notice_queue(struct db *db, const struct config *conf, const char *key,
    const struct notice *n, int64_t *id, char **err)
{
	const struct tmpl_set *set;
	struct buf raw;
	char *msgid = NULL, *subject = NULL, *text, *e = NULL;
	int64_t got = 0;
	size_t len;
	int rc;

	*err = NULL;
	if (id != NULL)
		*id = 0;
	if (conf->coordinators == NULL || conf->coordinators[0] == NULL)
		return 0;
	buf_init(&raw);
	set = notice_templates(conf);
	if (set == NULL || compose_notice(conf, set, n, &raw, &msgid,
	    &subject, &e) == -1) {
		/* Never lose a notice to a template problem. */
		if (e != NULL) {
			log_warnx("notice %s: %s; sent as plain text", key, e);
			free(e);
		}
		buf_free(&raw);
		subject = xasprintf("%s: \"%s\" to %s", n->bounced ?
		    "Bounced" : "Not delivered", n->subject ? n->subject : "",
		    n->recipient ? n->recipient : "");
		text = xasprintf("A mail from mistok could not be "
		    "delivered.\n\nWhat: \"%s\" (outbox %lld)\nTo whom: %s\n"
		    "Why: %s\n", n->subject ? n->subject : "",
		    (long long)n->outbox_id, n->recipient ? n->recipient : "",
		    n->reason ? n->reason : "");
		raw.data = outbox_plain_mail(conf,
		    (const char *const *)conf->coordinators, subject, text,
		    NULL, NULL, &msgid, &len);
		raw.len = len;
		free(text);
	}
	rc = outbox_enqueue(db, key, raw.data, raw.len, conf->team_address,
	    (const char *const *)conf->coordinators, msgid, subject, 0, &got,
	    err);
	if (rc == 1 && compose_record_own_id(db, msgid, "notice",
	    n->outbox_id, 0, &e) == -1) {
		/* The notice still goes out; only the mapping is lost. */
		log_warnx("notice %s: %s", key, e);
		free(e);
	}
	if (rc >= 0 && id != NULL)
		*id = got;
	free(raw.data);
	free(msgid);
	free(subject);
	return rc;
}
