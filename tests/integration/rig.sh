#!/bin/bash
# tests/integration/rig.sh - the test mail rig (tests/rig/rig.sh) does what
# the other integration tests rely on: authenticated submission over
# STARTTLS reaches a partner's mailbox and reads back over verified IMAPS;
# outside mail lands in the sink; plus addresses reach the base mailbox;
# the bad-certificate listeners are refused by a verifying client (and
# accepted by a careless one, so they are real servers); start is
# idempotent and survives a kill -9; stop leaves no process and no
# listener; a second rig runs beside the first without harm.
#
# Prints TAP; exits non-zero when a check fails. Needs root, curl and
# /usr/bin/python3. Uses base ports 21000 and 22000 (RIG_TEST_BASE_PORT,
# RIG_TEST_BASE_PORT2) and a rig directory of its own.

set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RIG=$ROOT/tests/rig/rig.sh
PY=/usr/bin/python3
BASE=${RIG_TEST_BASE_PORT:-21000}
BASE2=${RIG_TEST_BASE_PORT2:-22000}

TMP=$(mktemp -d /tmp/mistok-rigtest.XXXXXX) || exit 1
chmod 755 "$TMP" # unprivileged daemons must reach the rig inside
export RIG_BASE_PORT=$BASE RIG_DIR=$TMP/rig RIG_WAIT=20
RIG2_DIR=$TMP/rig2

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }
# check DESC CMD...: one TAP line from CMD's exit status; what CMD prints
# shows as TAP comments when it fails.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc"
		[ -z "$out" ] || printf '%s\n' "$out" | diag
	fi
}

