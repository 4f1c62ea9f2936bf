#!/usr/bin/python3
"""genmailbox.py: a deterministic, realistic team mailbox as Maildir files.

usage: genmailbox.py [--seed S] [--max-size BYTES] [--small] COUNT OUTDIR

Writes OUTDIR/cur/NAME (LF line ends, Maildir names with S= and W= sizes so
Dovecot need not stat or count) and OUTDIR/manifest ("UID-order name size"),
through OUTDIR.tmp renamed at the end, so an interrupted run leaves nothing
that looks complete. Prints "COUNT messages, BYTES bytes, largest MAX".

The mix (default): sizes log-uniform in tiers, 78 % 2-20 KB, 18 % 20-100 KB,
3.5 % 100 KB-1 MB, 0.5 % 1-2 MB (tiers above --max-size are cut at it; with
--max-size 8M a 0.2 % tier of 2-8 MB joins in); about 36 KB on average, like
the 724 MB / 20,000 reference mailbox of INTEROP.md. Threads (In-Reply-To and
References chains, ~60 % of mail replies to one of the 300 messages before
it), Ukrainian (UTF-8, windows-1251, KOI8-U), some Russian in KOI8-R and
English; RFC 2047 subjects and names (B and Q, folded, now and then a word
split inside a UTF-8 character), text/plain in 8bit, quoted-printable or
base64, multipart/alternative with HTML, HTML only, attachments with RFC
2231 names. --small: ~3 KB plain messages, for the 100,000-message poll.

Each message comes from its own generator seeded with (seed, index), and
threads only look backwards, so the first N messages of a larger set equal
a set of N. Nothing here is random between runs.
"""
import base64
import os
import quopri
import random
import sys
import time

GENVER = 1

UK_WORDS = """партнерство місто мерія побратимство зустріч проєкт волонтери
громада співпраця делегація візит допомога генератор школа лікарня
відновлення бюджет звіт грант програма молодь культура освіта обмін
пропозиція угода меморандум підписання рада депутати комісія координатор
тиждень п'ятниця понеділок вересень жовтень листопад грудень весна літо
дякуємо надсилаємо прохання будь ласка щиро вітаємо підтверджуємо
обговорити узгодити запланувати перенести скасувати наступного кроку
Львів Харків Київ Одеса Дніпро Запоріжжя Мадісон Темпе Чернівці Полтава
енергетика вода транспорт укриття ремонт ґанок їжа єдність інфраструктура
""".split()
RU_WORDS = """сотрудничество город встреча проект волонтеры помощь отчет
программа делегация договор предложение спасибо пожалуйста неделя пятница
обсудить согласовать перенести Харьков Одесса Мэдисон бюджет школа""".split()
EN_WORDS = """partnership city council meeting project volunteers community
delegation visit support generator school hospital recovery budget report
grant program youth culture exchange proposal agreement memorandum signing
coordinator week Friday Monday thanks please confirm discuss schedule next
step Madison Tempe Lviv Kharkiv sister cities mayor office clerk""".split()

UK_NAMES = ["Олена Петренко", "Андрій Коваль", "Ірина Шевчук", "Тарас Бойко",
            "Юлія Мельник", "Богдан Ткаченко", "Ганна Кравець", "Євген Лисенко",
            "Марія Гнатюк", "Василь Іваненко", "Оксана Мороз", "Ярослав Савчук"]
EN_NAMES = ["Mark Olsen", "Jennifer Brooks", "David Kim", "Sarah Miller",
            "Tom Becker", "Laura Chen", "Mike Alvarez", "Anna Novak"]
PARTNERS = ["mayor@lviv.test", "office@lviv.test", "city@kharkiv.test",
            "volunteers@kharkiv.test", "intl@madison.test",
            "clerk@madison.test", "sister@tempe.test", "council@tempe.test",
            "info@odesa.test", "help@dnipro.test", "rada@poltava.test"]
TEAM = ["olena@c4c.test", "mark@c4c.test"]
ATTACH = [("application/pdf", "pdf"), ("image/jpeg", "jpg"),
          ("application/vnd.openxmlformats-officedocument."
           "wordprocessingml.document", "docx"), ("image/png", "png"),
          ("application/zip", "zip")]
ATTACH_NAMES_UK = ["Меморандум", "Звіт", "Кошторис", "Фото", "Програма візиту",
                   "Лист підтримки", "Презентація"]
ATTACH_NAMES_EN = ["Memorandum", "Report", "Budget", "Photos", "Agenda",
                   "Letter of support", "Slides"]

