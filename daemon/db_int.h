/*
 * db_int: what db.c and db_schema.c share, and no other module includes.
 * db_schema.c owns the migrations' text (schema version i + 1 is reached
 * by running db_migrations[i]); db.c runs them and never holds schema
 * text itself.
 */
#ifndef MISTOK_DB_INT_H
#define MISTOK_DB_INT_H

/* The migrations in order; static storage, never freed. */
extern const char *const db_migrations[];
extern const int db_nmigrations;

#endif