cleanup() {
	RIG_BASE_PORT=$BASE2 RIG_DIR=$RIG2_DIR "$RIG" stop >/dev/null 2>&1
	"$RIG" stop >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

bail() {
	echo "Bail out! $*"
	for f in "$RIG_DIR"/log/*.log; do
		[ -f "$f" ] && tail -n 20 "$f" | diag
	done
	exit 1
}

# ------------------------------------------------------------- helpers

# msg FROM TO SUBJECT > FILE: a small RFC 5322 message with CRLF lines.
msg() {
	printf '%s\r\n' "From: $1" "To: $2" "Subject: $3" \
		"Date: $(date -R)" "Message-ID: <$3@rigtest.c4c.test>" \
		"MIME-Version: 1.0" "Content-Type: text/plain; charset=us-ascii" \
		"" "Body of $3." "-- " "rig test"
}

# submit PORT USER RCPT FILE [curl options...]: send over the submission
# port with STARTTLS required, the rig's CA, AUTH as USER (password from a
# curl config file, never on the command line).
submit() {
	local port=$1 user=$2 rcpt=$3 file=$4
	shift 4
	curl -sS --max-time 20 --url "smtp://127.0.0.1:$port/rigtest.c4c.test" \
		--ssl-reqd --cacert "$RIG_CA_FILE" \
		-K "$RIG_PASSWORD_DIR/$user.curl" \
		--mail-from "$user" --mail-rcpt "$rcpt" --upload-file "$file" "$@"
}

# imap_find PORT USER TOKEN [SERVER_NAME]: log in over IMAPS, verifying
# the certificate against the rig's CA, and find TOKEN in the subject of
# a message in INBOX whose body is intact.
imap_find() {
	"$PY" - "$1" "$2" "$3" "${4:-127.0.0.1}" "$RIG_CA_FILE" \
		"$RIG_PASSWORD_DIR/$2" <<'EOF'
import imaplib, ssl, sys
port, user, token, name, ca, pwfile = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
m = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx,
                      timeout=10) if name == "127.0.0.1" else None
if m is None:
    # Connect to 127.0.0.1 but verify the certificate for NAME.
    class Named(imaplib.IMAP4_SSL):
        def _create_socket(self, timeout):
            sock = imaplib.IMAP4._create_socket(self, timeout)
            return self.ssl_context.wrap_socket(sock, server_hostname=name)
    m = Named("127.0.0.1", int(port), ssl_context=ctx, timeout=10)
with open(pwfile) as f:
    m.login(user, f.read())
m.select("INBOX", readonly=True)
typ, data = m.search(None, "SUBJECT", token)
ids = data[0].split()
if not ids:
    sys.exit("no message with subject %s" % token)
typ, data = m.fetch(ids[-1], "(BODY.PEEK[TEXT])")
body = data[0][1].decode()
if ("Body of %s." % token) not in body:
    sys.exit("body damaged: %r" % body)
m.logout()
EOF
}

# tls_refused PORT NAME REASON: a verifying TLS client (the rig's CA, host
# NAME) refuses the listener, and the reason is REASON.
tls_refused() {
	"$PY" - "$1" "$2" "$3" "$RIG_CA_FILE" <<'EOF'
import socket, ssl, sys
port, name, reason, ca = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
try:
    t = ctx.wrap_socket(s, server_hostname=name)
except ssl.SSLCertVerificationError as e:
    if reason.lower() not in str(e.verify_message).lower():
        sys.exit("refused for another reason: %s" % e.verify_message)
    sys.exit(0)
t.close()
sys.exit("accepted")
EOF
}

# tls_accepted PORT NAME CA: a verifying client accepts with that CA/name.
tls_accepted() {
	"$PY" - "$1" "$2" "$3" <<'EOF'
import socket, ssl, sys
port, name, ca = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
ctx.wrap_socket(s, server_hostname=name).close()
EOF
}

# careless_login PORT USER: with no verification at all, IMAPS login works
# (the bad listeners are full servers, not just a certificate).
careless_login() {
	"$PY" - "$1" "$2" "$RIG_PASSWORD_DIR/$2" <<'EOF'
import imaplib, ssl, sys
port, user, pwfile = sys.argv[1:]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx, timeout=10)
with open(pwfile) as f:
    m.login(user, f.read())
m.logout()
EOF
}

# curl_refused URL: curl, verifying against the rig's CA, fails with 60
# (peer certificate cannot be authenticated).
curl_refused() {
	local rc
	curl -sS --max-time 10 --ssl-reqd --cacert "$RIG_CA_FILE" \
		--url "$1" -o /dev/null 2>/dev/null
	rc=$?
	[ $rc = 60 ] || { echo "curl $1: exit $rc, want 60" | diag; return 1; }
}

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

listening() {
	ss -Hltn | awk '{ print $4 }' | sed -n 's/^127\.0\.0\.1://p'
}

# rig_ports_down: none of the rig's ports (base+0..999) listens.
rig_ports_down() {
	local p left=
	for p in $(listening); do
		if [ "$p" -ge "$1" ] && [ "$p" -lt $(($1 + 1000)) ]; then
			left="$left $p"
		fi
	done
	[ -z "$left" ] || { echo "still listening:$left" | diag; return 1; }
}

# rig_pids: master pids that "rig.sh status" reports.
rig_pids() {
	"$RIG" status 2>/dev/null | sed -n 's/.*(pid \([0-9]*\)).*/\1/p'
}

# session_members SID...: live (non-zombie) processes of the sessions.
session_members() {
	local sids=" $* "
	ps -e -o pid= -o sid= -o stat= | while read -r pid sid stat; do
		case $sids in *" $sid "*) ;; *) continue ;; esac
		case $stat in Z*) continue ;; esac
		echo "$pid"
	done
}

# rig_processes DIR TAG: live processes that name the rig's directory or
# its tag ($RIG_TAG, in Dovecot's process titles), or that work inside the
# rig's directory.
rig_processes() {
	local dir=$1 tag=$2 p pid cmd cwd
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = $$ ] && continue
		grep -q '^State:.*Z' "$p/status" 2>/dev/null && continue
		cmd=$(tr '\0' ' ' 2>/dev/null <"$p/cmdline") || continue
		cwd=$(readlink "$p/cwd" 2>/dev/null) || cwd=
		case "$cmd|$cwd" in
		*"$dir/"* | *"$tag/"* | *"$tag-"* | *"|$dir") echo "$pid $cmd" ;;
		esac
	done
}

# ---------------------------------------------------------------- tests

