#!/usr/bin/python3
# contrib/demo/imip.py - the partners' side of the demo's meeting, on the
# rig: what a partner's mailbox holds, and a partner answering an
# invitation the way Gmail does.
#
#   imip.py invitation USER UID
#       Reads USER's INBOX over IMAPS (the rig's CA, USER's password) and
#       prints how many mails carry a METHOD:REQUEST calendar with UID,
#       and the subject of the newest one.
#   imip.py reply FROM UID SEQ START END PARTSTAT
#       Submits FROM's iMIP REPLY (ACCEPTED or DECLINED) to the team
#       mailbox through the rig's submission port (STARTTLS, the rig's CA,
#       AUTH as FROM). START and END are ISO 8601 UTC instants as
#       `mistok meeting show ID --json` prints them. The mail has Gmail's
#       shape: multipart/mixed -> multipart/alternative [text/plain,
#       text/html, text/calendar; method=REPLY] + invite.ics
#       (imip_reply.py, beside this script).
#   imip.py has-mid USER MESSAGE-ID
#       Prints how many of USER's INBOX mails have that Message-ID.
# Environment: RIG_CA_FILE, RIG_IMAPS_PORT, RIG_SUBMISSION_PORT,
# RIG_PASSWORD_DIR (from "rig.sh env"). Passwords are never printed.
import datetime
import email
import email.policy
import imaplib
import os
import smtplib
import ssl
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from imip_reply import TEAM, gmail_reply  # noqa: E402


def ctx():
    return ssl.create_default_context(cafile=os.environ["RIG_CA_FILE"])


def password(user):
    with open(os.path.join(os.environ["RIG_PASSWORD_DIR"], user)) as f:
        return f.read().strip()


def inbox(user):
    m = imaplib.IMAP4_SSL("localhost", int(os.environ["RIG_IMAPS_PORT"]),
                          ssl_context=ctx(), timeout=30)
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


def calendar_of(msg):
    for p in msg.walk():
        if p.get_content_type() == "text/calendar":
            return p
    return None


def unfolded(text):
    return text.replace("\r\n ", "").replace("\n ", "")


def invitation(user, uid):
    n, subject = 0, None
    for msg in inbox(user):
        part = calendar_of(msg)
        if part is None or part.get_param("method") != "REQUEST":
            continue
        lines = unfolded(part.get_content()).splitlines()
        if "UID:" + uid in lines and "METHOD:REQUEST" in lines:
            n += 1
            subject = str(msg.get("Subject", ""))
    print("%d\t%s" % (n, subject or "-"))


def utc(iso):
    return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00"))


def reply(frm, uid, seq, start, end, partstat):
    msg = gmail_reply(frm, uid, seq, utc(start), utc(end), partstat)
    port = int(os.environ["RIG_SUBMISSION_PORT"])
    with smtplib.SMTP("localhost", port, timeout=30) as c:
        c.starttls(context=ctx())
        c.login(frm, password(frm))
        c.sendmail(frm, [TEAM], msg.as_bytes())
    print("%-18s %s: REPLY submitted on port %d (STARTTLS), \"%s\"" %
          (frm, partstat, port, msg["Subject"]))


def has_mid(user, mid):
    mid = mid.strip("<>")
    print(sum(1 for m in inbox(user)
              if (m.get("Message-ID") or "").strip().strip("<>") == mid))


if __name__ == "__main__":
    cmds = {"invitation": (invitation, 2), "reply": (reply, 6),
            "has-mid": (has_mid, 2)}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds or \
            len(sys.argv) - 2 != cmds[sys.argv[1]][1]:
        sys.exit("usage: imip.py invitation USER UID | reply FROM UID SEQ "
                 "START END PARTSTAT | has-mid USER MESSAGE-ID")
    cmds[sys.argv[1]][0](*sys.argv[2:])
