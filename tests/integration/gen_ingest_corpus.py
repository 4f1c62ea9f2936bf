#!/usr/bin/python3
"""Mail for tests/integration/ingest.sh.

  gen_ingest_corpus.py corpus DIR
      Writes DIR/NNNN.FOLDER.eml (delivered in name order, FOLDER is INBOX
      or Sent) and DIR/expect.json: the messages mistok must end up with
      after deduplication, each found by a token "[tNNN]" in its subject.
  gen_ingest_corpus.py bulk MAILDIR N PREFIX SIZE
      Writes N messages of about SIZE bytes straight into MAILDIR/new
      (Message-ID
      <PREFIX.I@gen.test>), for the crash and fault tests.

Every expected value is computed here from what is written, never typed
as a result: the subject and text are the strings that were encoded.
"""
import base64
import json
import os
import quopri
import random
import sys
import time

rnd = random.Random(20260302)

UK = ["Привіт з Львова", "Зустріч щодо партнерства", "Ґанок їдальні є",
      "Питання про бюджет", "Дякуємо за листа", "Пропозиція співпраці",
      "Звіт за березень", "Запрошення на форум"]
RU = ["Привет из Харькова", "Встреча в четверг", "Отчёт о поездке",
      "Вопрос по документам"]
EN = ["Sister city call", "Budget question", "Meeting notes",
      "Greetings from Madison", "Follow-up on the visit"]
BODY_UK = ("Шановні колеги, дякуємо за співпрацю. Ґрунтовна їжа, "
           "єдність і щастя.")
BODY_RU = "Уважаемые коллеги, спасибо за сотрудничество. Съешь ещё."
BODY_EN = "Dear colleagues, thank you for the cooperation."

PARTNERS = ["mayor@lviv.test", "office@lviv.test", "city@kharkiv.test",
            "volunteers@kharkiv.test", "intl@madison.test",
            "clerk@madison.test", "sister@tempe.test"]
COORDS = ["olena@c4c.test", "mark@c4c.test"]
TEAM = "team@c4c.test"


def b_word(charset, data):
    return "=?%s?B?%s?=" % (charset, base64.b64encode(data).decode())


def q_word(charset, data):
    out = ""
    for c in data:
        if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122) and c != 95:
            out += chr(c)
        elif c == 32:
            out += "_"
        else:
            out += "=%02X" % c
    return "=?%s?Q?%s?=" % (charset, out)


