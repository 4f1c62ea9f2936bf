/*
 * mistok template render|check: preview one template with data, or check
 * the whole set as mistokd does at start-up (mailtmpl_load()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "json.h"
#include "mailtmpl.h"
#include "mistok.h"
#include "tmplset.h"
#include "util.h"

/*
 * The templates directory: --dir, else the config's [templates] dir as
 * mistokd resolves it (mailtmpl_dir()). *out is freed by the caller.
 */
static int
template_dir(struct cli *cli, const char *dir, char **out)
{
	int rc;

	if (dir != NULL) {
		*out = xstrdup(dir);
		return EX_OK;
	}
	if ((rc = cli_config(cli)) != EX_OK)
		return rc;
	*out = mailtmpl_dir(cli->conf->templates_dir);
	return EX_OK;
}

static struct json *
read_data(const char *path, const char *name)
{
	struct buf b;
	struct json *v;
	char chunk[8192], *err;
	size_t n;
	FILE *f;

	if (path == NULL) {
		const char *s = mailtmpl_sample(name);

		if (s == NULL)
			return json_object();
		return json_parse(s, strlen(s), &err);
	}
	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "mistok: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (f != stdin)
		fclose(f);
	if ((v = json_parse(b.data ? b.data : "", b.len, &err)) == NULL) {
		fprintf(stderr, "mistok: %s:%s\n", path, err);
		free(err);
	}
	buf_free(&b);
	return v;
}

static void
print_errors(const char *text)
{
	fputs(text, stderr);
	if (*text != '\0' && text[strlen(text) - 1] != '\n')
		fputc('\n', stderr);
}

static int
template_render(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		CLI_OPT_JSON,
		{ "lang", required_argument, NULL, 'l' },
		{ "data", required_argument, NULL, 'd' },
		{ "part", required_argument, NULL, 'p' },
		{ "dir", required_argument, NULL, 'D' },
		{ 0 },
	};
	const char *lang = NULL, *datafile = NULL, *part = NULL, *dirarg = NULL;
	const char *name, *used;
	char *dir = NULL;
	const char *parts[] = { "subject", "txt", "html" };
	struct tmpl_set *set;
	struct json *data, *o;
	struct buf errors, out;
	char *err;
	size_t i;
	int ch, rc = EX_OK, any = 0;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'J':
			cli->json = 1;
			break;
		case 'l':
			lang = optarg;
			break;
		case 'd':
			datafile = optarg;
			break;
		case 'p':
			part = optarg;
			break;
		case 'D':
			dirarg = optarg;
			break;
		default:
			return cli_usage("template");
		}
	}
	if (optind != argc - 1 || (part != NULL && strcmp(part, "subject") &&
	    strcmp(part, "txt") && strcmp(part, "html")) ||
	    (lang != NULL && strcmp(lang, "en") && strcmp(lang, "uk")))
		return cli_usage("template");
	name = argv[optind];
	if ((rc = template_dir(cli, dirarg, &dir)) != EX_OK)
		return rc;

	buf_init(&errors);
	set = tmpl_set_load(dir, &errors);
	free(dir);
	if (set == NULL) {
		print_errors(errors.data ? errors.data : "");
		buf_free(&errors);
		return EX_DATAERR;
	}
	buf_free(&errors);
	if ((data = read_data(datafile, name)) == NULL) {
		tmpl_set_free(set);
		return EX_DATAERR;
	}
	used = mailtmpl_lang(set, name, lang,
	    cli->conf ? cli->conf->team_language : NULL);
	if (used == NULL) {
		fprintf(stderr, "mistok: unknown template '%s'\n", name);
		json_free(data);
		tmpl_set_free(set);
		return EX_DATAERR;
	}
	/* Strict: a preview shows what the data lacks. */
	tmpl_set_strict(set, 1);
	o = cli->json ? json_object() : NULL;
	if (o != NULL)
		json_set_string(o, "lang", used);
	buf_init(&out);
	for (i = 0; i < nitems(parts); i++) {
		if (part != NULL ? strcmp(part, parts[i]) != 0 :
		    !tmpl_set_has(set, name, used, parts[i]))
			continue;
		buf_reset(&out);
		if (tmpl_set_render(set, name, used, parts[i], data, &out,
		    &err) == -1) {
			print_errors(err);
			free(err);
			rc = EX_DATAERR;
		}
		if (o != NULL)
			json_set_string(o, parts[i], out.data ? out.data : "");
		else if (part != NULL)
			fwrite(out.data, 1, out.len, stdout);
		else {
			printf("%s==> %s.%s (%s) <==\n", any ? "\n" : "",
			    name, parts[i], used);
			fwrite(out.data, 1, out.len, stdout);
			if (out.len > 0 && out.data[out.len - 1] != '\n')
				putchar('\n');
		}
		any = 1;
	}
	if (o != NULL)
		cli_print_json(o);
	buf_free(&out);
	json_free(data);
	tmpl_set_free(set);
	return rc;
}

static void
count_one(const char *name, const char *lang, void *arg)
{
	struct json *list = arg;

	if (list != NULL) {
		struct json *t = json_append(list, json_object());

		json_set_string(t, "name", name);
		json_set_string(t, "lang", lang);
	}
}

static int
template_check(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		CLI_OPT_JSON,
		{ "dir", required_argument, NULL, 'D' },
		{ 0 },
	};
	const char *dirarg = NULL;
	char *dir = NULL;
	struct tmpl_set *set;
	struct json *o, *list, *errs;
	struct buf errors;
	char *line, *save = NULL;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (ch == 'J')
			cli->json = 1;
		else if (ch == 'D')
			dirarg = optarg;
		else
			return cli_usage("template");
	}
	if (optind != argc)
		return cli_usage("template");
	if ((rc = template_dir(cli, dirarg, &dir)) != EX_OK)
		return rc;
	buf_init(&errors);
	buf_adds(&errors, "");
	set = mailtmpl_load(dir, &errors);
	if (cli->json) {
		o = json_object();
		json_set_string(o, "dir", dir);
		json_set(o, "ok", json_bool(set != NULL));
		list = json_set(o, "templates", json_array());
		if (set != NULL)
			tmpl_set_foreach(set, count_one, list);
		errs = json_set(o, "errors", json_array());
		for (line = strtok_r(errors.data, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			json_append(errs, json_string(line));
		cli_print_json(o);
	} else if (set == NULL) {
		print_errors(errors.data);
		fprintf(stderr, "mistok: %s: templates not valid\n", dir);
	} else
		printf("%s: templates OK\n", dir);
	buf_free(&errors);
	free(dir);
	if (set == NULL)
		return EX_DATAERR;
	tmpl_set_free(set);
	return EX_OK;
}

int
cmd_template(int argc, char **argv, struct cli *cli)
{
	if (argc < 2)
		return cli_usage("template");
	if (strcmp(argv[1], "render") == 0)
		return template_render(argc - 1, argv + 1, cli);
	if (strcmp(argv[1], "check") == 0)
		return template_check(argc - 1, argv + 1, cli);
	return cli_usage("template");
}
