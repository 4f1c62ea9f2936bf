#!/usr/bin/env python3
"""Generate the demo network's correspondence: about 150 messages over three
months (September to November 2026) between the team mailbox, its two
coordinators and the partners of five partnerships, in Ukrainian and
English, in the charsets partners really use.

    correspondence.py OUTDIR

writes OUTDIR/inbox/NNNN.eml (mail that reaches the team's INBOX),
OUTDIR/sent/NNNN.eml (mail sent from the team account: only in Sent, or in
both when the team copied itself) and OUTDIR/expected.json: for every
message its Message-ID (or null), folders, kind and the partnership a
careful person would file it under (null: truly ambiguous or none).
Deterministic: the same files every run."""

import email.charset
import email.utils
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

R = random.Random(2026)
TEAM = "team@c4c.test"
COORD = {"olena": ("Olena Kovalenko", "olena@c4c.test", "uk"),
         "mark": ("Mark Stevens", "mark@c4c.test", "en")}
PEOPLE = {
    "mayor@lviv.test": ("Оксана Мельник", "uk"),
    "office@lviv.test": ("Тарас Бойко", "uk"),
    "city@kharkiv.test": ("Ірина Шевченко", "uk"),
    "team@krylia.test": ("Максим Гончаренко", "uk"),
    "rada@irpin.test": ("Наталія Коваль", "uk"),
    "intl@madison.test": ("Emily Carter", "en"),
    "clerk@madison.test": ("James Miller", "en"),
    "sister@tempe.test": ("Sarah Lopez", "en"),
    "council@tempe.test": ("David Kim", "en"),
    "mayor@honolulu.test": ("Keoni Akana", "en"),
    "help@daneaid.test": ("Linda Novak", "en"),
    "attache@embassy.test": ("Robert Hayes", "en"),
}
# partnership -> (coordinator, UA people, US people, tag number)
PARTNERSHIPS = {
    "lviv-madison": ("mark", ["mayor@lviv.test", "office@lviv.test"],
                     ["intl@madison.test", "clerk@madison.test"], 1),
    "kharkiv-tempe": ("olena", ["city@kharkiv.test"],
                      ["sister@tempe.test", "council@tempe.test"], 2),
    "irpin-madison": ("olena", ["rada@irpin.test"], ["clerk@madison.test"], 3),
    "krylia-honolulu": ("mark", ["team@krylia.test"],
                        ["mayor@honolulu.test"], 4),
    "kharkiv-madison": ("olena", ["city@kharkiv.test"],
                        ["intl@madison.test"], 5),
}
TOPICS_UK = [
    ("Підготовка онлайн-зустрічі", "Пропонуємо обговорити порядок денний зустрічі та учасників з нашого боку."),
    ("Спільний проєкт: відновлення шкіл", "Надсилаємо опис проєкту щодо відновлення шкіл і кошторис першого етапу."),
    ("Обмін досвідом міських служб", "Наші комунальні служби готові поділитися досвідом роботи в умовах відключень."),
    ("Лист підтримки від міської ради", "Міська рада підготувала лист підтримки партнерства, підписаний головою."),
    ("Молодіжний обмін влітку", "Пропонуємо організувати онлайн-знайомство шкільних клубів обох міст."),
    ("Гуманітарна допомога: генератори", "Дякуємо за генератори, вони вже працюють у двох лікарнях громади."),
]
TOPICS_EN = [
    ("Agenda for our next call", "Could we agree on the agenda and who joins from each side?"),
    ("Council resolution on the partnership", "The council will vote on the sister city resolution next Tuesday."),
    ("Library exchange program", "Our public library would like to set up a book and video exchange."),
    ("Grant application draft", "Attached is the draft of the joint grant application for your comments."),
    ("Visit of the delegation", "We are looking at dates for a delegation visit in spring."),
    ("Fire department equipment", "Our fire department has surplus equipment that could be shipped."),
]
REPLIES_UK = ["Дякуємо, погоджуємося з пропозицією.", "Так, це нам підходить. Надішлемо деталі до п'ятниці.",
              "Отримали, обговоримо з колегами й відповімо.", "Чудово! Підтверджуємо участь."]
REPLIES_EN = ["Thank you, that works for us.", "Sounds good, we'll send the details by Friday.",
              "Received, we will discuss internally and get back to you.", "Great, confirmed on our side."]
