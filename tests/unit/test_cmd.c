/*
 * cmd: command mail bodies. Every keyword in English and Ukrainian, the
 * typed arguments an executor gets, argument errors and near-miss
 * suggestions in both languages, quoted text and signatures, the note,
 * the reply words, odd white space, and bodies of 1 MB and 10,000 lines.
 * "now" is Wednesday 2026-12-02 12:00 in Kyiv throughout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "directory.h"
#include "tz.h"
#include "util.h"

static struct cmd_opts opts;

static int
setup(void **state)
{
	struct tz_date d = { 2026, 12, 2 };
	char *err = NULL;

	opts.zone = tz_get("Europe/Kyiv", &err);
	free(err);
	if (opts.zone == NULL)
		return -1;
	opts.now = tz_utc(opts.zone, d, 12, 0, 0, 0, NULL);
	return 0;
}

static int
teardown(void **state)
{
	tz_cache_clear();
	return 0;
}

static struct cmd_mail *
parse(const char *body)
{
	size_t n = strlen(body);

	return cmd_parse(body, n, n, n, &opts);
}

/* Parses body and checks it has no error; prints them when it has. */
static struct cmd_mail *
parse_ok(const char *body)
{
	struct cmd_mail *m = parse(body);
	char *t;

	if (m->nerrors > 0) {
		t = cmd_errors_text(m, "en");
		fail_msg("unexpected errors:\n%s", t);
	}
	return m;
}

/* The one error of body as English and Ukrainian text. */
static void
one_error(const char *body, const char *en, const char *uk)
{
	struct cmd_mail *m = parse(body);
	char *t;

	if (m->nerrors != 1) {
		t = cmd_errors_text(m, "en");
		fail_msg("'%s': %zu errors:\n%s", body, m->nerrors, t);
	}
	t = cmd_error_text(&m->errors[0], "en");
	if (strcmp(t, en) != 0)
		fail_msg("en:\n got  %s\n want %s", t, en);
	free(t);
	if (uk != NULL) {
		t = cmd_error_text(&m->errors[0], "uk");
		if (strcmp(t, uk) != 0)
			fail_msg("uk:\n got  %s\n want %s", t, uk);
		free(t);
	}
	cmd_mail_free(m);
}

/* The error text of body contains want. */
static void
error_has(const char *body, const char *lang, const char *want)
{
	struct cmd_mail *m = parse(body);
	char *t;

	if (m->nerrors == 0)
		fail_msg("'%s': no error", body);
	t = cmd_error_text(&m->errors[0], lang);
	if (strstr(t, want) == NULL)
		fail_msg("'%s': '%s' lacks '%s'", body, t, want);
	free(t);
	cmd_mail_free(m);
}

static const enum cmd_kw all_kws[] = {
	CMD_PARTNERSHIP, CMD_NEW_PARTNERSHIP, CMD_ORG, CMD_CONTACT,
	CMD_STAGE, CMD_NEXT_STEP, CMD_DONE, CMD_NOTE, CMD_MEETING,
	CMD_RESCHEDULE, CMD_CANCEL, CMD_SHOW, CMD_SEARCH, CMD_ASSIGN,
	CMD_REPORT, CMD_DIGEST, CMD_HELP, CMD_DRY_RUN,
};