t0=$(date +%s.%N)
out=$("$RIG" start 2>&1) || { echo "$out" | diag; bail "rig.sh start failed"; }
t1=$(date +%s.%N)
ok "start: a fresh rig comes up ($(secs "$t0" "$t1") s, certificates included)"

eval "$("$RIG" env)" || bail "rig.sh env failed"
check "env: describes the rig" test "$RIG_BASE_PORT" = "$BASE" -a \
	"$RIG_DIR" = "$TMP/rig" -a -s "$RIG_CA_FILE" -a \
	"$RIG_SUBMISSION_PORT" = $((BASE + 587)) -a \
	"$RIG_IMAPS_PORT" = $((BASE + 993)) -a -d "$RIG_SINK_DIR"
check "status: exits 0 while running" "$RIG" status

want_ports="$RIG_LMTP_PORT $RIG_SMTP_PORT $RIG_SINK_PORT $RIG_IMAP_PORT
	$RIG_IMAPS_PORT $RIG_IMAPS_UNTRUSTED_PORT $RIG_IMAPS_WRONGHOST_PORT
	$RIG_IMAPS_EXPIRED_PORT $RIG_SUBMISSION_PORT $RIG_SUBMISSIONS_PORT
	$RIG_SUBMISSION_UNTRUSTED_PORT $RIG_SUBMISSION_WRONGHOST_PORT
	$RIG_SUBMISSION_EXPIRED_PORT"
missing=
l=" $(listening | tr '\n' ' ') "
for p in $want_ports; do
	case $l in *" $p "*) ;; *) missing="$missing $p" ;; esac
done
check "all 13 ports listen on 127.0.0.1${missing:+ (missing:$missing)}" \
	test -z "$missing"

# 1. Submission with STARTTLS + AUTH, read back over verified IMAPS.
tok=rigtest-sub-$$
msg "Olena <olena@c4c.test>" "mayor@lviv.test" "$tok" >"$TMP/sub.eml"
check "submission: STARTTLS (verified) + AUTH as olena, to mayor@lviv.test" \
	submit "$RIG_SUBMISSION_PORT" olena@c4c.test mayor@lviv.test "$TMP/sub.eml"
check "delivery: mayor@lviv.test has 1 message" \
	"$RIG" wait-count mayor@lviv.test 1
check "IMAPS: mayor reads it back, certificate verified for 127.0.0.1" \
	imap_find "$RIG_IMAPS_PORT" mayor@lviv.test "$tok"
check "IMAPS: the certificate also verifies for host name localhost" \
	imap_find "$RIG_IMAPS_PORT" mayor@lviv.test "$tok" localhost

tok2=rigtest-smtps-$$
msg "Team <team@c4c.test>" "clerk@madison.test" "$tok2" >"$TMP/smtps.eml"
check "submissions (implicit TLS) + AUTH as team, to clerk@madison.test" \
	curl -sS --max-time 20 --url "smtps://127.0.0.1:$RIG_SUBMISSIONS_PORT" \
	--cacert "$RIG_CA_FILE" -K "$RIG_PASSWORD_DIR/team@c4c.test.curl" \
	--mail-from team@c4c.test --mail-rcpt clerk@madison.test \
	--upload-file "$TMP/smtps.eml"
check "delivery: clerk@madison.test has it" \
	"$RIG" wait-count clerk@madison.test 1

check "submission: without AUTH the recipient is refused (curl exit 55)" \
	sh -c 'curl -sS --max-time 10 --url "$1" --ssl-reqd --cacert "$2" \
		--mail-from olena@c4c.test --mail-rcpt mayor@lviv.test \
		--upload-file "$3" 2>/dev/null; test $? = 55' _ \
	"smtp://127.0.0.1:$RIG_SUBMISSION_PORT" "$RIG_CA_FILE" "$TMP/sub.eml"
printf 'user = "olena@c4c.test:wrong-password"\n' >"$TMP/wrong.curl"
check "submission: refused with a wrong password (curl exit 67)" \
	sh -c 'curl -sS --max-time 10 --url "$1" --ssl-reqd --cacert "$2" \
		-K "$3" --mail-from olena@c4c.test --mail-rcpt mayor@lviv.test \
		--upload-file "$4" 2>/dev/null; test $? = 67' _ \
	"smtp://127.0.0.1:$RIG_SUBMISSION_PORT" "$RIG_CA_FILE" \
	"$TMP/wrong.curl" "$TMP/sub.eml"

