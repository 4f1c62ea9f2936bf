#!/bin/sh
# make demo: the story so far, on the local mail rig.
#   1. start the rig (Dovecot + Postfix on loopback) in the demo folder;
#   2. deliver the demo network's correspondence (contrib/demo) into the
#      team mailbox: partners' letters in INBOX, the team's replies in Sent;
#   3. write a demo config and run mistokd until it has ingested it all,
#      then deliver one more letter while it idles;
#   4. stop everything cleanly and show what mistok stored: the
#      partnerships, one partnership's threads, and the mail to triage.
# The database, the config and the mailboxes stay in $DEMO_DIR.
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
DEMO_DIR=${DEMO_DIR:-$BUILD/demo}
export RIG_BASE_PORT=${DEMO_BASE_PORT:-30000}
export RIG_DIR="$DEMO_DIR/rig"
RIG="$TOP/tests/rig/rig.sh"
MISTOK="$BUILD/mistok"
MISTOKD="$BUILD/mistokd"
PY=/usr/bin/python3

say() { printf '\n==> %s\n' "$*"; }

daemon_pid=
cleanup() {
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid" 2>/dev/null || true
		wait "$daemon_pid" 2>/dev/null || true
	fi
	bash "$RIG" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

say "Starting the mail rig in $RIG_DIR (ports $RIG_BASE_PORT+)"
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
bash "$RIG" start >/dev/null
for u in team@krylia.test rada@irpin.test mayor@honolulu.test \
    help@daneaid.test attache@embassy.test; do
	bash "$RIG" add-user "$u" >/dev/null
done
eval "$(bash "$RIG" env)"

say "Generating and delivering the demo correspondence"
$PY "$TOP/contrib/demo/correspondence.py" "$DEMO_DIR/mail"
for f in "$DEMO_DIR"/mail/inbox/*.eml; do
	bash "$RIG" deliver team@c4c.test "$f" INBOX
done
for f in "$DEMO_DIR"/mail/sent/*.eml; do
	bash "$RIG" deliver team@c4c.test "$f" Sent
done
inbox=$(bash "$RIG" count team@c4c.test INBOX)
sent=$(bash "$RIG" count team@c4c.test Sent)
echo "team@c4c.test: $inbox in INBOX, $sent in Sent"

say "Writing the demo config $DEMO_DIR/mistok.conf"
bash "$RIG" password team@c4c.test > "$DEMO_DIR/password"
chmod 600 "$DEMO_DIR/password"
cat > "$DEMO_DIR/mistok.conf" <<CONF
# The demo's config: the rig's team mailbox over IMAPS, verified against
# the rig's own CA.
[mailbox]
host = localhost
port = $RIG_IMAPS_PORT
tls = implicit
ca_file = $RIG_CA_FILE
user = team@c4c.test
password_file = $DEMO_DIR/password
poll_interval = 5s

[smtp]
host = localhost
port = $RIG_SUBMISSIONS_PORT
tls = implicit

[team]
address = team@c4c.test
name = Cities4Cities
domain = c4c.test
tag = C4C
coordinators = olena@c4c.test, mark@c4c.test
language = uk
timezone = Europe/Kyiv

[store]
path = $DEMO_DIR/mistok.db

[templates]
dir = $TOP/templates
CONF
export MISTOK_CONFIG="$DEMO_DIR/mistok.conf"

say "Importing the directory (contrib/demo/*.csv)"
for k in orgs contacts partnerships; do
	"$MISTOK" import "$k" "$TOP/contrib/demo/$k.csv"
done

say "Running mistokd (log: $DEMO_DIR/mistokd.log)"
"$MISTOKD" -d -c "$MISTOK_CONFIG" >"$DEMO_DIR/mistokd.log" 2>&1 &
daemon_pid=$!
want=$((inbox + sent))
stored() {
	"$MISTOK" messages --json 2>/dev/null |
	    $PY -c 'import json,sys; print(len(json.load(sys.stdin)))' 2>/dev/null ||
	    echo 0
}
i=0
while [ "$(stored)" -lt "$want" ] && [ $i -lt 120 ]; do
	kill -0 "$daemon_pid" 2>/dev/null || break
	sleep 1
	i=$((i + 1))
done
echo "stored $(stored) of $want messages after ${i}s"

say "Delivering one more letter while mistokd idles"
late_subject=$($PY -c 'from email.header import Header; print(Header("Ще один лист щодо зустрічі", "utf-8").encode())')
cat > "$DEMO_DIR/late.eml" <<MAIL
From: =?utf-8?b?0IbRgNC40L3QsCDQqNC10LLRh9C10L3QutC+?= <city@kharkiv.test>
To: team@c4c.test
Subject: $late_subject
Date: $(date -R)
Message-ID: <demo.late.$(date +%s)@kharkiv.test>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Добрий день! Ще одне питання щодо зустрічі.
MAIL
t0=$(date +%s%N)
bash "$RIG" deliver team@c4c.test "$DEMO_DIR/late.eml" INBOX
i=0
while [ "$(stored)" -le "$want" ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "stored $(( ($(date +%s%N) - t0) / 1000000 )) ms after delivery"

say "Stopping mistokd and the rig"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || true
daemon_pid=
bash "$RIG" stop >/dev/null

say "What mistok did"
"$MISTOK" status
echo
"$MISTOK" messages | head -n 25
echo "…"

say "The partnerships, one timeline, and the mail left to triage"
"$MISTOK" partnership list
echo
"$MISTOK" show lviv-madison | head -n 40
echo "…"
echo
"$MISTOK" unassigned | head
cat <<EOF2

The demo's files are in $DEMO_DIR:
  mistok.conf     the config (look with: $MISTOK -c $DEMO_DIR/mistok.conf status)
  mistok.db       the database (mistok messages, mistok messages --json)
  mistokd.log     what the daemon logged
  rig/mail/       the rig's Maildirs (team@c4c.test and the partners)
  mail/           the generated correspondence and expected.json
EOF2