static void
every_keyword_in_english(void **state)
{
	struct cmd_mail *m = parse_ok(
	    "Partnership: lviv-madison\n"
	    "New-Partnership: Lviv City Council – City of Madison; "
	    "coordinator Olena@C4C.test\n"
	    "Org: Lviv City Council; country UA; kind municipality; "
	    "tz Europe/Kiev; domain lviv.gov.ua, city-adm.lviv.ua; "
	    "hours Mon-Fri 09:00-17:00\n"
	    "Contact: \"Olena K.\" <Olena@Lviv.Gov.UA>; org Lviv City Council; "
	    "role deputy mayor; tz Europe/Kyiv; lang uk; hours Mon-Thu "
	    "10:00-16:00\n"
	    "Stage: planning\n"
	    "Next-Step: send the draft MoU; due fri; owner me\n"
	    "Done: #41\n"
	    "Note: call went well; next one in January\n"
	    "Meeting: 45m; next week; \"Budget talk\"; with a@x.test, "
	    "City of Madison; link https://meet.example/abc; auto\n"
	    "Reschedule: #7; 2026-12-14..2026-12-18\n"
	    "Cancel: #8\n"
	    "Show:\n"
	    "Search: water supply\n"
	    "Assign: #1234\n"
	    "Report: 01.11..30.11; format csv\n"
	    "Digest:\n"
	    "Help:\n"
	    "Dry-Run: yes\n");
	const struct cmd_line *l = m->lines;
	size_t i;

	assert_int_equal(m->n, nitems(all_kws));
	for (i = 0; i < m->n; i++) {
		assert_int_equal(l[i].kw, all_kws[i]);
		assert_int_equal(l[i].lineno, i + 1);
	}
	assert_int_equal(l[0].u.ref.kind, CMD_REF_SLUG);
	assert_string_equal(l[0].u.ref.slug, "lviv-madison");
	assert_string_equal(l[1].u.newp.ua_org, "Lviv City Council");
	assert_string_equal(l[1].u.newp.us_org, "City of Madison");
	assert_string_equal(l[1].u.newp.coordinator, "olena@c4c.test");

	assert_string_equal(l[2].u.org.name, "Lviv City Council");
	assert_string_equal(l[2].u.org.country, "UA");
	assert_string_equal(l[2].u.org.kind, "municipality");
	assert_string_equal(l[2].u.org.tz, "Europe/Kyiv");
	assert_int_equal(l[2].u.org.ndomains, 2);
	assert_string_equal(l[2].u.org.domains[1], "city-adm.lviv.ua");
	assert_true(l[2].u.org.has_hours);
	assert_int_equal(l[2].u.org.hours.r[0].start, 9 * 60);

	assert_string_equal(l[3].u.contact.name, "Olena K.");
	assert_string_equal(l[3].u.contact.email, "olena@lviv.gov.ua");
	assert_string_equal(l[3].u.contact.org, "Lviv City Council");
	assert_string_equal(l[3].u.contact.role, "deputy mayor");
	assert_string_equal(l[3].u.contact.lang, "uk");
	assert_int_equal(l[3].u.contact.hours.r[0].end, 16 * 60);

	assert_int_equal(l[4].u.stage, STAGE_PLANNING);
	assert_string_equal(l[5].u.step.text, "send the draft MoU");
	assert_true(l[5].u.step.has_due);
	assert_int_equal(l[5].u.step.due.day, 4);	/* Friday */
	assert_int_equal(l[5].u.step.owner_kind, CMD_OWNER_ME);
	assert_int_equal(l[6].u.id, 41);
	/* A note keeps its ';'. */
	assert_string_equal(l[7].u.text,
	    "call went well; next one in January");

	assert_int_equal(l[8].u.meeting.minutes, 45);
	assert_true(l[8].u.meeting.has_window);
	assert_int_equal(l[8].u.meeting.window.from.day, 7);
	assert_int_equal(l[8].u.meeting.window.to.day, 13);
	assert_int_equal(l[8].u.meeting.window_end -
	    l[8].u.meeting.window_start, 7 * 86400);
	assert_string_equal(l[8].u.meeting.title, "Budget talk");
	assert_int_equal(l[8].u.meeting.nwith, 2);
	assert_string_equal(l[8].u.meeting.with[0], "a@x.test");
	assert_string_equal(l[8].u.meeting.with[1], "City of Madison");
	assert_string_equal(l[8].u.meeting.link, "https://meet.example/abc");
	assert_true(l[8].u.meeting.auto_book);

	assert_int_equal(l[9].u.meeting.id, 7);
	assert_int_equal(l[9].u.meeting.window.from.day, 14);
	assert_int_equal(l[10].u.id, 8);
	assert_false(l[11].has_ref);
	assert_string_equal(l[12].u.text, "water supply");
	assert_int_equal(l[13].u.id, 1234);
	assert_true(l[14].u.report.has_range);
	assert_int_equal(l[14].u.report.range.from.month, 11);
	assert_int_equal(l[14].u.report.range.from.year, 2026);
	assert_int_equal(l[14].u.report.format, CMD_FMT_CSV);
	assert_true(l[17].u.dry_run);
	assert_true(m->dry_run);
	/* Context: the New-Partnership line governs everything below. */
	assert_int_equal(l[0].ctx, -1);
	assert_int_equal(l[2].ctx, 1);
	assert_int_equal(l[17].ctx, 1);
	assert_null(m->note);
	cmd_mail_free(m);
}