# 2. Outside domains go to the sink.
tok=rigtest-out-$$
msg "Team <team@c4c.test>" "someone@example.com" "$tok" >"$TMP/out.eml"
check "submission: mail to someone@example.com accepted" \
	submit "$RIG_SUBMISSION_PORT" team@c4c.test someone@example.com "$TMP/out.eml"
check "sink: it lands in the sink" "$RIG" wait-sink 1
f=$("$RIG" sink-files | tail -n1)
check "sink: capture file has the recipient and the message" \
	sh -c 'grep -q "^X-Rcpt-Args: <someone@example.com>" "$1" &&
		grep -q "^Subject: $2" "$1" && grep -q "^Body of $2\." "$1"' \
	_ "$f" "$tok"
check "sink: sink-dir is RIG_SINK_DIR" test "$("$RIG" sink-dir)" = "$RIG_SINK_DIR"

# 3. Plus addresses, via the MX port (no AUTH, as from a partner's server).
tok=rigtest-plus-$$
msg "Mayor <mayor@lviv.test>" "team+p12@c4c.test" "$tok" >"$TMP/plus.eml"
check "SMTP port: mail to team+p12@c4c.test accepted without AUTH" \
	curl -sS --max-time 20 --url "smtp://127.0.0.1:$RIG_SMTP_PORT/lviv.test" \
	--mail-from mayor@lviv.test --mail-rcpt team+p12@c4c.test \
	--upload-file "$TMP/plus.eml"
check "plus address: team+p12@c4c.test lands in team's INBOX" \
	"$RIG" wait-count team@c4c.test 1
check "IMAPS: team reads it back" \
	imap_find "$RIG_IMAPS_PORT" team@c4c.test "$tok"
check "SMTP port: unknown local user refused at RCPT (curl exit 55)" \
	sh -c 'curl -sS --max-time 10 --url "$1" --mail-from a@lviv.test \
		--mail-rcpt nobody-here@c4c.test --upload-file "$2" 2>/dev/null
		test $? = 55' \
	_ "smtp://127.0.0.1:$RIG_SMTP_PORT" "$TMP/plus.eml"

# Helpers: deliver, count, special-use folders.
"$RIG" deliver team@c4c.test "$TMP/out.eml" Sent
check "deliver: into team's Sent; count Sent = 1" \
	test "$("$RIG" count team@c4c.test Sent)" = 1
"$RIG" deliver olena@c4c.test "$TMP/out.eml" "Projects/P12"
check "deliver: into a new folder Projects/P12" \
	test "$("$RIG" count olena@c4c.test Projects/P12)" = 1
check "Drafts and Trash exist and are empty" \
	test "$("$RIG" count team@c4c.test Drafts)$("$RIG" count team@c4c.test Trash)" = 00
check "special-use: LIST shows \\Sent \\Drafts \\Trash" \
	"$PY" - "$RIG_IMAPS_PORT" "$RIG_CA_FILE" "$RIG_PASSWORD_DIR/team@c4c.test" <<'EOF'
import imaplib, ssl, sys
port, ca, pwfile = sys.argv[1:]
m = imaplib.IMAP4_SSL("127.0.0.1", int(port),
                      ssl_context=ssl.create_default_context(cafile=ca))
m.login("team@c4c.test", open(pwfile).read())
typ, data = m.list()
text = b"\n".join(data).decode()
for flag in ("\\Sent", "\\Drafts", "\\Trash"):
    if flag not in text:
        sys.exit("missing %s in %s" % (flag, text))
EOF

# 4. Bad certificates: refused by a verifying client, for the right reason.
check "IMAPS untrusted CA: refused" \
	tls_refused "$RIG_IMAPS_UNTRUSTED_PORT" localhost "unable to get local issuer"
check "IMAPS untrusted CA: verifies against the untrusted CA (only the CA is wrong)" \
	tls_accepted "$RIG_IMAPS_UNTRUSTED_PORT" localhost "$RIG_UNTRUSTED_CA_FILE"
