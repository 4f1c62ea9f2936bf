/*
 * confval: the value syntax of mistok.conf: durations, sizes, working
 * hours, booleans and time-zone names (config_parse_*() and
 * config_canonical_zone(), declared in config.h). It holds no state, reads
 * no file but the system tzdata, never logs and never sees the config file;
 * this header only shares the two pieces config.c's key table reuses.
 */
#ifndef MISTOK_CONFVAL_H
#define MISTOK_CONFVAL_H

/*
 * Reads decimal digits at *sp, at most max, into *v and advances *sp.
 * Returns 0, EINVAL (no digit) or ERANGE (above max); *sp is left alone
 * on failure.
 */
int confval_digits(const char **sp, unsigned long long *v,
    unsigned long long max);

/*
 * "HH:MM-HH:MM" in [s, end), white space allowed around the parts, start
 * before end; minutes from midnight into *start and *stop. Returns 0 or -1
 * (outputs untouched).
 */
int confval_timerange(const char *s, const char *end, int *start,
    int *stop);

#endif
