#!/bin/bash
# xoauth2: XOAUTH2 logins against the rig's Dovecot, whose oauth2 passdb
# asks the rig's token-introspection endpoint (tests/rig/oauth2_introspect.py)
# about every token. Through imaptool (daemon/imap.c): the user's token
# logs in over IMAPS and STARTTLS and the endpoint saw the request; a wrong
# token, another user's token and a password given as a token are refused
# with the FAIL class and a clear message that does not hold the token; an
# identity provider that is down (503) or unreachable gives RETRY_LATER,
# and "rig.sh start" brings a killed endpoint back; a rotated token works
# and the old one no longer does; PLAIN and LOGIN still work and a token
# is no password. Through "mistok sync --once" with auth = xoauth2 and
# password_command = cat TOKENFILE: mail is stored; with a wrong token
# the exit says unavailable (69), with the endpoint down temporary (75).
# SMTP submission offers XOAUTH2 and takes the token (for the outgoing
# mail's tests). No token in any output or rig log. Stop leaves no
# endpoint behind.
# Prints TAP; exits non-zero when a test fails.
# Environment: XOAUTH2_TEST_BASE_PORT (27000), BUILD, TOP.
set -u
# TOP, BUILD, MISTOK, PY, RIG and the TAP helpers.
. "$(dirname "$0")/lib.sh"
TOOL=$BUILD/tests/imaptool

export RIG_BASE_PORT=${XOAUTH2_TEST_BASE_PORT:-27000}
RIG_DIR=$(mktemp -d /tmp/mistok-xoauth2-rig.XXXXXX)
WORK=$(mktemp -d /tmp/mistok-xoauth2-test.XXXXXX)
chmod 755 "$RIG_DIR"
export RIG_DIR
cleanup() {
	bash "$RIG" stop >/dev/null 2>&1
	rm -rf "$RIG_DIR" "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

show() { sed 's/^/# /' "$@"; }

[ -x "$TOOL" ] || bail "$TOOL not built"
bash "$RIG" start >"$WORK/rig.log" 2>&1 ||
	bash "$RIG" start >>"$WORK/rig.log" 2>&1 ||
	{ show "$WORK/rig.log"; bail "the rig does not start"; }
eval "$(bash "$RIG" env)"
USER=team@c4c.test
OTHER=olena@c4c.test
TOKEN_FILE=$RIG_PASSWORD_DIR/$USER$RIG_TOKEN_SUFFIX
OTHER_TOKEN_FILE=$RIG_PASSWORD_DIR/$OTHER$RIG_TOKEN_SUFFIX
PW=$RIG_PASSWORD_DIR/$USER
# A wrong token of the right shape; never printed either.
(umask 077 && od -An -N20 -tx1 /dev/urandom | tr -d ' \n' >"$WORK/wrong.token")

# Every secret of this test, for the "never printed" checks.
secrets() {
	cat "$TOKEN_FILE"; echo
	cat "$OTHER_TOKEN_FILE"; echo
	cat "$WORK/wrong.token"; echo
	[ ! -f "$WORK/old.token" ] || { cat "$WORK/old.token"; echo; }
}
# no_secret FILE...: none of the tokens appears in the files.
no_secret() {
	local s
	for s in $(secrets); do
		if grep -rqF -- "$s" "$@"; then
			echo "# a token appears in: $(grep -rlF -- "$s" "$@" |
				tr '\n' ' ')"
			return 1
		fi
	done
	return 0
}

# run NAME USER AUTH SECRET_FILE [imaptool args]: out/err/rc in $WORK.
run() {
	local name=$1 user=$2 auth=$3 secret=$4
	shift 4
	"$TOOL" -h localhost -C "$RIG_CA_FILE" -u "$user" -a "$auth" \
		-P "$secret" -T 20 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
	echo $? >"$WORK/$name.rc"
}
rc() { cat "$WORK/$1.rc"; }
has() { grep -q -- "$2" "$WORK/$1"; }
# login_ok NAME: exit 0 and a capability line.
login_ok() {
	[ "$(rc "$1")" = 0 ] && has "$1.out" '^caps ' && return 0
	show "$WORK/$1.err"
	return 1
}
# refused NAME RC CLASS WORD...: that exit, "error CLASS:" and each WORD.
refused() {
	local name=$1 want=$2 class=$3 w
	shift 3
	if [ "$(rc "$name")" != "$want" ] ||
		! has "$name.err" "^error $class: "; then
		echo "# rc $(rc "$name"), want $want; stderr:"
		show "$WORK/$name.err"
		return 1
	fi
	for w in "$@"; do
		has "$name.err" "$w" || { echo "# no '$w' in:"; show "$WORK/$name.err"; return 1; }
	done
}
# log_lines FILE: lines so far (for "what happened since").
log_lines() { wc -l <"$1" 2>/dev/null || echo 0; }
# log_since FILE N PATTERN: a line after the first N matches PATTERN.
log_since() { tail -n +"$(($2 + 1))" "$1" | grep -q -- "$3"; }

