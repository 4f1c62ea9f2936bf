#!/bin/sh
# make demo: the whole story on the local mail rig.
#   1. start the rig (Dovecot + Postfix on loopback) in the demo folder;
#   2. deliver the demo network's correspondence (contrib/demo) into the
#      team mailbox: partners' letters in INBOX, the team's replies in Sent;
#   3. write a demo config, import the directory and run mistokd until it
#      has ingested it all, then deliver one more letter while it idles;
#   4. while mistokd runs: propose and book a meeting for lviv-madison,
#      see the invitations arrive in the partners' mailboxes, one partner
#      accepts and one declines with real iMIP replies (contrib/demo/imip.py)
#      and the coordinator gets the decline notice;
#   5. add next steps (one overdue, one due soon) and run one reminder
#      tick; write the digest, the funders' report and the calendar feed;
#   6. stop everything cleanly and show what mistok stored.
# Every file stays in $DEMO_DIR; the end lists where to look.
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
die() { printf '\ndemo: %s\n' "$*" >&2; exit 1; }
# JSON on standard input, one Python expression on it (j) printed.
pyj() { $PY -c 'import json,sys; j = json.load(sys.stdin); print('"$1"')'; }
# Runs CMD... until it prints WANT, at most SECS seconds.
wait_for() { # WANT SECS CMD...
	_want=$1 _secs=$2
	shift 2
	_i=0
	while [ "$("$@" 2>/dev/null)" != "$_want" ]; do
		[ $_i -lt $((_secs * 5)) ] || return 1
		if [ -n "$daemon_pid" ] && ! kill -0 "$daemon_pid" 2>/dev/null; then
			tail -n 5 "$DEMO_DIR/mistokd.log" >&2
			die "mistokd has stopped (log: $DEMO_DIR/mistokd.log)"
		fi
		sleep 0.2
		_i=$((_i + 1))
	done
}

daemon_pid=
cleanup() {
	rc=$?
	[ $rc -eq 0 ] || printf '\ndemo: failed (exit %s); stopping mistokd and the rig\n' "$rc" >&2
	if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
		kill -TERM "$daemon_pid" 2>/dev/null || true
		wait "$daemon_pid" 2>/dev/null || true
	fi
	bash "$RIG" stop >/dev/null 2>&1 || true
}
for b in "$MISTOK" "$MISTOKD"; do
	[ -x "$b" ] || die "$b is not built (run make)"
done
$PY -c 'import json, smtplib, imaplib' || die "python3 is missing"
T0=$(date +%s)
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "Starting the mail rig in $RIG_DIR (ports $RIG_BASE_PORT+)"
# A rig a killed demo left running goes first, then its files.
bash "$RIG" stop >/dev/null 2>&1 || true
rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
bash "$RIG" start >"$DEMO_DIR/rig-start.log" 2>&1 ||
    { tail -n 5 "$DEMO_DIR/rig-start.log" >&2; die "the rig does not start"; }
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

[outbox]
retry_first = 2s
retry_max = 10s

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
	"$MISTOK" import "$k" "$TOP/contrib/demo/$k.csv" ||
	    die "mistok import $k failed"
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
[ "$(stored)" -ge "$want" ] ||
    die "mistokd stored only $(stored) of $want messages (log: $DEMO_DIR/mistokd.log)"

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
[ "$(stored)" -gt "$want" ] ||
    die "the late letter was not stored in 30 s (log: $DEMO_DIR/mistokd.log)"
echo "stored $(( ($(date +%s%N) - t0) / 1000000 )) ms after delivery"

