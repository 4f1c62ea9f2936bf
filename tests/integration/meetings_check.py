#!/usr/bin/python3
# Helper of tests/integration/meetings.sh (not a test by itself).
#
#   meetings_check.py invite USER METHOD UID SEQ START END ATTENDEES
#       Reads USER's INBOX over IMAPS and finds the one mail whose calendar
#       has that UID, SEQUENCE and METHOD; checks the MIME structure
#       (multipart/mixed -> multipart/alternative [text/plain, text/html,
#       text/calendar; method=METHOD] + application/ics; method=METHOD),
#       and reads both calendar parts with python3-icalendar: same UTC
#       instants, UID, SEQUENCE, STATUS, ORGANIZER the team, every
#       ATTENDEE (comma-separated list) with RSVP=TRUE.
#   meetings_check.py reply FROM PASSWORDFILE UID SEQ START END PARTSTAT
#       Sends FROM's REPLY in the shape Gmail sends it to team@c4c.test
#       through the submission port (STARTTLS, AUTH as FROM); the mail is
#       the demo's (contrib/demo/imip_reply.py).
#   meetings_check.py has-mid USER MESSAGE-ID
#       Prints how many of USER's INBOX mails have that Message-ID.
#   meetings_check.py feed FILE UID STATUS SEQ
#       Reads the feed with python3-icalendar: METHOD:PUBLISH and the
#       VEVENT of UID with STATUS and SEQUENCE.
# Environment: RIG_CA_FILE, RIG_IMAPS_PORT, RIG_SUBMISSION_PORT,
# RIG_PASSWORD_DIR. Prints "PASS text" / "FAIL text" lines; exits 0.
import datetime
import email
import email.policy
import imaplib
import os
import smtplib
import ssl
import sys

import icalendar

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "contrib", "demo"))
from imip_reply import TEAM, gmail_reply  # noqa: E402


def say(ok, text):
    print(("PASS " if ok else "FAIL ") + text)
    sys.stdout.flush()


def ctx():
    return ssl.create_default_context(cafile=os.environ["RIG_CA_FILE"])


def password(user):
    with open(os.path.join(os.environ["RIG_PASSWORD_DIR"], user)) as f:
        return f.read()


def inbox(user):
    m = imaplib.IMAP4_SSL("localhost", int(os.environ["RIG_IMAPS_PORT"]),
                          ssl_context=ctx())
    m.login(user, password(user))
    m.select("INBOX", readonly=True)
    typ, data = m.search(None, "ALL")
    out = []
    for num in data[0].split():
        typ, d = m.fetch(num, "(BODY.PEEK[])")
        out.append(email.message_from_bytes(d[0][1],
                                            policy=email.policy.default))
    m.logout()
    return out


def utc(v):
    dt = v.dt
    if not isinstance(dt, datetime.datetime) or dt.tzinfo is None:
        return None
    return int(dt.timestamp())


def vevent(cal):
    ev = [c for c in cal.walk("VEVENT")]
    return ev[0] if len(ev) == 1 else None


def cal_of(msg):
    """(the text/calendar part, the application/ics part) or Nones."""
    tc = ai = None
    for p in msg.walk():
        t = p.get_content_type()
        if t == "text/calendar" and tc is None:
            tc = p
        elif t == "application/ics" and ai is None:
            ai = p
    return tc, ai


