/*
 * threadcheck: runs mistok's threading over test corpora for
 * tests/conformance/threading.sh and prints what came out, one JSON
 * object per line (the script compares).
 *
 *   threadcheck files FILE...          one message per file, in order
 *   threadcheck mbox FILE.mbox N...    messages N (1-based) of an mbox, in
 *                                      that order (as appended)
 *   threadcheck subjects FILE.mbox     the base subject of each message
 *
 * Each stored message: {"seq", "message_id", "thread", "parent" (stored,
 * notmuch's rule), "tree_parent" (seq of the parent shown, 0 for a
 * root), "depth", "date", "subject", "dup_of" (seq of the message this
 * one duplicates by Message-ID, 0 if none)}.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "mime.h"
#include "store.h"
#include "thread.h"
#include "util.h"

static const struct thread_ctx ctx = { "team@c4c.test", "C4C", NULL, 0 };

struct item {
	char	*raw;
	size_t	 len;
	int64_t	 id;
	int	 dup_of;
	char	*subject;
};

static void
json_str(const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char tmp[65536];
	size_t n;

	if (f == NULL)
		fatal("%s", path);
	buf_init(&b);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

/* Splits an mbox at "From " lines; returns the count. */
static size_t
split_mbox(char *data, size_t len, struct item **out)
{
	size_t n = 0, i = 0, start = 0;
	int have = 0;

	*out = NULL;
	while (i <= len) {
		int at_from = i < len && (i == 0 || data[i - 1] == '\n') &&
		    len - i >= 5 && memcmp(data + i, "From ", 5) == 0;

		if (at_from || i == len) {
			if (have) {
				*out = xreallocarray(*out, n + 1, sizeof(**out));
				memset(&(*out)[n], 0, sizeof(**out));
				(*out)[n].raw = data + start;
				(*out)[n].len = i - start;
				n++;
			}
			if (i == len)
				break;
			/* skip the separator line */
			while (i < len && data[i] != '\n')
				i++;
			start = i + 1;
			have = 1;
		}
		i++;
	}
	return n;
}

static int
run(struct item *v, size_t n)
{
	char dir[] = "/tmp/mistok-threadcheck.XXXXXX", *path, *err = NULL;
	struct db *db;
	size_t i, k;
	struct thread_node *tree = NULL;
	size_t ntree = 0;
	int64_t cur = -1;

	if (mkdtemp(dir) == NULL)
		fatal("mkdtemp");
	path = xasprintf("%s/t.db", dir);
	if (db_open(path, DB_CREATE | DB_MIGRATE, &db, &err) == -1)
		fatalx("%s", err);
	store_set_before_insert(thread_store_before, (void *)&ctx);
	store_set_after_insert(thread_store_hook, (void *)&ctx);
	if (db_begin(db) == -1)
		fatalx("begin");
	for (i = 0; i < n; i++) {
		struct store_loc loc = { "check", 1, (uint32_t)(i + 1) };
		struct msg *m;
		int rc;

		if (mime_parse(v[i].raw, v[i].len, NULL, &m) == -1)
			fatalx("message %zu: cannot parse", i + 1);
		v[i].subject = xstrdup(m->subject);
		rc = store_message(db, m, NULL, &loc, &v[i].id, &err);
		if (rc < 0)
			fatalx("message %zu: %s", i + 1, err);
		if (rc == STORE_DUPLICATE)
			for (k = 0; k < i; k++)
				if (v[k].id == v[i].id && v[k].dup_of == 0) {
					v[i].dup_of = (int)k + 1;
					break;
				}
		msg_free(m);
	}
	if (db_commit(db) == -1)
		fatalx("commit");
	for (i = 0; i < n; i++) {
		sqlite3_stmt *st;
		int64_t thread;
		char *msgid, *parent;
		time_t date;
		size_t tp = 0;
		int depth = 0;

		st = db_stmt(db, "SELECT coalesce(thread, 0), message_id, "
		    "parent, coalesce(date, 0) FROM messages WHERE id = ?");
		if (st == NULL || db_bind(st, "I", v[i].id) == -1 ||
		    db_step(st) != 1)
			fatalx("row %zu", i + 1);
		thread = sqlite3_column_int64(st, 0);
		msgid = db_col_strdup(st, 1);
		parent = db_col_strdup(st, 2);
		date = db_col_time(st, 3);
		sqlite3_reset(st);
		if (thread != cur) {
			thread_tree_free(tree, ntree);
			if (thread_tree(db, thread, &tree, &ntree, &err) == -1)
				fatalx("%s", err);
			cur = thread;
		}
		for (k = 0; k < ntree; k++)
			if (tree[k].id == v[i].id) {
				depth = tree[k].depth;
				if (tree[k].parent != SIZE_MAX) {
					int64_t pid = tree[tree[k].parent].id;
					size_t j;

					for (j = 0; j < n; j++)
						if (v[j].id == pid &&
						    v[j].dup_of == 0) {
							tp = j + 1;
							break;
						}
				}
			}
		printf("{\"seq\": %zu, \"message_id\": ", i + 1);
		json_str(msgid);
		printf(", \"thread\": %lld, \"parent\": ", (long long)thread);
		json_str(parent);
		printf(", \"tree_parent\": %zu, \"depth\": %d, \"date\": %lld, "
		    "\"dup_of\": %d, \"subject\": ", tp, depth,
		    (long long)date, v[i].dup_of);
		json_str(v[i].subject);
		printf("}\n");
		free(msgid);
		free(parent);
	}
	thread_tree_free(tree, ntree);
	db_close(db);
	store_set_before_insert(NULL, NULL);
	store_set_after_insert(NULL, NULL);
	unlink(path);
	free(path);
	path = xasprintf("rm -rf '%s'", dir);
	if (system(path) != 0)
		log_warnx("cannot remove %s", dir);
	free(path);
	for (i = 0; i < n; i++)
		free(v[i].subject);
	return 0;
}

