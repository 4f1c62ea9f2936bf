#!/bin/bash
# mistok report from the command line (TAP). The demo directory is
# imported, then a third quarter of mail, meetings, stage changes and steps
# is written straight into the store from an event list; the figures a
# small Python model computes from that list must equal the report's. Each
# format is produced: the CSV parses (python3 csv) and agrees with the
# JSON, the JSON agrees with the text, the HTML is well-formed (html.parser,
# each SVG through xml.etree), has no script and nothing remote, and renders
# in headless Chromium: the screenshot is kept as
# $BUILD/test-artifacts/report.png and must be a real image. Without
# Chromium the test fails and says so. Usage errors exit 64, a period that
# ends before it begins 65. No mail server is needed.
set -u
. "$(dirname "$0")/lib.sh"
DEMO=$TOP/contrib/demo
ART=$BUILD/test-artifacts

T=$(mktemp -d /tmp/mistok-report-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$ART"

printf 'unused\n' >"$T/password"
chmod 600 "$T/password"
cat >"$T/a.conf" <<EOF
[mailbox]
host = 127.0.0.1
port = 9
user = team@c4c.test
password_file = $T/password

[team]
address = team@c4c.test
domain = c4c.test
coordinators = olena@c4c.test, mark@c4c.test
language = uk
timezone = Europe/Kyiv

[store]
path = $T/a.db
EOF
A() { "$MISTOK" -c "$T/a.conf" "$@"; }
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }

for k in orgs contacts partnerships; do
	run A import "$k" "$DEMO/$k.csv"
	check "import demo $k" [ "$rc" -eq 0 ]
done

# ---- the quarter: events into the store, expected figures out --------
cat >"$T/quarter.py" <<'EOF'
import calendar, json, sqlite3, sys, time

db, out = sys.argv[1], sys.argv[2]
def t(s):  # "2026-07-03 10:00" UTC
    return calendar.timegm(time.strptime(s, "%Y-%m-%d %H:%M"))

# Q3 2026 in Kyiv (EEST, +3): [2026-06-30 21:00Z, 2026-09-30 21:00Z)
S, E = t("2026-06-30 21:00"), t("2026-09-30 21:00")
inp = lambda x: S <= x < E

# (thread, partnership, date, direction, kind, from)
mail = [
    (1, "lviv-madison", "2026-06-30 20:59", "out", "correspondence", "mark@c4c.test"),
    (1, "lviv-madison", "2026-07-02 09:00", "in", "correspondence", "mayor@lviv.test"),
    (1, "lviv-madison", "2026-07-02 15:00", "out", "correspondence", "mark@c4c.test"),
    (1, "lviv-madison", "2026-07-03 15:00", "in", "correspondence", "clerk@madison.test"),
    (2, "kharkiv-tempe", "2026-08-05 08:00", "out", "correspondence", "olena@c4c.test"),
    (2, "kharkiv-tempe", "2026-08-05 09:00", "in", "autoreply", "office@kharkiv.test"),
    (2, "kharkiv-tempe", "2026-08-06 08:00", "in", "correspondence", "office@kharkiv.test"),
    (3, "irpin-madison", "2026-09-12 10:00", "out", "correspondence", "olena@c4c.test"),
    (3, "irpin-madison", "2026-09-12 11:00", "in", "bounce", "mailer-daemon@irpin.test"),
    (4, "krylia-honolulu", "2026-09-30 20:59", "in", "correspondence", "team@krylia.test"),
    (4, "krylia-honolulu", "2026-09-30 21:00", "out", "correspondence", "mark@c4c.test"),
    (5, "kharkiv-madison", "2026-08-10 10:00", "in", "list", "news@kharkiv.test"),
]
# (partnership, start, minutes, status, created)
meetings = [
    ("lviv-madison", "2026-07-15 14:00", 60, "held", "2026-07-01 10:00"),
    ("kharkiv-tempe", "2026-08-20 15:00", 45, "scheduled", "2026-08-06 10:00"),
    ("kharkiv-tempe", "2026-09-03 15:00", 60, "cancelled", "2026-08-20 10:00"),
    ("irpin-madison", "2026-09-30 20:00", 60, "scheduled", "2026-09-15 10:00"),
    ("irpin-madison", "2026-10-20 15:00", 60, "scheduled", "2026-09-20 10:00"),
]
# (partnership, stage, at)
stages = [
    ("lviv-madison", "contacted", "2026-06-20 10:00"),
    ("lviv-madison", "introduced", "2026-07-05 10:00"),
    ("lviv-madison", "meeting_held", "2026-07-16 10:00"),
    ("lviv-madison", "planning", "2026-09-01 10:00"),
    ("kharkiv-tempe", "prospect", "2026-08-01 10:00"),
    ("kharkiv-tempe", "contacted", "2026-08-05 10:00"),
]
# (partnership, due, status, created, done_at)
steps = [
    ("lviv-madison", "2026-10-15 00:00", "open", "2026-09-01 12:00", None),
    ("kharkiv-tempe", None, "open", "2026-08-06 12:00", None),
    ("krylia-honolulu", "2026-07-30 00:00", "done", "2026-06-01 00:00", "2026-06-10 00:00"),
]

