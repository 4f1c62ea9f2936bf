/*
 * mistok report --from DATE --to DATE [--format text|csv|json|html]
 * [--lang uk|en] [-o FILE]: the funders' report (report.c) of the local
 * days from..to in the team's zone. Dates in the language of dates.h,
 * past-biased ("05.12" is the last 5 December, "mon" last Monday).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dates.h"
#include "db.h"
#include "mistok.h"
#include "report.h"
#include "tz.h"
#include "util.h"

enum fmt { FMT_TEXT, FMT_CSV, FMT_JSON, FMT_HTML };

static int
parse_day(const char *opt, const char *s, const struct tz *zone,
    const char *lang, struct tz_date *out)
{
	enum dates_error e;

	if ((e = dates_parse_date(s, zone, clock_now(), DATES_LAST, out)) !=
	    DATES_OK) {
		fprintf(stderr, "mistok: report: --%s %s: %s\n", opt, s,
		    dates_strerror(e, lang));
		return -1;
	}
	return 0;
}

/* Writes data to path through path.tmp and a rename. */
static int
write_file(const char *path, const char *data, size_t len)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f;
	int ok;

	if ((f = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "mistok: %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) == -1) {
		fprintf(stderr, "mistok: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int
cmd_report(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		CLI_OPT_JSON,
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'F' },
		{ "lang", required_argument, NULL, 'l' },
		{ "output", required_argument, NULL, 'o' },
		{ 0 },
	};
	const char *from_s = NULL, *to_s = NULL, *lang = NULL, *out = NULL;
	const struct tz *zone;
	struct tz_date from, to;
	struct report r;
	struct buf b;
	struct db *db;
	enum fmt fmt = FMT_TEXT;
	char *err = NULL;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'J':
			fmt = FMT_JSON;
			break;
		case 'f':
			from_s = optarg;
			break;
		case 't':
			to_s = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "text") == 0)
				fmt = FMT_TEXT;
			else if (strcmp(optarg, "csv") == 0)
				fmt = FMT_CSV;
			else if (strcmp(optarg, "json") == 0)
				fmt = FMT_JSON;
			else if (strcmp(optarg, "html") == 0)
				fmt = FMT_HTML;
			else {
				fprintf(stderr, "mistok: report: --format "
				    "text, csv, json or html\n");
				return cli_usage("report");
			}
			break;
		case 'l':
			if (strcmp(optarg, "uk") != 0 &&
			    strcmp(optarg, "en") != 0) {
				fprintf(stderr, "mistok: report: --lang uk "
				    "or en\n");
				return cli_usage("report");
			}
			lang = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			return cli_usage("report");
		}
	}
	if (optind != argc || from_s == NULL || to_s == NULL)
		return cli_usage("report");
	if (cli->json)
		fmt = FMT_JSON;
	if ((rc = cli_config(cli)) != EX_OK)
		return rc;
	if ((zone = cli_zone(cli, NULL)) == NULL)
		return EX_CONFIG;
	if (parse_day("from", from_s, zone, cli->conf->team_language,
	    &from) == -1 || parse_day("to", to_s, zone,
	    cli->conf->team_language, &to) == -1)
		return EX_USAGE;
	if ((rc = cli_open_db(cli, 0, &db)) != EX_OK)
		return rc;
	if (report_compute(db, from, to, cli->conf, &r, &err) == -1) {
		fprintf(stderr, "mistok: %s\n", err);
		free(err);
		db_close(db);
		return EX_DATAERR;
	}
	db_close(db);
	if (lang != NULL)
		snprintf(r.lang, sizeof(r.lang), "%s", lang);
	buf_init(&b);
	switch (fmt) {
	case FMT_TEXT:
		report_write_text(&b, &r);
		break;
	case FMT_CSV:
		report_write_csv(&b, &r);
		break;
	case FMT_JSON:
		report_write_json(&b, &r);
		break;
	case FMT_HTML:
		report_write_html(&b, &r);
		break;
	}
	report_free(&r);
	rc = EX_OK;
	if (out != NULL && strcmp(out, "-") != 0) {
		if (write_file(out, b.data ? b.data : "", b.len) == -1)
			rc = EX_CANTCREAT;
	} else if (b.len > 0 && (fwrite(b.data, 1, b.len, stdout) != b.len ||
	    fflush(stdout) != 0)) {
		fprintf(stderr, "mistok: report: %s\n", strerror(errno));
		rc = EX_IOERR;
	}
	buf_free(&b);
	return rc;
}