static void
every_keyword_in_ukrainian(void **state)
{
	struct cmd_mail *m = parse_ok(
	    "Партнерство: #12\n"
	    "Нове-партнерство: Львівська міська рада — Місто Медісон; "
	    "координатор olena@c4c.test\n"
	    "Організація: Львівська міська рада; країна Україна; тип "
	    "муніципалітет; часовий пояс Europe/Kyiv; домен lviv.gov.ua\n"
	    "Контакт: Олена <olena@lviv.gov.ua>; орг Львівська міська рада; "
	    "посада заступниця мера; мова українська\n"
	    "ЕТАП: планування\n"
	    "Крок: надіслати проєкт меморандуму; до пʼятниці; "
	    "відповідальний я\n"
	    "Виконано: #41\n"
	    "Нотатка: дзвінок пройшов добре\n"
	    "Зустріч: 1 год; наступного тижня; «Бюджет»; з a@x.test; авто\n"
	    "Перенести: #7; через 2 тижні\n"
	    "Скасувати: #8\n"
	    "Показати: lviv-madison\n"
	    "Пошук: водопостачання\n"
	    "Призначити: #1234\n"
	    "Звіт: минулого місяця; формат html\n"
	    "Дайджест:\n"
	    "Довідка:\n"
	    "Перевірка: так\n");
	const struct cmd_line *l = m->lines;
	size_t i;

	assert_int_equal(m->n, nitems(all_kws));
	for (i = 0; i < m->n; i++)
		assert_int_equal(l[i].kw, all_kws[i]);
	assert_int_equal(l[0].u.ref.kind, CMD_REF_ID);
	assert_int_equal(l[0].u.ref.id, 12);
	assert_string_equal(l[1].u.newp.us_org, "Місто Медісон");
	assert_string_equal(l[2].u.org.country, "UA");
	assert_string_equal(l[2].u.org.kind, "municipality");
	assert_string_equal(l[2].u.org.tz, "Europe/Kyiv");
	assert_string_equal(l[3].u.contact.name, "Олена");
	assert_string_equal(l[3].u.contact.lang, "uk");
	assert_string_equal(l[3].u.contact.role, "заступниця мера");
	assert_int_equal(l[4].u.stage, STAGE_PLANNING);
	assert_int_equal(l[6].u.id, 41);
	assert_int_equal(l[8].u.meeting.minutes, 60);
	assert_string_equal(l[8].u.meeting.title, "Бюджет");
	assert_true(l[8].u.meeting.auto_book);
	assert_int_equal(l[9].u.meeting.window.from.day, 3);
	assert_int_equal(l[9].u.meeting.window.to.day, 16);
	assert_true(l[11].has_ref);
	assert_int_equal(l[14].u.report.range.from.month, 11);
	assert_int_equal(l[14].u.report.range.to.day, 30);
	assert_int_equal(l[14].u.report.format, CMD_FMT_HTML);
	assert_true(m->dry_run);
	cmd_mail_free(m);
}

static void
due_dates_in_other_spellings(void **state)
{
	/* "due: fri" (a colon after the field is forgiven), a bare date
	 * as the due date, "до четверга" (genitive). */
	struct cmd_mail *m = parse_ok("Next-Step: a; due: fri\n"
	    "Next-Step: b; 2026-12-24\n"
	    "Крок: c; до четверга; хто Olena\n");

	assert_int_equal(m->lines[0].u.step.due.day, 4);
	assert_int_equal(m->lines[1].u.step.due.day, 24);
	assert_int_equal(m->lines[2].u.step.due.day, 3);
	assert_int_equal(m->lines[2].u.step.owner_kind, CMD_OWNER_NAMED);
	assert_string_equal(m->lines[2].u.step.owner, "Olena");
	cmd_mail_free(m);
}