c = sqlite3.connect(db)
pid = dict(c.execute("SELECT slug, id FROM partnerships"))
# the import's own stage rows are dated now (after the quarter): keep them
c.executemany("INSERT INTO threads (id) VALUES (?)",
              [(i,) for i in sorted({m[0] for m in mail})])
for i, (th, p, d, di, k, f) in enumerate(mail):
    c.execute("INSERT INTO messages (content_hash, date, from_email, thread,"
              " partnership, direction, kind) VALUES (?,?,?,?,?,?,?)",
              ("q%d" % i, t(d), f, th, pid[p], di, k))
for i, (p, st, mins, status, cr) in enumerate(meetings):
    c.execute("INSERT INTO meetings (uid, partnership, start_utc, duration,"
              " status, created) VALUES (?,?,?,?,?,?)",
              ("q%d@test" % i, pid[p], t(st), mins * 60, status, t(cr)))
for p, st, at in stages:
    c.execute("INSERT INTO stage_history (partnership, stage, at, actor)"
              " VALUES (?,?,?,'test')", (pid[p], st, t(at)))
for p, due, status, cr, done in steps:
    c.execute("INSERT INTO steps (partnership, text, due, status, created,"
              " done_at) VALUES (?,?,?,?,?,?)", (pid[p], "step",
              due and t(due), status, t(cr), done and t(done)))
c.commit()

# ---- the figures, from the lists above ----
contact = lambda m: m[4] in ("correspondence", "imip")
held = [g for g in meetings if g[3] in ("held", "scheduled")
        and inp(t(g[1]) + g[2] * 60)]
acc = set(m[1] for m in mail if contact(m) and inp(t(m[2])))
acc |= set(g[0] for g in held)
acc |= set(g[0] for g in meetings if g[3] != "cancelled" and inp(t(g[4])))
acc |= set(s[0] for s in stages if inp(t(s[2])))
acc |= set(s[0] for s in steps if inp(t(s[3])) or (s[4] and inp(t(s[4]))))
ua = dict(c.execute("SELECT p.slug, o.name FROM partnerships p JOIN orgs o"
                    " ON o.id = p.ua_org"))
started = dict(c.execute("SELECT slug, started FROM partnerships"))
comm = set()
for p in pid:
    dirs = {m[3] for m in mail if m[1] == p and contact(m) and inp(t(m[2]))}
    if dirs == {"in", "out"} or any(g[0] == p for g in held):
        comm.add(ua[p])
prev, trans = {}, 0
for p, st, at in stages:
    if inp(t(at)) and prev.get(p) != st:
        trans += 1
    prev[p] = st
