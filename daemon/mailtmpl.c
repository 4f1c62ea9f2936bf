/*
 * mailtmpl: the names and data of mistok's mail templates, their check,
 * the language choice, and the daemon module that holds the loaded set.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compose.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "mailtmpl.h"
#include "tmplset.h"
#include "util.h"

const char *const mailtmpl_names[] = {
	"followup",
	"notice",
	"test",
	"invite",
	"meeting_cancel",
	"meeting_reminder",
	"meeting_reply",
	"proposal",
	"command_reply",
	"command_foreign",
	NULL
};

#define COMMON \
	"\"team\": {\"name\": \"Cities4Cities\", " \
	"\"address\": \"team@c4c.test\"}, " \
	"\"coordinator\": {\"name\": \"Марія Шевчук\", " \
	"\"email\": \"maria@c4c.test\"}"

/* The meeting templates' data (meeting.c fills the same keys). */
#define RECIPIENT \
	"\"recipient\": {\"name\": \"Emily Carter\", " \
	"\"email\": \"intl@madison.test\"}"
#define TIMES \
	"{\"name\": \"Оксана Мельник\", \"email\": \"mayor@lviv.test\", " \
	"\"zone\": \"Europe/Kyiv\", " \
	"\"local\": \"вт 10 березня 2026, 17:00\u201318:00 EET\"}, " \
	"{\"name\": \"Emily Carter\", \"email\": \"intl@madison.test\", " \
	"\"zone\": \"America/Chicago\", " \
	"\"local\": \"Tue 10 Mar 2026, 10:00\u201311:00 CDT\"}"
#define MEETING \
	"\"meeting\": {\"title\": \"Lviv \u2013 Madison\", " \
	"\"uid\": \"mistok-abc@c4c.test\", " \
	"\"link\": \"https://meet.example/abc\", \"update\": true, " \
	"\"utc\": \"2026-03-10T15:00:00Z\", " \
	"\"local\": \"Tue 10 Mar 2026, 10:00\u201311:00 CDT\", " \
	"\"times\": [" TIMES "]}"

static const struct {
	const char	*name;
	const char	*json;
} samples[] = {
	{ "followup", "{" COMMON ", "
	    "\"recipient\": {\"name\": \"Олена Коваль\"}, "
	    "\"partnership\": {\"tag\": \"[C4C #12]\", "
	    "\"ua_org\": \"Львівська міська рада\", "
	    "\"us_org\": \"City of Madison\", \"stage\": \"contacted\"}, "
	    "\"message\": \"Чи зручно вам зустрітися наступного тижня?\", "
	    "\"steps\": [{\"text\": \"Узгодити дату онлайн-зустрічі\", "
	    "\"due\": \"2026-03-10\"}], \"has_steps\": true}" },
	{ "notice", "{" COMMON ", "
	    "\"notice\": {\"failed\": true, \"bounced\": true, "
	    "\"recipient\": \"olena@lviv.test\", "
	    "\"subject\": \"[C4C #12] Наступні кроки\", "
	    "\"reason\": \"550 5.1.1 mailbox unavailable\", "
	    "\"outbox_id\": 42}}" },
	{ "test", "{" COMMON ", \"address\": \"olena@lviv.test\", "
	    "\"sent_at\": \"2026-03-02 10:00 (Europe/Kyiv)\"}" },
	{ "invite", "{" COMMON ", " RECIPIENT ", " MEETING "}" },
	{ "meeting_cancel", "{" COMMON ", " RECIPIENT ", " MEETING "}" },
	{ "meeting_reminder", "{" COMMON ", " RECIPIENT ", " MEETING "}" },
	{ "meeting_reply", "{" COMMON ", \"meeting\": {\"title\": "
	    "\"Lviv \u2013 Madison\", \"uid\": \"mistok-abc@c4c.test\", "
	    "\"id\": 7, \"utc\": \"2026-03-10T15:00:00Z\", "
	    "\"times\": [" TIMES "]}, "
	    "\"reply\": {\"email\": \"intl@madison.test\", "
	    "\"partstat\": \"DECLINED\", \"comment\": \"Can we move it?\", "
	    "\"declined\": true, \"all_answered\": false, "
	    "\"counter\": true, \"reply\": true, "
	    "\"proposed\": [" TIMES "]}, "
	    "\"answers\": [{\"email\": \"intl@madison.test\", "
	    "\"name\": \"Emily Carter\", \"partstat\": \"DECLINED\"}]}" },
	{ "proposal", "{" COMMON ", \"proposal\": {\"id\": 7, "
	    "\"partnership\": \"lviv-madison\", \"duration\": 60, "
	    "\"relaxed\": false, \"slots\": [{\"n\": 1, "
	    "\"utc\": \"2026-03-10T15:00:00Z\", \"relaxed\": false, "
	    "\"dst_mismatch\": true, \"times\": [" TIMES "]}]}}" },
	/* cmdexec.c: the answer to a command mail, and the notice about
	 * command mail that was not run. */
	{ "command_reply", "{" COMMON ", \"command\": {\"subject\": "
	    "\"Lviv \u2013 Madison\", \"dry_run\": true, \"failed\": true, "
	    "\"text\": \"line 3: unknown stage 'planing' \u2014 did you mean "
	    "'planning'?\"}}" },
	{ "command_foreign", "{" COMMON ", \"foreign\": {\"sender\": "
	    "\"olena@c4c.test\", \"subject\": \"Stage\", "
	    "\"date\": \"2026-03-02 10:00 (Europe/Kyiv)\", "
	    "\"reason\": \"not a coordinator\", \"id\": 42, "
	    "\"lines\": \"Stage: closed\"}}" },
};

