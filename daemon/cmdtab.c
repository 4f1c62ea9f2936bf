/*
 * cmdtab: the keyword table of COMMANDS.md (both languages), its aliases
 * and the stage names; looking a keyword up, suggesting the nearest one,
 * and the Help reply made from the table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_int.h"
#include "util.h"

static const struct cmd_keyword keywords[] = {
	{ CMD_PARTNERSHIP, "Partnership", "Партнерство",
	  "SLUG | #ID | \"UA org – US org\"",
	  "SLUG | #ID | \"орг. UA – орг. US\"",
	  "sets the partnership for the lines below",
	  "задає партнерство для рядків нижче" },
	{ CMD_NEW_PARTNERSHIP, "New-Partnership", "Нове-партнерство",
	  "UA org – US org ; coordinator EMAIL",
	  "орг. UA – орг. US ; координатор EMAIL",
	  "creates a partnership (and the context for the lines below)",
	  "створює партнерство (і контекст для рядків нижче)" },
	{ CMD_ORG, "Org", "Організація",
	  "name ; country UA/US ; kind municipality/volunteer/diplomatic/"
	  "ngo/other ; tz ZONE ; domain DOMAIN … ; hours Mon-Fri 09:00-17:00",
	  "назва ; країна UA/US ; тип municipality/volunteer/diplomatic/"
	  "ngo/other ; пояс ZONE ; домен DOMAIN … ; години Mon-Fri "
	  "09:00-17:00",
	  "adds or updates an organisation",
	  "додає або змінює організацію" },
	{ CMD_CONTACT, "Contact", "Контакт",
	  "Name <email> ; org ORG ; role TEXT ; tz ZONE ; lang uk/en ; "
	  "hours …",
	  "Ім'я <email> ; орг ORG ; роль TEXT ; пояс ZONE ; мова uk/en ; "
	  "години …",
	  "adds or updates a contact",
	  "додає або змінює контакт" },
	{ CMD_STAGE, "Stage", "Етап",
	  "prospect | contacted | introduced | meeting_held | planning | "
	  "joint_projects | dormant | closed",
	  "prospect | contacted | introduced | meeting_held | planning | "
	  "joint_projects | dormant | closed",
	  "records the partnership's stage",
	  "записує етап партнерства" },
	{ CMD_NEXT_STEP, "Next-Step", "Крок",
	  "text ; due DATE ; owner ORG/CONTACT/me",
	  "текст ; до DATE ; відповідальний ORG/CONTACT/я",
	  "adds a next step",
	  "додає наступний крок" },
	{ CMD_DONE, "Done", "Виконано", "#step", "#крок",
	  "marks a step done", "позначає крок виконаним" },
	{ CMD_NOTE, "Note", "Нотатка", "free text", "довільний текст",
	  "adds a note to the partnership", "додає нотатку до партнерства" },
	{ CMD_MEETING, "Meeting", "Зустріч",
	  "duration ; window ; \"title\" ; with ADDRESSES/ORGS ; link URL ; "
	  "auto",
	  "тривалість ; вікно ; \"назва\" ; з ADDRESSES/ORGS ; посилання "
	  "URL ; авто",
	  "proposes meeting slots, or books the best one with auto",
	  "пропонує час зустрічі або, з «авто», призначає найкращий" },
	{ CMD_RESCHEDULE, "Reschedule", "Перенести", "#meeting ; window",
	  "#зустріч ; вікно",
	  "moves a meeting into another window",
	  "переносить зустріч в інше вікно" },
	{ CMD_CANCEL, "Cancel", "Скасувати", "#meeting", "#зустріч",
	  "cancels a meeting", "скасовує зустріч" },
	{ CMD_SHOW, "Show", "Показати", "(none)", "(нічого)",
	  "a summary of the partnership: stage history, last mail, open "
	  "steps, meetings",
	  "підсумок партнерства: історія етапів, останні листи, відкриті "
	  "кроки, зустрічі" },
	{ CMD_SEARCH, "Search", "Пошук", "words", "слова",
	  "finds stored messages, newest first",
	  "шукає збережені листи, найновіші спершу" },
	{ CMD_ASSIGN, "Assign", "Призначити", "#message", "#лист",
	  "files the message's thread under the partnership",
	  "долучає гілку листа до партнерства" },
	{ CMD_REPORT, "Report", "Звіт", "FROM..TO ; format text/csv/html",
	  "FROM..TO ; формат text/csv/html",
	  "the activity report for a period", "звіт про роботу за період" },
	{ CMD_DIGEST, "Digest", "Дайджест", "(none)", "(нічого)",
	  "the digest now", "дайджест зараз" },
	{ CMD_HELP, "Help", "Довідка", "(none)", "(нічого)",
	  "this help", "ця довідка" },
	{ CMD_DRY_RUN, "Dry-Run", "Перевірка", "yes", "так",
	  "answers what the other lines would do and changes nothing",
	  "відповідає, що зробили б інші рядки, нічого не змінюючи" },
};

/* Further spellings (folded, without hyphens) of some keywords. */
static const struct {
	enum cmd_kw	 kw;
	const char	*alias;
} kw_alias[] = {
	{ CMD_ORG, "organisation" }, { CMD_ORG, "organization" },
	{ CMD_ORG, "орг" },
	{ CMD_NEXT_STEP, "step" }, { CMD_NEXT_STEP, "наступнийкрок" },
	{ CMD_STAGE, "стадія" },
	{ CMD_NOTE, "примітка" },
	{ CMD_HELP, "допомога" },
	{ CMD_DRY_RUN, "dryrun" },
	{ CMD_NEW_PARTNERSHIP, "новепартнерство" },
};