static void
partnership_references(void **state)
{
	static const char *const pairs[] = {
		"Partnership: Lviv – Madison\n",
		"Partnership: Lviv—Madison\n",
		"Partnership: \"Lviv - Madison\"\n",
		"Partnership: Lviv -- Madison\n",
	};
	struct cmd_mail *m;
	size_t i;

	for (i = 0; i < nitems(pairs); i++) {
		m = parse_ok(pairs[i]);
		assert_int_equal(m->lines[0].u.ref.kind, CMD_REF_PAIR);
		assert_string_equal(m->lines[0].u.ref.ua_org, "Lviv");
		assert_string_equal(m->lines[0].u.ref.us_org, "Madison");
		cmd_mail_free(m);
	}
	m = parse_ok("Partnership: Lviv-Madison\n");
	assert_int_equal(m->lines[0].u.ref.kind, CMD_REF_SLUG);
	assert_string_equal(m->lines[0].u.ref.slug, "lviv-madison");
	cmd_mail_free(m);
	one_error("Partnership: Lviv and Madison\n",
	    "line 1: invalid partnership 'Lviv and Madison'; expected a slug "
	    "(lviv-madison), #id or \"Lviv – Madison\"", NULL);
	one_error("Partnership:\n", "line 1: Partnership: missing the "
	    "partnership; expected a slug (lviv-madison), #id or \"Lviv – "
	    "Madison\"", NULL);
}

static void
argument_errors(void **state)
{
	one_error("Stage:\n",
	    "line 1: Stage: missing the stage; expected one of prospect, "
	    "contacted, introduced, meeting_held, planning, joint_projects, "
	    "dormant, closed",
	    "рядок 1: Етап: бракує аргументу (етап); очікується одне з "
	    "prospect, contacted, introduced, meeting_held, planning, "
	    "joint_projects, dormant, closed");
	one_error("Next-Step: call; due 31.02\n",
	    "line 1: date '31.02': no such day in that month",
	    "рядок 1: дата «31.02»: такого дня в цьому місяці немає");
	one_error("Next-Step: call; due 2026-13-01\n",
	    "line 1: date '2026-13-01': no such month (1-12)", NULL);
	one_error("Meeting: 60; next week\n",
	    "line 1: duration '60': a duration needs a unit: 60m or 1h",
	    NULL);
	one_error("Meeting: 45m; 12.12.2026..01.12.2026\n",
	    "line 1: window '12.12.2026..01.12.2026': the window ends before "
	    "it starts",
	    NULL);
	one_error("Done: step 41\n", "line 1: invalid id 'step 41'; expected "
	    "#41", NULL);
	one_error("Done: #41; #42\n",
	    "line 1: Done: unexpected extra argument '#42'", NULL);
	one_error("Digest: now\n",
	    "line 1: Digest: unexpected extra argument 'now'",
	    "рядок 1: Дайджест: зайвий аргумент «now»");
	one_error("Org: X; tz Mars/Olympus\n",
	    "line 1: unknown time zone 'Mars/Olympus'; expected an IANA zone "
	    "such as Europe/Kyiv or America/Chicago", NULL);
	one_error("Org: X; country FR\n",
	    "line 1: unknown country 'FR'; expected UA or US", NULL);
	one_error("Org: X; hours sometimes\n",
	    "line 1: invalid hours 'sometimes'; expected e.g. Mon-Fri "
	    "09:00-17:00", NULL);
	one_error("Org: X; country UA; country US\n",
	    "line 1: country given twice", "рядок 1: країна вказано двічі");
	one_error("Contact: olena at lviv\n",
	    "line 1: invalid address 'olena at lviv'; expected "
	    "name@example.org", NULL);
	one_error("Contact: a@b.test; lang fr\n",
	    "line 1: unknown language 'fr'; expected uk or en", NULL);
	one_error("New-Partnership: Lviv and Madison\n",
	    "line 1: invalid pair of organisations 'Lviv and Madison'; "
	    "expected UA org – US org", NULL);
	one_error("Report: 01.11..30.11; format pdf\n",
	    "line 1: unknown format 'pdf'; expected text, csv or html", NULL);
	one_error("Dry-Run: maybe\n",
	    "line 1: invalid value 'maybe'; expected yes or no", NULL);
	one_error("Meeting: 45m; link ftp://x\n",
	    "line 1: invalid link 'ftp://x'; expected https://…", NULL);
	one_error("Note:\n", "line 1: Note: missing the text; expected some "
	    "text", NULL);
}

