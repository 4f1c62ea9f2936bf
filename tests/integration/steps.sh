#!/bin/bash
# Next steps from the command line (TAP) on the demo directory: step add
# with owners as people write them and due days read on the owner's
# calendar (due_at checked against Python's zoneinfo), the default owner,
# listing filters (--partnership, --owner, --overdue, --status) and --json,
# done (twice: says so, exit 0), snooze (until a local midnight), the
# history and audit rows, and every refusal with its exit status. No mail
# server: the mailbox in the config points at a port nobody listens on.
set -u
. "$(dirname "$0")/lib.sh"
DEMO=$TOP/contrib/demo

T=$(mktemp -d /tmp/mistok-steps-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
printf 'unused\n' >"$T/password"
chmod 600 "$T/password"
cat >"$T/mistok.conf" <<EOF
[mailbox]
host = 127.0.0.1
port = 9
user = team@c4c.test
password_file = $T/password

[team]
address = team@c4c.test
domain = c4c.test
coordinators = olena@c4c.test, mark@c4c.test
timezone = Europe/Kyiv

[store]
path = $T/mistok.db
EOF

M() { "$MISTOK" -c "$T/mistok.conf" "$@"; }
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }
# A Python expression over the JSON document on stdin, printed.
jq_() { $PY -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
# The UTC instant (ISO 8601) of local midnight starting DAY + ADD days in
# ZONE, computed independently of mistok.
midnight() { # zone day add
	$PY - "$@" <<'EOF'
import sys, datetime, zoneinfo
z = zoneinfo.ZoneInfo(sys.argv[1])
d = datetime.date.fromisoformat(sys.argv[2]) + datetime.timedelta(int(sys.argv[3]))
t = datetime.datetime(d.year, d.month, d.day, tzinfo=z)
print(t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
EOF
}
today_in() { TZ=$1 date +%F; }

for k in orgs contacts partnerships; do
	run M import "$k" "$DEMO/$k.csv"
	check "import $k: demo file imports" [ "$rc" -eq 0 ]
done

# ---- add -----------------------------------------------------------------
FUTURE=$(date -d '+40 days' +%F)
run M --json step add lviv-madison "Send the draft agreement" \
    --due "$FUTURE" --owner intl@madison.test
check "add with a contact owner: exit 0" [ "$rc" -eq 0 ]
S1=$(jq_ 'd["id"]' <"$T/out")
check "add --json: the owner, the day and its zone (Emily, Chicago)" \
    [ "$(jq_ 'd["owner"]["kind"], d["owner"]["email"], d["due"], d["due_zone"], d["status"], d["origin"]' <"$T/out")" = \
      "contact intl@madison.test $FUTURE America/Chicago open cli" ]
check "add --json: due_at is the end of that day in Chicago" \
    [ "$(jq_ 'd["due_at"]' <"$T/out")" = \
      "$(midnight America/Chicago "$FUTURE" 1)" ]
check "add --json: due_in_days counts the owner's calendar days" \
    [ "$(jq_ 'd["due_in_days"]' <"$T/out")" = \
      "$($PY -c "import datetime as d; print((d.date.fromisoformat('$FUTURE') - d.date.fromisoformat('$(today_in America/Chicago)')).days)")" ]

run M --json step add kharkiv-tempe "Book the hall" --due 2020-01-15 \
    --owner "City of Tempe"
S2=$(jq_ 'd["id"]' <"$T/out" 2>/dev/null)
check "add with an org owner and a past day: exit 0, overdue, a note" \
    [ "$rc" -eq 0 -a "$(jq_ 'd["owner"]["kind"], d["owner"]["email"], d["overdue"], d["due_zone"]' <"$T/out")" = \
      "org None True America/Phoenix" -a "$(grep -c "already overdue" "$T/err")" -ge 1 ]

run M --json step add lviv-madison Call the embassy --due "5 грудня"
S3=$(jq_ 'd["id"]' <"$T/out" 2>/dev/null)
check "no --owner: the coordinator (Mark), his zone; words joined; 5 грудня" \
    [ "$rc" -eq 0 -a "$(jq_ 'd["owner"]["kind"], d["owner"]["email"], d["due_zone"], d["text"], d["due"][5:]' <"$T/out")" = \
      "coordinator mark@c4c.test America/New_York Call the embassy 12-05" ]

run M --json step add kharkiv-tempe "Prepare photos" --due tomorrow \
    --owner me
S4=$(jq_ 'd["id"]' <"$T/out" 2>/dev/null)
check "--owner me on the CLI: the partnership's coordinator (Olena, Kyiv)" \
    [ "$rc" -eq 0 -a "$(jq_ 'd["owner"]["email"], d["due_zone"], d["due_in_days"]' <"$T/out")" = \
      "olena@c4c.test Europe/Kyiv 1" ]

run M step add irpin-madison "Ask for the letter" --due "$FUTURE" \
    --owner "Emily Carter"
check "add by a contact's name: plain output names the step" \
    [ "$rc" -eq 0 -a "$(grep -c "^step [0-9]* added: Ask for the letter" "$T/out")" -ge 1 ]

# ---- listing -------------------------------------------------------------
run M --json steps
check "steps: 5 open, soonest due first (the overdue one leads)" \
    [ "$(jq_ 'len(d), d[0]["id"]' <"$T/out")" = "5 $S2" ]
run M --json steps --partnership lviv-madison
check "--partnership lviv-madison: its 2 steps" \
    [ "$(jq_ "sorted(x['id'] for x in d) == sorted([$S1, $S3])" <"$T/out")" = True ]
run M --json steps --owner "Emily Carter"
check "--owner by name: Emily's 2 steps across partnerships" \
    [ "$(jq_ 'len(d), set(x["owner"]["email"] for x in d)' <"$T/out")" = \
      "2 {'intl@madison.test'}" ]
run M --json steps --owner "City of Tempe"
check "--owner an organisation" [ "$(jq_ '[x["id"] for x in d]' <"$T/out")" = "[$S2]" ]
run M --json steps --overdue
check "--overdue: only the step whose day has ended" \
    [ "$(jq_ '[x["id"] for x in d]' <"$T/out")" = "[$S2]" ]
run M steps --overdue
check "--overdue table says OVERDUE" grep -q "OVERDUE" "$T/out"

# ---- done ----------------------------------------------------------------
run M step done "$S2"
check "done: exit 0" \
    [ "$rc" -eq 0 -a "$(grep -c "done: Book the hall" "$T/out")" -ge 1 ]
run M step done "$S2"
check "done again: says so, exit 0" \
    [ "$rc" -eq 0 -a "$(grep -c "already done" "$T/out")" -ge 1 ]
run M --json steps --overdue
check "a done step is no longer overdue" [ "$(jq_ 'len(d)' <"$T/out")" = 0 ]
run M --json steps --status done
check "--status done lists it with done_by" \
    [ "$(jq_ '[(x["id"], x["done_by"]) for x in d]' <"$T/out")" = "[($S2, 'cli')]" ]
run M --json steps --status all
check "--status all: 5" [ "$(jq_ 'len(d)' <"$T/out")" = 5 ]

# ---- snooze --------------------------------------------------------------
run M --json step snooze "$S1" 3d
check "snooze 3d: until midnight in Chicago three days on, due unchanged" \
    [ "$rc" -eq 0 -a "$(jq_ 'd["snoozed_until"], d["snoozes"], d["due"]' <"$T/out")" = \
      "$(midnight America/Chicago "$(today_in America/Chicago)" 3) 1 $FUTURE" ]
run M step snooze "$S4" 4h
check "snooze 4h: plain output" \
    [ "$rc" -eq 0 -a "$(grep -c "snoozed until" "$T/out")" -ge 1 ]

# ---- history and audit ---------------------------------------------------
if command -v sqlite3 >/dev/null; then
	q() { sqlite3 "$T/mistok.db" "$1"; }
	check "events: 5 step_add, 1 step_done, 2 step_snooze" \
	    [ "$(q "SELECT count(*) FROM events WHERE action = 'step_add'") $(q "SELECT count(*) FROM events WHERE action = 'step_done'") $(q "SELECT count(*) FROM events WHERE action = 'step_snooze'")" = "5 1 2" ]
	check "step_history of the done step: add, done" \
	    [ "$(q "SELECT group_concat(action, ',') FROM (SELECT action FROM step_history WHERE step = $S2 ORDER BY id)")" = "add,done" ]
else
	ok "# SKIP sqlite3 not installed"
	ok "# SKIP sqlite3 not installed"
fi

# ---- refusals --------------------------------------------------------------
refused() { # description want-rc stderr-text command...
	local d=$1 want=$2 text=$3
	shift 3
	run "$@"
	if [ "$rc" -eq "$want" ] && grep -q -- "$text" "$T/err"; then
		ok "$d"
	else
		nok "$d (exit $rc: $(head -c 200 "$T/err"))"
	fi
}
refused "unknown partnership: 65" 65 "no partnership 'atlantis'" \
    M step add atlantis "x" --due tomorrow
refused "unknown owner address: 65" 65 "nobody@madison.test" \
    M step add lviv-madison "x" --due tomorrow --owner nobody@madison.test
refused "unknown owner name: 65" 65 "no contact or organisation" \
    M steps --owner "Nobody Here"
refused "bad date 31.02: 65" 65 "31.02" \
    M step add lviv-madison "x" --due 31.02
refused "missing --due: usage, 64" 64 "usage:" \
    M step add lviv-madison "x"
refused "unknown step: 65" 65 "no step 999" M step done 999
refused "step id not a number: 64" 64 "not a step id" M step done abc
refused "snooze a done step: 65" 65 "is done" M step snooze "$S2" 3d
refused "snooze whenever: 65" 65 "whenever" M step snooze "$S1" whenever
refused "unknown action: 64" 64 "unknown action" M step frobnicate 1
check "refusals wrote nothing: still 5 steps" \
    [ "$(M --json steps --status all 2>/dev/null | jq_ 'len(d)')" = 5 ]

echo "1..$n"
[ "$failed" -eq 0 ]
