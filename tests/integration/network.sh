#!/bin/bash
# network: the demo network end to end on the real rig (TAP).
#  - contrib/demo/correspondence.py writes ~150 messages (three months,
#    Ukrainian and English, UTF-8 / windows-1251 / KOI8-U, Outlook replies
#    without References, mail only in Sent) and expected.json: for each
#    message the partnership a careful person would file it under;
#  - the directory comes from contrib/demo/*.csv through `mistok import`,
#    the mail is delivered into the team's INBOX and Sent, and one
#    `mistok sync --once` ingests, threads and matches it;
#  - `mistok show SLUG --json` gives each partnership exactly its messages
#    (the set of Message-IDs, or sender+date for mail without one), and
#    `mistok unassigned --json` exactly the ambiguous correspondence;
#  - the rule of every message is summarised (counts per rule);
#  - `mistok assign` files one ambiguous message: its whole thread moves,
#    the rule is "assigned", unassigned shrinks by that thread, the events
#    table has the audit row, and the text views are readable.
# Environment: NETWORK_TEST_BASE_PORT (24000); NETWORK_KEEP=1 keeps $WORK.
set -u
. "$(dirname "$0")/lib.sh"
DEMO=$TOP/contrib/demo

export RIG_BASE_PORT=${NETWORK_TEST_BASE_PORT:-24000}
rig_dirs network
cleanup() { rig_cleanup "${NETWORK_KEEP:-0}"; }
trap cleanup EXIT

show() { sed 's/^/# /' "$@" | head -60; }

[ -x "$MISTOK" ] || bail "$MISTOK not built"
bash "$RIG" start >"$WORK/rig.log" 2>&1 ||
	bash "$RIG" start >>"$WORK/rig.log" 2>&1 ||
	{ show "$WORK/rig.log"; bail "the rig does not start"; }
rig_ready "${DEMO_USERS[@]}"

rig_conf "$WORK/mistok.conf" mailbox.tls=implicit team.tag=C4C team.language=uk
export MISTOK_CONFIG=$WORK/mistok.conf
# Keep the test's own dates and ordering independent of the caller's zone.
export TZ=UTC

# 1. The correspondence and the directory.
$PY "$DEMO/correspondence.py" "$WORK/mail" >"$WORK/gen.out" 2>&1 ||
	{ show "$WORK/gen.out"; bail "correspondence.py failed"; }
show "$WORK/gen.out"
imp=0
for k in orgs contacts partnerships; do
	"$MISTOK" import "$k" "$DEMO/$k.csv" >>"$WORK/import.out" 2>&1 ||
		imp=1
done
[ $imp = 0 ] || show "$WORK/import.out"
check "mistok import orgs, contacts, partnerships from contrib/demo" \
	test $imp = 0

