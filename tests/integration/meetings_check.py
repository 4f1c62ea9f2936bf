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
#       through the submission port (STARTTLS, AUTH as FROM).
#   meetings_check.py has-mid USER MESSAGE-ID
#       Prints how many of USER's INBOX mails have that Message-ID.
#   meetings_check.py feed FILE UID STATUS SEQ
#       Reads the feed with python3-icalendar: METHOD:PUBLISH and the
#       VEVENT of UID with STATUS and SEQUENCE.
# Environment: RIG_CA_FILE, RIG_IMAPS_PORT, RIG_SUBMISSION_PORT,
# RIG_PASSWORD_DIR. Prints "PASS text" / "FAIL text" lines; exits 0.
import datetime
import email
import email.encoders
import email.policy
import imaplib
import os
import smtplib
import ssl
import sys
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid

import icalendar

TEAM = "team@c4c.test"


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
    """A REPLY as Gmail sends one: multipart/mixed with an alternative
    of text/plain, text/html and text/calendar; method=REPLY, and the
    same calendar as an application/ics invite.ics attachment."""
    fmt = "%Y%m%dT%H%M%SZ"
    s = datetime.datetime.fromtimestamp(int(start), datetime.timezone.utc)
    e = datetime.datetime.fromtimestamp(int(end), datetime.timezone.utc)
    now = datetime.datetime.now(datetime.timezone.utc)
    word = {"ACCEPTED": "Accepted", "DECLINED": "Declined"}[partstat]
    # Gmail writes the attendee's address in mixed case at times.
    addr = frm[0].upper() + frm[1:]
    ics = "\r\n".join([
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:REPLY",
        "BEGIN:VEVENT",
        "DTSTART:" + s.strftime(fmt),
        "DTEND:" + e.strftime(fmt),
        "DTSTAMP:" + now.strftime(fmt),
        "ORGANIZER;CN=Cities4Cities:mailto:" + TEAM,
        "UID:" + uid,
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=" +
        partstat + ";X-NUM-GUESTS=0:mailto:" + addr,
        "CREATED:" + now.strftime(fmt),
        "LAST-MODIFIED:" + now.strftime(fmt),
        "SEQUENCE:" + str(seq),
        "STATUS:CONFIRMED",
        "SUMMARY:Meeting",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR", ""])
    msg = MIMEMultipart("mixed")
    alt = MIMEMultipart("alternative")
    alt.attach(MIMEText("%s has %s this invitation." %
                        (frm, word.lower()), "plain", "utf-8"))
    alt.attach(MIMEText("<p>%s has %s this invitation.</p>" %
                        (frm, word.lower()), "html", "utf-8"))
    tc = MIMEBase("text", "calendar", method="REPLY", charset="UTF-8")
    tc.set_payload(ics.encode("utf-8"))
    email.encoders.encode_7or8bit(tc)
    alt.attach(tc)
    msg.attach(alt)
    at = MIMEBase("application", "ics", name="invite.ics")
    at.add_header("Content-Disposition", "attachment",
                  filename="invite.ics")
    at.set_payload(ics.encode("utf-8"))
    email.encoders.encode_base64(at)
    msg.attach(at)
    msg["From"] = frm
    msg["To"] = TEAM
    msg["Subject"] = "%s: Meeting @ %s (UTC)" % (word, s.strftime(
        "%a %b %d, %Y %H:%M"))
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=frm.split("@")[1])
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