# ---------------------------------------------------------------- rig

check "rig: the endpoint listens on base+80 and status says it runs" \
	test "$RIG_OAUTH2_PORT" = $((RIG_BASE_PORT + 80)) -a \
	-n "$(ss -Hltn "sport = :$RIG_OAUTH2_PORT")" -a \
	-n "$(bash "$RIG" status | grep '^oauth2-introspect: running')"
check "rig: token USER prints the token file, 40 hex digits" \
	test "$(bash "$RIG" token "$USER")" = "$(cat "$TOKEN_FILE")" -a \
	-n "$(grep -xE '[0-9a-f]{40}' "$TOKEN_FILE")" -a \
	"$(cat "$TOKEN_FILE")" != "$(cat "$OTHER_TOKEN_FILE")"
check "rig: token files are private (mode 600)" \
	test "$(stat -c %a "$TOKEN_FILE")" = 600

# --------------------------------------------------------------- IMAP

l0=$(log_lines "$RIG_OAUTH2_LOG")
d0=$(log_lines "$RIG_LOG_DIR/dovecot.log")
run good "$USER" xoauth2 "$TOKEN_FILE" -p "$RIG_IMAPS_PORT" -t implicit login
check "imaptool -a xoauth2 with the user's token: logged in over IMAPS" \
	login_ok good
check "the endpoint was asked (POST, active, for $USER)" \
	log_since "$RIG_OAUTH2_LOG" "$l0" \
	"POST /introspect mode=post -> active user=$USER\$"
check "Dovecot logged the login as method=XOAUTH2" \
	log_since "$RIG_LOG_DIR/dovecot.log" "$d0" \
	"Login: user=<$USER>, method=XOAUTH2"

run starttls "$USER" xoauth2 "$TOKEN_FILE" -p "$RIG_IMAP_PORT" -t starttls list
check "xoauth2 over STARTTLS, then LIST works (a real session)" \
	sh -c '[ "$(cat "$1.rc")" = 0 ] && grep -q "^sent Sent" "$1.out"' _ \
	"$WORK/starttls"

l0=$(log_lines "$RIG_OAUTH2_LOG")
run wrong "$USER" xoauth2 "$WORK/wrong.token" -p "$RIG_IMAPS_PORT" login
check "a wrong token: FAIL (exit 1), login refused, XOAUTH2 named" \
	refused wrong 1 fail "login refused" "AUTHENTICATE XOAUTH2" \
	"AUTHENTICATIONFAILED"
check "a wrong token: the endpoint said inactive" \
	log_since "$RIG_OAUTH2_LOG" "$l0" "-> inactive (unknown token)"

run theirs "$USER" xoauth2 "$OTHER_TOKEN_FILE" -p "$RIG_IMAPS_PORT" login
check "another user's token: FAIL (Dovecot checks the token's user)" \
	refused theirs 1 fail "login refused" "AUTHENTICATIONFAILED"
check "another user's token: Dovecot logged the user mismatch" \
	grep -q "did not match '$OTHER'" "$RIG_LOG_DIR/dovecot.log"

run pwtok "$USER" xoauth2 "$PW" -p "$RIG_IMAPS_PORT" login
check "the password given as a token: FAIL" \
	refused pwtok 1 fail "login refused"
run tokpw "$USER" plain "$TOKEN_FILE" -p "$RIG_IMAPS_PORT" login
check "the token given as a PLAIN password: FAIL" \
	refused tokpw 1 fail "login refused"
run plain "$USER" plain "$PW" -p "$RIG_IMAPS_PORT" login
check "PLAIN with the password still logs in" login_ok plain
run login "$USER" login "$PW" -p "$RIG_IMAPS_PORT" login
check "LOGIN with the password still logs in" login_ok login