# 2. Delivery into the team mailbox, then one sync.
dlv=0
for f in "$WORK"/mail/inbox/*.eml; do
	bash "$RIG" deliver team@c4c.test "$f" INBOX 2>>"$WORK/deliver.err" ||
		dlv=1
done
for f in "$WORK"/mail/sent/*.eml; do
	bash "$RIG" deliver team@c4c.test "$f" Sent 2>>"$WORK/deliver.err" ||
		dlv=1
done
[ $dlv = 0 ] || show "$WORK/deliver.err"
check "the correspondence is delivered into INBOX and Sent" test $dlv = 0

"$MISTOK" sync --once --quiet >"$WORK/sync.out" 2>&1
r=$?
[ $r = 0 ] || show "$WORK/sync.out"
check "mistok sync --once ingests it (exit $r)" test $r = 0
"$MISTOK" messages --json >"$WORK/messages.json" 2>"$WORK/messages.err" ||
	show "$WORK/messages.err"

# 3. Each partnership's timeline and the triage list against expected.json.
for slug in $($PY -c 'import csv,sys
for r in csv.DictReader(open(sys.argv[1])): print(r["slug"])' \
    "$DEMO/partnerships.csv"); do
	"$MISTOK" show "$slug" --json >"$WORK/show.$slug.json" \
		2>"$WORK/show.$slug.err" || show "$WORK/show.$slug.err"
done
"$MISTOK" unassigned --json >"$WORK/unassigned.json" 2>"$WORK/unassigned.err" ||
	show "$WORK/unassigned.err"

cat >"$WORK/compare.py" <<'PYEOF'
"""Compares mistok's views with the generator's expectations. Prints TAP
result lines as "RESULT ok|not ok DESCRIPTION" and the evidence as
comments; a key is the Message-ID, or "from date" for mail without one."""
import collections
import email
import email.utils
import json
import os
import sys
from datetime import timezone

work, csvdir = sys.argv[1], sys.argv[2]
mail = os.path.join(work, "mail")
expected = json.load(open(os.path.join(mail, "expected.json")))
messages = json.load(open(os.path.join(work, "messages.json")))


def res(good, desc):
    print("RESULT %s %s" % ("ok" if good else "not ok", desc))


def iso(d):
    t = email.utils.parsedate_to_datetime(d).astimezone(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def exp_key(e):
    if e["message_id"]:
        return e["message_id"]
    d = "inbox" if "INBOX" in e["folders"] else "sent"
    with open(os.path.join(mail, d, e["file"]), "rb") as fh:
        m = email.message_from_binary_file(fh)
    return "%s %s" % (email.utils.parseaddr(m["From"])[1].lower(),
                      iso(m["Date"]))


def got_key(m):
    return m["message_id"] or "%s %s" % (m["from"]["email"], m["date"])


ekeys = {exp_key(e): e for e in expected}
byid = {got_key(m): m for m in messages}
res(set(ekeys) == set(byid),
    "every expected message is stored once (%d expected, %d stored)"
    % (len(ekeys), len(byid)))
for k in sorted(set(ekeys) - set(byid))[:10]:
    print("# missing: %s" % k)
for k in sorted(set(byid) - set(ekeys))[:10]:
    print("# unexpected: %s" % k)

kinds = collections.Counter()
for k, e in ekeys.items():
    if k in byid and byid[k]["kind"] != e["kind"]:
        kinds[(e["kind"], byid[k]["kind"])] += 1
for (a, b), c in sorted(kinds.items()):
    print("# kind: %d expected %s, stored as %s" % (c, a, b))


def explain(k):
    m = byid.get(k)
    e = ekeys.get(k, {})
    if m is None:
        return "%s: not stored" % k
    return "%s (%s): expected %s, got %s by %s, thread %s, kind %s, %r" % (
        k, e.get("file"), e.get("partnership"), m["partnership"], m["rule"],
        m["thread"], m["kind"], (m["subject"] or "")[:50])


slugs = [l.split(",")[0] for l in open(os.path.join(csvdir,
         "partnerships.csv"), encoding="utf-8").read().splitlines()[1:] if l]
for slug in slugs:
    want = {k for k, e in ekeys.items() if e["partnership"] == slug}
    try:
        show = json.load(open(os.path.join(work, "show.%s.json" % slug)))
    except (OSError, ValueError) as ex:
        res(False, "mistok show %s --json: %s" % (slug, ex))
        continue
    got = set()
    nthreads = 0
    for ent in show.get("timeline", []):
        if ent["type"] == "thread":
            nthreads += 1
            for m in ent["messages"]:
                got.add(got_key(m))
    res(want == got, "mistok show %s gives exactly its conversations "
        "(%d messages expected, %d shown in %d threads)"
        % (slug, len(want), len(got), nthreads))
    for k in sorted(want - got):
        print("#   missing from %s: %s" % (slug, explain(k)))
    for k in sorted(got - want):
        print("#   wrongly in %s: %s" % (slug, explain(k)))

una = json.load(open(os.path.join(work, "unassigned.json")))
got = [got_key(m) for m in una]
want = {k for k, e in ekeys.items()
        if e["partnership"] is None and e["kind"] == "correspondence"}
res(set(got) == want and len(got) == len(set(got)),
    "mistok unassigned holds exactly the ambiguous correspondence "
    "(%d expected, %d listed)" % (len(want), len(got)))
for k in sorted(want - set(got)):
    print("#   not listed: %s" % explain(k))
for k in sorted(set(got) - want):
    print("#   listed but not ambiguous: %s" % explain(k))
dates = [m["date"] for m in una]
res(dates == sorted(dates, reverse=True), "unassigned is newest first")

rules = collections.Counter(m["rule"] for m in messages)
print("# rules: " + ", ".join("%s %d" % kv for kv in sorted(rules.items())))
per = collections.defaultdict(collections.Counter)
for m in messages:
    per[m["partnership"] or "-"][m["rule"]] += 1
for p in sorted(per):
    print("#   %-16s %s" % (p, ", ".join("%s %d" % kv
                                         for kv in sorted(per[p].items()))))
PYEOF
$PY "$WORK/compare.py" "$WORK" "$DEMO" >"$WORK/compare.out" 2>&1 ||
	{ show "$WORK/compare.out"; nok "compare.py ran"; }
while IFS= read -r line; do
	case $line in
	"RESULT ok "*) ok "${line#RESULT ok }" ;;
	"RESULT not ok "*) nok "${line#RESULT not ok }" ;;
	*) echo "$line" ;;
	esac
done <"$WORK/compare.out"

# 4. Assign one ambiguous message: its thread moves to the partnership.
read -r mid thread nthread < <($PY - "$WORK/unassigned.json" <<'PYEOF'
import collections, json, sys
una = json.load(open(sys.argv[1]))
# The Madison conference mail: the message whose thread is largest among
# those from madison.test; ties by id.
c = collections.Counter(m["thread"] for m in una)
pick = [m for m in una if m["from"]["email"].endswith("@madison.test")]
pick.sort(key=lambda m: (-c[m["thread"]], m["id"]))
if pick:
    print(pick[0]["id"], pick[0]["thread"], c[pick[0]["thread"]])
else:
    print("0 0 0")
PYEOF
)
if [ "${mid:-0}" = 0 ]; then
	nok "an ambiguous message from madison.test to assign"
else
	before=$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' \
		"$WORK/unassigned.json")
	"$MISTOK" assign "$mid" lviv-madison >"$WORK/assign.out" 2>&1
	r=$?
	show "$WORK/assign.out"
	check "mistok assign $mid lviv-madison (exit $r)" test $r = 0
	"$MISTOK" unassigned --json >"$WORK/unassigned2.json"
	"$MISTOK" show lviv-madison --json >"$WORK/show2.json"
	out=$($PY - "$WORK/unassigned2.json" "$WORK/show2.json" "$mid" \
	    "$thread" "$before" "$nthread" <<'PYEOF'
import json, sys
una = json.load(open(sys.argv[1]))
show = json.load(open(sys.argv[2]))
mid, thread, before, nthread = (int(x) for x in sys.argv[3:])
msgs = {m["id"]: m for e in show["timeline"] if e["type"] == "thread"
        for m in e["messages"]}
ok = True
if mid not in msgs or msgs[mid]["rule"] != "assigned":
    print("# message %d not in lviv-madison as assigned" % mid); ok = False
mates = [m for m in msgs.values() if m["thread"] == thread]
if len(mates) != nthread:
    print("# thread %d: %d of its %d messages moved" % (thread, len(mates),
          nthread)); ok = False
if any(m["thread"] == thread for m in una):
    print("# thread %d still listed as unassigned" % thread); ok = False
if len(una) != before - nthread:
    print("# unassigned: %d before, %d after, thread of %d" % (before,
          len(una), nthread)); ok = False
print("ok" if ok else "bad")
PYEOF
)
	echo "$out" | grep '^#'
	check "its thread ($nthread messages) moves to lviv-madison and leaves the triage list" \
		test "$(echo "$out" | tail -n1)" = ok
	ev=$(sqlite3 "$WORK/mistok.db" "SELECT count(*) FROM events WHERE \
		action = 'assign' AND object = 'message:$mid'" 2>/dev/null)
	check "the assignment is audit-logged in events" test "$ev" = 1
	"$MISTOK" assign "$mid" no-such-partnership >/dev/null 2>"$WORK/assign2.err"
	r=$?
	check "assign to an unknown partnership fails (exit $r) and says so" \
		eval "[ $r = 66 ] && grep -q 'no-such-partnership' '$WORK/assign2.err'"
fi

# 5. The terminal views.
"$MISTOK" show lviv-madison >"$WORK/show.txt" 2>&1
r=$?
head -n 14 "$WORK/show.txt" | show /dev/stdin
check "mistok show lviv-madison prints its header and threads (exit $r)" \
	eval "[ $r = 0 ] && grep -q '^lviv-madison  #' '$WORK/show.txt' &&
	grep -q '^  coordinator: Mark Stevens <mark@c4c.test>' '$WORK/show.txt' &&
	grep -q '^thread [0-9]' '$WORK/show.txt' && grep -q 'Europe/Kyiv' '$WORK/show.txt'"
# Times: the first message line of the text shows the JSON date in Kyiv time.
want=$($PY - "$WORK/show2.json" <<'PYEOF'
import json, sys, subprocess
from datetime import datetime
from zoneinfo import ZoneInfo
s = json.load(open(sys.argv[1]))
m = [e for e in s["timeline"] if e["type"] == "thread"][0]["messages"][0]
t = datetime.strptime(m["date"], "%Y-%m-%dT%H:%M:%SZ").replace(
    tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Kyiv"))
print("%6d  %s" % (m["id"], t.strftime("%Y-%m-%d %H:%M")))
PYEOF
)
check "dates are shown in the team's zone (line '$want')" \
	grep -qF -- "  $want " "$WORK/show.txt"
"$MISTOK" show lviv-madison --tz America/Chicago >"$WORK/show.chicago" 2>&1
check "--tz changes the zone shown" grep -q 'America/Chicago' "$WORK/show.chicago"
"$MISTOK" unassigned >"$WORK/unassigned.txt" 2>&1
r=$?
show "$WORK/unassigned.txt"
check "mistok unassigned prints a table (exit $r)" test $r = 0

echo "1..$n"
[ $failed = 0 ]
