#!/bin/bash
# imap: daemon/imap.c against the real rig (Dovecot), through imaptool.
# TLS verification (good CA, STARTTLS with capabilities re-read, unknown
# CA, wrong host name, expired: refused before any credential), retry
# classes (bad password, dead port), LIST with \Sent, EXAMINE, a streamed
# fetch of a few hundred delivered messages (one of 25 MB) byte for byte
# and exactly once, flags left alone, bounded memory, max-size, IDLE, and
# APPEND. Prints TAP; exits non-zero when a test fails.
# Environment: IMAP_TEST_BASE_PORT (23000), IMAP_TEST_MESSAGES (300).
set -u
# TOP, BUILD, PY, RIG and the TAP helpers.
. "$(dirname "$0")/lib.sh"
TOOL=$BUILD/tests/imaptool
NMSG=${IMAP_TEST_MESSAGES:-300}
BIG=$((25 * 1024 * 1024))

export RIG_BASE_PORT=${IMAP_TEST_BASE_PORT:-23000}
RIG_DIR=$(mktemp -d /tmp/mistok-imap-rig.XXXXXX)
WORK=$(mktemp -d /tmp/mistok-imap-test.XXXXXX)
export RIG_DIR
IDLE_PID=
cleanup() {
	[ -z "$IDLE_PID" ] || kill "$IDLE_PID" 2>/dev/null
	bash "$RIG" stop >/dev/null 2>&1
	rm -rf "$RIG_DIR" "$WORK"
}
trap cleanup EXIT


[ -x "$TOOL" ] || bail "$TOOL not built"
bash "$RIG" start >"$WORK/rig.log" 2>&1 ||
	bash "$RIG" start >>"$WORK/rig.log" 2>&1 ||
	{ cat "$WORK/rig.log"; bail "the rig does not start"; }
eval "$(bash "$RIG" env)"
USER=team@c4c.test
PW=$RIG_PASSWORD_DIR/$USER

# run NAME ARGS...: imaptool as the team, output in $WORK/NAME.{out,err}
run() {
	local name=$1
	shift
	"$TOOL" -u "$USER" -P "$PW" -T 20 "$@" >"$WORK/$name.out" \
	    2>"$WORK/$name.err"
	echo $? >"$WORK/$name.rc"
}
rc() { cat "$WORK/$1.rc"; }
has() { grep -q -- "$2" "$WORK/$1"; }
show() { sed 's/^/# /' "$WORK/$1"; }

# flags.py PORT: "UID FLAGS" per message of INBOX, read-only, verified TLS.
cat >"$WORK/flags.py" <<'EOF'
import imaplib, ssl, sys
ca, port, user, pwfile, action = sys.argv[1:6]
folder = sys.argv[6] if len(sys.argv) > 6 else "INBOX"
ctx = ssl.create_default_context(cafile=ca)
m = imaplib.IMAP4_SSL("127.0.0.1", int(port), ssl_context=ctx)
m.login(user, open(pwfile).read().strip())
if action == "mark":
    m.select(folder)
    m.uid("STORE", "1:10", "+FLAGS.SILENT", r"(\Seen)")
    m.uid("STORE", "11:15", "+FLAGS.SILENT", r"(\Flagged \Answered)")
else:
    m.select(folder, readonly=True)
    typ, data = m.uid("FETCH", "1:*", "(FLAGS)")
    for d in data:
        if d:
            print(d.decode())
m.logout()
EOF
flags() { "$PY" "$WORK/flags.py" "$RIG_CA_FILE" "$RIG_IMAPS_PORT" "$USER" \
    "$PW" "$@"; }