static void
typos_get_suggestions(void **state)
{
	/* The contract's own example. */
	one_error("Partnership: lviv-madison\nNote: x\nStage: planing\n",
	    "line 3: unknown stage 'planing' — did you mean 'planning'?",
	    "рядок 3: невідоме значення (етап) «planing» — можливо, "
	    "«planning»?");
	one_error("Stge: planning\n",
	    "line 1: unknown keyword 'Stge' — did you mean 'Stage'?",
	    "рядок 1: невідоме ключове слово «Stge» — можливо, «Stage»?");
	one_error("Етпа: планування\n",
	    "line 1: unknown keyword 'Етпа' — did you mean 'Етап'?", NULL);
	one_error("Next-Stp: call\n",
	    "line 1: unknown keyword 'Next-Stp' — did you mean 'Next-Step'?",
	    NULL);
	one_error("Contcat: a@b.test\n",
	    "line 1: unknown keyword 'Contcat' — did you mean 'Contact'?",
	    NULL);
	one_error("Зустрічь: 1h\n",
	    "line 1: unknown keyword 'Зустрічь' — did you mean 'Зустріч'?",
	    NULL);
	/* Any Word-Word: at the top is a keyword attempt. */
	one_error("Follow-Up: call Olena\n",
	    "line 1: unknown keyword 'Follow-Up'; send \"Help:\" for the list",
	    NULL);
	/* Inside the block, any Word: is. */
	one_error("Stage: planning\nPriority: high\n",
	    "line 2: unknown keyword 'Priority'; send \"Help:\" for the list",
	    NULL);
	one_error("Stage: planning\njust some words\n",
	    "line 2: expected 'Keyword: arguments' (leave a blank line "
	    "before a note)", NULL);
	one_error("Stage: дормант\n",
	    "line 1: unknown stage 'дормант'; expected one of prospect, "
	    "contacted, introduced, meeting_held, planning, joint_projects, "
	    "dormant, closed", NULL);
	error_has("Stage: Meeting Held\nStage: joint projcts\n", "en",
	    "did you mean 'joint_projects'?");
	error_has("Org: X; kind municipalty\n", "en",
	    "unknown kind 'municipalty' — did you mean 'municipality'?");
	error_has("Org: X; contry UA\n", "en",
	    "Org: unexpected 'contry UA' — did you mean 'country'?");
	error_has("Організація: X; країнa UA\n", "uk", "можливо, «країна»?");
	error_has("Contact: a@b.test; lang englsh\n", "en",
	    "did you mean 'en'?");
	error_has("Meeting: 45m; wiht a@b.test\n", "en",
	    "did you mean 'with'?");
	error_has("Next-Step: call; owenr me\n", "en",
	    "did you mean 'owner'?");
}

static void
notes_without_keywords(void **state)
{
	struct cmd_mail *m;

	m = parse_ok("Hi team,\n\nwe met the mayor today.\n");
	assert_int_equal(m->n, 0);
	assert_string_equal(m->note, "Hi team,\n\nwe met the mayor today.");
	assert_int_equal(m->note_line, 1);
	cmd_mail_free(m);
	/* Words with a colon that are not near a keyword stay a note. */
	m = parse_ok("Date: tomorrow we talk to Madison\nok?\n");
	assert_int_equal(m->n, 0);
	assert_non_null(m->note);
	cmd_mail_free(m);
	m = parse_ok("https://example.org/agenda\n");
	assert_int_equal(m->n, 0);
	cmd_mail_free(m);
	m = parse_ok("Action items: none\n");
	assert_int_equal(m->n, 0);
	cmd_mail_free(m);
	m = parse_ok("\n\n");
	assert_int_equal(m->n, 0);
	assert_null(m->note);
	cmd_mail_free(m);
	m = cmd_parse(NULL, 0, 0, 0, &opts);
	assert_int_equal(m->n + m->nerrors, 0);
	cmd_mail_free(m);
}

static void
note_after_the_blank_line(void **state)
{
	struct cmd_mail *m = parse_ok(
	    "\n"
	    "Stage: planning\n"
	    "Next-Step: call; due 05.12\n"
	    "\n"
	    "\n"
	    "The call went well.\n"
	    "Stage: closed is just text here.\n"
	    "\n");

	assert_int_equal(m->n, 2);
	assert_int_equal(m->lines[0].lineno, 2);
	assert_int_equal(m->lines[1].lineno, 3);
	assert_string_equal(m->note,
	    "The call went well.\nStage: closed is just text here.");
	assert_int_equal(m->note_line, 6);
	cmd_mail_free(m);
}