bash "$RIG" oauth2-fail on
run down "$USER" xoauth2 "$TOKEN_FILE" -p "$RIG_IMAPS_PORT" login
bash "$RIG" oauth2-fail off
check "identity provider down (503): RETRY_LATER (exit 2), not FAIL" \
	refused down 2 retry-later "temporarily unavailable"
run back "$USER" xoauth2 "$TOKEN_FILE" -p "$RIG_IMAPS_PORT" login
check "identity provider back: the token logs in again" login_ok back

# A helper hands out a new token: the old one stops working.
cp "$TOKEN_FILE" "$WORK/old.token"
(umask 077 && od -An -N20 -tx1 /dev/urandom | tr -d ' \n' >"$TOKEN_FILE")
bash "$RIG" reload >>"$WORK/rig.log" 2>&1
run rotated "$USER" xoauth2 "$TOKEN_FILE" -p "$RIG_IMAPS_PORT" login
check "a rotated token (rig.sh reload) logs in" login_ok rotated
run old "$USER" xoauth2 "$WORK/old.token" -p "$RIG_IMAPS_PORT" login
check "the old token is refused after rotation" \
	refused old 1 fail "login refused"

# OAUTHBEARER (RFC 7628) with Python's imaplib: the rig offers it too.
check "OAUTHBEARER (imaplib): the token logs in" \
	"$PY" - "$RIG_IMAPS_PORT" "$RIG_CA_FILE" "$USER" "$TOKEN_FILE" <<'EOF'
import imaplib, ssl, sys
port, ca, user, tf = sys.argv[1:]
tok = open(tf).read().strip()
m = imaplib.IMAP4_SSL("localhost", int(port),
                      ssl_context=ssl.create_default_context(cafile=ca))
typ, _ = m.authenticate("OAUTHBEARER", lambda _:
    ("n,a=%s,\x01auth=Bearer %s\x01\x01" % (user, tok)).encode())
m.logout()
sys.exit(0 if typ == "OK" else 1)
EOF

# A crashed endpoint (connection refused): temporary, and start heals it.
opid=$(bash "$RIG" status | sed -n 's/^oauth2-introspect: running (pid \([0-9]*\))$/\1/p')
[ -z "$opid" ] || kill -9 "$opid"
for i in $(seq 50); do
	[ -z "$(ss -Hltn "sport = :$RIG_OAUTH2_PORT")" ] && break
	sleep 0.1
done
check "endpoint killed: rig.sh status is non-zero" \
	sh -c '! bash "$1" status >/dev/null' _ "$RIG"
run refused "$USER" xoauth2 "$TOKEN_FILE" -p "$RIG_IMAPS_PORT" login
check "endpoint unreachable: RETRY_LATER (exit 2)" \
	refused refused 2 retry-later
bash "$RIG" start >>"$WORK/rig.log" 2>&1
run healed "$USER" xoauth2 "$TOKEN_FILE" -p "$RIG_IMAPS_PORT" login
check "rig.sh start brings the endpoint back: the token logs in" \
	sh -c 'bash "$1" status >/dev/null && [ "$(cat "$2.rc")" = 0 ]' _ \
	"$RIG" "$WORK/healed"

# --------------------------------------------------------------- SMTP

check "submission: XOAUTH2 offered after STARTTLS; the token gets 235, a wrong one 535" \
	"$PY" - "$RIG_SUBMISSION_PORT" "$RIG_CA_FILE" "$USER" "$TOKEN_FILE" \
	"$WORK/wrong.token" <<'EOF'
import base64, smtplib, ssl, sys
port, ca, user, good, bad = sys.argv[1:]
def attempt(tf):
    s = smtplib.SMTP("localhost", int(port), timeout=20)
    s.starttls(context=ssl.create_default_context(cafile=ca))
    s.ehlo()
    mechs = s.esmtp_features.get("auth", "").split()
    ir = base64.b64encode(("user=%s\x01auth=Bearer %s\x01\x01" %
        (user, open(tf).read().strip())).encode()).decode()
    code, _ = s.docmd("AUTH", "XOAUTH2 " + ir)
    if code == 334:		# the JSON error; an empty line ends it
        code, _ = s.docmd("")
    s.close()
    return mechs, code
mechs, code = attempt(good)
if "XOAUTH2" not in mechs:
    sys.exit("AUTH offers %s" % mechs)
if code != 235:
    sys.exit("good token: %d" % code)