json.dump({
    "partnerships_accompanied": len(acc),
    "accompanied": sorted(acc),
    "partnerships_initiated": sum(1 for p, s in started.items()
        if s is not None and t("2026-07-01 00:00") <= s < t("2026-10-01 00:00")),
    "meetings_held": len(held),
    "communities": sorted(comm),
    "transitions": trans,
}, open(out, "w"))
EOF
check "the quarter's events go into the store" \
    $PY "$T/quarter.py" "$T/a.db" "$T/expected.json"

# ---- each format ------------------------------------------------------
Q="--from 2026-07-01 --to 30.09.2026"
run A report $Q --format json
check "json: exit 0" [ "$rc" -eq 0 ]
cp "$T/out" "$T/r.json"
run A report $Q --lang en
check "text: exit 0, English labels" [ "$rc" -eq 0 ] && \
    grep -q '^  Partnerships accompanied: ' "$T/out"
cp "$T/out" "$T/r.txt"
run A report $Q
check "text: the team's language (uk) by default" \
    grep -q 'Звіт для донорів' "$T/out"
run A report $Q --format csv -o "$T/r.csv"
check "csv: written with -o, nothing on stdout" \
    [ "$rc" -eq 0 -a -s "$T/r.csv" -a ! -s "$T/out" ]
run A report $Q --format html --lang en -o "$T/report.html"
check "html: written with -o" [ "$rc" -eq 0 -a -s "$T/report.html" ]
cp "$T/report.html" "$ART/report.html"

cat >"$T/compare.py" <<'EOF'
import csv, json, re, sys
T = sys.argv[1]
r = json.load(open(T + "/r.json"))
x = json.load(open(T + "/expected.json"))
bad = []
def same(what, a, b):
    if a != b:
        bad.append("%s: report %r, expected %r" % (what, a, b))
# the model's figures
for k in ("partnerships_accompanied", "accompanied", "partnerships_initiated",
          "meetings_held"):
    same(k, r[k], x[k])
same("communities", sorted(r["communities"]), x["communities"])
same("communities_supported", r["communities_supported"], len(x["communities"]))
same("transitions", sum(t["count"] for t in r["stage_transitions"]),
     x["transitions"])
# CSV parses and agrees with JSON
rows = list(csv.reader(open(T + "/r.csv", newline="")))
same("csv header", rows[0], ["figure", "detail", "value"])
v = {(a, b): c for a, b, c in rows[1:]}
for k in ("partnerships_accompanied", "partnerships_initiated",
          "meetings_held", "meetings_prepared", "communities_supported",
          "first_contact_to_planning"):
    same("csv " + k, int(v[(k, "")]), r[k])
same("csv next_step", int(v[("next_step", "with")]), r["next_step"]["with"])
for side in ("ua", "us"):
    m = r["response_time"]["partner"][side]["median_seconds"]
    same("csv partner " + side, int(v[("partner_response_seconds", side)]),
         -1 if m is None else m)
for f in r["stage_funnel"]:
    same("csv funnel " + f["stage"], int(v[("stage_reached", f["stage"])]),
         f["reached"])
# text agrees with JSON
txt = open(T + "/r.txt").read()
def num(label):
    m = re.search(r"^  %s: (\d+)" % re.escape(label), txt, re.M)
    return m and int(m.group(1))
same("text accompanied", num("Partnerships accompanied"),
     r["partnerships_accompanied"])
same("text held", num("Online meetings held"), r["meetings_held"])
same("text prepared", num("Online meetings prepared"), r["meetings_prepared"])
same("text communities", num("Ukrainian communities supported"),
     r["communities_supported"])
same("text first to planning",
     num("Moved from first contact to planning or beyond"),
     r["first_contact_to_planning"])
same("text US contacts", num("New US contacts"), r["new_us_contacts"]["total"])
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
EOF
check "figures equal the model's; CSV and text agree with JSON" \
    $PY "$T/compare.py" "$T"