int
main(int argc, char **argv)
{
	struct item *all = NULL, *v;
	char *data = NULL;
	size_t len, n, i;
	int rc;

	log_init(1, "threadcheck");
	if (argc < 3) {
		fprintf(stderr, "usage: threadcheck files FILE... | mbox FILE "
		    "N... | subjects FILE\n");
		return 64;
	}
	mime_init();
	if (strcmp(argv[1], "files") == 0) {
		n = (size_t)argc - 2;
		v = xcalloc(n, sizeof(*v));
		for (i = 0; i < n; i++)
			v[i].raw = slurp(argv[i + 2], &v[i].len);
		rc = run(v, n);
		for (i = 0; i < n; i++)
			free(v[i].raw);
		free(v);
	} else if (strcmp(argv[1], "mbox") == 0 ||
	    strcmp(argv[1], "subjects") == 0) {
		data = slurp(argv[2], &len);
		n = split_mbox(data, len, &all);
		if (strcmp(argv[1], "subjects") == 0) {
			for (i = 0; i < n; i++) {
				struct msg *m;
				char *b;

				if (mime_parse(all[i].raw, all[i].len, NULL,
				    &m) == -1)
					fatalx("message %zu", i + 1);
				b = thread_subject_base(m->subject);
				printf("{\"n\": %zu, \"subject\": ", i + 1);
				json_str(m->subject);
				printf(", \"base\": ");
				json_str(b ? b : "");
				printf("}\n");
				free(b);
				msg_free(m);
			}
			rc = 0;
		} else {
			size_t k = (size_t)argc - 3;

			v = xcalloc(k ? k : 1, sizeof(*v));
			for (i = 0; i < k; i++) {
				long x = strtol(argv[i + 3], NULL, 10);

				if (x < 1 || (size_t)x > n)
					fatalx("no message %ld in %s", x,
					    argv[2]);
				v[i] = all[x - 1];
			}
			rc = run(v, k);
			free(v);
		}
		free(all);
		free(data);
	} else {
		fprintf(stderr, "threadcheck: unknown mode %s\n", argv[1]);
		rc = 64;
	}
	mime_shutdown();
	return rc;
}