CHARSETS_UK = ["utf-8"] * 6 + ["windows-1251", "koi8-u"]

START = datetime(2026, 9, 1, 7, 0, tzinfo=timezone.utc)
messages = []   # dicts: raw, folders, message_id, kind, partnership
counter = [0]


def new_id(domain):
    counter[0] += 1
    return "demo.%04d.%d@%s" % (counter[0], R.randrange(10**6), domain)


def fmt_addr(addr):
    if addr in PEOPLE:
        return email.utils.formataddr((str(Header(PEOPLE[addr][0], "utf-8")), addr))
    for name, a, _ in COORD.values():
        if a == addr:
            return email.utils.formataddr((name, a))
    if addr == TEAM:
        return email.utils.formataddr(("Cities4Cities", TEAM))
    return addr


def build(sender, to, cc, subject, body, when, lang, msgid, parent=None,
          outlook=False, charset="utf-8", extra=None):
    if lang == "uk" and charset != "utf-8":
        m = MIMEText(body, "plain", charset)
        subj = Header(subject, charset)
    else:
        m = MIMEText(body, "plain", "utf-8")
        subj = Header(subject, "utf-8") if any(ord(c) > 127 for c in subject) else subject
    m["From"] = fmt_addr(sender)
    m["To"] = ", ".join(fmt_addr(a) for a in to)
    if cc:
        m["Cc"] = ", ".join(fmt_addr(a) for a in cc)
    m["Subject"] = subj
    m["Date"] = email.utils.format_datetime(when)
    if msgid:
        m["Message-ID"] = "<%s>" % msgid
    if parent:
        m["In-Reply-To"] = "<%s>" % parent["message_id"]
        if not outlook:
            refs = parent.get("refs", []) + [parent["message_id"]]
            m["References"] = " ".join("<%s>" % r for r in refs)
    if outlook:
        m["Thread-Topic"] = subject
        m["Thread-Index"] = "AdmZ" + "%018d" % R.randrange(10**18)
    for k, v in (extra or {}).items():
        m[k] = v
    return m.as_bytes()


def add(raw, folders, msgid, kind, partnership, parent=None):
    refs = (parent.get("refs", []) + [parent["message_id"]]) if parent else []
    rec = {"raw": raw, "folders": folders, "message_id": msgid, "kind": kind,
           "partnership": partnership, "refs": refs}
    messages.append(rec)
    return rec


def conversation(slug, when, lang_first):
    coord, ua, us, tag = PARTNERSHIPS[slug]
    cname, caddr, _ = COORD[coord]
    side = ua if lang_first == "uk" else us
    partner = R.choice(side)
    lang = PEOPLE[partner][1]
    topic, text = R.choice(TOPICS_UK if lang == "uk" else TOPICS_EN)
    tagged = R.random() < 0.3
    subject = ("[C4C #%d] " % tag if tagged else "") + topic
    charset = R.choice(CHARSETS_UK) if lang == "uk" else "utf-8"
    other = R.choice(us if lang == "uk" else ua)
    # Opening letter from the partner to the team, the other side in copy.
    mid = new_id(partner.split("@")[1])
    body = "%s\n\n%s\n" % (text, PEOPLE[partner][0])
    root = add(build(partner, [TEAM], [other], subject, body, when, lang, mid,
                     charset=charset), ["INBOX"], mid, "correspondence", slug)
    last = root
    t = when
    for turn in range(R.randrange(1, 4)):
        t = t + timedelta(hours=R.randrange(5, 70))
        if turn % 2 == 0:
            # The coordinator answers, either from the team account (the
            # mail is then only in Sent) or from their own mailbox with the
            # team in copy (it reaches the INBOX).
            mid = new_id("c4c.test")
            reply = (REPLIES_UK if lang == "uk" else REPLIES_EN)[turn % 4]
            body = "%s\n\n%s\nCities4Cities\n\n> %s\n" % (reply, cname, text)
            rsub = ("Re: " if lang == "en" else "Відп: ") + subject
            if R.random() < 0.5:
                raw = build(TEAM, [partner], [other], rsub, body, t, lang, mid,
                            parent=last)
                folders = ["Sent"]
            else:
                raw = build(caddr, [partner], [other, TEAM], rsub, body, t,
                            lang, mid, parent=last)
                folders = ["INBOX"]
            last = add(raw, folders, mid, "correspondence", slug, parent=last)
        else:
            # The other side joins in, sometimes from Outlook (no References).
            who = other
            wl = PEOPLE[who][1]
            mid = new_id(who.split("@")[1])
            reply = R.choice(REPLIES_UK if wl == "uk" else REPLIES_EN)
            rsub = "RE: " + subject if wl == "en" else "Re: " + subject
            outlook = wl == "en" and R.random() < 0.4
            last = add(build(who, [TEAM, partner], [], rsub, reply + "\n", t,
                             wl, mid, parent=last, outlook=outlook,
                             charset=R.choice(CHARSETS_UK) if wl == "uk" else "utf-8"),
                       ["INBOX"], mid, "correspondence", slug, parent=last)
    return t


