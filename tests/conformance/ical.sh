#!/bin/bash
# iCalendar conformance: runs mistok's reader (invite_parse, through
# $BUILD/tests/invitetool parse) over every .ics file and every calendar
# part (text/calendar, application/ics) of every message in $CORPORA/ical:
#   - each object is read without a crash: exit 0 with a result, or 65
#     with a one-line error (several VCALENDARs in one file, as in libical's
#     RFC 2445/2446 example files, are split and read one by one);
#   - where python3-icalendar reads the same object and it is an iTIP
#     message with a VEVENT, METHOD, UID, SEQUENCE, the attendees'
#     addresses and PARTSTAT and a UTC DTSTART must agree;
#   - known contents: the RFC 2446 REPLY (B accepts), COUNTER (new time,
#     folded COMMENT), DECLINECOUNTER (escaped COMMENT), delegation REPLY;
#     Nextcloud's four REQUEST samples; Thunderbird's Outlook invitation in
#     "FLE Standard Time" at the instant the tzdata gives for Helsinki.
# What is not compared is reported "ok … # SKIP reason". Prints TAP.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
CORPORA=${CORPORA:-$TOP/../shared/corpora}
T="$BUILD/tests/invitetool"
PY=/usr/bin/python3

if [ ! -x "$T" ]; then
	echo "not ok 1 - $T not built (make tests)"
	exit 1
fi
if [ ! -d "$CORPORA/ical" ]; then
	echo "ok 1 - # SKIP $CORPORA/ical not found"
	exit 0
fi

exec timeout -k 5 600 "$PY" - "$T" "$CORPORA/ical" <<'PYEOF'
import datetime, email, email.policy, json, os, re, subprocess, sys
import zoneinfo
try:
    import icalendar
except ImportError:
    icalendar = None

T, ROOT = sys.argv[1], sys.argv[2]
n = 0
failed = 0

def tap(ok, desc, skip=None):
    global n, failed
    n += 1
    desc = desc.replace("\n", "\\n")
    if skip:
        print("ok %d - %s # SKIP %s" % (n, desc, skip))
    elif ok:
        print("ok %d - %s" % (n, desc))
    else:
        failed += 1
        print("not ok %d - %s" % (n, desc))
    sys.stdout.flush()

def parse(data):
    r = subprocess.run([T, "parse"], input=data, capture_output=True,
                       timeout=30)
    if r.returncode == 0:
        return ("ok", json.loads(r.stdout.decode("utf-8")))
    if r.returncode == 65 and r.stderr.count(b"\n") == 1:
        return ("error", r.stderr.decode("utf-8", "replace").strip())
    return ("crash", "exit %d: %s" % (r.returncode,
            r.stderr.decode("utf-8", "replace")[:200]))

def split_vcalendars(data):
    """Each BEGIN:VCALENDAR .. END:VCALENDAR, or the whole when none."""
    parts = re.findall(rb"BEGIN:VCALENDAR.*?END:VCALENDAR\r?\n?", data,
                       re.S | re.I)
    return parts if len(parts) > 1 else [data]

def objects():
    """(name, bytes) for every calendar object in the corpora."""
    for dirpath, dirs, files in sorted(os.walk(ROOT)):
        dirs.sort()
        for f in sorted(files):
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, ROOT)
            data = open(path, "rb").read()
            if f.endswith(".ics"):
                parts = split_vcalendars(data)
                for i, p in enumerate(parts):
                    yield ("%s#%d" % (rel, i + 1) if len(parts) > 1
                           else rel, p)
            elif f.endswith((".eml", ".txt")) and f != "recur.txt":
                msg = email.message_from_bytes(data,
                                               policy=email.policy.compat32)
                k = 0
                for part in msg.walk():
                    if part.get_content_type() in ("text/calendar",
                                                   "application/ics"):
                        body = part.get_payload(decode=True)
                        if body:
                            k += 1
                            yield ("%s part %d" % (rel, k), body)

def ref_view(data):
    """python3-icalendar's reading, in invitetool's terms, or a reason."""
    if icalendar is None:
        return None, "python3-icalendar not installed"
    try:
        cal = icalendar.Calendar.from_ical(data)
        return ref_view2(cal)
    except Exception as e:
        return None, "python3-icalendar refuses it (%s)" % ascii(str(e)[:60])

def ref_view2(cal):
    if cal.name != "VCALENDAR" or "METHOD" not in cal:
        return None, "no METHOD: not an iTIP message"
    evs = [e for e in cal.walk("VEVENT")]
    if not evs:
        return None, "no VEVENT"
    ev = next((e for e in evs if "RECURRENCE-ID" not in e), evs[0])
    atts = ev.get("ATTENDEE", [])
    atts = atts if isinstance(atts, list) else [atts]
    view = {
        "method": str(cal["METHOD"]).strip().upper(),
        "uid": str(ev.get("UID", "")).strip(),
        "sequence": int(ev.get("SEQUENCE", 0)),
        "attendees": [(re.sub(r"(?i)^\s*mailto:", "", str(a)).strip()
                       .lower(),
                       str(a.params.get("PARTSTAT", "NEEDS-ACTION"))
                       .upper()) for a in atts],
        "start": None,
    }
    if "DTSTART" in ev and ev["DTSTART"] is not None:
        dt = ev["DTSTART"].dt
        if isinstance(dt, datetime.datetime) and dt.tzinfo is not None \
           and dt.utcoffset() == datetime.timedelta(0):
            view["start"] = int(dt.timestamp())
    return view, None