static void
quotes_and_signatures_are_ignored(void **state)
{
	const char *body =
	    "> Stage: closed\n"
	    "Stage: planning\n"
	    "  > Done: #1\n"
	    "Done: #2\n"
	    "\n"
	    "Thanks!\n"
	    "> quoted in the note\n"
	    "bye\n"
	    "-- \n"
	    "Stage: dormant\n"
	    "On Tue, Dec 1, 2026, mistok wrote:\n"
	    "> Stage: closed\n";
	const char *sig = strstr(body, "-- \n");
	const char *quote = strstr(body, "On Tue");
	struct cmd_mail *m;

	m = cmd_parse(body, strlen(body), (size_t)(quote - body),
	    (size_t)(sig - body), &opts);
	assert_int_equal(m->nerrors, 0);
	assert_int_equal(m->n, 2);
	assert_int_equal(m->lines[0].u.stage, STAGE_PLANNING);
	assert_int_equal(m->lines[0].lineno, 2);
	assert_int_equal(m->lines[1].u.id, 2);
	assert_int_equal(m->lines[1].lineno, 4);
	assert_string_equal(m->note, "Thanks!\nbye");
	cmd_mail_free(m);

	/* Without the offsets the signature's line would be read. */
	m = cmd_parse(body, strlen(body), strlen(body), strlen(body), &opts);
	assert_string_not_equal(m->note, "Thanks!\nbye");
	cmd_mail_free(m);

	/* A quote offset cutting the block ends it. */
	body = "Stage: planning\nStage: closed\n";
	m = cmd_parse(body, strlen(body), 16, strlen(body), &opts);
	assert_int_equal(m->n, 1);
	cmd_mail_free(m);
}

static void
reply_words(void **state)
{
	static const struct {
		const char	*body;
		enum reply_word	 want;
	} cases[] = {
		{ "done\n", REPLY_DONE }, { "Готово!\n", REPLY_DONE },
		{ "DONE.\n", REPLY_DONE }, { "cancel\n", REPLY_CANCEL },
		{ "Скасувати\n", REPLY_CANCEL }, { "stop\n", REPLY_STOP },
		{ "СТОП\n", REPLY_STOP }, { "send\n", REPLY_SEND },
		{ "надіслати\n", REPLY_SEND }, { "yes\n", REPLY_YES },
		{ "Так\n", REPLY_YES }, { "no\n", REPLY_NO },
		{ "ні\n", REPLY_NO }, { "snooze\n", REPLY_SNOOZE },
		{ "\n\n   done   \r\n", REPLY_DONE },
		{ "> quoted\ndone\n", REPLY_DONE },
		{ "done with the call, notes below\n", REPLY_NONE },
		{ "Done: #4\n", REPLY_NONE },
	};
	struct cmd_mail *m;
	size_t i;

	for (i = 0; i < nitems(cases); i++) {
		m = parse(cases[i].body);
		if (m->first_word != cases[i].want)
			fail_msg("'%s': got %d, want %d", cases[i].body,
			    m->first_word, cases[i].want);
		assert_int_equal(m->nerrors, 0);
		cmd_mail_free(m);
	}
	m = parse("\n2\n");
	assert_int_equal(m->first_word, REPLY_SLOT);
	assert_int_equal(m->slot, 2);
	assert_int_equal(m->first_word_line, 2);
	cmd_mail_free(m);
	m = parse("#9.\n");
	assert_int_equal(m->slot, 9);
	cmd_mail_free(m);
	m = parse("10\n");
	assert_int_equal(m->first_word, REPLY_NONE);
	cmd_mail_free(m);

	m = parse_ok("snooze 3d\n");
	assert_int_equal(m->first_word, REPLY_SNOOZE);
	assert_true(m->has_snooze);
	assert_int_equal(m->snooze_until.day, 5);
	cmd_mail_free(m);
	m = parse_ok("Відкласти пт\n");
	assert_int_equal(m->snooze_until.day, 4);
	cmd_mail_free(m);
	one_error("snooze forever\n", "line 1: date 'forever': not a date "
	    "(write 2026-12-05, 05.12, 5 Dec, fri, tomorrow or in 3d)", NULL);

	/* Commands may follow a reply word, and then a note. */
	m = parse_ok("done\n\nStage: planning\nNote: ok\n\nthanks\n");
	assert_int_equal(m->first_word, REPLY_DONE);
	assert_int_equal(m->n, 2);
	assert_int_equal(m->lines[0].lineno, 3);
	assert_string_equal(m->note, "thanks");
	cmd_mail_free(m);
	m = parse_ok("2\nthanks, works for us\n");
	assert_int_equal(m->slot, 2);
	assert_int_equal(m->n, 0);
	assert_string_equal(m->note, "thanks, works for us");
	cmd_mail_free(m);
	/* A mistyped keyword after a reply word is an error too. */
	one_error("done\nStge: closed\n",
	    "line 2: unknown keyword 'Stge' — did you mean 'Stage'?", NULL);
}