KB = 1024
MB = 1024 * 1024
EPOCH0 = 1672531200  # 2023-01-01 00:00 UTC


def paragraphs(rng, words, n):
    out = []
    for _ in range(n):
        sents = []
        for _ in range(rng.randint(2, 6)):
            w = [rng.choice(words) for _ in range(rng.randint(5, 16))]
            s = " ".join(w)
            sents.append(s[0].upper() + s[1:] + rng.choice(".!?."))
        out.append(" ".join(sents))
    return out


class Pools:
    """Shared, seeded material: paragraphs and incompressible bytes."""

    def __init__(self, seed):
        rng = random.Random("pools:%d" % seed)
        self.uk = paragraphs(rng, UK_WORDS, 1500)
        self.ru = paragraphs(rng, RU_WORDS, 300)
        self.en = paragraphs(rng, EN_WORDS, 800)
        self.noise = rng.randbytes(9 * MB)


LANG = {"utf-8": "uk", "windows-1251": "uk", "koi8-u": "uk", "koi8-r": "ru",
        "us-ascii": "en"}


def pick_charset(rng):
    r = rng.random()
    if r < 0.50:
        return "utf-8"
    if r < 0.75:
        return "windows-1251"
    if r < 0.88:
        return "koi8-u"
    if r < 0.93:
        return "koi8-r"
    return "us-ascii"


def pick_size(rng, max_size):
    r = rng.random()
    if max_size > 2 * MB and r < 0.002:
        lo, hi = 2 * MB, max_size
    elif r < 0.005:
        lo, hi = 1 * MB, 2 * MB
    elif r < 0.04:
        lo, hi = 100 * KB, 1 * MB
    elif r < 0.22:
        lo, hi = 20 * KB, 100 * KB
    else:
        lo, hi = 2 * KB, 20 * KB
    hi = min(hi, max_size)
    lo = min(lo, hi)
    return int(lo * (hi / lo) ** rng.random())


def encoded_words(text, charset, rng, split_bad=False):
    """RFC 2047 words for text, folded with LF + space."""
    if all(ord(c) < 128 for c in text):
        return text
    b = rng.random() < 0.6
    step = 18 if b else (9 if charset == "utf-8" else 14)
    chunks = [text[i:i + step] for i in range(0, len(text), step)]
    raw = [c.encode(charset) for c in chunks]
    if split_bad and charset == "utf-8" and len(raw) > 1:
        # A split inside a character, as some mailers do.
        raw[0], raw[1] = raw[0] + raw[1][:1], raw[1][1:]
    words = []
    cs = charset.upper()
    for r in raw:
        if b:
            words.append("=?%s?B?%s?=" % (cs, base64.b64encode(r).decode()))
        else:
            q = "".join(chr(x) if (x < 128 and chr(x).isalnum()) else
                        ("_" if x == 32 else "=%02X" % x) for x in r)
            words.append("=?%s?Q?%s?=" % (cs, q))
    return "\n ".join(words)


def address(rng, email, lang, charset):
    names = EN_NAMES if lang == "en" else UK_NAMES
    name = rng.choice(names)
    if lang == "ru":
        name = rng.choice(["Сергей Смирнов", "Наталья Попова"])
    if rng.random() < 0.15:
        return email
    cs = charset if charset != "us-ascii" else "utf-8"
    return "%s <%s>" % (encoded_words(name, cs, rng), email)


def body_text(rng, pools, lang, size):
    src = {"uk": pools.uk, "ru": pools.ru, "en": pools.en}[lang]
    out, n = [], 0
    while n < size:
        p = rng.choice(src)
        out.append(p)
        n += len(p.encode("utf-8")) + 2
    return "\n\n".join(out)


def wrap(text, width=76):
    lines = []
    for para in text.split("\n"):
        while len(para) > width:
            cut = para.rfind(" ", 0, width)
            if cut <= 0:
                cut = width
            lines.append(para[:cut])
            para = para[cut:].lstrip(" ")
        lines.append(para)
    return "\n".join(lines)


def cte_encode(data, rng, charset):
    """(Content-Transfer-Encoding, encoded bytes) for a text part."""
    if charset == "us-ascii":
        return "7bit", data
    r = rng.random()
    if r < 0.45:
        return "8bit", data
    if r < 0.8:
        return "quoted-printable", quopri.encodestring(data)
    return "base64", base64.encodebytes(data)


def text_part(rng, text, charset, subtype="plain"):
    data = text.encode(charset, errors="replace")
    cte, enc = cte_encode(data, rng, charset)
    hdr = ("Content-Type: text/%s; charset=%s\nContent-Transfer-Encoding: %s\n"
           % (subtype, charset if charset != "us-ascii" else "us-ascii", cte))
    return hdr.encode() + b"\n" + enc