check "IMAPS wrong host: refused for localhost" \
	tls_refused "$RIG_IMAPS_WRONGHOST_PORT" localhost "hostname mismatch"
check "IMAPS wrong host: refused for 127.0.0.1" \
	tls_refused "$RIG_IMAPS_WRONGHOST_PORT" 127.0.0.1 "IP address mismatch"
check "IMAPS wrong host: verifies for other.test (only the name is wrong)" \
	tls_accepted "$RIG_IMAPS_WRONGHOST_PORT" "$RIG_WRONG_HOST_NAME" "$RIG_CA_FILE"
check "IMAPS expired: refused" \
	tls_refused "$RIG_IMAPS_EXPIRED_PORT" localhost "expired"
for p in "$RIG_IMAPS_UNTRUSTED_PORT" "$RIG_IMAPS_WRONGHOST_PORT" \
	"$RIG_IMAPS_EXPIRED_PORT"; do
	check "IMAPS port $p: a client that skips verification logs in" \
		careless_login "$p" team@c4c.test
done
for p in "$RIG_IMAPS_UNTRUSTED_PORT" "$RIG_IMAPS_WRONGHOST_PORT" \
	"$RIG_IMAPS_EXPIRED_PORT"; do
	check "IMAPS port $p (bad certificate): curl refuses it" \
		curl_refused "imaps://127.0.0.1:$p/"
done
for p in "$RIG_SUBMISSION_UNTRUSTED_PORT" "$RIG_SUBMISSION_WRONGHOST_PORT" \
	"$RIG_SUBMISSION_EXPIRED_PORT"; do
	check "submission port $p (bad certificate): curl refuses STARTTLS" \
		curl_refused "smtp://127.0.0.1:$p/rigtest.c4c.test"
done

# add-user: a new mailbox and domain, live.
"$RIG" add-user guest@newcity.test >/dev/null 2>&1
tok=rigtest-new-$$
msg "Team <team@c4c.test>" "guest@newcity.test" "$tok" >"$TMP/new.eml"
check "add-user: guest@newcity.test gets a password and mail, rig running" \
	sh -c '"$1" password guest@newcity.test >/dev/null &&
		submit_ok=$(curl -sS --max-time 20 --url "$2" --ssl-reqd \
		--cacert "$3" -K "$4" --mail-from team@c4c.test \
		--mail-rcpt guest@newcity.test --upload-file "$5") &&
		"$1" wait-count guest@newcity.test 1' _ "$RIG" \
	"smtp://127.0.0.1:$RIG_SUBMISSION_PORT" "$RIG_CA_FILE" \
	"$RIG_PASSWORD_DIR/team@c4c.test.curl" "$TMP/new.eml"

# Extra Dovecot settings (the place for e.g. an oauth2 passdb): a file in
# RIG_DOVECOT_CONF_D and "rig.sh reload".
echo "login_greeting = rig greeting $$" >"$RIG_DOVECOT_CONF_D/greeting.conf"
"$RIG" reload
check "reload: a setting dropped into RIG_DOVECOT_CONF_D takes effect" \
	"$PY" - "$RIG_IMAPS_PORT" "$RIG_CA_FILE" "rig greeting $$" <<'EOF'
import imaplib, ssl, sys
port, ca, want = sys.argv[1:]
m = imaplib.IMAP4_SSL("127.0.0.1", int(port),
                      ssl_context=ssl.create_default_context(cafile=ca))
if want not in m.welcome.decode():
    sys.exit("greeting: %r" % m.welcome)
m.logout()
EOF
rm -f "$RIG_DOVECOT_CONF_D/greeting.conf"
"$RIG" reload

# Retry: with the sink down, outside mail waits in the queue and goes
# out once the sink is back.
"$RIG" sink-stop
tok=rigtest-retry-$$
msg "Team <team@c4c.test>" "partner@example.org" "$tok" >"$TMP/retry.eml"
before=$("$RIG" sink-count)
submit "$RIG_SUBMISSION_PORT" team@c4c.test partner@example.org "$TMP/retry.eml"
sleep 1
check "retry: with the sink stopped the mail stays queued" \
	test "$("$RIG" queue-count)" -ge 1 -a "$("$RIG" sink-count)" = "$before"