mechs, code = attempt(bad)
if code != 535:
    sys.exit("wrong token: %d" % code)
EOF

# --------------------------------------------------------- mistok sync

# mistok_conf NAME TOKEN_FILE: a config for sync --once, auth = xoauth2,
# the token from password_command (as an OAuth helper would print it).
mistok_conf() {
	mkdir -p "$WORK/$1"
	cat >"$WORK/$1/mistok.conf" <<EOF
[mailbox]
host = localhost
port = $RIG_IMAPS_PORT
tls = implicit
ca_file = $RIG_CA_FILE
user = $USER
auth = xoauth2
password_command = cat '$2'
folders = INBOX

[team]
address = $USER
coordinators = olena@c4c.test, mark@c4c.test

[store]
path = $WORK/$1/mistok.db
EOF
}
stored() { sqlite3 "$1" "SELECT count(*) FROM messages" 2>/dev/null; }

if [ -x "$MISTOK" ] && "$MISTOK" help sync >/dev/null 2>&1; then
	for i in 1 2 3; do
		printf '%s\r\n' "From: Mayor <mayor@lviv.test>" "To: $USER" \
			"Subject: xoauth2 test $i" "Date: $(date -R)" \
			"Message-ID: <xoauth2-$i-$$@lviv.test>" "" "Body $i." \
			>"$WORK/m$i.eml"
		bash "$RIG" deliver "$USER" "$WORK/m$i.eml"
	done
	mistok_conf sync "$TOKEN_FILE"
	l0=$(log_lines "$RIG_OAUTH2_LOG")
	"$MISTOK" -c "$WORK/sync/mistok.conf" sync --once \
		>"$WORK/sync.out" 2>"$WORK/sync.err"
	src=$?
	if [ $src = 0 ] && [ "$(stored "$WORK/sync/mistok.db")" = 3 ]; then
		ok "mistok sync --once, auth = xoauth2, token from password_command: 3 messages stored"
	else
		nok "mistok sync --once with xoauth2 (exit $src, stored $(stored "$WORK/sync/mistok.db"))"
		show "$WORK/sync.err"
	fi
	check "mistok sync: the endpoint was asked" \
		log_since "$RIG_OAUTH2_LOG" "$l0" "-> active user=$USER\$"

	mistok_conf syncbad "$WORK/wrong.token"
	"$MISTOK" -c "$WORK/syncbad/mistok.conf" sync --once \
		>"$WORK/syncbad.out" 2>"$WORK/syncbad.err"
	src=$?
	if [ $src = 69 ] && grep -q "login refused" "$WORK/syncbad.err"; then
		ok "mistok sync with a wrong token: exit 69 (unavailable), login refused"
	else
		nok "mistok sync with a wrong token: exit $src, want 69 and 'login refused'"
		show "$WORK/syncbad.err"
	fi

	bash "$RIG" oauth2-fail on
	"$MISTOK" -c "$WORK/sync/mistok.conf" sync --once \
		>"$WORK/syncdown.out" 2>"$WORK/syncdown.err"
	src=$?
	bash "$RIG" oauth2-fail off
	if [ $src = 75 ]; then
		ok "mistok sync with the identity provider down: exit 75 (temporary)"
	else
		nok "mistok sync with the identity provider down: exit $src, want 75"
		show "$WORK/syncdown.err"
	fi
else
	ok "# SKIP mistok sync --once is not built"
fi

# ------------------------------------------------------------ secrets

check "no token in any output of this test" no_secret "$WORK"/*.out \
	"$WORK"/*.err "$WORK/rig.log"
check "no token in any rig log (endpoint, Dovecot, Postfix)" \
	no_secret "$RIG_LOG_DIR"

# --------------------------------------------------------------- stop

opid=$(bash "$RIG" status | sed -n 's/^oauth2-introspect: running (pid \([0-9]*\))$/\1/p')
bash "$RIG" stop >>"$WORK/rig.log" 2>&1
check "stop: the endpoint's port no longer listens" \
	test -z "$(ss -Hltn "sport = :$RIG_OAUTH2_PORT")"
# gone: no such process, or a zombie its new parent has yet to reap.
gone() {
	[ -n "$1" ] || return 1
	[ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}
check "stop: the endpoint's process (pid ${opid:-?}) is gone" gone "$opid"

echo "1..$n"
if [ $failed -gt 0 ]; then
	echo "# $failed of $n tests failed"
	exit 1
fi
exit 0
