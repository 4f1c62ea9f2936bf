#!/bin/bash
# meetings: a meeting end to end on the real rig (TAP).
#  - The demo directory imported; `mistok meeting propose lviv-madison`
#    with mayor@lviv.test and intl@madison.test stores a proposal and
#    mails its coordinator (mark@c4c.test); `meeting book --proposal ID
#    --slot 1` books the first slot.
#  - mistokd's outbox sends; each partner's INBOX (read over IMAPS with
#    imaplib and the rig's CA) holds one REQUEST in the CalConnect MIME
#    structure, read by python3-icalendar: the booked UTC instants, the
#    UID and SEQUENCE that `meeting show --json` gives, ORGANIZER the team,
#    both ATTENDEEs with RSVP=TRUE.
#  - mayor@lviv.test ACCEPTS and intl@madison.test DECLINES with REPLYs in
#    Gmail's shape, submitted as real mail with their own passwords;
#    `mistok sync --once` ingests them and the reply scan updates the
#    right attendee; the coordinator gets the decline notice.
#  - `meeting reschedule`: a REQUEST with SEQUENCE 1, the same UID, the
#    new instants, to both. `meeting cancel`: METHOD:CANCEL,
#    STATUS:CANCELLED, SEQUENCE 2, to both.
#  - [calendar] feed: mistokd writes the file at start-up and after each
#    change; python3-icalendar reads it (METHOD:PUBLISH, the meeting's
#    STATUS and SEQUENCE).
# Environment: MEETINGS_TEST_BASE_PORT (18000), MEETINGS_KEEP=1 keeps the
# work directory.
set -u
. "$(dirname "$0")/lib.sh"
CHECK=$TOP/tests/integration/meetings_check.py

export RIG_BASE_PORT=${MEETINGS_TEST_BASE_PORT:-18000}
rig_dirs meetings
cleanup() {
	stop_d
	rig_cleanup "${MEETINGS_KEEP:-0}"
}
trap cleanup EXIT
# The helper's PASS/FAIL lines as TAP lines; no line at all is a failure.
py_tap() { # WHAT ARGS...
	local what=$1 line got=0
	shift
	while IFS= read -r line; do
		case $line in
		PASS\ *) ok "${line#PASS }"; got=1 ;;
		FAIL\ *) nok "${line#FAIL }"; got=1 ;;
		*) echo "# $line" ;;
		esac
	done < <("$PY" "$CHECK" "$@" 2>&1)
	[ $got = 1 ] || nok "$what: the checker said nothing"
}

for b in "$MISTOK" "$MISTOKD"; do [ -x "$b" ] || bail "$b not built"; done
"$PY" -c 'import icalendar' 2>/dev/null || bail "python3-icalendar missing"
rig_start "${DEMO_USERS[@]}"
elapsed "rig started"

CONF=$WORK/mistok.conf
FEED=$WORK/feed/meetings.ics
mkdir -p "$WORK/feed"
rig_conf "$CONF" "calendar.feed=$FEED"
export MISTOK_CONFIG=$CONF
start_d() { start_mistokd "$WORK/mistokd.log" 0.3 -d -c "$CONF"; }
# meeting show ID --json, one field by a Python expression on m.
show() { # ID EXPR
	"$MISTOK" meeting show "$1" --json |
	    "$PY" -c 'import json,sys,datetime
m = json.load(sys.stdin)
def t(s): return int(datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())
def ps(e): return [a["partstat"] for a in m["attendees"] if a["email"] == e][0]
print('"$2"')'
}

demo_import
ok "the demo directory is imported"

# ---- propose and book ------------------------------------------------
# The window: Monday to Friday of the week after next, read in Kyiv.
window=$(week_after_next)
WITH=mayor@lviv.test,intl@madison.test
"$MISTOK" meeting propose lviv-madison --duration 60m --window "$window" \
    --with "$WITH" --json >"$WORK/propose.json" 2>"$WORK/propose.err"
