#!/bin/bash
# Threading conformance: runs mistok's threading (through
# $BUILD/tests/threadcheck) over $CORPORA/threading and compares:
#   - notmuch/corpora/default against expected/default-corpus-threads
#     .derived.json: the same threads (sets of ids), the same parent shown
#     and the same depth for all 52 messages; again in three shuffled
#     arrival orders (seeded), with the same stored parents too;
#   - notmuch ghost-root and parent-priority against the trees of
#     expected/T510-thread-replies.expected-blocks.txt (blocks 2, 4, 5):
#     depth and shown parent of every line;
#   - notmuch expected/T510-header-cases.derived.json: the parent of every
#     message (broken In-Reply-To, free text, comments, garbage);
#   - notmuch broken/loop: a References loop ends, one thread, one root;
#   - notmuch lkml (no upstream tree): the same threads and parents in
#     file order, reversed and shuffled;
#   - dovecot-imaptest THREAD=REFERENCES scripts (appends, expunges),
#     compared as RFC 5256 thread strings. mistok follows notmuch, not
#     RFC 5256, where they differ; each such case is listed in DIFFERS
#     below with the exact output mistok must give and why, and a listed
#     case that stops differing fails too (the list stays honest).
#   - dovecot-imaptest sort-subject: base subjects sort as SORT (SUBJECT).
# THREAD=ORDEREDSUBJECT (grouping by subject alone) is reported as a
# SKIP: mistok never groups by subject alone.
# Prints TAP; exits non-zero on any failure.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
CORPORA=${CORPORA:-$TOP/../shared/corpora}
T="$BUILD/tests/threadcheck"
PY=/usr/bin/python3

if [ ! -x "$T" ]; then
	echo "not ok 1 - $T not built (make tests)"
	exit 1
fi
if [ ! -d "$CORPORA/threading" ]; then
	echo "ok 1 - # SKIP $CORPORA/threading not found"
	exit 0
fi

exec timeout -k 5 900 "$PY" - "$T" "$CORPORA/threading" <<'EOF'
import json, os, random, re, subprocess, sys, tempfile

T, ROOT = sys.argv[1], sys.argv[2]
NM = os.path.join(ROOT, "notmuch")
DC = os.path.join(ROOT, "dovecot-imaptest")
n = 0
failed = 0

def tap(ok, desc, note=None):
    global n, failed
    n += 1
    desc = desc.replace("\n", "\\n")
    if not ok:
        failed += 1
    print("%s %d - %s%s" % ("ok" if ok else "not ok", n, desc,
                            (" # " + note) if note else ""))
    sys.stdout.flush()