# ---- the meeting --------------------------------------------------------
say "A meeting for lviv-madison: propose, book, invite"
window=$($PY -c 'import datetime
d = datetime.date.today()
d += datetime.timedelta(days=7 - d.weekday())
print("%s..%s" % (d, d + datetime.timedelta(days=4)))')
echo "\$ mistok meeting propose lviv-madison --duration 60m --window $window --json"
"$MISTOK" meeting propose lviv-madison --duration 60m --window "$window" \
    --json >"$DEMO_DIR/proposal.json" 2>"$DEMO_DIR/proposal.err" ||
    { cat "$DEMO_DIR/proposal.err" >&2; die "meeting propose failed"; }
pyj '"\n".join("  slot %d: %s  = %s" % (n + 1, s["start"], ", ".join(
    sorted(set("%s %s" % (a["zone"].split("/")[-1], a["local_start"][11:16])
    for a in s["attendees"])))) for n, s in enumerate(j))' \
    <"$DEMO_DIR/proposal.json"
[ -s "$DEMO_DIR/proposal.json" ] &&
    [ "$(pyj 'len(j)' <"$DEMO_DIR/proposal.json")" -ge 1 ] ||
    die "no slot fits in $window ($(cat "$DEMO_DIR/proposal.err"))"
proposal=$("$MISTOK" meeting list --partnership lviv-madison --json |
    pyj 'max(m["id"] for m in j if m["status"] == "proposed")') ||
    die "the proposal is not stored"
echo "(proposal $proposal is stored and mailed to the coordinator, mark@c4c.test)"
# Each partner's INBOX before the invitations.
attendees=$("$MISTOK" meeting show "$proposal" --json |
    pyj '" ".join(a["email"] for a in j["attendees"])')
for a in $attendees; do
	eval "before_$(echo "$a" | tr -c 'a-z0-9\n' _)=$(bash "$RIG" count "$a")"
done
echo "\$ mistok meeting book --proposal $proposal --slot 1"
meeting=$("$MISTOK" meeting book --proposal "$proposal" --slot 1) ||
    die "meeting book failed"
"$MISTOK" meeting show "$meeting" --json >"$DEMO_DIR/meeting.json"
uid=$(pyj 'j["uid"]' <"$DEMO_DIR/meeting.json")
seq=$(pyj 'j["sequence"]' <"$DEMO_DIR/meeting.json")
mstart=$(pyj 'j["start"]' <"$DEMO_DIR/meeting.json")
mend=$(pyj 'j["end"]' <"$DEMO_DIR/meeting.json")
"$MISTOK" meeting show "$meeting"

say "mistokd's outbox delivers the invitations"
ninv=$(echo "$attendees" | wc -w)
invites_sent() {
	"$MISTOK" outbox --json | pyj 'sum(1 for m in j
	    if m["dedupe_key"].startswith("invite:'"$uid"':") and
	    m["status"] == "sent")'
}
wait_for "$ninv" 60 invites_sent ||
    die "the outbox did not send $ninv invitations in 60 s (mistok outbox)"
for a in $attendees; do
	eval "b=\$before_$(echo "$a" | tr -c 'a-z0-9\n' _)"
	bash "$RIG" wait-count "$a" $((b + 1)) >/dev/null ||
	    die "no new mail in $a's INBOX"
	n=$(bash "$RIG" count "$a")
	inv=$($PY "$TOP/contrib/demo/imip.py" invitation "$a" "$uid") ||
	    die "cannot read $a's INBOX over IMAPS"
	printf '  %-20s INBOX %s -> %s, invitations for this meeting: %s  "%s"\n' \
	    "$a" "$b" "$n" "${inv%%	*}" "${inv#*	}"
	[ "${inv%%	*}" = 1 ] || die "$a's INBOX does not hold the invitation"
done

say "Two partners answer from their own mailboxes (iMIP REPLY, Gmail's shape)"
$PY "$TOP/contrib/demo/imip.py" reply mayor@lviv.test "$uid" "$seq" \
    "$mstart" "$mend" ACCEPTED || die "the ACCEPTED reply was not submitted"
$PY "$TOP/contrib/demo/imip.py" reply intl@madison.test "$uid" "$seq" \
    "$mstart" "$mend" DECLINED || die "the DECLINED reply was not submitted"