/* The reminders' data (remind.c, digest.c fill the same keys). */
#define PARTNERSHIP \
	"\"partnership\": {\"tag\": \"[C4C #12]\", " \
	"\"slug\": \"lviv-madison\", " \
	"\"ua_org\": \"Львівська міська рада\", " \
	"\"us_org\": \"City of Madison\", \"stage\": \"contacted\"}"
#define STEP \
	"\"step\": {\"id\": 41, \"text\": \"Узгодити дату онлайн-зустрічі\", " \
	"\"due\": \"пт 5 грудня 2026\", \"owner\": \"Emily Carter\", " \
	"\"owner_is_recipient\": false, \"today\": false, " \
	"\"days_left\": 3, \"days_over\": 0, \"repeat\": 2}"

static const struct {
	const char	*name;
	const char	*json;
} remind_samples[] = {
	{ "step_due", "{" COMMON ", " RECIPIENT ", " PARTNERSHIP ", " STEP
	    "}" },
	{ "step_overdue", "{" COMMON ", " RECIPIENT ", " PARTNERSHIP ", "
	    STEP "}" },
	{ "quiet_partnership", "{" COMMON ", " RECIPIENT ", " PARTNERSHIP ", "
	    "\"quiet\": {\"days\": 21, \"has_last\": true, "
	    "\"last\": \"пн 2 березня 2026\"}}" },
	{ "no_answer", "{" COMMON ", " RECIPIENT ", " PARTNERSHIP ", "
	    "\"unanswered\": {\"days\": 7, \"date\": \"Mon 2 Mar 2026\", "
	    "\"to\": \"intl@madison.test\", \"to_name\": \"Emily Carter\"}, "
	    "\"followup\": {\"subject\": \"[C4C #12] next steps\", "
	    "\"text\": \"Dear Emily Carter,\\n\\nI am writing to follow up.\", "
	    "\"lang\": \"en\"}}" },
	{ "meeting_outcome", "{" COMMON ", " RECIPIENT ", " PARTNERSHIP ", "
	    "\"meeting\": {\"id\": 7, \"title\": \"Lviv \u2013 Madison\", "
	    "\"when\": \"вт 10 березня 2026, 17:00 EET\"}}" },
	{ "digest", "{" COMMON ", " RECIPIENT ", \"digest\": {"
	    "\"date\": \"пн 9 березня 2026\", \"zone\": \"Europe/Kyiv\", "
	    "\"partnerships\": [{\"slug\": \"lviv-madison\", "
	    "\"tag\": \"[C4C #12]\", \"ua_org\": \"Львівська міська рада\", "
	    "\"us_org\": \"City of Madison\", \"stage\": \"contacted\", "
	    "\"last_in\": \"пн 2 березня 2026\", \"last_out\": \"\", "
	    "\"nopen\": 12, \"noverdue\": 1, \"steps\": [{\"id\": 41, "
	    "\"text\": \"Узгодити дату\", \"due\": \"пт 6 березня 2026\", "
	    "\"overdue\": true, \"owner\": \"Emily Carter\"}], "
	    "\"has_steps\": true, \"more_steps\": 2, "
	    "\"has_more_steps\": true, \"meeting\": {\"title\": \"Lviv "
	    "\u2013 Madison\", \"when\": \"вт 10 березня 2026, 17:00\"}, "
	    "\"has_meeting\": true}], \"has_partnerships\": true, "
	    "\"npartnerships\": 1, \"noverdue\": 1, \"unassigned\": [{"
	    "\"id\": 310, \"date\": \"пн 9 березня 2026, 07:12\", "
	    "\"from\": \"info@kyiv.test\", \"subject\": \"Пропозиція\"}], "
	    "\"has_unassigned\": true, \"nunassigned\": 21, "
	    "\"more_unassigned\": 1, \"has_more_unassigned\": true}}" },
};