check "the quarter is not trivial (accompanied, held, communities > 0)" \
    $PY -c "import json,sys; r=json.load(open('$T/r.json')); \
sys.exit(0 if r['partnerships_accompanied'] and r['meetings_held'] and \
r['communities_supported'] and r['stage_transitions'] else 1)"

cat >"$T/check_html.py" <<'EOF'
import re, sys, xml.etree.ElementTree as ET
from html.parser import HTMLParser
text = open(sys.argv[1], encoding="utf-8").read()
VOID = {"meta", "br", "img", "hr", "link", "input", "col"}
SVG_EMPTY = {"line", "rect"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.tags = [], [], set()
    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.tags.add(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unexpected </%s> (open: %s)" %
                               (tag, self.stack[-3:]))
        else:
            self.stack.pop()
p = P()
p.feed(text)
p.close()
errs = p.errors + (["unclosed: %s" % p.stack] if p.stack else [])
for t in ("html", "head", "body", "table", "svg", "style"):
    if t not in p.tags:
        errs.append("no <%s>" % t)
if "script" in p.tags or re.search(r"(src|href)\s*=|url\(|@import", text):
    errs.append("a script or a remote resource")
if re.search(r"https?://(?!www\.w3\.org/2000/svg)", text):
    errs.append("a remote address")
if "@media print" not in text:
    errs.append("no print style")
svgs = re.findall(r"<svg.*?</svg>", text, re.S)
if len(svgs) != 2:
    errs.append("%d SVG charts, not 2" % len(svgs))
for s in svgs:
    try:
        ET.fromstring(s)
    except ET.ParseError as e:
        errs.append("SVG: %s" % e)
if not text.startswith("<!DOCTYPE html>"):
    errs.append("no doctype")
for e in errs:
    print("# " + e)
sys.exit(1 if errs else 0)
EOF
check "html: well-formed, 2 SVG charts parse as XML, print style, no script, nothing remote" \
    $PY "$T/check_html.py" "$T/report.html"

# ---- headless Chromium ------------------------------------------------
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	nok "html renders in headless Chromium: chromium is not installed (apt-get install chromium; contrib/install-deps.sh lists it)"
else
	rm -f "$ART/report.png"
	prof=$(mktemp -d "$T/chromium.XXXXXX")
	timeout -k 5 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$prof" --screenshot="$ART/report.png" \
	    --window-size=1200,1600 "file://$T/report.html" \
	    >"$T/chromium.log" 2>&1
	crc=$?
	check "html renders in headless Chromium (exit $crc)" \
	    [ "$crc" -eq 0 -a -s "$ART/report.png" ]
	[ "$crc" -eq 0 ] || sed 's/^/# /' "$T/chromium.log" | tail -5
	check "the screenshot is a 1200x1600 PNG with content" \
	    $PY - "$ART/report.png" <<'EOF'
import struct, sys, zlib
d = open(sys.argv[1], "rb").read()
ok = d[:8] == b"\x89PNG\r\n\x1a\n" and d[12:16] == b"IHDR"
w, h = struct.unpack(">II", d[16:24]) if ok else (0, 0)
# A blank page compresses to a few kB; text, tables and bars do not.
print("# %d bytes, %dx%d" % (len(d), w, h))
sys.exit(0 if ok and (w, h) == (1200, 1600) and len(d) > 30000 else 1)
EOF
fi

# ---- errors -------------------------------------------------------------
run A report --from 2026-07-01
check "no --to: usage, exit 64" [ "$rc" -eq 64 ] && grep -q usage "$T/err"
run A report --from 2026-07-01 --to 2026-13-01
check "a bad date: exit 64 with the reason" [ "$rc" -eq 64 -a -s "$T/err" ]
run A report --from 2026-09-30 --to 2026-07-01
check "to before from: exit 65" [ "$rc" -eq 65 ] && \
    grep -q 'ends before' "$T/err"
run A report $Q --format pdf
check "an unknown format: exit 64" [ "$rc" -eq 64 ]

echo "1..$n"
[ "$failed" -eq 0 ]