def html_of(text, subject):
    paras = "".join("<p>%s</p>\n" % p.replace("&", "&amp;").replace("<", "&lt;")
                    for p in text.split("\n\n"))
    return ("<html><head><meta charset=\"utf-8\"><title>%s</title></head>\n"
            "<body style=\"font-family: Arial\">\n%s<div class=\"sig\">--<br>"
            "Center for Cities</div></body></html>\n" % (subject, paras))


def attachment(rng, pools, size, lang):
    ctype, ext = rng.choice(ATTACH)
    base = rng.choice(ATTACH_NAMES_EN if lang == "en" else ATTACH_NAMES_UK)
    name = "%s %d.%s" % (base, rng.randint(1, 99), ext)
    nbytes = max(1, size * 3 // 4)
    off = rng.randrange(0, len(pools.noise) - min(nbytes, len(pools.noise)) + 1)
    blob = pools.noise[off:off + nbytes]
    while len(blob) < nbytes:
        blob += pools.noise[:nbytes - len(blob)]
    if all(ord(c) < 128 for c in name):
        disp = 'attachment; filename="%s"' % name
        ct = '%s; name="%s"' % (ctype, name)
    else:
        q = "".join(c if c.isalnum() and ord(c) < 128 else
                    "".join("%%%02X" % x for x in c.encode("utf-8"))
                    for c in name)
        disp = "attachment; filename*=UTF-8''%s" % q
        ct = '%s; name="%s"' % (ctype, encoded_words(name, "utf-8", rng))
    hdr = ("Content-Type: %s\nContent-Disposition: %s\n"
           "Content-Transfer-Encoding: base64\n\n" % (ct, disp))
    return hdr.encode() + base64.encodebytes(blob)


def multipart(rng, subtype, parts):
    bnd = "=_b%016x" % rng.getrandbits(64)
    out = [b"Content-Type: multipart/%s; boundary=\"%s\"\n\n" % (
        subtype.encode(), bnd.encode()),
        b"This is a multi-part message in MIME format.\n"]
    for p in parts:
        out.append(b"\n--" + bnd.encode() + b"\n" + p)
        if not p.endswith(b"\n"):
            out.append(b"\n")
    out.append(b"\n--" + bnd.encode() + b"--\n")
    return b"".join(out)


def subject_of(rng, pools, lang):
    src = {"uk": UK_WORDS, "ru": RU_WORDS, "en": EN_WORDS}[lang]
    w = [rng.choice(src) for _ in range(rng.randint(3, 9))]
    s = " ".join(w)
    return s[0].upper() + s[1:]


def message(i, seed, pools, max_size, small, history):
    rng = random.Random("msg:%d:%d" % (seed, i))
    parent = None
    if i > 0 and rng.random() < 0.6:
        parent = history["ids"][max(0, i - rng.randint(1, 300))]
    # A reply mostly keeps its thread's charset; KOI8-R cannot hold a
    # Ukrainian subject, so never switch into it.
    charset = "utf-8" if small else pick_charset(rng)
    if parent is not None and (rng.random() < 0.8 or charset == "koi8-r"):
        charset = parent[3]
    lang = LANG[charset]
    size = rng.randint(600, 1500) if small else pick_size(rng, max_size)
    date = EPOCH0 + i * 4000 + rng.randint(0, 3000)
    partner = rng.choice(PARTNERS)
    outgoing = rng.random() < 0.3
    frm = rng.choice(TEAM) if outgoing else partner
    msgid = "<%d.%08x@%s>" % (i, rng.getrandbits(32), frm.split("@")[1])

    if parent is not None:
        pid, prefs, psubj, _ = parent
        refs = prefs + [pid]
        if len(refs) > 12:
            refs = refs[:1] + refs[-11:]
        subj = psubj if psubj.startswith(("Re:", "Відп:")) else (
            ("Re: " if lang != "uk" or rng.random() < 0.7 else "Відп: ")
            + psubj)
    else:
        refs = []
        subj = subject_of(rng, pools, lang)
    history["ids"].append((msgid, refs, subj, charset))

    hdr = []
    hdr.append("Return-Path: <%s>" % frm)
    hdr.append("Received: from mail.%s (mail.%s [192.0.2.%d])\n\tby mx.c4c.test"
               " with ESMTPS id %08X\n\tfor <team@c4c.test>; %s" % (
                   frm.split("@")[1], frm.split("@")[1], i % 250 + 1,
                   rng.getrandbits(32), rfc822_date(date)))
    hdr.append("Date: " + rfc822_date(date))
    hdr.append("From: " + address(rng, frm, lang, charset))
    hdr.append("To: " + ("team@c4c.test" if not outgoing else
                         address(rng, partner, lang, charset)))
    if rng.random() < 0.3:
        hdr.append("Cc: " + address(rng, rng.choice(PARTNERS + TEAM), lang,
                                    charset))
    cs = charset if charset != "us-ascii" else "utf-8"
    hdr.append("Subject: " + encoded_words(
        subj, cs, rng, split_bad=rng.random() < 0.02))
    hdr.append("Message-ID: " + msgid)
    if refs:
        hdr.append("In-Reply-To: " + refs[-1])
        hdr.append("References: " + "\n ".join(refs))
    hdr.append("MIME-Version: 1.0")
    hdr.append("User-Agent: %s" % rng.choice(
        ["Mozilla Thunderbird 115.6", "Microsoft Outlook 16.0",
         "Roundcube Webmail/1.6", "K-9 Mail 6.7", "Apple Mail (2.3731)"]))
    head = "\n".join(hdr).encode() + b"\n"

    text_size = min(size, rng.randint(1500, 12000) if size > 20 * KB
                    else max(400, size * 2 // 5))
    text = body_text(rng, pools, lang, text_size)
    if refs and rng.random() < 0.7:
        q = body_text(rng, pools, lang, rng.randint(200, 1500))
        text += "\n\n> " + wrap(q, 70).replace("\n", "\n> ")
    sig = {"uk": UK_NAMES, "ru": ["Сергей Смирнов"], "en": EN_NAMES}[lang]
    text = wrap(text) + "\n\n-- \n%s\nCenter for Cities\n" % rng.choice(sig)
    style = rng.random()
    if style < 0.55 or small:
        body = text_part(rng, text, charset)
    elif style < 0.93:
        body = multipart(rng, "alternative", [
            text_part(rng, text, charset),
            text_part(rng, html_of(text, subj), charset, "html")])
    else:
        body = text_part(rng, html_of(text, subj), charset, "html")
    rest = size - len(head) - len(body)
    if rest > 4 * KB and not small:
        parts = [body]
        n = 1 if rest < 200 * KB else rng.randint(1, 3)
        for _ in range(n):
            parts.append(attachment(rng, pools, rest // n, lang))
        body = multipart(rng, "mixed", parts)
    return head + body, date


def rfc822_date(t):
    return time.strftime("%a, %d %b %Y %H:%M:%S +0200", time.gmtime(t + 7200))


def parse_size(s):
    mult = {"K": KB, "M": MB, "G": 1024 * MB}
    if s and s[-1].upper() in mult:
        return int(s[:-1]) * mult[s[-1].upper()]
    return int(s)


def main(argv):
    seed, max_size, small = 1, 2 * MB, False
    args = []
    it = iter(argv)
    for a in it:
        if a == "--seed":
            seed = int(next(it))
        elif a == "--max-size":
            max_size = parse_size(next(it))
        elif a == "--small":
            small = True
        elif a.startswith("-"):
            sys.exit(__doc__.split("\n\n")[1])
        else:
            args.append(a)
    if len(args) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    count, outdir = int(args[0]), args[1].rstrip("/")
    tmp = outdir + ".tmp"
    if os.path.exists(tmp):
        for root, dirs, files in os.walk(tmp, topdown=False):
            for f in files:
                os.unlink(os.path.join(root, f))
            for d in dirs:
                os.rmdir(os.path.join(root, d))
        os.rmdir(tmp)
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(tmp, d))
    pools = Pools(seed)
    history = {"ids": []}
    total = largest = 0
    with open(os.path.join(tmp, "manifest"), "w") as man:
        for i in range(count):
            data, date = message(i, seed, pools, max_size, small, history)
            name = "%d.M%06dP%d.bench,S=%d,W=%d:2," % (
                date, i, seed, len(data), len(data) + data.count(b"\n"))
            path = os.path.join(tmp, "cur", name)
            with open(path, "wb") as f:
                f.write(data)
            os.utime(path, (date, date))
            man.write("%s %d\n" % (name, len(data)))
            total += len(data)
            largest = max(largest, len(data))
    with open(os.path.join(tmp, "stats"), "w") as f:
        f.write("%d %d %d %d\n" % (count, total, largest, GENVER))
    os.rename(tmp, outdir)
    print("%d messages, %d bytes, largest %d" % (count, total, largest))


if __name__ == "__main__":
    main(sys.argv[1:])