const struct cmd_names cmd_stages[CMD_NSTAGES] = {
	[STAGE_PROSPECT] = { "prospect", "потенційне" },
	[STAGE_CONTACTED] = { "contacted", "контакт" },
	[STAGE_INTRODUCED] = { "introduced", "знайомство" },
	[STAGE_MEETING_HELD] = { "meeting_held", "зустріч_відбулася" },
	[STAGE_PLANNING] = { "planning", "планування" },
	[STAGE_JOINT_PROJECTS] = { "joint_projects", "спільні_проєкти" },
	[STAGE_DORMANT] = { "dormant", "призупинено" },
	[STAGE_CLOSED] = { "closed", "закрито" },
};

/* Folded and without '-', '_', ' ': the key keywords are compared by. */
static void
kw_key(const char *s, struct buf *b)
{
	size_t i, j;

	cmd_fold(s, b);
	for (i = j = 0; i < b->len; i++)
		if (b->data[i] != '-' && b->data[i] != '_' &&
		    b->data[i] != ' ')
			b->data[j++] = b->data[i];
	b->len = j;
	b->data[j] = '\0';
}

enum cmd_kw
cmd_kw_lookup(const char *token)
{
	struct buf k, c;
	enum cmd_kw kw = CMD_NONE;
	size_t i;

	buf_init(&k);
	buf_init(&c);
	kw_key(token, &k);
	for (i = 0; i < nitems(keywords) && kw == CMD_NONE; i++) {
		kw_key(keywords[i].name, &c);
		if (strcmp(c.data, k.data) == 0)
			kw = keywords[i].kw;
		kw_key(keywords[i].uk, &c);
		if (strcmp(c.data, k.data) == 0)
			kw = keywords[i].kw;
	}
	for (i = 0; i < nitems(kw_alias) && kw == CMD_NONE; i++)
		if (strcmp(kw_alias[i].alias, k.data) == 0)
			kw = kw_alias[i].kw;
	buf_free(&k);
	buf_free(&c);
	return kw;
}

/* The nearest keyword (in the word's own script), or NULL. */
const char *
cmd_kw_suggest(const char *token)
{
	struct buf k;
	uint32_t w[MAXCP];
	const char *sugg = NULL;
	size_t nw, i, best = SIZE_MAX;

	buf_init(&k);
	kw_key(token, &k);
	nw = cmd_to_cps(k.data, w);
	buf_free(&k);
	for (i = 0; i < nitems(keywords); i++) {
		cmd_consider(w, nw, keywords[i].name, keywords[i].name, &best,
		    &sugg);
		cmd_consider(w, nw, keywords[i].uk, keywords[i].uk, &best,
		    &sugg);
	}
	return sugg;
}

const struct cmd_keyword *
cmd_keywords(size_t *n)
{
	*n = nitems(keywords);
	return keywords;
}

const struct cmd_keyword *
cmd_keyword(enum cmd_kw kw)
{
	size_t i;

	for (i = 0; i < nitems(keywords); i++)
		if (keywords[i].kw == kw)
			return &keywords[i];
	return NULL;
}

const char *
cmd_stage_name(enum cmd_stage s)
{
	if ((unsigned)s >= CMD_NSTAGES)
		return "?";
	return cmd_stages[s].name;
}

char *
cmd_help_text(const char *lang)
{
	int uk = cmd_is_uk(lang);
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_adds(&b, uk ?
	    "Рядки на початку листа, по одному на рядок: «Ключове-слово: "
	    "аргументи», аргументи через «;».\nКоманди закінчуються на "
	    "першому порожньому рядку; решта листа стає нотаткою.\n"
	    "Ключові слова можна писати англійською або українською, "
	    "великими чи малими літерами.\n\n" :
	    "Lines at the top of a mail, one per line: \"Keyword: "
	    "arguments\", arguments separated by \";\".\nThe commands end "
	    "at the first blank line; the rest of the mail becomes a note.\n"
	    "Keywords may be written in English or Ukrainian, in any case.\n"
	    "\n");
	for (i = 0; i < nitems(keywords); i++) {
		if (uk)
			buf_printf(&b, "%s (%s): %s\n    %s\n", keywords[i].uk,
			    keywords[i].name, keywords[i].args_uk,
			    keywords[i].help_uk);
		else
			buf_printf(&b, "%s (%s): %s\n    %s\n",
			    keywords[i].name, keywords[i].uk,
			    keywords[i].args_en, keywords[i].help_en);
	}
	buf_adds(&b, uk ?
	    "\nДати: 2026-12-05, 05.12, 05.12.2026, 5 грудня, пт (наступна "
	    "п'ятниця), сьогодні, завтра, через 3 дні, +2w.\nВікна: "
	    "01.12..12.12 (обидва дні включно), наступного тижня (пн–нд), "
	    "через 2 тижні (від завтра).\nТривалість: 45 хв, 1 год, 90 min, "
	    "1h30.\nДати читаються у вашому часовому поясі.\n"
	    "\nУ відповідь на лист mistok першим рядком: готово, відкласти "
	    "3d, 1…9 (варіант часу), скасувати, стоп, надіслати.\n" :
	    "\nDates: 2026-12-05, 05.12, 05.12.2026, 5 Dec, Dec 5, fri (the "
	    "next Friday), today, tomorrow, in 3d, +2w.\nWindows: "
	    "01.12..12.12 (both days included), next week (Mon–Sun), in 2w "
	    "(from tomorrow).\nDurations: 45m, 1h, 90 min, 1h30.\nDates are "
	    "read in your time zone.\n"
	    "\nIn a reply to mistok's mail, as the first line: done, snooze "
	    "3d, 1…9 (pick a slot), cancel, stop, send.\n");
	return buf_steal(&b);
}