# gen.py DIR N BIG: N messages (CRLF), sizes up to 400 KB, one of BIG bytes.
cat >"$WORK/gen.py" <<'EOF'
import base64, os, random, sys
out, n, big = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sizes = [600, 2000, 8000, 30000, 120000, 400000]
for i in range(1, n + 1):
    size = big if i == n // 2 else random.choice(sizes)
    body = base64.encodebytes(os.urandom(size * 3 // 4)).decode()
    msg = ("From: Partner %d <p%d@lviv.test>\nTo: team@c4c.test\n"
           "Subject: =?UTF-8?B?0JvRjNCy0ZbQsg==?= %d\n"
           "Message-ID: <gen.%d.%s@lviv.test>\n"
           "Date: Mon, 02 Mar 2026 10:%02d:00 +0200\nMIME-Version: 1.0\n"
           "Content-Type: application/octet-stream\n"
           "Content-Transfer-Encoding: base64\n\n"
           % (i, i, i, i, os.getpid(), i % 60)) + body
    with open(os.path.join(out, "%05d.eml" % i), "w", newline="") as f:
        f.write(msg.replace("\n", "\r\n"))
EOF

# ---- TLS and login ----------------------------------------------------
run imaps -p "$RIG_IMAPS_PORT" -C "$RIG_CA_FILE" login
check "IMAPS with the rig's CA as ca_file: verified, logged in" \
	eval '[ "$(rc imaps)" = 0 ] && has imaps.out "^caps IMAP4rev1" && has imaps.out "^ok$"'

run starttls -v -t starttls -p "$RIG_IMAP_PORT" -C "$RIG_CA_FILE" login
before=$(grep 'capabilities before STARTTLS' "$WORK/starttls.err")
after=$(grep 'capabilities before login' "$WORK/starttls.err")
check "STARTTLS: verified and logged in" \
	eval '[ "$(rc starttls)" = 0 ] && has starttls.err "certificate of .* verified"'
check "STARTTLS: capabilities re-read after TLS (STARTTLS gone)" \
	eval '[[ "$before" == *" STARTTLS"* ]] && [ -n "$after" ] && [[ "$after" != *STARTTLS* ]]'

# Refusals: nothing of the user may reach the server. Its log names every
# login attempt (auth_verbose); the control at the end shows it would.
ulog=$RIG_LOG_DIR/dovecot-untrusted.log
run untrusted -p "$RIG_IMAPS_UNTRUSTED_PORT" -C "$RIG_CA_FILE" login
show untrusted.err
check "unknown CA: refused as FAIL, says why" \
	eval '[ "$(rc untrusted)" = 1 ] && has untrusted.err "unknown CA"'
sleep 0.5
check "unknown CA: the server saw no login attempt for $USER" \
	eval '! grep -q "$USER" "$ulog"'

run wronghost -p "$RIG_IMAPS_WRONGHOST_PORT" -C "$RIG_CA_FILE" login
show wronghost.err
check "certificate for another host name: refused as FAIL, says why" \
	eval '[ "$(rc wronghost)" = 1 ] && has wronghost.err "host name mismatch"'
run expired -p "$RIG_IMAPS_EXPIRED_PORT" -C "$RIG_CA_FILE" login
check "expired certificate: refused as FAIL, says why" \
	eval '[ "$(rc expired)" = 1 ] && has expired.err "expired"'
run system -p "$RIG_IMAPS_PORT" login
check "without ca_file the system store does not trust the rig's CA" \
	eval '[ "$(rc system)" = 1 ] && has system.err "unknown CA"'
# Control: a client that does not verify logs in there and is logged.
"$PY" - "$RIG_IMAPS_UNTRUSTED_PORT" "$USER" "$PW" <<'EOF' >/dev/null 2>&1
import imaplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL("127.0.0.1", int(sys.argv[1]), ssl_context=ctx)
m.login(sys.argv[2], open(sys.argv[3]).read().strip())
m.logout()
EOF
sleep 0.5
check "control: an unverified login to that server does show in its log" \
	grep -q "$USER" "$ulog"

printf 'not-the-password\n' >"$WORK/badpw"
chmod 600 "$WORK/badpw"
"$TOOL" -u "$USER" -P "$WORK/badpw" -p "$RIG_IMAPS_PORT" -C "$RIG_CA_FILE" \
	login >/dev/null 2>"$WORK/badpw.err"
r=$?
show badpw.err
check "bad password: FAIL class, 'login refused'" \
	eval '[ $r = 1 ] && has badpw.err "error fail: imap $USER: login refused"'
check "bad password: the message does not contain the password" \
	eval '! has badpw.err not-the-password'

dead=$((RIG_BASE_PORT + 999))
if ss -ltnH "sport = :$dead" | grep -q .; then
	nok "dead port $dead is unexpectedly in use"
else
	run dead -p "$dead" -C "$RIG_CA_FILE" login
	show dead.err
	check "dead port: RETRY_LATER class" \
		eval '[ "$(rc dead)" = 2 ] && has dead.err "retry-later"'
fi

run plain -t none -p "$RIG_IMAP_PORT" login
check "tls = none works only with a warning in the log" \
	eval '[ "$(rc plain)" = 0 ] && has plain.err "tls = none"'

# ---- folders ----------------------------------------------------------
run list -p "$RIG_IMAPS_PORT" -C "$RIG_CA_FILE" list
check "LIST finds the \\Sent folder by its special-use flag" \
	eval 'has list.out "^sent Sent$" && has list.out "^folder Sent 0x1$"'
run ex -p "$RIG_IMAPS_PORT" -C "$RIG_CA_FILE" examine INBOX
check "EXAMINE INBOX gives a UIDVALIDITY" \
	eval 'grep -Eq "^state uidvalidity=[1-9][0-9]* " "$WORK/ex.out"'
run nofolder -p "$RIG_IMAPS_PORT" -C "$RIG_CA_FILE" examine No/Such
check "EXAMINE of a missing folder: FAIL class" \
	eval '[ "$(rc nofolder)" = 1 ]'

# ---- fetch ------------------------------------------------------------
mkdir -p "$WORK/gen" "$WORK/out" "$WORK/lim"
"$PY" "$WORK/gen.py" "$WORK/gen" "$NMSG" "$BIG"
t0=$(date +%s)
for f in "$WORK"/gen/*.eml; do
	bash "$RIG" deliver "$USER" "$f" || bail "delivery of $f failed"
done
echo "# delivered $NMSG messages in $(($(date +%s) - t0)) s"
flags mark
flags list | sort >"$WORK/flags.before"
seen_before=$(grep -c 'Seen' "$WORK/flags.before")

/usr/bin/time -v "$TOOL" -u "$USER" -P "$PW" -T 60 -p "$RIG_IMAPS_PORT" \
	-C "$RIG_CA_FILE" fetch INBOX 1 0 "$WORK/out" >"$WORK/fetch.out" \
	2>"$WORK/fetch.err"
r=$?
rss=$(awk -F: '/Maximum resident/ { gsub(/ /, "", $2); print $2 }' \
	"$WORK/fetch.err")
echo "# full fetch: $(grep '^fetched' "$WORK/fetch.out"), peak RSS ${rss} KB"
check "fetch of $NMSG messages succeeds" \
	eval '[ $r = 0 ] && grep -q "^fetched $NMSG " "$WORK/fetch.out"'
dups=$(awk '/^msg / { print $2 }' "$WORK/fetch.out" | sort | uniq -d | wc -l)
check "each message passed exactly once" \
	eval '[ "$dups" = 0 ] && [ "$(grep -c "^msg " "$WORK/fetch.out")" = "$NMSG" ]'
sum_gen=$(cd "$WORK/gen" && sha256sum ./* | awk '{ print $1 }' | sort | sha256sum)
sum_out=$(cd "$WORK/out" && sha256sum ./* | awk '{ print $1 }' | sort | sha256sum)
check "the fetched bytes are the delivered bytes (every hash matches)" \
	[ "$sum_gen" = "$sum_out" ]
bigout=$(awk -v b="$BIG" '/^msg / && $4 > b { print $2 }' "$WORK/fetch.out")
check "the 25 MB message came whole" [ -n "$bigout" ]

flags list | sort >"$WORK/flags.after"
check "server flags unchanged by the fetch (no \\Seen added)" \
	cmp -s "$WORK/flags.before" "$WORK/flags.after"
check "flags as fetched match the server's (10 seen, 5 flagged)" \
	eval '[ "$seen_before" = 10 ] && [ "$(awk "/^msg / && \$5 == 1" "$WORK/fetch.out" | wc -l)" = 10 ] &&
	    [ "$(awk "/^msg / && \$5 == 6" "$WORK/fetch.out" | wc -l)" = 5 ]'

# Memory: with the 25 MB message as headers only, peak RSS must stay far
# below the bytes that went through (the whole response is not kept).
/usr/bin/time -v "$TOOL" -u "$USER" -P "$PW" -T 60 -p "$RIG_IMAPS_PORT" \
	-C "$RIG_CA_FILE" -m 1000000 fetch INBOX 1 0 "$WORK/lim" \
	>"$WORK/lim.out" 2>"$WORK/lim.err"
r=$?
lrss=$(awk -F: '/Maximum resident/ { gsub(/ /, "", $2); print $2 }' \
	"$WORK/lim.err")
lbytes=$(awk '/^fetched/ { print $3 }' "$WORK/lim.out")
echo "# max-size fetch: $lbytes bytes, peak RSS ${lrss} KB"
check "max_size: the big message comes as headers only, the others whole" \
	eval '[ $r = 0 ] && [ "$(awk "/^msg / && \$6 == 1" "$WORK/lim.out" | wc -l)" = 1 ] &&
	    [ "$(grep -c "^msg " "$WORK/lim.out")" = "$NMSG" ]'
if [ -n "$bigout" ] && [ -f "$WORK/lim/$bigout" ]; then
	hdr=$(awk 'BEGIN { RS = "\r\n\r\n" } NR == 1 { print; exit }' \
		"$WORK/out/$bigout" | head -c 2000 | sha256sum)
	got=$(awk 'BEGIN { RS = "\r\n\r\n" } NR == 1 { print; exit }' \
		"$WORK/lim/$bigout" | head -c 2000 | sha256sum)
	check "max_size: the header part equals the message's header" \
		eval '[ "$hdr" = "$got" ] && [ "$(wc -c <"$WORK/lim/$bigout")" -lt 10000 ]'
else
	nok "max_size: the big message's header was not written"
fi
check "memory bounded: peak RSS below half the bytes fetched" \
	eval '[ -n "$lrss" ] && [ -n "$lbytes" ] && [ $((lrss * 1024)) -lt $((lbytes / 2)) ]'

IMAPTOOL_STOP_AFTER=5 run stop -p "$RIG_IMAPS_PORT" -C "$RIG_CA_FILE" \
	fetch INBOX 1 0
check "a callback that stops gets no further message, session ends cleanly" \
	eval '[ "$(rc stop)" = 0 ] && [ "$(grep -c "^msg " "$WORK/stop.out")" = 5 ]'

# ---- IDLE -------------------------------------------------------------
"$TOOL" -u "$USER" -P "$PW" -T 20 -p "$RIG_IMAPS_PORT" -C "$RIG_CA_FILE" \
	idle INBOX 30 1 >"$WORK/idle.out" 2>"$WORK/idle.err" &
IDLE_PID=$!
for i in $(seq 100); do
	grep -q '^idling' "$WORK/idle.out" && break
	sleep 0.1
done
sleep 1
bash "$RIG" deliver "$USER" "$WORK/gen/00001.eml"
t_deliver=$(date +%s%3N)
wait "$IDLE_PID"
r=$?
IDLE_PID=
t_event=$(awk '/^event/ { print $2; exit }' "$WORK/idle.out")
if [ $r = 0 ] && [ -n "$t_event" ]; then
	echo "# IDLE latency (delivery done -> message fetched): $((t_event - t_deliver)) ms"
fi
check "IDLE wakes on a delivery and the new message is fetched" \
	eval '[ $r = 0 ] && grep -q "^wake .* news" "$WORK/idle.out" &&
	    [ -n "$t_event" ] && [ $((t_event - t_deliver)) -lt 10000 ]'

# ---- APPEND -----------------------------------------------------------
printf 'From: team@c4c.test\r\nTo: intl@madison.test\r\nSubject: copy\r\n\r\nhello\r\n' \
	>"$WORK/sent.eml"
run append -s -p "$RIG_IMAPS_PORT" -C "$RIG_CA_FILE" append Sent "$WORK/sent.eml"
check "APPEND to Sent with \\Seen" \
	eval '[ "$(rc append)" = 0 ] && flags list Sent | grep -q "Seen"'

echo "1..$n"
[ "$failed" = 0 ]