"$RIG" sink-start
"$RIG" flush
check "retry: after sink-start it reaches the sink" \
	"$RIG" wait-sink $((before + 1))

# 6. start twice, start after kill -9.
pids_before=$(rig_pids | tr '\n' ' ')
check "start again: exits 0" "$RIG" start
check "start again: a no-op (same master processes)" \
	test "$(rig_pids | tr '\n' ' ')" = "$pids_before"

dpid=$("$RIG" status | sed -n 's/^dovecot-main: running (pid \([0-9]*\))/\1/p')
kill -9 "$dpid"
sleep 0.2
check "kill -9 of Dovecot's master: status says not running" \
	sh -c '! "$1" status >/dev/null' _ "$RIG"
check "start after kill -9 of Dovecot's master" "$RIG" start
check "status: 0 again" "$RIG" status
check "IMAPS works after the restart" \
	imap_find "$RIG_IMAPS_PORT" mayor@lviv.test rigtest-sub-$$

# A whole crash: every process of the rig killed at once.
victims=$(rig_processes "$RIG_DIR" "$RIG_TAG" | awk '{ print $1 }')
kill -9 $victims 2>/dev/null
sleep 0.2
check "start after kill -9 of every rig process" "$RIG" start
tok=rigtest-crash-$$
msg "Olena <olena@c4c.test>" "intl@madison.test" "$tok" >"$TMP/crash.eml"
check "after the crash: submission and IMAPS work" \
	sh -c 'curl -sS --max-time 20 --url "$1" --ssl-reqd --cacert "$2" \
		-K "$3" --mail-from olena@c4c.test --mail-rcpt intl@madison.test \
		--upload-file "$4" && "$5" wait-count intl@madison.test 1' _ \
	"smtp://127.0.0.1:$RIG_SUBMISSION_PORT" "$RIG_CA_FILE" \
	"$RIG_PASSWORD_DIR/olena@c4c.test.curl" "$TMP/crash.eml" "$RIG"
check "after the crash: mail sent before it is still there" \
	imap_find "$RIG_IMAPS_PORT" mayor@lviv.test rigtest-sub-$$

# A second rig beside the first.
out=$(RIG_BASE_PORT=$BASE2 RIG_DIR=$RIG2_DIR "$RIG" start 2>&1)
check "second rig (base $BASE2) starts beside the first" \
	sh -c 'RIG_BASE_PORT=$1 RIG_DIR=$2 "$3" status >/dev/null && "$3" status >/dev/null' \
	_ "$BASE2" "$RIG2_DIR" "$RIG"
RIG_BASE_PORT=$BASE2 RIG_DIR=$RIG2_DIR "$RIG" stop
check "second rig stopped: its ports are free" rig_ports_down "$BASE2"
check "second rig stopped: the first still runs" "$RIG" status

# 5. stop: no listener, no process, and quickly.
sids=$(rig_pids | tr '\n' ' ')
t0=$(date +%s.%N)
"$RIG" stop
rc=$?
t1=$(date +%s.%N)
check "stop: exits 0 in $(secs "$t0" "$t1") s (< 5 s)" \
	test $rc = 0 -a "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a < 5) }')" = 1
check "stop: no port of the rig listens" rig_ports_down "$BASE"
left=$(session_members $sids)
check "stop: no process left in the rig's sessions${left:+ (left: $left)}" \
	test -z "$left"
left=$(rig_processes "$RIG_DIR" "$RIG_TAG")
[ -z "$left" ] || echo "$left" | diag
check "stop: no process names or works in the rig's directory" test -z "$left"
check "status: non-zero when stopped" sh -c '! "$1" status >/dev/null' _ "$RIG"
check "stop again: a no-op that exits 0" "$RIG" stop
check "start after stop: comes back with the mail kept" \
	sh -c '"$1" start 2>/dev/null && test "$("$1" count mayor@lviv.test)" = 1' _ "$RIG"
"$RIG" stop

echo "1..$n"
if [ $failed -gt 0 ]; then
	echo "# $failed of $n checks failed"
	exit 1
fi