partstats() {
	"$MISTOK" meeting show "$meeting" --json | pyj '" ".join(
	    a["partstat"] for a in j["attendees"]
	    if a["email"] in ("mayor@lviv.test", "intl@madison.test"))'
}
wait_for "ACCEPTED DECLINED" 60 partstats ||
    die "mistokd did not apply the replies in 60 s ($(partstats))"
echo "mistokd picked both replies up from team@c4c.test's INBOX:"
echo "\$ mistok meeting show $meeting"
"$MISTOK" meeting show "$meeting"
declined() {
	"$MISTOK" outbox --json | pyj '" ".join("%s %s" % (m["status"],
	    m["message_id"]) for m in j
	    if m["dedupe_key"].startswith("meeting-declined:"))'
}
i=0
while :; do
	d=$(declined)
	case $d in sent\ *) break ;; esac
	[ $i -lt 300 ] || die "the decline notice was not sent in 60 s (${d:-not queued})"
	sleep 0.2
	i=$((i + 1))
done
dmid=${d#sent }
wait_for 1 30 $PY "$TOP/contrib/demo/imip.py" has-mid mark@c4c.test "$dmid" ||
    die "the decline notice is not in mark@c4c.test's INBOX"
"$MISTOK" outbox --json | pyj '"\n".join("the coordinator %s got the decline notice: \"%s\"" %
    (m["recipients"][0]["email"], m["subject"]) for m in j
    if m["dedupe_key"].startswith("meeting-declined:"))'