class Corpus:
    def __init__(self, out):
        self.out = out
        self.n = 0          # files written
        self.tok = 0
        self.expect = []    # messages mistok must hold
        self.absent = []    # tokens that must not show (deduped away)

    def token(self):
        self.tok += 1
        return "[t%03d]" % self.tok

    def write(self, folder, raw):
        self.n += 1
        name = os.path.join(self.out, "%04d.%s.eml" % (self.n, folder))
        with open(name, "wb") as f:
            f.write(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        return len(raw)

    def add(self, folders, raw, exp):
        """Writes raw into each folder; exp is the stored message."""
        for f in folders:
            self.write(f, raw)
        exp.setdefault("locations", {})
        for f in folders:
            exp["locations"][f] = exp["locations"].get(f, 0) + 1
        exp.setdefault("kind", "correspondence")
        exp.setdefault("error", False)
        exp.setdefault("truncated", False)
        exp.setdefault("attachments", [])
        self.expect.append(exp)
        return exp


def headers(frm, to, subject_hdr, msgid, extra=()):
    h = ["From: %s" % frm, "To: %s" % to, "Subject: %s" % subject_hdr]
    if msgid:
        h.append("Message-ID: <%s>" % msgid)
    h.append("Date: Mon, 02 Mar 2026 %02d:%02d:00 +0200"
             % (rnd.randrange(8, 18), rnd.randrange(60)))
    h.extend(extra)
    return h


def simple(c, i, folders, charset, subj, body, enc="B", frm=None,
           msgid=True, direction=None):
    tok = c.token()
    subject = "%s %s" % (subj, tok)
    sb = subject.encode(charset)
    sh = b_word(charset, sb) if enc == "B" else q_word(charset, sb)
    frm = frm or rnd.choice(PARTNERS)
    mid = "c%d.%d@%s" % (i, os.getpid(), frm.split("@")[1]) if msgid else None
    h = headers(frm, TEAM, sh, mid, ["MIME-Version: 1.0",
                "Content-Type: text/plain; charset=%s" % charset,
                "Content-Transfer-Encoding: 8bit"])
    raw = ("\n".join(h) + "\n\n").encode() + (body + "\n").encode(charset)
    if direction is None:
        direction = "out" if frm in COORDS or frm == TEAM else "in"
    return c.add(folders, raw, {"token": tok, "message_id": mid,
                 "subject": subject, "text": body, "from": frm,
                 "direction": direction})


def corpus(out):
    os.makedirs(out, exist_ok=True)
    c = Corpus(out)
    i = 0

    def nid():
        nonlocal i
        i += 1
        return i

    # Charsets in subjects and bodies.
    for k in range(25):
        simple(c, nid(), ["INBOX"], "utf-8", rnd.choice(UK), BODY_UK)
    for k in range(20):
        simple(c, nid(), ["INBOX"], "windows-1251", rnd.choice(UK), BODY_UK)
    for k in range(20):
        simple(c, nid(), ["INBOX"], "koi8-u", rnd.choice(UK), BODY_UK,
               enc="Q")
    for k in range(20):
        simple(c, nid(), ["INBOX"], "koi8-r", rnd.choice(RU), BODY_RU)
    # Coordinators' own mail in Sent.
    for k in range(30):
        simple(c, nid(), ["Sent"], "utf-8", rnd.choice(UK + EN), BODY_UK,
               frm=rnd.choice(COORDS))

    # Encoded words split inside a multibyte character (and padded).
    for k in range(15):
        tok = c.token()
        subject = "%s %s" % (rnd.choice(UK), tok)
        b = subject.encode("utf-8")
        cut = 3 + 2 * rnd.randrange(3) + 1     # inside a 2-byte letter
        sh = b_word("UTF-8", b[:cut]) + "\n " + b_word("UTF-8", b[cut:])
        frm = rnd.choice(PARTNERS)
        mid = "split%d@%s" % (nid(), frm.split("@")[1])
        h = headers(frm, TEAM, sh, mid, ["MIME-Version: 1.0",
                    "Content-Type: text/plain; charset=utf-8"])
        raw = ("\n".join(h) + "\n\n" + BODY_UK + "\n").encode()
        c.add(["INBOX"], raw, {"token": tok, "message_id": mid,
              "subject": subject, "text": BODY_UK, "direction": "in"})

    # HTML only.
    for k in range(15):
        tok = c.token()
        subject = "%s %s" % (rnd.choice(UK), tok)
        frm = rnd.choice(PARTNERS)
        mid = "html%d@%s" % (nid(), frm.split("@")[1])
        html = ("<html><body><p>%s</p><p>Ми&nbsp;раді &amp; вдячні</p>"
                "</body></html>" % BODY_UK)
        qp = quopri.encodestring(html.encode("utf-8")).decode()
        h = headers(frm, TEAM, b_word("utf-8", subject.encode()), mid,
                    ["MIME-Version: 1.0",
                     "Content-Type: text/html; charset=utf-8",
                     "Content-Transfer-Encoding: quoted-printable"])
        raw = ("\n".join(h) + "\n\n" + qp + "\n").encode()
        c.add(["INBOX"], raw, {"token": tok, "message_id": mid,
              "subject": subject, "text": BODY_UK,
              "text_also": "Ми раді & вдячні", "no_text": "<p>",
              "direction": "in"})

    # Attachments: small ones, and two big (one over max_message_size).
    def with_attachment(size, name_hdr, name, folders=("INBOX",)):
        tok = c.token()
        subject = "Документи %s" % tok
        frm = rnd.choice(PARTNERS)
        mid = "att%d@%s" % (nid(), frm.split("@")[1])
        data = rnd.randbytes(size) if size < 200000 else \
            (os.urandom(1 << 20) * ((size >> 20) + 1))[:size]
        b64 = base64.encodebytes(data).decode()
        h = headers(frm, TEAM, b_word("utf-8", subject.encode()), mid,
                    ["MIME-Version: 1.0",
                     "Content-Type: multipart/mixed; boundary=\"=_b%d\"" % i])
        raw = ("\n".join(h) + "\n\n--=_b%d\n" % i +
               "Content-Type: text/plain; charset=utf-8\n\n" + BODY_UK +
               "\n--=_b%d\n" % i +
               "Content-Type: application/pdf\n"
               "Content-Disposition: attachment; filename=\"%s\"\n"
               "Content-Transfer-Encoding: base64\n\n" % name_hdr +
               b64 + "--=_b%d--\n" % i).encode()
        exp = {"token": tok, "message_id": mid, "subject": subject,
               "text": BODY_UK, "direction": "in",
               "attachments": [[name, "application/pdf", size]]}
        return raw, exp

    for k in range(20):
        size = rnd.choice([2000, 9000, 40000, 120000])
        nm = "plan-%d.pdf" % k
        if k % 4 == 0:
            nm = "План %d.pdf" % k
            raw, exp = with_attachment(size, b_word("utf-8", nm.encode()), nm)
        else:
            raw, exp = with_attachment(size, nm, nm)
        c.add(["INBOX"], raw, exp)
    raw, exp = with_attachment(12 << 20, "big.pdf", "big.pdf")
    c.add(["INBOX"], raw, exp)
    raw, exp = with_attachment(18 << 20, "huge.pdf", "huge.pdf")
    exp.update({"truncated": True, "error": True, "attachments": [],
                "text": "", "note": "over max_message_size (%d bytes)"
                % len(raw.replace(b"\n", b"\r\n"))})
    c.add(["INBOX"], raw, exp)

    # No Message-ID: distinct ones, and one message in two places.
    for k in range(5):
        simple(c, nid(), ["INBOX"], "utf-8", rnd.choice(UK), BODY_UK,
               msgid=False)
    simple(c, nid(), ["INBOX", "Sent"], "utf-8", "Без ідентифікатора",
           BODY_UK, msgid=False, frm="office@lviv.test")

    # Duplicate Message-IDs: two different messages, one ID: the first
    # delivered is kept, the second only adds a location.
    for k in range(5):
        e = simple(c, nid(), ["INBOX"], "utf-8", rnd.choice(UK), BODY_UK)
        tok = c.token()
        subject = "Інший лист %s" % tok
        h = headers("city@kharkiv.test", TEAM,
                    b_word("utf-8", subject.encode()), e["message_id"],
                    ["Content-Type: text/plain; charset=utf-8"])
        c.write("INBOX", ("\n".join(h) + "\n\nінший\n").encode())
        e["locations"]["INBOX"] += 1
        c.absent.append(tok)

    # The same Message-ID in INBOX and Sent (a coordinator's CC).
    for k in range(10):
        simple(c, nid(), ["INBOX", "Sent"], "utf-8", rnd.choice(UK),
               BODY_UK, frm=rnd.choice(COORDS))

    # A broken MIME tree: multipart without a boundary.
    tok = c.token()
    subject = "Зламаний лист %s" % tok
    h = headers("mayor@lviv.test", TEAM, b_word("utf-8", subject.encode()),
                "broken%d@lviv.test" % nid(),
                ["MIME-Version: 1.0", "Content-Type: multipart/mixed"])
    raw = ("\n".join(h) + "\n\n--x\nContent-Type: text/plain\n\n"
           "broken tree\n--x--\n").encode()
    c.add(["INBOX"], raw, {"token": tok, "message_id": "broken%d@lviv.test"
          % i, "subject": subject, "text": "", "error": True,
          "direction": "in"})

    # A bounce (DSN).
    tok = c.token()
    mid = "bounce%d@mx.rig.test" % nid()
    subject = "Undelivered Mail Returned to Sender %s" % tok
    raw = ("From: MAILER-DAEMON@mx.rig.test (Mail Delivery System)\n"
           "To: team@c4c.test\nSubject: %s\nMessage-ID: <%s>\n"
           "Date: Mon, 02 Mar 2026 10:00:00 +0200\nMIME-Version: 1.0\n"
           "Content-Type: multipart/report; report-type=delivery-status;"
           " boundary=\"r\"\n\n--r\nContent-Type: text/plain\n\n"
           "Your message could not be delivered.\n--r\n"
           "Content-Type: message/delivery-status\n\n"
           "Reporting-MTA: dns; mx.rig.test\n\n"
           "Final-Recipient: rfc822; nobody@madison.test\nAction: failed\n"
           "Status: 5.1.1\n\n--r\nContent-Type: text/rfc822-headers\n\n"
           "From: team@c4c.test\nTo: nobody@madison.test\nSubject: hi\n"
           "--r--\n" % (subject, mid)).encode()
    c.add(["INBOX"], raw, {"token": tok, "message_id": mid,
          "subject": subject, "text": "could not be delivered",
          "kind": "bounce", "direction": "in",
          "attachment_types": ["text/rfc822-headers"]})

    # An out-of-office reply.
    tok = c.token()
    mid = "ooo%d@madison.test" % nid()
    subject = "Out of Office: Sister city call %s" % tok
    raw = ("From: clerk@madison.test\nTo: team@c4c.test\nSubject: %s\n"
           "Message-ID: <%s>\nAuto-Submitted: auto-replied\n"
           "Date: Mon, 02 Mar 2026 10:00:00 -0600\n\n"
           "I am out of the office until Monday.\n" % (subject, mid)).encode()
    c.add(["INBOX"], raw, {"token": tok, "message_id": mid,
          "subject": subject, "text": "out of the office",
          "kind": "autoreply", "direction": "in"})

    # An invitation (iMIP REQUEST).
    tok = c.token()
    mid = "invite%d@tempe.test" % nid()
    subject = "Invitation: Tempe - Kharkiv call %s" % tok
    ics = ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\n"
           "METHOD:REQUEST\nBEGIN:VEVENT\nUID:%s\n"
           "DTSTAMP:20260302T100000Z\nDTSTART:20260310T150000Z\n"
           "DTEND:20260310T160000Z\nSUMMARY:Call\n"
           "ORGANIZER:mailto:sister@tempe.test\n"
           "ATTENDEE;RSVP=TRUE:mailto:team@c4c.test\nEND:VEVENT\n"
           "END:VCALENDAR\n" % mid)
    raw = ("From: sister@tempe.test\nTo: team@c4c.test\nSubject: %s\n"
           "Message-ID: <%s>\nDate: Mon, 02 Mar 2026 10:00:00 -0700\n"
           "MIME-Version: 1.0\n"
           "Content-Type: multipart/alternative; boundary=\"a\"\n\n"
           "--a\nContent-Type: text/plain; charset=utf-8\n\n"
           "You are invited.\n--a\n"
           "Content-Type: text/calendar; charset=utf-8; method=REQUEST\n\n"
           "%s--a--\n" % (subject, mid, ics)).encode()
    c.add(["INBOX"], raw, {"token": tok, "message_id": mid,
          "subject": subject, "text": "You are invited", "kind": "imip",
          "direction": "in"})

    # A mailing list message.
    tok = c.token()
    mid = "list%d@lists.test" % nid()
    subject = "[sister-cities] Newsletter %s" % tok
    raw = ("From: news@lists.test\nTo: team@c4c.test\nSubject: %s\n"
           "Message-ID: <%s>\nList-Id: Sister Cities <sister.lists.test>\n"
           "Date: Mon, 02 Mar 2026 10:00:00 +0000\n\nNews.\n"
           % (subject, mid)).encode()
    c.add(["INBOX"], raw, {"token": tok, "message_id": mid,
          "subject": subject, "text": "News.", "kind": "list",
          "direction": "in"})

    # Plain English correspondence up to 300 files.
    while c.n < 300:
        simple(c, nid(), [rnd.choice(["INBOX", "INBOX", "Sent"])], "us-ascii",
               rnd.choice(EN), BODY_EN)

    with open(os.path.join(out, "expect.json"), "w") as f:
        json.dump({"files": c.n, "messages": c.expect, "absent": c.absent},
                  f, ensure_ascii=False, indent=1)
    print("%d files, %d messages expected" % (c.n, len(c.expect)))