def main():
    out = sys.argv[1]
    for d in ("inbox", "sent"):
        os.makedirs(os.path.join(out, d), exist_ok=True)
    slugs = list(PARTNERSHIPS)
    day = START
    # Stop early enough that no reply is dated after the demo's today.
    while day < datetime(2026, 11, 16, tzinfo=timezone.utc):
        slug = R.choice(slugs)
        conversation(slug, day + timedelta(hours=R.randrange(0, 10)),
                     R.choice(["uk", "en"]))
        day += timedelta(hours=R.randrange(24, 50))
    # Mail a careful person could not file: Madison alone, to the team,
    # about something all three of its partnerships share.
    for i in range(3):
        mid = new_id("madison.test")
        add(build("intl@madison.test", [TEAM], [],
                  "Sister Cities International conference",
                  "Will any of our Ukrainian partners attend the conference?\n",
                  START + timedelta(days=20 * i + 3), "en", mid),
            ["INBOX"], mid, "correspondence", None)
    # Internal notes between coordinators, via the team address. The body
    # starts with no command keyword: COMMANDS.md makes such team-only mail
    # an internal note (stored, never answered), where "Нотатка:" would be
    # a Note command without a partnership and get an error answer.
    for i in range(3):
        mid = new_id("c4c.test")
        add(build("olena@c4c.test", [TEAM], ["mark@c4c.test"],
                  "Нотатки після планування",
                  "Треба перевірити звіт для донора до п'ятниці.\n",
                  START + timedelta(days=25 * i + 5), "uk", mid),
            ["INBOX"], mid, "correspondence", None)
    # A newsletter, an out-of-office reply and a bounce.
    mid = new_id("news.test")
    add(build("news@news.test", [TEAM], [], "Municipal partnerships newsletter",
              "This month's news.\n", START + timedelta(days=30), "en", mid,
              extra={"List-Id": "Municipal news <news.news.test>",
                     "Precedence": "list"}), ["INBOX"], mid, "list", None)
    mid = new_id("tempe.test")
    add(build("council@tempe.test", [TEAM], [], "Automatic reply: Agenda for our next call",
              "I am out of the office until Monday.\n",
              START + timedelta(days=40), "en", mid,
              extra={"Auto-Submitted": "auto-replied"}),
        ["INBOX"], mid, "autoreply", "kharkiv-tempe")
    # Message-ID-less mail from an old mail system.
    add(build("rada@irpin.test", [TEAM], [], "Протокол засідання",
              "Надсилаємо протокол засідання робочої групи.\n",
              START + timedelta(days=61), "uk", None, charset="windows-1251"),
        ["INBOX"], None, "correspondence", "irpin-madison")
    n = 0
    expected = []
    for m in messages:
        n += 1
        for f in m["folders"]:
            d = "inbox" if f == "INBOX" else "sent"
            with open(os.path.join(out, d, "%04d.eml" % n), "wb") as fh:
                fh.write(m["raw"])
        expected.append({"file": "%04d.eml" % n, "message_id": m["message_id"],
                         "folders": m["folders"], "kind": m["kind"],
                         "partnership": m["partnership"]})
    with open(os.path.join(out, "expected.json"), "w") as fh:
        json.dump(expected, fh, indent=1, ensure_ascii=False)
    print("%d messages: %d in INBOX, %d only in Sent" % (
        n, sum("INBOX" in m["folders"] for m in messages),
        sum(m["folders"] == ["Sent"] for m in messages)))


if __name__ == "__main__":
    main()
