#!/bin/bash
# Independent parser check: REQUEST and CANCEL written by mistok's invite
# module (through $BUILD/tests/invitetool) are read by python3-icalendar
# (Debian's package) and must give the same UTC instants, UID, SEQUENCE,
# METHOD, STATUS and attendees (address, CN, PARTSTAT, RSVP) as were put
# in, for meetings on both sides of the 2026 clock changes. Every line must
# be CRLF-terminated and at most 75 octets. Prints TAP; exits non-zero on
# any failure.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
T="$BUILD/tests/invitetool"
PY=/usr/bin/python3

if [ ! -x "$T" ]; then
	echo "not ok 1 - $T not built (make tests)"
	exit 1
fi
if ! "$PY" -c 'import icalendar' 2>/dev/null; then
	echo "not ok 1 - python3-icalendar missing (contrib/install-deps.sh)"
	exit 1
fi

exec timeout -k 5 300 "$PY" - "$T" <<'PYEOF'
import subprocess, sys, datetime, zoneinfo
import icalendar

T = sys.argv[1]
n = 0
failed = 0

def tap(ok, desc):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, desc))
    sys.stdout.flush()

UTC = datetime.timezone.utc
NOW = 1772712000  # 2026-03-05T12:00:00Z, DTSTAMP
ATT = [("olena@kyiv-city.example", "Олена Петренко, КМДА; відділ"),
       ("bob.smith@denvergov.example", "Bob Smith"),
       ("Ann@Phoenix.example", "Ann O'Neil")]

def epoch(zone, *a):
    return int(datetime.datetime(*a, tzinfo=zoneinfo.ZoneInfo(zone))
               .timestamp())

# Meetings chosen around the 2026 clock changes (US 8 Mar / 1 Nov,
# Ukraine 29 Mar / 25 Oct); instants from the system tzdata.
CASES = [
    ("m-1@c4c.test", 0, epoch("Europe/Kyiv", 2026, 3, 10, 17, 0), 3600),
    ("m-2@c4c.test", 2, epoch("America/Denver", 2026, 3, 31, 9, 30), 2700),
    ("m-3@c4c.test", 5, epoch("America/Phoenix", 2026, 10, 28, 8, 0), 5400),
]

for uid, seq, start, dur in CASES:
    for method in ("request", "cancel"):
        args = [T, "build", method, "--uid", uid, "--seq", str(seq),
                "--start", str(start), "--end", str(start + dur),
                "--summary", "Київ – Денвер, зустріч; \"план\" \\ 2026",
                "--description", "Рядок 1\nline 2, with; all",
                "--link", "https://meet.example/abc?x=1,2",
                "--org-name", "Team C4C", "--org-email", "team@c4c.test",
                "--now", str(NOW)]
        for email, name in ATT:
            args += ["--attendee", "%s|%s" % (email, name)]
        r = subprocess.run(args, capture_output=True, timeout=20)
        what = "%s %s" % (method.upper(), uid)
        if r.returncode != 0:
            tap(False, what + ": invitetool failed: " +
                r.stderr.decode(errors="replace"))
            continue
        raw = r.stdout
        lines = raw.split(b"\r\n")
        tap(raw.endswith(b"\r\n") and b"\n" not in b"".join(lines) and
            all(len(l) <= 75 for l in lines),
            what + ": CRLF lines of at most 75 octets")
        try:
            cal = icalendar.Calendar.from_ical(raw)
        except Exception as e:
            tap(False, what + ": python3-icalendar refuses it: %s" % e)
            continue
        tap(str(cal.get("METHOD")) == method.upper() and
            str(cal.get("VERSION")) == "2.0" and cal.get("PRODID"),
            what + ": METHOD, VERSION, PRODID")
        evs = list(cal.walk("VEVENT"))
        tap(len(evs) == 1, what + ": one VEVENT")
        if len(evs) != 1:
            continue
        ev = evs[0]
        ds, de = ev["DTSTART"].dt, ev["DTEND"].dt
        tap(ds.tzinfo is not None and ds.utcoffset().total_seconds() == 0
            and int(ds.timestamp()) == start and
            int(de.timestamp()) == start + dur,
            what + ": the same UTC instants (%s)" % ds.isoformat())
        tap(int(ev["DTSTAMP"].dt.timestamp()) == NOW, what + ": DTSTAMP")
        tap(str(ev["UID"]) == uid and int(ev["SEQUENCE"]) == seq,
            what + ": UID and SEQUENCE")
        tap(str(ev["SUMMARY"]) == "Київ – Денвер, зустріч; \"план\" \\ 2026"
            and str(ev["DESCRIPTION"]) == "Рядок 1\nline 2, with; all",
            what + ": SUMMARY and DESCRIPTION unescaped as written")
        org = ev["ORGANIZER"]
        tap(str(org).lower() == "mailto:team@c4c.test" and
            org.params.get("CN") == "Team C4C", what + ": ORGANIZER")
        atts = ev.get("ATTENDEE")
        atts = atts if isinstance(atts, list) else [atts]
        got = [(str(a)[len("mailto:"):], a.params.get("CN"),
                a.params.get("PARTSTAT"), a.params.get("RSVP"),
                a.params.get("ROLE")) for a in atts]
        want = [(e, nm, "NEEDS-ACTION", "TRUE", "REQ-PARTICIPANT")
                for e, nm in ATT]
        tap(got == want, what + ": attendees %r" % (got,))
        status = str(ev.get("STATUS"))
        alarms = list(ev.walk("VALARM"))
        if method == "request":
            tap(status == "CONFIRMED" and len(alarms) == 1 and
                str(alarms[0]["ACTION"]) == "DISPLAY" and
                alarms[0]["TRIGGER"].dt == datetime.timedelta(minutes=-15),
                what + ": STATUS:CONFIRMED and a -15 min display alarm")
        else:
            tap(status == "CANCELLED" and not alarms,
                what + ": STATUS:CANCELLED, no alarm")
        tap(str(ev.get("URL")) == "https://meet.example/abc?x=1,2" and
            str(ev.get("LOCATION")) == "https://meet.example/abc?x=1,2",
            what + ": LOCATION and URL carry the link")

print("1..%d" % n)
sys.exit(1 if failed else 0)
PYEOF