static void
odd_white_space_parses(void **state)
{
	struct cmd_mail *m = parse_ok(
	    "\xef\xbb\xbf\r\n"
	    "Stage:\xc2\xa0planning\r\n"
	    "\tNext-Step :  call   Olena ;\tdue\xc2\xa0" "fri ;owner  me\r\n"
	    "next  step: second\xe2\x80\x8b\r\n"
	    "DRY_RUN:\r\n"
	    " \t \r\n"
	    "note\xc2\xa0text\r\n");

	assert_int_equal(m->n, 4);
	assert_int_equal(m->lines[0].lineno, 2);
	assert_int_equal(m->lines[0].u.stage, STAGE_PLANNING);
	assert_string_equal(m->lines[1].u.step.text, "call Olena");
	assert_int_equal(m->lines[1].u.step.due.day, 4);
	assert_int_equal(m->lines[1].u.step.owner_kind, CMD_OWNER_ME);
	assert_string_equal(m->lines[1].text,
	    "Next-Step : call Olena ; due fri ;owner me");
	assert_string_equal(m->lines[2].u.step.text, "second");
	assert_int_equal(m->lines[3].kw, CMD_DRY_RUN);
	assert_true(m->dry_run);
	assert_string_equal(m->note, "note\xc2\xa0text");
	cmd_mail_free(m);
}

static void
all_or_nothing_is_visible(void **state)
{
	struct cmd_mail *m = parse("Stage: planning\nStage: planing\n"
	    "Done: #x\nNote: fine\n");
	char *t;

	/* Lines are parsed, but the errors forbid running any. */
	assert_int_equal(m->nerrors, 2);
	assert_int_equal(m->errors[0].lineno, 2);
	assert_int_equal(m->errors[1].lineno, 3);
	assert_string_equal(m->errors[1].text, "Done: #x");
	t = cmd_errors_text(m, "en");
	assert_non_null(strstr(t, "line 2: unknown stage 'planing' — did "
	    "you mean 'planning'?\n    Stage: planing\n"));
	assert_non_null(strstr(t, "Nothing was done"));
	free(t);
	t = cmd_errors_text(m, "uk");
	assert_non_null(strstr(t, "рядок 3: "));
	assert_non_null(strstr(t, "Нічого не виконано"));
	free(t);
	cmd_mail_free(m);
}

