/*
 * mustache_spec: runs the official Mustache spec (the .json files of its
 * specs/ directory) against tmpl.c and prints TAP, one line per test
 * ("ok N - file: test name").
 * Optional modules (files starting with '~': lambdas, inheritance, dynamic
 * names) are not implemented and are reported as one SKIP line each.
 *   mustache_spec SPECDIR
 * Exits 1 when a test fails, 2 when the spec files cannot be read.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tmpl.h"
#include "util.h"

struct partials {
	char		**names;
	struct tmpl	**tmpls;
	size_t		  n;
};

static int	 ntest;
static int	 nfail;

static const struct tmpl *
find_partial(const char *name, void *arg)
{
	struct partials *p = arg;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->names[i], name) == 0)
			return p->tmpls[i];
	return NULL;
}

static char *
read_file(const char *path, size_t *len)
{
	struct buf b;
	char chunk[8192];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	if (b.data == NULL)
		buf_adds(&b, "");
	return buf_steal(&b);
}

static void
diag(const char *label, const char *s)
{
	struct buf b;

	buf_init(&b);
	json_write_string(&b, s);
	printf("#   %s %s\n", label, b.data);
	buf_free(&b);
}

static void
run_test(const char *file, const struct json *t)
{
	const char *name = json_str(json_get(t, "name"));
	const char *src = json_str(json_get(t, "template"));
	const char *want = json_str(json_get(t, "expected"));
	const struct json *data = json_get(t, "data");
	const struct json *parts = json_get(t, "partials");
	struct partials p = { NULL, NULL, 0 };
	struct tmpl *tm = NULL;
	struct buf out;
	char *err = NULL;
	size_t i;
	int ok = 0;

	buf_init(&out);
	ntest++;
	if (name == NULL || src == NULL || want == NULL || data == NULL) {
		printf("not ok %d - %s: malformed test\n", ntest, file);
		nfail++;
		return;
	}
	if (parts != NULL && parts->type == JSON_OBJECT) {
		p.names = xcalloc(parts->len, sizeof(*p.names));
		p.tmpls = xcalloc(parts->len, sizeof(*p.tmpls));
		for (i = 0; i < parts->len; i++) {
			const char *ps = json_str(parts->members[i].value);

			if (ps == NULL)
				continue;
			p.tmpls[p.n] = tmpl_compile(parts->members[i].key, ps,
			    strlen(ps), &err);
			if (p.tmpls[p.n] == NULL)
				goto done;
			p.names[p.n++] = parts->members[i].key;
		}
	}
	if ((tm = tmpl_compile("template", src, strlen(src), &err)) == NULL)
		goto done;
	if (tmpl_render(tm, data, find_partial, &p, TMPL_ESCAPE_HTML, &out,
	    &err) == -1)
		goto done;
	ok = strcmp(out.data, want) == 0;
done:
	printf("%s %d - %s: %s\n", ok ? "ok" : "not ok", ntest, file, name);
	if (!ok) {
		nfail++;
		diag("template:", src);
		diag("expected:", want);
		if (err != NULL)
			printf("#   error:    %s\n", err);
		else
			diag("got:     ", out.data ? out.data : "");
	}
	free(err);
	tmpl_free(tm);
	for (i = 0; i < p.n; i++)
		tmpl_free(p.tmpls[i]);
	free(p.names);
	free(p.tmpls);
	buf_free(&out);
}

static int
run_file(const char *dir, const char *file)
{
	struct json *spec, *tests;
	char *path, *text, *err;
	size_t len, i;

	path = xasprintf("%s/%s", dir, file);
	if ((text = read_file(path, &len)) == NULL) {
		fprintf(stderr, "mustache_spec: cannot read %s\n", path);
		free(path);
		return -1;
	}
	spec = json_parse(text, len, &err);
	free(text);
	if (spec == NULL) {
		fprintf(stderr, "mustache_spec: %s:%s\n", path, err);
		free(err);
		free(path);
		return -1;
	}
	free(path);
	tests = json_get(spec, "tests");
	if (tests == NULL || tests->type != JSON_ARRAY || tests->len == 0) {
		fprintf(stderr, "mustache_spec: %s: no tests\n", file);
		json_free(spec);
		return -1;
	}
	if (file[0] == '~') {
		printf("ok %d - # SKIP %s: optional module not implemented "
		    "(%zu tests)\n", ++ntest, file, tests->len);
	} else
		for (i = 0; i < tests->len; i++)
			run_test(file, tests->items[i]);
	json_free(spec);
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	char **files = NULL;
	size_t n = 0, i, len;
	struct dirent *de;
	int bad = 0;
	DIR *d;

	if (argc != 2) {
		fprintf(stderr, "usage: mustache_spec SPECDIR\n");
		return 2;
	}
	if ((d = opendir(argv[1])) == NULL) {
		perror(argv[1]);
		return 2;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		files = xreallocarray(files, n + 1, sizeof(*files));
		files[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n == 0) {
		fprintf(stderr, "mustache_spec: no .json files in %s\n",
		    argv[1]);
		return 2;
	}
	qsort(files, n, sizeof(*files), cmp);
	for (i = 0; i < n; i++) {
		if (run_file(argv[1], files[i]) == -1) {
			printf("not ok %d - %s: cannot load\n", ++ntest,
			    files[i]);
			nfail++;
			bad = 1;
		}
		free(files[i]);
	}
	free(files);
	printf("1..%d\n", ntest);
	printf("# %d tests, %d failed\n", ntest, nfail);
	if (bad)
		return 2;
	return nfail ? 1 : 0;
}