# ---- next steps and reminders ----------------------------------------------
say "Next steps: one overdue, two due soon"
# The reminder tick below runs with its clock set to next Monday 16:30
# UTC (after the meeting, 11:30 in New York, 18:30 in Kyiv): the steps'
# dates are chosen around it.
tick=$($PY -c 'import datetime
d = datetime.date.today()
d += datetime.timedelta(days=7 - d.weekday())
print(d.strftime("%Y-%m-%dT16:30:00Z"))')
overdue=$($PY -c 'import datetime; print(datetime.date.today() - datetime.timedelta(days=2))')
soon=$($PY -c 'import datetime, sys
print(datetime.date.fromisoformat(sys.argv[1][:10]) + datetime.timedelta(days=2))' "$tick")
echo "\$ mistok step add kharkiv-tempe 'Send the signed letter of intent to Tempe' --due $overdue"
"$MISTOK" step add kharkiv-tempe "Send the signed letter of intent to Tempe" \
    --due "$overdue" 2>/dev/null || die "step add failed"
echo "\$ mistok step add lviv-madison 'Confirm the delegation's dates' --due $soon --owner mayor@lviv.test"
"$MISTOK" step add lviv-madison "Confirm the delegation's dates" \
    --due "$soon" --owner mayor@lviv.test 2>/dev/null || die "step add failed"
"$MISTOK" step add lviv-madison "Send the meeting's agenda to both cities" \
    --due "$soon" >/dev/null 2>&1 || die "step add failed"
echo
echo "\$ mistok steps"
"$MISTOK" steps

say "One reminder tick, the clock set to next Monday after the meeting"
echo "\$ mistok remind --run-once --now $tick"
"$MISTOK" remind --run-once --now "$tick" >"$DEMO_DIR/remind.out" \
    2>"$DEMO_DIR/remind.err" ||
    { cat "$DEMO_DIR/remind.err" >&2; die "remind --run-once failed"; }
sed 's/^/  /' "$DEMO_DIR/remind.out" | head -n 12
tail -n 1 "$DEMO_DIR/remind.err"
echo
echo "\$ mistok outbox   (the reminders; those queued for $tick wait for their day,"
echo "                   the ones mistokd's own ticks queued are sent already)"
"$MISTOK" outbox | awk '
	NR == 1 { print; next }
	/^[0-9]/ { keep = ($5 ~ /^(step-|overdue:|no-answer:|quiet:|outcome:|digest:|meeting-)/ &&
	    $5 !~ /^meeting-declined:/) }
	keep' | head -n 25

# ---- digest, report, calendar -------------------------------------------
say "The digest of lviv-madison's coordinator"
"$MISTOK" digest --to mark@c4c.test --format html >"$DEMO_DIR/digest.html" ||
    die "digest --format html failed"
echo "(HTML: $DEMO_DIR/digest.html, $(wc -c <"$DEMO_DIR/digest.html") bytes)"
echo "\$ mistok digest --to mark@c4c.test | head -n 22"
"$MISTOK" digest --to mark@c4c.test >"$DEMO_DIR/digest.txt" ||
    die "digest failed"
head -n 22 "$DEMO_DIR/digest.txt"
echo "…"

say "The funders' report for the demo quarter"
"$MISTOK" report --from 2026-09-01 --to 2026-11-30 --format html \
    -o "$DEMO_DIR/report.html" || die "report --format html failed"
echo "(HTML with charts: $DEMO_DIR/report.html)"
echo "\$ mistok report --from 2026-09-01 --to 2026-11-30 --lang en | head -n 24"
"$MISTOK" report --from 2026-09-01 --to 2026-11-30 --format text --lang en \
    >"$DEMO_DIR/report.txt" || die "report failed"
head -n 24 "$DEMO_DIR/report.txt"
echo "…"

say "The meeting calendar feed"
"$MISTOK" calendar -o "$DEMO_DIR/meetings.ics" || die "calendar failed"
echo "$DEMO_DIR/meetings.ics: $(grep -c '^BEGIN:VEVENT' "$DEMO_DIR/meetings.ics") event(s)"
grep -E '^(METHOD|UID|DTSTART|STATUS|SEQUENCE)' "$DEMO_DIR/meetings.ics" | head -n 8

say "Stopping mistokd and the rig"
kill -TERM "$daemon_pid"
wait "$daemon_pid" || true
daemon_pid=
bash "$RIG" stop >/dev/null

say "What mistok stored"
"$MISTOK" status | head -n 20

say "The partnerships, lviv-madison's timeline, and the mail left to triage"
"$MISTOK" partnership list
echo
echo "\$ mistok show lviv-madison   (its head, then what this run added at the end)"
"$MISTOK" show lviv-madison >"$DEMO_DIR/timeline.txt"
head -n 7 "$DEMO_DIR/timeline.txt"
echo "…"
tail -n 20 "$DEMO_DIR/timeline.txt"
echo
"$MISTOK" unassigned | head -n 5

cat <<EOF2

==> Where to look
Files are in $DEMO_DIR. To ask mistok (it is $MISTOK):
  export MISTOK_CONFIG=$DEMO_DIR/mistok.conf
  mistok.conf     the config                      mistok status
  mistok.db       the database                    mistok messages; mistok unassigned
  timeline.txt    lviv-madison's timeline         mistok show lviv-madison
  mistokd.log     what the daemon logged
  (meeting $meeting)     the booked meeting, partstats   mistok meeting show $meeting; mistok meeting list
  meetings.ics    the meeting calendar feed       mistok calendar -o FILE
  (outbox)        invitations, notices, reminders mistok outbox
  (steps)         one overdue, two due soon       mistok steps; mistok steps --overdue
  remind.out      the reminder tick's lines       mistok remind --run-once --now $tick
  digest.html     mark@c4c.test's digest (HTML)   mistok digest --to mark@c4c.test --format html
  digest.txt      the same, subject and text
  report.html     the funders' report (charts)    mistok report --from 2026-09-01 --to 2026-11-30 --format html
  report.txt      the same as text, in English    ... --format text|csv|json --lang en|uk
  rig/mail/       the rig's Maildirs: team@c4c.test; the invitations in mayor@lviv.test,
                  office@lviv.test, intl@madison.test, clerk@madison.test; mark@c4c.test's
                  proposal, decline notice and digest
  mail/           the generated correspondence and expected.json
EOF2
echo "(the demo took $(($(date +%s) - T0)) s)"