check "meeting propose finds slots in $window" [ $? -eq 0 ]
nslots=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$WORK/propose.json" 2>/dev/null)
check "the proposal has 1 to 3 slots ($nslots)" [ "${nslots:-0}" -ge 1 -a "${nslots:-0}" -le 3 ]
pid=$(q "SELECT id FROM meetings WHERE status = 'proposed'")
check "one proposal is stored (id $pid)" [ -n "$pid" -a "$(echo "$pid" | wc -l)" = 1 ]
slot1=$("$PY" -c 'import json,sys,datetime
s = json.load(open(sys.argv[1]))[0]["start"]
print(int(datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()))' "$WORK/propose.json" 2>/dev/null)
r=$(q "SELECT group_concat(start_utc) FROM (SELECT start_utc FROM meeting_slots WHERE meeting = $pid ORDER BY n)")
check "the slots are stored best first (meeting_slots: $r)" [ -n "$r" -a "${r%%,*}" = "$slot1" ]

id=$("$MISTOK" meeting book --proposal "$pid" --slot 1 2>"$WORK/book.err")
check "meeting book --proposal $pid --slot 1 (id $id)" [ "$id" = "$pid" ]
uid=$(show "$id" 'm["uid"]')
seq=$(show "$id" 'm["sequence"]')
start=$(show "$id" 't(m["start"])')
end=$(show "$id" 't(m["end"])')
check "meeting show: scheduled, SEQUENCE 0, at slot 1 ($start)" \
    [ "$(show "$id" 'm["status"]') $seq $start" = "scheduled 0 $slot1" ]
check "meeting show: both partners NEEDS-ACTION" \
    [ "$(show "$id" 'ps("mayor@lviv.test"), ps("intl@madison.test")')" = "NEEDS-ACTION NEEDS-ACTION" ]

start_d
elapsed "mistokd started"
wait_q "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'invite:%' AND status = 'sent'" 2 30
check "the outbox sent both invitations" [ $? -eq 0 ]
wait_q "SELECT status FROM outbox WHERE dedupe_key = 'proposal:$pid'" sent 20
check "the outbox sent the proposal" [ $? -eq 0 ]
pmid=$(q "SELECT message_id FROM outbox WHERE dedupe_key = 'proposal:$pid'")
bash "$RIG" wait-count mark@c4c.test 1 >/dev/null 2>&1
check "the coordinator mark@c4c.test got the proposal" \
    [ "$("$PY" "$CHECK" has-mid mark@c4c.test "$pmid")" = 1 ]
for u in mayor@lviv.test intl@madison.test; do
	bash "$RIG" wait-count "$u" 1 >/dev/null 2>&1
	py_tap "REQUEST to $u" invite "$u" REQUEST "$uid" 0 "$start" "$end" "$WITH"
done
for ((i = 0; i < 50; i++)); do [ -s "$FEED" ] && break; sleep 0.1; done
py_tap "feed at start-up" feed "$FEED" "$uid" CONFIRMED 0
elapsed "invitations read back"

# ---- replies -----------------------------------------------------------
before=$(bash "$RIG" count team@c4c.test INBOX)
py_tap "ACCEPTED reply" reply mayor@lviv.test "$RIG_PASSWORD_DIR/mayor@lviv.test" "$uid" 0 "$start" "$end" ACCEPTED
py_tap "DECLINED reply" reply intl@madison.test "$RIG_PASSWORD_DIR/intl@madison.test" "$uid" 0 "$start" "$end" DECLINED
bash "$RIG" wait-count team@c4c.test $((before + 2)) >/dev/null 2>&1
check "both replies are in team's INBOX" [ "$(bash "$RIG" count team@c4c.test INBOX)" = $((before + 2)) ]
"$MISTOK" sync --once --quiet >"$WORK/sync.log" 2>&1
check "mistok sync --once" [ $? -eq 0 ]
check "the replies are stored as imip" [ "$(q "SELECT count(*) FROM messages WHERE kind = 'imip'")" = 2 ]
r=$(show "$id" 'ps("mayor@lviv.test"), ps("intl@madison.test")')
check "meeting show: mayor@lviv.test ACCEPTED, intl@madison.test DECLINED ($r)" \
    [ "$r" = "ACCEPTED DECLINED" ]
r=$(q "SELECT count(*) FROM attendees WHERE meeting = $id AND dtstamp IS NOT NULL")
check "each reply's DTSTAMP is kept on its attendee ($r)" [ "$r" = 2 ]
wait_q "SELECT status || ' ' || recipients FROM outbox WHERE dedupe_key LIKE 'meeting-declined:%'" "sent mark@c4c.test" 20
check "the decline notice to mark@c4c.test is sent" [ $? -eq 0 ]
dmid=$(q "SELECT message_id FROM outbox WHERE dedupe_key LIKE 'meeting-declined:%'")
bash "$RIG" wait-count mark@c4c.test 2 >/dev/null 2>&1
check "the coordinator's mailbox holds the decline notice" \
    [ "$("$PY" "$CHECK" has-mid mark@c4c.test "$dmid")" = 1 ]
"$MISTOK" sync --once --quiet >>"$WORK/sync.log" 2>&1
r=$(show "$id" 'ps("mayor@lviv.test"), ps("intl@madison.test")')
check "a second sync changes nothing ($r)" \
    [ "$r $(q "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'meeting-declined:%'")" = "ACCEPTED DECLINED 1" ]
elapsed "replies applied"

# ---- reschedule ------------------------------------------------------
nstart=$((start + 86400))
nend=$((end + 86400))
iso=$(date -u -d "@$nstart" +%Y-%m-%dT%H:%M:%SZ)
"$MISTOK" meeting reschedule "$id" --start "$iso" >"$WORK/resched.out" 2>&1
check "meeting reschedule $id --start $iso" [ $? -eq 0 ]
check "meeting show: SEQUENCE 1, the same UID, the new start" \
    [ "$(show "$id" 'm["sequence"], t(m["start"]), m["uid"]')" = "1 $nstart $uid" ]
wait_q "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'invite:%:1:%' AND status = 'sent'" 2 30
check "the outbox sent both updates" [ $? -eq 0 ]
for u in mayor@lviv.test intl@madison.test; do
	bash "$RIG" wait-count "$u" 2 >/dev/null 2>&1
	py_tap "update to $u" invite "$u" REQUEST "$uid" 1 "$nstart" "$nend" "$WITH"
done
for ((i = 0; i < 50; i++)); do grep -q '^SEQUENCE:1' "$FEED" 2>/dev/null && break; sleep 0.1; done
py_tap "feed after the reschedule" feed "$FEED" "$uid" CONFIRMED 1
elapsed "reschedule read back"

# ---- cancel ------------------------------------------------------------
"$MISTOK" meeting cancel "$id" >"$WORK/cancel.out" 2>&1
check "meeting cancel $id" [ $? -eq 0 ]
check "meeting show: cancelled, SEQUENCE 2" \
    [ "$(show "$id" 'm["status"], m["sequence"]')" = "cancelled 2" ]
wait_q "SELECT count(*) FROM outbox WHERE dedupe_key LIKE '%:$uid:2:%' AND status = 'sent'" 2 30
check "the outbox sent both cancellations" [ $? -eq 0 ]
for u in mayor@lviv.test intl@madison.test; do
	bash "$RIG" wait-count "$u" 3 >/dev/null 2>&1
	py_tap "cancel to $u" invite "$u" CANCEL "$uid" 2 "$nstart" "$nend" "$WITH"
done
for ((i = 0; i < 50; i++)); do grep -q '^STATUS:CANCELLED' "$FEED" 2>/dev/null && break; sleep 0.1; done
py_tap "feed after the cancel" feed "$FEED" "$uid" CANCELLED 2
stop_d

# At start-up mistokd writes the feed even when nothing changes.
rm -f "$FEED"
start_d
for ((i = 0; i < 50; i++)); do [ -s "$FEED" ] && break; sleep 0.1; done
py_tap "feed rewritten at start-up" feed "$FEED" "$uid" CANCELLED 2
check "no temporary feed file is left" [ ! -e "$FEED.tmp" ]
stop_d
elapsed "done"

echo "1..$n"
[ $failed -eq 0 ]