def invite(user, method, uid, seq, start, end, attendees):
    seq, start, end = int(seq), int(start), int(end)
    want_att = sorted(a.lower() for a in attendees.split(","))
    what = "%s %s SEQ %d to %s" % (method, uid, seq, user)
    found = []
    for msg in inbox(user):
        tc, ai = cal_of(msg)
        if tc is None:
            continue
        try:
            cal = icalendar.Calendar.from_ical(tc.get_content())
        except Exception:
            continue
        ev = vevent(cal)
        if (ev is not None and str(ev.get("UID")) == uid and
                int(ev.get("SEQUENCE", 0)) == seq and
                str(cal.get("METHOD")) == method):
            found.append(msg)
    say(len(found) == 1, what + ": exactly one such mail (%d)" % len(found))
    if len(found) != 1:
        return
    msg = found[0]
    # The CalConnect structure.
    top = msg.get_content_type()
    kids = list(msg.iter_parts()) if msg.is_multipart() else []
    shape = [k.get_content_type() for k in kids]
    alt = [k.get_content_type() for k in kids[0].iter_parts()] \
        if kids and kids[0].is_multipart() else []
    say(top == "multipart/mixed" and shape ==
        ["multipart/alternative", "application/ics"] and
        alt == ["text/plain", "text/html", "text/calendar"],
        what + ": MIME %s -> %s, alternative %s" % (top, shape, alt))
    tc, ai = cal_of(msg)
    say(tc.get_param("method") == method and
        (tc.get_param("charset") or "").lower() == "utf-8",
        what + ": text/calendar method=%s charset=%s" %
        (tc.get_param("method"), tc.get_param("charset")))
    say(ai is not None and ai.get_param("method") == method,
        what + ": application/ics method=%s" %
        (ai.get_param("method") if ai is not None else None))
    for name, part in (("text/calendar", tc), ("application/ics", ai)):
        if part is None:
            continue
        raw = part.get_payload(decode=True)
        try:
            cal = icalendar.Calendar.from_ical(raw)
        except Exception as e:
            say(False, what + ": %s parses (%s)" % (name, e))
            continue
        ev = vevent(cal)
        if ev is None:
            say(False, what + ": %s has one VEVENT" % name)
            continue
        say(str(cal.get("METHOD")) == method and
            str(ev.get("UID")) == uid and int(ev.get("SEQUENCE")) == seq,
            what + ": %s METHOD, UID, SEQUENCE" % name)
        s, e = utc(ev.get("DTSTART")), utc(ev.get("DTEND"))
        say(s == start and e == end and
            ev.get("DTSTART").to_ical().endswith(b"Z"),
            what + ": %s DTSTART/DTEND are the UTC instants "
            "(%s..%s, want %d..%d)" % (name, s, e, start, end))
        st = str(ev.get("STATUS"))
        want_st = "CANCELLED" if method == "CANCEL" else "CONFIRMED"
        say(st == want_st, what + ": %s STATUS %s" % (name, st))
        org = str(ev.get("ORGANIZER")).lower()
        say(org == "mailto:" + TEAM, what + ": %s ORGANIZER %s" %
            (name, org))
        att = ev.get("ATTENDEE")
        att = att if isinstance(att, list) else [att] if att else []
        got = sorted(str(a).lower().replace("mailto:", "") for a in att)
        rsvp = all(str(a.params.get("RSVP", "")).upper() == "TRUE"
                   for a in att)
        say(got == want_att and rsvp, what + ": %s ATTENDEEs %s, "
            "RSVP=TRUE on each: %s" % (name, got, rsvp))
        ts = ev.get("DTSTAMP")
        say(ts is not None and utc(ts) is not None,
            what + ": %s DTSTAMP in UTC" % name)


def reply(frm, pwfile, uid, seq, start, end, partstat):
    """A REPLY as Gmail sends one (START and END: seconds since the epoch)."""
    msg = gmail_reply(
        frm, uid, seq,
        datetime.datetime.fromtimestamp(int(start), datetime.timezone.utc),
        datetime.datetime.fromtimestamp(int(end), datetime.timezone.utc),
        partstat)
    with open(pwfile) as f:
        pw = f.read()
    with smtplib.SMTP("localhost", int(os.environ["RIG_SUBMISSION_PORT"]),
                      timeout=30) as c:
        c.starttls(context=ctx())
        c.login(frm, pw)
        c.sendmail(frm, [TEAM], msg.as_bytes())
    say(True, "%s REPLY %s submitted as %s" % (partstat, uid, frm))


def has_mid(user, mid):
    mid = mid.strip("<>")
    n = sum(1 for m in inbox(user)
            if (m.get("Message-ID") or "").strip().strip("<>") == mid)
    print(n)


def feed(path, uid, status, seq):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        cal = icalendar.Calendar.from_ical(raw)
    except Exception as e:
        say(False, "feed %s parses (%s)" % (path, e))
        return
    say(str(cal.get("METHOD")) == "PUBLISH", "feed METHOD:PUBLISH")
    evs = [e for e in cal.walk("VEVENT") if str(e.get("UID")) == uid]
    say(len(evs) == 1, "feed has one VEVENT for %s (%d)" % (uid, len(evs)))
    if evs:
        ev = evs[0]
        say(str(ev.get("STATUS")) == status and
            int(ev.get("SEQUENCE", -1)) == int(seq),
            "feed VEVENT STATUS %s SEQUENCE %s (want %s %s)" %
            (ev.get("STATUS"), ev.get("SEQUENCE"), status, seq))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "invite":
        invite(*args)
    elif cmd == "reply":
        reply(*args)
    elif cmd == "has-mid":
        has_mid(*args)
    elif cmd == "feed":
        feed(*args)
    else:
        sys.exit("usage")