# Objects where mistok refuses on purpose what python3-icalendar reads.
DIVERGE = {
    "libical/test-data/crash.ics#2":
        "mistok refuses NUL bytes (a C string cannot hold them)",
}

results = {}
for name, data in objects():
    kind, res = parse(data)
    tap(kind != "crash", "%s: read without a crash (%s)" %
        (name, res.get("method") if kind == "ok" else res)
        if kind != "crash" else "%s: %s" % (name, res))
    results[name] = (kind, res)
    if kind == "crash":
        continue
    ref, why = ref_view(data)
    if ref is None:
        tap(True, "%s: compared with python3-icalendar" % name, skip=why)
        continue
    if name in DIVERGE and kind != "ok":
        tap(True, "%s: compared with python3-icalendar (%s)" % (name, res),
            skip=DIVERGE[name])
        continue
    if kind != "ok":
        tap(False, "%s: python3-icalendar reads it, mistok says: %s" %
            (name, res))
        continue
    mine = {
        "method": res["method"], "uid": res["uid"],
        "sequence": res["sequence"],
        "attendees": [(a["email"], a["partstat"])
                      for a in res["attendees"]],
        "start": res["start"] if ref["start"] is not None else None,
    }
    tap(mine == ref, "%s: same METHOD, UID, SEQUENCE, attendees, UTC start "
        "as python3-icalendar%s" % (name, "" if mine == ref else
                                    " (mistok %r, python %r)" % (mine, ref)))

def known(name, check, desc):
    kind, res = results.get(name, ("missing", None))
    if kind != "ok":
        tap(False, "%s: %s (%s)" % (name, desc, res))
        return
    try:
        ok = check(res)
    except Exception as e:
        ok = False
        desc += " (%s)" % e
    tap(ok, "%s: %s" % (name, desc))

def find(prefix, method, pred=lambda r: True):
    for name, (kind, res) in results.items():
        if name.startswith(prefix) and kind == "ok" and \
           res["method"] == method and pred(res):
            return name
    return "%s (no %s found)" % (prefix, method)

def utc(*a):
    return int(datetime.datetime(*a, tzinfo=datetime.timezone.utc)
               .timestamp())

if os.path.exists(os.path.join(ROOT, "libical/test-data/2446.ics")):
    R = "libical/test-data/2446.ics"
    known(find(R, "REPLY", lambda r: any(a["partstat"] == "ACCEPTED" and
                                         a["email"] == "b@example.com"
                                         for a in r["attendees"])),
          lambda r: r["attendees"] == [{"email": "b@example.com",
                                        "name": None,
                                        "partstat": "ACCEPTED"}],
          "RFC 2446 REPLY: Mailto:B@example.com ACCEPTED")
    known(find(R, "COUNTER"),
          lambda r: r["start"] == utc(1997, 7, 1, 16) and
          r["end"] == utc(1997, 7, 1, 19) and
          r["comment"] == "This time works much better and I think the "
                          "big conference room is too big",
          "RFC 2446 COUNTER: proposed 16:00-19:00Z, folded COMMENT")
    known(find(R, "DECLINECOUNTER"),
          lambda r: r["comment"] == "Sorry, I cannot change this meeting "
                                    "time",
          "RFC 2446 DECLINECOUNTER: escaped COMMENT")
    known(find(R, "REPLY", lambda r: any(a["partstat"] == "DELEGATED"
                                         for a in r["attendees"])),
          lambda r: r["attendees"][0]["partstat"] == "DELEGATED",
          "RFC 2446 delegation REPLY: PARTSTAT=DELEGATED")
else:
    tap(True, "RFC 2446 examples", skip="libical/test-data/2446.ics absent")

for f in ("request_google.txt", "request_outlook_com.txt",
          "request_proton_bridge.txt", "request_application_ics.txt"):
    name = "nextcloud-mail-imip/%s part 1" % f
    if name.split(" ")[0] and os.path.exists(os.path.join(
            ROOT, "nextcloud-mail-imip", f)):
        known(name, lambda r: r["method"] == "REQUEST" and r["uid"] and
              len(r["attendees"]) >= 1 and r["start"] is not None,
              "Nextcloud sample: REQUEST with UID, attendees, start")
    else:
        tap(True, "nextcloud %s" % f, skip="not in the corpora")

name = "thunderbird-invitations/outlook-test-invite.eml part 1"
if name in results:
    hel = int(datetime.datetime(2021, 11, 27, 9, 0, tzinfo=zoneinfo
              .ZoneInfo("Europe/Helsinki")).timestamp())
    known(name, lambda r: r["method"] == "REQUEST" and r["start"] == hel
          and r["end"] == hel + 1800 and r["tzid"] == "FLE Standard Time"
          and r["flags"] & 4 and
          {"email": "homer@example.org", "name": "Homer",
           "partstat": "NEEDS-ACTION"} in r["attendees"] and
          r["organizer"] == "marge@example.org",
          "Outlook REQUEST in FLE Standard Time at 09:00 Helsinki, Homer "
          "NEEDS-ACTION")
else:
    tap(True, "thunderbird outlook-test-invite.eml",
        skip="not in the corpora")

print("1..%d" % n)
sys.exit(1 if failed else 0)
PYEOF