static const char *const langs[] = { "en", "uk" };
static const char *const parts[] = { "subject", "txt", "html" };

const char *
mailtmpl_sample(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < nitems(samples); i++)
		if (strcmp(samples[i].name, name) == 0)
			return samples[i].json;
	for (i = 0; name != NULL && i < nitems(remind_samples); i++)
		if (strcmp(remind_samples[i].name, name) == 0)
			return remind_samples[i].json;
	return NULL;
}

struct tmpl_set *
mailtmpl_load(const char *dir, struct buf *errors)
{
	struct tmpl_set *set;
	struct json *data;
	struct buf out;
	char *err;
	size_t i, l, p;
	int nerr = 0;

	if ((set = tmpl_set_load(dir, errors)) == NULL)
		return NULL;
	nerr += tmpl_set_require(set, mailtmpl_names, errors);
	tmpl_set_strict(set, 1);
	buf_init(&out);
	for (i = 0; mailtmpl_names[i] != NULL; i++) {
		data = json_parse(mailtmpl_sample(mailtmpl_names[i]),
		    strlen(mailtmpl_sample(mailtmpl_names[i])), &err);
		if (data == NULL)
			fatalx("mailtmpl: sample of %s: %s", mailtmpl_names[i],
			    err);
		for (l = 0; l < nitems(langs); l++)
			for (p = 0; p < nitems(parts); p++) {
				if (!tmpl_set_has(set, mailtmpl_names[i],
				    langs[l], parts[p]))
					continue;
				buf_reset(&out);
				if (tmpl_set_render(set, mailtmpl_names[i],
				    langs[l], parts[p], data, &out, &err) == 0)
					continue;
				buf_printf(errors, "%s\n", err);
				free(err);
				nerr++;
			}
		json_free(data);
	}
	buf_free(&out);
	tmpl_set_strict(set, 0);
	if (nerr > 0) {
		tmpl_set_free(set);
		return NULL;
	}
	return set;
}

static int
has_any(const struct tmpl_set *set, const char *name, const char *lang)
{
	return lang != NULL && tmpl_set_has(set, name, lang, "txt");
}

const char *
mailtmpl_lang(const struct tmpl_set *set, const char *name, const char *lang,
    const char *team_lang)
{
	size_t i;

	for (i = 0; i < nitems(langs); i++)
		if (lang != NULL && strcmp(lang, langs[i]) == 0 &&
		    has_any(set, name, langs[i]))
			return langs[i];
	for (i = 0; i < nitems(langs); i++)
		if (team_lang != NULL && strcmp(team_lang, langs[i]) == 0 &&
		    has_any(set, name, langs[i]))
			return langs[i];
	for (i = 0; i < nitems(langs); i++)
		if (has_any(set, name, langs[i]))
			return langs[i];
	return NULL;
}

