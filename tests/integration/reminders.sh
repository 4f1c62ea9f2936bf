#!/bin/bash
# Reminders from the command line (TAP, no mail server): the demo
# directory imported into a temp database, a few steps, then
# `mistok remind --run-once --now …` queues the expected ledger keys (seen
# in `mistok outbox --json`), a second run at the same instant queues
# nothing, and `mistok digest --format html` parses with Python's
# html.parser (no scripts, no remote images).
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
MISTOK=$BUILD/mistok
DEMO=$TOP/contrib/demo
PY=/usr/bin/python3

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }

T=$(mktemp -d /tmp/mistok-reminders-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
printf 'unused\n' >"$T/pw"
chmod 600 "$T/pw"
cat >"$T/m.conf" <<CONF
[mailbox]
host = 127.0.0.1
port = 9
user = team@c4c.test
password_file = $T/pw
[team]
address = team@c4c.test
domain = c4c.test
tag = C4C
coordinators = olena@c4c.test, mark@c4c.test
[schedule]
holidays_dir = $TOP/contrib/holidays
[templates]
dir = $TOP/templates
[store]
path = $T/m.db
CONF
M() { "$MISTOK" -c "$T/m.conf" "$@"; }
keys() { M outbox --json | $PY -c 'import json,sys; print("\n".join(sorted(m["dedupe_key"] for m in json.load(sys.stdin))))'; }

for k in orgs contacts partnerships; do
	M import $k "$DEMO/$k.csv" >/dev/null 2>&1 || not_ok "import $k"
done
# Steps added "before" (the clock of step add is the real one; the
# reminders are computed against --now).
M step add kharkiv-tempe "Call the council" --due 2099-03-10 \
    --owner coordinator >/dev/null 2>&1
M step add lviv-madison "Send the agreement" --due 2099-03-12 \
    --owner intl@madison.test >/dev/null 2>&1
check "two steps added" test "$(M steps --json | $PY -c \
    'import json,sys; print(len(json.load(sys.stdin)))')" = 2

# The tick before: nothing of the steps is due yet.
M remind --run-once --now 2099-03-01T00:00:00Z >"$T/o0" 2>"$T/e0"
check "first tick exits 0" test $? -eq 0
check "nothing about steps on 1 Mar" bash -c "! grep -q 'step-\|overdue' '$T/o0'"

# Sat 7 Mar: Olena's "due in 3 days" reminder waits for Monday 9 Mar
# 09:00 Kyiv (07:00Z); at 06:00Z it is not out yet.
M remind --run-once --now 2099-03-09T06:00:00Z >"$T/o1" 2>"$T/e1"
check "not before the recipient's send hour" bash -c \
    "! grep -q 'step-soon:1:' '$T/o1'"
M remind --run-once --now 2099-03-09T07:00:00Z >"$T/o2" 2>"$T/e2"
check "step-soon for the coordinator at 09:00 Kyiv" \
    grep -q $'2099-03-09T07:00:00Z\tolena@c4c.test\tstep-soon:1:2099-03-10:coord' "$T/o2"
keys >"$T/k2"
check "outbox --json lists step-soon:1:2099-03-10:coord" \
    grep -qx 'step-soon:1:2099-03-10:coord' "$T/k2"
M remind --run-once --now 2099-03-09T07:00:00Z >"$T/o3" 2>"$T/e3"
check "the same instant again queues nothing" test ! -s "$T/o3"

# A 3-day outage: the next tick is on 13 Mar 20:00Z. Step 1 was due on
# the 10th (today) and overdue on the 11th; one catch-up, the overdue.
M remind --run-once --now 2099-03-13T20:00:00Z >"$T/o4" 2>"$T/e4"
check "one catch-up for step 1 (overdue:1:1)" test \
    "$(cut -f3 "$T/o4" | grep -cE '^(step-(soon|today):1:|overdue:1:)')" = 1
check "…and it is overdue:1:1" grep -q $'\toverdue:1:1$' "$T/o4"
check "no step-today:1 after the outage" bash -c \
    "! grep -q 'step-today:1:' '$T/o4'"
keys >"$T/k4"
check "outbox: each key once" test "$(sort "$T/k4" | uniq -d | wc -l)" = 0

# The digest.
M digest --format html >"$T/d.html" 2>"$T/d.err"
check "digest --format html exits 0" test $? -eq 0
check "digest HTML parses with html.parser, tags balanced" $PY - "$T/d.html" <<'PY'
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "hr", "img", "link"}
class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.bad = [], []
    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.bad.append("script")
        for k, v in attrs:
            if tag == "img" and k == "src" and v and v.startswith("http"):
                self.bad.append("remote image")
        if tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.bad.append("</%s>" % tag)
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
p.close()
sys.exit(1 if p.bad or p.stack else 0)
PY
check "digest lists Olena's partnerships" grep -q 'kharkiv-tempe' "$T/d.html"
M digest --to mark@c4c.test >"$T/d.txt"
check "Mark's digest is in English" grep -q '^Subject: Cities4Cities digest\|^Subject: mistok digest' "$T/d.txt"
M digest --to mark@c4c.test --send >/dev/null
check "digest --send queues a digest-now mail" bash -c \
    "'$MISTOK' -c '$T/m.conf' outbox --json | grep -q 'digest-now:mark@c4c.test'"
check "remind without --run-once is a usage error" bash -c \
    "'$MISTOK' -c '$T/m.conf' remind >/dev/null 2>&1; test \$? -eq 64"

echo "1..$n"
[ "$failed" -eq 0 ]
