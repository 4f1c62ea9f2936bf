/*
 * sasl: the client's initial responses for SASL PLAIN (RFC 4616) and
 * XOAUTH2, in the RFC 4648 base64 they travel in. Pure string work: it
 * never does I/O, keeps no state and never logs, and wipes every buffer
 * that held a secret. Speaking the exchange is the protocol module's.
 */
#ifndef MISTOK_SASL_H
#define MISTOK_SASL_H

#include <stddef.h>

/*
 * The XOAUTH2 initial response: base64 of
 * "user=" user "\1auth=Bearer " token "\1\1". Caller frees (and should
 * explicit_bzero it: it holds the token).
 */
char *sasl_xoauth2_ir(const char *user, const char *token);
/* Base64 of "\0" user "\0" password (SASL PLAIN, RFC 4616). Same care. */
char *sasl_plain_ir(const char *user, const char *password);
/* RFC 4648 base64 (with padding) of len bytes; caller frees. */
char *sasl_base64(const void *, size_t len);

#endif