void
mailtmpl_mail_free(struct mailtmpl_mail *m)
{
	free(m->subject);
	free(m->text);
	free(m->html);
	memset(m, 0, sizeof(*m));
}

int
mailtmpl_render(const struct tmpl_set *set, const char *name,
    const char *lang, const char *team_lang, const struct json *data,
    struct mailtmpl_mail *m, char **err)
{
	struct buf b;

	memset(m, 0, sizeof(*m));
	*err = NULL;
	if (name == NULL ||
	    (m->lang = mailtmpl_lang(set, name, lang, team_lang)) == NULL) {
		*err = xasprintf("unknown template '%s'", name ? name : "");
		return -1;
	}
	buf_init(&b);
	if (tmpl_set_render(set, name, m->lang, "subject", data, &b, err) ==
	    -1)
		goto fail;
	m->subject = buf_steal(&b);
	if (tmpl_set_render(set, name, m->lang, "txt", data, &b, err) == -1)
		goto fail;
	buf_adds(&b, "");
	m->text_len = b.len;
	m->text = buf_steal(&b);
	if (tmpl_set_has(set, name, m->lang, "html")) {
		if (tmpl_set_render(set, name, m->lang, "html", data, &b,
		    err) == -1)
			goto fail;
		buf_adds(&b, "");
		m->html_len = b.len;
		m->html = buf_steal(&b);
	}
	return 0;
fail:
	buf_free(&b);
	mailtmpl_mail_free(m);
	return -1;
}

void
mailtmpl_to_compose(const struct mailtmpl_mail *m, struct compose *c)
{
	compose_set_subject(c, m->subject);
	compose_set_text(c, m->text, m->text_len);
	if (m->html != NULL)
		compose_set_html(c, m->html, m->html_len);
}

char *
mailtmpl_dir(const char *configured)
{
	return data_dir(configured, DATADIR "/mistok/templates", "templates");
}

/* ---- the daemon module --------------------------------------------------- */

static struct tmpl_set *current;

const struct tmpl_set *
mailtmpl_current(void)
{
	return current;
}

static void
log_lines(const char *prefix, const char *text)
{
	const char *p = text, *e;

	while (p != NULL && *p != '\0') {
		if ((e = strchr(p, '\n')) == NULL)
			e = p + strlen(p);
		if (e > p)
			log_warnx("%s%.*s", prefix, (int)(e - p), p);
		p = *e ? e + 1 : e;
	}
}

static int
mod_init(struct daemon_ctx *ctx)
{
	struct buf errors;
	char *dir = mailtmpl_dir(ctx->conf->templates_dir);

	if (strcmp(dir, ctx->conf->templates_dir) != 0)
		log_info("templates: %s does not exist; running uninstalled, "
		    "using %s", ctx->conf->templates_dir, dir);
	buf_init(&errors);
	current = mailtmpl_load(dir, &errors);
	if (current == NULL) {
		log_lines("templates: ", errors.data);
		log_warnx("templates: %s: a template is missing or broken",
		    dir);
		buf_free(&errors);
		free(dir);
		return -1;
	}
	buf_free(&errors);
	log_debug("templates: loaded %s", dir);
	free(dir);
	return 0;
}

static void
mod_reload(struct daemon_ctx *ctx, const struct config *old)
{
	struct tmpl_set *set;
	struct buf errors;
	char *dir = mailtmpl_dir(ctx->conf->templates_dir);

	buf_init(&errors);
	if ((set = mailtmpl_load(dir, &errors)) == NULL) {
		log_lines("templates: ", errors.data);
		log_warnx("templates: %s: broken, the loaded templates are "
		    "kept", dir);
	} else {
		tmpl_set_free(current);
		current = set;
	}
	buf_free(&errors);
	free(dir);
}

static void
mod_shutdown(struct daemon_ctx *ctx)
{
	tmpl_set_free(current);
	current = NULL;
}

const struct daemon_module mailtmpl_module = {
	"templates", mod_init, mod_reload, mod_shutdown
};
