# contrib/demo/imip_reply.py - an attendee's iMIP REPLY in the shape Gmail
# sends it. Shared by contrib/demo/imip.py (the demo's partners) and
# tests/integration/meetings_check.py (meetings.sh), which import it from
# this directory.
import datetime
import email.encoders
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid

TEAM = "team@c4c.test"


def gmail_reply(frm, uid, seq, start, end, partstat, team=TEAM):
    """FROM's REPLY (PARTSTAT ACCEPTED or DECLINED) to the meeting UID at
    SEQUENCE seq, from start to end (aware datetimes), to team: as Gmail
    sends one, multipart/mixed with an alternative of text/plain,
    text/html and text/calendar; method=REPLY, and the same calendar as
    an application/ics invite.ics attachment. Returns the message."""
    fmt = "%Y%m%dT%H%M%SZ"
    s = start.astimezone(datetime.timezone.utc)
    e = end.astimezone(datetime.timezone.utc)
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
        "ORGANIZER;CN=Cities4Cities:mailto:" + team,
        "UID:" + uid,
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=" +
        partstat + ";X-NUM-GUESTS=0:mailto:" + addr,
        "CREATED:" + now.strftime(fmt),
        "LAST-MODIFIED:" + now.strftime(fmt),
        "SEQUENCE:" + str(int(seq)),
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
    msg["To"] = team
    msg["Subject"] = "%s: Meeting @ %s (UTC)" % (word, s.strftime(
        "%a %b %d, %Y %H:%M"))
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=frm.split("@")[1])
    return msg