def bulk(maildir, n, prefix, size):
    new = os.path.join(maildir, "new")
    host = "gen"
    now = int(time.time())
    line = "Шановні колеги, дякуємо за співпрацю. " * 2 + "\n"
    filler = line * max(1, size // len(line.encode()))
    for k in range(1, n + 1):
        raw = ("From: Partner %d <p%d@lviv.test>\r\nTo: team@c4c.test\r\n"
               "Subject: =?UTF-8?B?%s?=\r\nMessage-ID: <%s.%d@gen.test>\r\n"
               "Date: Tue, 03 Mar 2026 10:%02d:00 +0200\r\nMIME-Version: 1.0"
               "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s"
               % (k, k, base64.b64encode(("Лист %s %d" % (prefix, k))
                                          .encode()).decode(),
                  prefix, k, k % 60, filler.replace("\n", "\r\n")))
        data = raw.encode()
        name = "%d.M%dP%dQ%d.%s,S=%d" % (now, k, os.getpid(), k, host,
                                         len(data))
        with open(os.path.join(new, name), "wb") as f:
            f.write(data)


def check(expect_file, got_file):
    """Compares `mistok messages --json --text` with expect.json; prints
    one line per problem and exits 1 when there is any."""
    exp = json.load(open(expect_file))
    got = json.load(open(got_file))
    bad = []
    by_tok = {}
    for m in got:
        for t in [w for w in m["subject"].split() if w.startswith("[t")]:
            by_tok.setdefault(t, []).append(m)
    if len(got) != len(exp["messages"]):
        bad.append("stored %d messages, expected %d"
                   % (len(got), len(exp["messages"])))
    ids = [m["message_id"] for m in got if m["message_id"]]
    if len(ids) != len(set(ids)):
        bad.append("a Message-ID is stored twice")
    for t in exp["absent"]:
        if t in by_tok:
            bad.append("%s: a duplicate Message-ID was stored again" % t)
    for e in exp["messages"]:
        t = e["token"]
        ms = by_tok.get(t, [])
        if len(ms) != 1:
            bad.append("%s: found %d times (%s)" % (t, len(ms), e["subject"]))
            continue
        m = ms[0]
        text = m.get("text", "").replace("\u00a0", " ")

        def want(cond, what):
            if not cond:
                bad.append("%s: %s" % (t, what))
        want(m["subject"] == e["subject"], "subject %r, expected %r"
             % (m["subject"], e["subject"]))
        want(m["message_id"] == e["message_id"], "message_id %r, expected %r"
             % (m["message_id"], e["message_id"]))
        want(e["text"] in text, "text %r lacks %r" % (text[:80], e["text"]))
        if "text_also" in e:
            want(e["text_also"] in text, "text %r lacks %r"
                 % (text[:120], e["text_also"]))
        if "no_text" in e:
            want(e["no_text"] not in text, "text still has %r" % e["no_text"])
        want(m["kind"] == e["kind"], "kind %s, expected %s"
             % (m["kind"], e["kind"]))
        want(m["direction"] == e["direction"], "direction %s, expected %s"
             % (m["direction"], e["direction"]))
        want(bool(m["error"]) == e["error"], "error %r" % m["error"])
        want(m["truncated"] == e["truncated"], "truncated %r" % m["truncated"])
        if "note" in e:
            want(m["error"] and (e["note"] + ": headers only") in m["error"],
                 "note %r" % m["error"])
        locs = {}
        for l in m["locations"]:
            locs[l["folder"]] = locs.get(l["folder"], 0) + 1
        want(locs == e["locations"], "locations %r, expected %r"
             % (locs, e["locations"]))
        want(m["folder"] == m["locations"][0]["folder"] and
             m["uid"] == m["locations"][0]["uid"], "folder/uid not the first")
        att = [[a["name"], a["type"], a["size"]] for a in m["attachments"]]
        if "attachment_types" in e:
            want([a[1] for a in att] == e["attachment_types"],
                 "attachments %r, expected types %r"
                 % (att, e["attachment_types"]))
        else:
            want(att == e["attachments"], "attachments %r, expected %r"
                 % (att, e["attachments"]))
        if "from" in e:
            want(m["from"]["email"] == e["from"], "from %r" % m["from"])
        for k in ("id", "date", "to", "cc", "thread", "partnership", "rule"):
            want(k in m, "no key " + k)
    for b in bad[:40]:
        print("# " + b)
    print("# checked %d messages, %d problems" % (len(exp["messages"]),
                                                  len(bad)))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "corpus":
        corpus(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 6 and sys.argv[1] == "bulk":
        bulk(sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5]))
    else:
        sys.exit(__doc__)