def check(args):
    p = subprocess.run([T] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    if p.returncode != 0:
        raise RuntimeError("threadcheck %s: %s" % (args[:2],
                           p.stderr.decode(errors="replace")[-500:]))
    return [json.loads(l) for l in p.stdout.decode().splitlines() if l]

def partition(rows):
    """Threads as a set of frozensets of Message-IDs, and id -> (stored
    parent, parent shown in the tree)."""
    th = {}
    par = {}
    seq = {r["seq"]: r["message_id"] for r in rows}
    for r in rows:
        if r["message_id"] is None or r["dup_of"]:
            continue
        th.setdefault(r["thread"], set()).add(r["message_id"])
        par[r["message_id"]] = (r["parent"], seq.get(r["tree_parent"]))
    return set(frozenset(s) for s in th.values()), par

# ---- notmuch default corpus ------------------------------------------
exp = json.load(open(os.path.join(NM, "expected",
                                  "default-corpus-threads.derived.json")))
want_threads = set(frozenset(m["id"] for m in t["messages"])
                   for t in exp["threads"])
want_parent = {m["id"]: m["parent"] for t in exp["threads"]
               for m in t["messages"]}
want_depth = {m["id"]: m["depth"] for t in exp["threads"]
              for m in t["messages"]}
files = []
for d, _, fs in os.walk(os.path.join(NM, "corpora", "default")):
    files += [os.path.join(d, f) for f in fs]
files.sort()
rows = check(["files"] + files)
got_threads, got_parent = partition(rows)
tap(got_threads == want_threads,
    "notmuch default: %d threads as expected (%d got)" %
    (len(want_threads), len(got_threads)))
# The derived file gives the parent notmuch shows (null when the one
# named is not in the corpus).
bad = [i for i in want_parent
       if got_parent.get(i, ("?", "?"))[1] != want_parent[i]]
tap(not bad, "notmuch default: parent shown for all %d messages%s" %
    (len(want_parent), (" (wrong: %s)" % bad[:3]) if bad else ""))
depth = {r["message_id"]: r["depth"] for r in rows if not r["dup_of"]}
bad = [i for i in want_depth if depth.get(i) != want_depth[i]]
tap(not bad, "notmuch default: depth of all messages in the tree%s" %
    ((" (wrong: %s)" % bad[:3]) if bad else ""))
dups = [r for r in rows if r["dup_of"]]
tap(len(dups) == 1 and len(rows) == 53,
    "notmuch default: 53 files, one duplicate Message-ID stored once")
rnd = random.Random(5256)
for k in range(3):
    order = files[:]
    rnd.shuffle(order)
    t2, p2 = partition(check(["files"] + order))
    tap(t2 == want_threads and p2 == got_parent,
        "notmuch default: same threads and parents, shuffled order %d" % k)

# ---- notmuch T510 trees ------------------------------------------------
blocks = {}
cur = None
for line in open(os.path.join(NM, "expected",
                              "T510-thread-replies.expected-blocks.txt")):
    m = re.match(r"### block (\d+)", line)
    if m:
        cur = int(m.group(1))
        blocks[cur] = []
    elif cur is not None and "\u25ba" in line:
        blocks[cur].append(line.rstrip("\n"))

def tree_lines(block):
    out = []
    for l in block:
        i = l.index("\u25ba")
        subj = re.sub(r"\s+\(inbox unread\)\s*$", "", l[i + 1:]).strip()
        out.append((i, subj))
    base = min(i for i, _ in out)
    res = []
    for k, (i, s) in enumerate(out):
        d = i - base
        parent = None
        for j in range(k - 1, -1, -1):
            if out[j][0] - base == d - 1:
                parent = out[j][1]
                break
        res.append((s, d, parent))
    return res

def compare_tree(name, dirfiles, block):
    rows = check(["files"] + sorted(dirfiles))
    by_seq = {r["seq"]: r for r in rows}
    def find(s):
        c = [r for r in rows if r["subject"].strip() == s]
        if not c:	# the tree cuts long subjects
            c = [r for r in rows if r["subject"].strip().startswith(s)]
        return c[0] if len(c) == 1 else None
    want = tree_lines(block)
    mine = {}
    ok = True
    for s, d, parent in want:
        r = find(s)
        if r is None:
            ok = False
            continue
        mine[s] = r
    if ok:
        mind = min(mine[s]["depth"] for s, _, _ in want)
        for s, d, parent in want:
            r = mine[s]
            tp = by_seq[r["tree_parent"]]["subject"].strip() \
                if r["tree_parent"] else None
            wp = mine[parent]["subject"].strip() if parent else None
            if r["depth"] - mind != d or tp != wp:
                ok = False
                print("# %s: %r depth %d parent %r; want %d %r" %
                      (name, s, r["depth"] - mind, tp, d, wp))
    tap(ok, "notmuch T510 %s: tree as expected (%d messages)" %
        (name, len(want)))

gr = os.path.join(NM, "corpora", "threading", "ghost-root")
grf = [os.path.join(gr, f) for f in os.listdir(gr)]
compare_tree("ghost-root", [f for f in grf if "len:" not in f], blocks[2])
compare_tree("ghost-root RT", [f for f in grf if "len:" in f], blocks[4])
pp = os.path.join(NM, "corpora", "threading", "parent-priority", "cur")
compare_tree("parent-priority", [os.path.join(pp, f) for f in os.listdir(pp)],
             blocks[5])

cases = json.load(open(os.path.join(NM, "expected",
                                    "T510-header-cases.derived.json")))
with tempfile.TemporaryDirectory() as tmp:
    for ci, c in enumerate(cases["cases"]):
        fs = []
        for mi, m in enumerate(c["messages"]):
            p = os.path.join(tmp, "c%d-%d" % (ci, mi))
            with open(p, "w") as f:
                f.write("From: test@example.com\nTo: test@example.com\n")
                f.write("Date: Mon, 2 Mar 2026 1%d:00:00 +0000\n" % mi)
                f.write("Message-ID: <%s>\nSubject: %s\n" %
                        (m["id"], m["subject"]))
                if "in_reply_to" in m:
                    f.write("In-Reply-To: %s\n" % m["in_reply_to"])
                if "references" in m:
                    f.write("References: %s\n" % m["references"])
                f.write("\nbody\n")
            fs.append(p)
        rows = check(["files"] + fs)
        got = {r["message_id"]: r["parent"] for r in rows}
        tap(got == c["expected_parent"],
            "notmuch T510: %s%s" % (c["name"], "" if got ==
            c["expected_parent"] else " (got %s)" % got))

# ---- loops and lkml ------------------------------------------------------
lp = os.path.join(NM, "corpora", "broken", "loop")
rows = check(["files"] + sorted(os.path.join(lp, f) for f in os.listdir(lp)))
tap(len(rows) == 2 and rows[0]["thread"] == rows[1]["thread"] and
    sum(1 for r in rows if r["tree_parent"] == 0) == 1,
    "notmuch broken/loop: References loop ends in one thread, one root")
lk = os.path.join(NM, "corpora", "lkml", "cur")
lf = sorted(os.path.join(lk, f) for f in os.listdir(lk))
t0, p0 = partition(check(["files"] + lf))
t1, p1 = partition(check(["files"] + lf[::-1]))
sh = lf[:]
random.Random(210).shuffle(sh)
t2, p2 = partition(check(["files"] + sh))
tap(t0 == t1 == t2 and p0 == p1 == p2,
    "notmuch lkml: %d messages, %d threads, the same in file, reversed "
    "and shuffled order" % (len(p0), len(t0)))

# ---- dovecot imaptest THREAD=REFERENCES ----------------------------------
# (case, nth THREAD command) -> (mistok's output, why it differs)
DIFFERS = {
    ("thread", 1): ("((1)(3 2))",
        "References loop b->c->b: RFC 5256 lets c's References break the "
        "a-c link and leaves a alone; mistok, like notmuch, keeps every "
        "id a message references in its thread and breaks the loop only "
        "in the tree shown"),
    ("thread2", 1): ("(1) [2=1]",
        "two messages with one Message-ID are one message in mistok "
        "(stored once, two locations); RFC 5256 threads both"),
    ("thread3", 1): ("(1) [2=1]",
        "duplicate Message-ID (stored once); RFC 5256 also joins 'Re: "
        "foo' to 'foo' by subject"),
    ("thread4", 1): ("(1)(2)",
        "subject merge: 'Re: foo' has References (to an unseen <c@b>), "
        "so mistok never groups it by subject, and these messages have "
        "no participants to compare; RFC 5256 merges by base subject"),
    ("thread7", 1): ("(1 2 3) [4=2]",
        "duplicate Message-ID <b@b> is one message in mistok; RFC 5256 "
        "shows the second copy as another child of 1"),
}

def render(rows):
    keep = [r for r in rows if not r["dup_of"]]
    kids = {}
    for r in keep:
        kids.setdefault(r["tree_parent"], []).append(r)
    for v in kids.values():
        v.sort(key=lambda r: (r["date"], r["seq"]))
    def fmt(r):
        c = kids.get(r["seq"], [])
        s = str(r["seq"])
        if len(c) == 1:
            s += " " + fmt(c[0])
        elif c:
            s += " " + "".join("(" + fmt(x) + ")" for x in c)
        return s
    threads = {}
    for r in kids.get(0, []):
        threads.setdefault(r["thread"], []).append(r)
    out = []
    for roots in sorted(threads.values(),
                        key=lambda v: (v[0]["date"], v[0]["seq"])):
        if len(roots) == 1:
            out.append("(" + fmt(roots[0]) + ")")
        else:
            out.append("(" + "".join("(" + fmt(x) + ")" for x in roots) +
                       ")")
    s = "".join(out)
    d = ["%d=%d" % (r["seq"], r["dup_of"]) for r in rows if r["dup_of"]]
    return s + (" [" + ",".join(d) + "]" if d else "")

def canon(s):
    """Thread order is not structure: sort the top-level threads."""
    s = s.strip()
    tail = ""
    if " [" in s:
        s, tail = s.split(" [", 1)
        tail = " [" + tail
    parts, depth, cur = [], 0, ""
    for ch in s:
        cur += ch
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and cur.strip():
            parts.append(cur.strip())
            cur = ""
    return "".join(sorted(parts)) + tail

def mbox_count(path):
    return sum(1 for l in open(path, "rb") if l.startswith(b"From "))

seen = set()
for name in sorted(os.listdir(DC)):
    path = os.path.join(DC, name)
    if "." in name or not os.path.isfile(path) or not name.startswith(
            "thread"):
        continue
    text = open(path).read()
    head, _, body = text.partition("\n\n")
    if "THREAD=ORDEREDSUBJECT" in head:
        tap(True, "imaptest %s" % name, "SKIP ORDEREDSUBJECT groups by "
            "subject alone; mistok never does (subject only among the "
            "same participants, as a last resort)")
        continue
    mbox = path + ".mbox"
    total = mbox_count(mbox)
    box = list(range(1, total + 1)) if "state: created" not in head else []
    nxt = len(box)
    deleted = set()
    lines = body.splitlines()
    k = 0
    i = 0
    while i < len(lines):
        l = lines[i].strip()
        i += 1
        low = l.lower()
        if low == "ok append":
            box.append(nxt % total + 1)
            nxt += 1
        elif low.startswith("ok store "):
            for x in low.split()[2].split(","):
                deleted.add(int(x))
        elif low == "ok expunge":
            box = [b for j, b in enumerate(box, 1) if j not in deleted]
            deleted = set()
        elif low.startswith("ok thread references"):
            want = lines[i].strip()
            i += 1
            want = re.sub(r"^\*\s+thread\s+", "", want, flags=re.I)
            k += 1
            got = render(check(["mbox", mbox] + [str(b) for b in box]))
            key = (name, k)
            if key in DIFFERS:
                seen.add(key)
                mine, why = DIFFERS[key]
                if canon(got) == canon(want):
                    tap(False, "imaptest %s #%d: listed as differing but "
                        "now gives RFC 5256's %s" % (name, k, want))
                else:
                    tap(canon(got) == canon(mine),
                        "imaptest %s #%d: %s (RFC 5256 %s) differs on "
                        "purpose: %s" % (name, k, got, want, why))
            else:
                tap(canon(got) == canon(want),
                    "imaptest %s #%d: %s%s" % (name, k, want, "" if
                    canon(got) == canon(want) else " (got %s)" % got))
for key in sorted(set(DIFFERS) - seen):
    tap(False, "imaptest %s #%d: listed difference never ran" % key)

# ---- base subjects -------------------------------------------------------
sortfile = os.path.join(DC, "sort-subject")
want = None
for l in open(sortfile):
    if l.lower().startswith("* sort ") and want is None:
        want = [int(x) for x in l.split()[2:]]
rows = check(["subjects", sortfile + ".mbox"])
got = [r["n"] for r in sorted(rows, key=lambda r: (r["base"].upper(),
                                                  r["n"]))]
tap(got == want, "imaptest sort-subject: base subjects sort as SORT "
    "(SUBJECT) %s%s" % (want, "" if got == want else " (got %s)" % got))

print("1..%d" % n)
sys.exit(1 if failed else 0)
EOF