static double
seconds_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) +
	    (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void
big_bodies_are_bounded(void **state)
{
	struct timespec t0;
	struct buf b;
	struct cmd_mail *m;
	char *t;
	int i;

	/* 10,000 command lines: a precise error at line 201. */
	buf_init(&b);
	for (i = 0; i < 10000; i++)
		buf_printf(&b, "Note: line %d\n", i);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	m = cmd_parse(b.data, b.len, b.len, b.len, &opts);
	assert_true(seconds_since(&t0) < 2.0);
	assert_int_equal(m->nerrors, 1);
	assert_int_equal(m->errors[0].code, CE_TOO_MANY_LINES);
	assert_int_equal(m->errors[0].lineno, CMD_MAX_LINES + 1);
	t = cmd_error_text(&m->errors[0], "en");
	assert_string_equal(t, "line 201: too many command lines (max 200)");
	free(t);
	cmd_mail_free(m);
	buf_free(&b);

	/* 10,000 bad lines: errors stop at CMD_MAX_ERRORS + 1. */
	buf_init(&b);
	buf_adds(&b, "Stage: planning\n");
	for (i = 0; i < 10000; i++)
		buf_printf(&b, "Stage: bogus%d\n", i);
	m = cmd_parse(b.data, b.len, b.len, b.len, &opts);
	assert_int_equal(m->nerrors, CMD_MAX_ERRORS + 1);
	assert_int_equal(m->errors[CMD_MAX_ERRORS].code, CE_TOO_MANY_ERRORS);
	cmd_mail_free(m);
	buf_free(&b);

	/* A 1 MB note after one command, in time linear in its size. */
	buf_init(&b);
	buf_adds(&b, "Stage: planning\n\n");
	while (b.len < (1 << 20))
		buf_adds(&b, "Lorem ipsum dolor sit amet; Stage: closed\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	m = cmd_parse(b.data, b.len, b.len, b.len, &opts);
	assert_true(seconds_since(&t0) < 2.0);
	assert_int_equal(m->nerrors, 0);
	assert_int_equal(m->n, 1);
	assert_int_equal(strlen(m->note), b.len - 17 - 1);
	cmd_mail_free(m);
	buf_free(&b);

	/* A 1 MB command line, and a 1 MB first line with no newline. */
	buf_init(&b);
	buf_adds(&b, "Stage: planning\nNote: ");
	for (i = 0; i < (1 << 20); i++)
		buf_addc(&b, 'x');
	m = cmd_parse(b.data, b.len, b.len, b.len, &opts);
	assert_int_equal(m->nerrors, 1);
	assert_int_equal(m->errors[0].code, CE_LINE_TOO_LONG);
	assert_int_equal(m->errors[0].lineno, 2);
	cmd_mail_free(m);
	m = cmd_parse(b.data + 16, b.len - 16, b.len, b.len, &opts);
	assert_int_equal(m->n, 1);	/* cut at CMD_MAX_LINE, read */
	cmd_mail_free(m);
	buf_free(&b);
}

static void
the_table_and_help(void **state)
{
	const struct cmd_keyword *k;
	size_t n, i, j;
	char *en, *uk;

	k = cmd_keywords(&n);
	assert_int_equal(n, nitems(all_kws));
	en = cmd_help_text("en");
	uk = cmd_help_text("uk");
	for (i = 0; i < n; i++) {
		assert_int_equal(k[i].kw, all_kws[i]);
		assert_ptr_equal(cmd_keyword(k[i].kw), &k[i]);
		assert_non_null(strstr(en, k[i].name));
		assert_non_null(strstr(en, k[i].help_en));
		assert_non_null(strstr(uk, k[i].uk));
		assert_non_null(strstr(uk, k[i].help_uk));
		for (j = 0; j < i; j++)
			assert_string_not_equal(k[i].name, k[j].name);
	}
	assert_null(strstr(en, k[4].help_uk));
	assert_non_null(strstr(uk, "готово"));
	free(en);
	free(uk);
	/* The stages are the directory's, in order. */
	for (i = 0; directory_stages[i] != NULL; i++)
		assert_string_equal(cmd_stage_name((enum cmd_stage)i),
		    directory_stages[i]);
	assert_int_equal(i, STAGE_CLOSED + 1);
}

static void
garbage_does_not_crash(void **state)
{
	static const char *const bodies[] = {
		":", "::::\n", "-:\n", "Stage:;;;;\n", "Meeting: ;\"\n",
		"Meeting: «unclosed; 45m\n", "Org: \"\"\n", "Contact: <>\n",
		"Contact: a <b@c.d> x\n", "Partnership: – \n",
		"Partnership: ##\n", "Done: #99999999999999999999\n",
		"Report: ..\n", "Meeting: with ,,,\n", "\xff\xfe: x\n",
		"Stage: \xd0\n", "Stge\xd0: x\n", "Reschedule: #1; 45m; 1h\n",
	};
	struct cmd_mail *m;
	size_t i;
	char *t;

	for (i = 0; i < nitems(bodies); i++) {
		m = parse(bodies[i]);
		t = cmd_errors_text(m, "uk");
		free(t);
		cmd_mail_free(m);
	}
	/* Embedded NULs are just bytes. */
	m = cmd_parse("Stage: planning\0x\nDone: #1\n", 26, 26, 26, &opts);
	assert_int_equal(m->n, 2);
	cmd_mail_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_keyword_in_english),
		cmocka_unit_test(every_keyword_in_ukrainian),
		cmocka_unit_test(due_dates_in_other_spellings),
		cmocka_unit_test(partnership_references),
		cmocka_unit_test(argument_errors),
		cmocka_unit_test(typos_get_suggestions),
		cmocka_unit_test(notes_without_keywords),
		cmocka_unit_test(note_after_the_blank_line),
		cmocka_unit_test(quotes_and_signatures_are_ignored),
		cmocka_unit_test(reply_words),
		cmocka_unit_test(odd_white_space_parses),
		cmocka_unit_test(all_or_nothing_is_visible),
		cmocka_unit_test(big_bodies_are_bounded),
		cmocka_unit_test(the_table_and_help),
		cmocka_unit_test(garbage_does_not_crash),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
