#!/bin/bash
# outgoing: follow-ups to partners end to end on the real rig (TAP).
#  - The demo directory (contrib/demo/*.csv) imported; letters from
#    mayor@lviv.test (a Ukrainian contact) and intl@madison.test (an English
#    one) delivered into team's INBOX, plus a newer out-of-office from the
#    mayor; `mistok sync --once`.
#  - `mistok followup lviv-madison --to ... --now` for both: read back from
#    each partner's real mailbox over IMAPS (imaplib, the rig's CA): the
#    Lviv one in Ukrainian, the Madison one in English (decoded subject and
#    body), From the team, Auto-Submitted, X-Auto-Response-Suppress,
#    Message-ID <mistok.…@c4c.test>, In-Reply-To the partner's last
#    answerable Message-ID (never the auto-reply), References; the copy in
#    team's Sent (\Seen), stored once after sync, kind own, in the
#    partner's letter's thread.
#  - A bounce: Postfix accepts a follow-up for nobody@daneaid.test (an
#    outside domain: the sink answers 5xx), returns a DSN to the team;
#    after sync the outbox mail is marked bounced, the address bouncing,
#    one notice reaches each coordinator, and a new follow-up to it is
#    refused.
#  - An auto-reply to a follow-up is stored, threaded, and nothing is sent
#    in answer.
#  - A contact name with an embedded newline cannot add a header.
# Environment: OUTGOING_TEST_BASE_PORT (31000).
set -u
. "$(dirname "$0")/lib.sh"
DEMO=$TOP/contrib/demo

export RIG_BASE_PORT=${OUTGOING_TEST_BASE_PORT:-31000}
rig_dirs outgoing
cleanup() {
	stop_d
	rig_cleanup "${OUTGOING_KEEP:-0}"
}
trap cleanup EXIT

for b in "$MISTOK" "$MISTOKD"; do [ -x "$b" ] || bail "$b not built"; done
rig_start

# [smtp]: the account spelled out, implicit TLS.
rig_conf "$WORK/m.conf" smtp.host=localhost "smtp.port=$RIG_SUBMISSIONS_PORT" \
    smtp.tls= "smtp.ca_file=$RIG_CA_FILE" smtp.user=team@c4c.test \
    "smtp.password_file=$RIG_PASSWORD_DIR/team@c4c.test" \
    outbox.give_up_after=5m team.tag=C4C team.language=uk \
    "store.path=$WORK/m.db"
M() { "$MISTOK" -c "$WORK/m.conf" "$@"; }
q() { sqlite3 "$WORK/m.db" "$1" 2>/dev/null; }

# ---- the directory and the partners' letters ---------------------------
imp=0
for k in orgs contacts partnerships; do
	M import "$k" "$DEMO/$k.csv" >>"$WORK/import.out" 2>&1 || imp=1
done
check "mistok import of contrib/demo" [ $imp = 0 ]
PID=$(M partnership show lviv-madison --json | $PY -c 'import json,sys; print(json.load(sys.stdin)["id"])')
[ -n "$PID" ] || bail "no partnership lviv-madison"

now=$(date +%s)
rfc() { LC_ALL=C date -u -R -d "@$1"; }
letter() { # FILE FROM-NAME FROM MSGID SUBJECT DATE [EXTRA-HEADER-LINES] BODY
	{
		printf 'From: %s <%s>\r\nTo: Cities4Cities <team@c4c.test>\r\n' "$2" "$3"
		printf 'Subject: %s\r\nDate: %s\r\nMessage-ID: <%s>\r\n' \
			"$($PY -c 'import sys,email.header; print(email.header.Header(sys.argv[1],"utf-8").encode())' "$5")" "$(rfc "$6")" "$4"
		printf 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n'
		[ -n "$7" ] && printf '%s' "$7"
		printf '\r\n%s\r\n' "$8"
	} >"$1"
}
letter "$WORK/l0.eml" "Оксана Мельник" mayor@lviv.test lviv-0@lviv.test \
	"[C4C #$PID] Зустріч у березні" $((now - 7200)) "" "Добрий день! Пропонуємо зустріч."
letter "$WORK/l1.eml" "Оксана Мельник" mayor@lviv.test lviv-1@lviv.test \
	"Re: [C4C #$PID] Зустріч у березні" $((now - 3600)) \
	$'In-Reply-To: <lviv-0@lviv.test>\r\nReferences: <lviv-0@lviv.test>\r\n' "Чекаємо на вашу відповідь."
letter "$WORK/l2.eml" "Оксана Мельник" mayor@lviv.test lviv-ooo@lviv.test \
	"Автовідповідь: [C4C #$PID] Зустріч у березні" $((now - 1800)) \
	$'Auto-Submitted: auto-replied\r\nIn-Reply-To: <lviv-1@lviv.test>\r\n' "Я у відпустці до понеділка."
letter "$WORK/m1.eml" "Emily Carter" intl@madison.test madison-1@madison.test \
	"[C4C #$PID] Meeting in March" $((now - 3000)) "" "Hello! Looking forward to the meeting."
for f in l0 l1 l2 m1; do bash "$RIG" deliver team@c4c.test "$WORK/$f.eml" >/dev/null || bail "deliver $f"; done
M sync --once --quiet >"$WORK/sync1.out" 2>&1
check "sync --once stores the partners' letters" [ "$(q "SELECT count(*) FROM messages WHERE message_id LIKE '%lviv-%' OR message_id LIKE 'madison-1%'")" = 4 ]
check "the out-of-office is stored as kind autoreply" [ "$(q "SELECT kind FROM messages WHERE message_id = 'lviv-ooo@lviv.test'")" = autoreply ]

# ---- two follow-ups, read back from the partners' mailboxes ------------
M followup lviv-madison --to mayor@lviv.test --message "Чи зручний вам вівторок?" --now >"$WORK/f1.out" 2>"$WORK/f1.err"
check "followup --to mayor@lviv.test --now exits 0 ($(cat "$WORK/f1.out"))" [ $? -eq 0 ]
M followup lviv-madison --to intl@madison.test --now >"$WORK/f2.out" 2>"$WORK/f2.err"
check "followup --to intl@madison.test --now exits 0 ($(cat "$WORK/f2.out"))" [ $? -eq 0 ]
LMID=$(q "SELECT message_id FROM outbox WHERE dedupe_key LIKE 'followup:$PID:mayor@lviv.test:%'")
MMID=$(q "SELECT message_id FROM outbox WHERE dedupe_key LIKE 'followup:$PID:intl@madison.test:%'")
check "both follow-ups sent" [ "$(q "SELECT group_concat(status) FROM outbox WHERE dedupe_key LIKE 'followup:%'")" = "sent,sent" ]
M followup lviv-madison --to mayor@lviv.test --message "Чи зручний вам вівторок?" >"$WORK/f3.out" 2>&1
check "the same follow-up asked again is not queued again" \
	[ "$(q "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'followup:$PID:mayor@lviv.test:%'")" = 1 ]
bash "$RIG" wait-count mayor@lviv.test 1 >/dev/null 2>&1
bash "$RIG" wait-count intl@madison.test 1 >/dev/null 2>&1

cat >"$WORK/read.py" <<'EOF'
# read.py HOST PORT CA USER PWFILE FOLDER MSGID: JSON of the message
import email, email.policy, imaplib, json, ssl, sys
host, port, ca, user, pwfile, folder, mid = sys.argv[1:8]
m = imaplib.IMAP4_SSL(host, int(port), ssl_context=ssl.create_default_context(cafile=ca))
m.login(user, open(pwfile).read())
m.select(folder, readonly=True)
typ, data = m.search(None, 'HEADER', 'Message-ID', mid)
out = {"count": len(data[0].split())}
if out["count"]:
    num = data[0].split()[0]
    typ, f = m.fetch(num, '(FLAGS BODY.PEEK[])')
    out["flags"] = f[0][0].decode()
    msg = email.message_from_bytes(f[0][1], policy=email.policy.default)
    for h in ("From", "To", "Subject", "Message-ID", "In-Reply-To",
              "References", "Auto-Submitted", "X-Auto-Response-Suppress",
              "Thread-Index", "Cc"):
        out[h] = str(msg[h]) if msg[h] is not None else None
    body = msg.get_body(preferencelist=("plain",))
    out["text"] = body.get_content() if body is not None else ""
    html = msg.get_body(preferencelist=("html",))
    out["html"] = html.get_content() if html is not None else ""
print(json.dumps(out))
EOF
read_msg() { # USER FOLDER MSGID
	$PY "$WORK/read.py" localhost "$RIG_IMAPS_PORT" "$RIG_CA_FILE" "$1" \
		"$RIG_PASSWORD_DIR/$1" "$2" "<$3>"
}
J() { $PY -c 'import json,sys; d=json.loads(sys.argv[1]); v=eval(sys.argv[2]); print(v)' "$1" "$2"; }
L=$(read_msg mayor@lviv.test INBOX "$LMID")
W=$(read_msg intl@madison.test INBOX "$MMID")
check "the Lviv follow-up is in mayor@lviv.test's mailbox once" [ "$(J "$L" 'd["count"]')" = 1 ]
check "the Madison follow-up is in intl@madison.test's mailbox once" [ "$(J "$W" 'd["count"]')" = 1 ]
check "Lviv: subject decodes to the Ukrainian reply subject" \
	[ "$(J "$L" 'd["Subject"]')" = "Re: [C4C #$PID] Зустріч у березні" ]
check "Lviv: the body is the Ukrainian template with the coordinator's words" \
	[ "$(J "$L" '"Добрий день, Оксана Мельник!" in d["text"] and "Чи зручний вам вівторок?" in d["text"] and "Оксана Мельник" in d["html"]')" = True ]
check "Madison: subject is the English reply subject" \
	[ "$(J "$W" 'd["Subject"]')" = "Re: [C4C #$PID] Meeting in March" ]
check "Madison: the body is the English template" \
	[ "$(J "$W" '"Dear Emily Carter," in d["text"] and "follow up" in d["text"]')" = True ]
for x in L W; do
	v=${!x}
	check "$x: From is the team" [ "$(J "$v" 'd["From"]')" = "Cities4Cities <team@c4c.test>" ]
	check "$x: Auto-Submitted: auto-generated" [ "$(J "$v" 'd["Auto-Submitted"]')" = auto-generated ]
	check "$x: X-Auto-Response-Suppress: OOF, AutoReply" [ "$(J "$v" 'd["X-Auto-Response-Suppress"]')" = "OOF, AutoReply" ]
	check "$x: Message-ID <mistok.…@c4c.test>" [ "$(J "$v" '__import__("re").fullmatch(r"<mistok\.[^@<>]+@c4c\.test>", d["Message-ID"]) is not None')" = True ]
	check "$x: a Thread-Index" [ "$(J "$v" 'bool(d["Thread-Index"])')" = True ]
	check "$x: no Cc" [ "$(J "$v" 'd["Cc"]')" = None ]
done
check "Lviv: In-Reply-To is the mayor's last letter, not the out-of-office" \
	[ "$(J "$L" 'd["In-Reply-To"]')" = "<lviv-1@lviv.test>" ]
check "Lviv: References carry the conversation" \
	[ "$(J "$L" 'd["References"].split()')" = "['<lviv-0@lviv.test>', '<lviv-1@lviv.test>']" ]
check "Madison: In-Reply-To is Emily's letter" \
	[ "$(J "$W" 'd["In-Reply-To"]')" = "<madison-1@madison.test>" ]

# ---- the copies in Sent, ingested once as own in the partner's thread ---
for id in "$LMID" "$MMID"; do
	S=$(read_msg team@c4c.test Sent "$id")
	check "team's Sent holds one \\Seen copy of <$id>" \
		[ "$(J "$S" 'd["count"] == 1 and "\\Seen" in d["flags"]')" = True ]
done
M sync --once --quiet >"$WORK/sync2.out" 2>&1
M messages --json >"$WORK/msgs.json"
chk() { $PY - "$WORK/msgs.json" "$@" <<'EOF'
import json, sys
ms = json.load(open(sys.argv[1]))
own, parent = sys.argv[2], sys.argv[3]
mine = [m for m in ms if m["message_id"] == own]
par = [m for m in ms if m["message_id"] == parent]
ok = (len(mine) == 1 and mine[0]["kind"] == "own" and len(par) == 1 and
      mine[0]["thread"] == par[0]["thread"] and mine[0]["thread"] is not None)
print("yes" if ok else "no: %s %s" % (mine, [p.get("thread") for p in par]))
EOF
}
check "the Lviv follow-up is stored once, kind own, in the mayor's thread" [ "$(chk "$LMID" lviv-1@lviv.test)" = yes ]
check "the Madison follow-up is stored once, kind own, in Emily's thread" [ "$(chk "$MMID" madison-1@madison.test)" = yes ]
check "own_ids maps both follow-ups to the partnership" \
	[ "$(q "SELECT count(*) FROM own_ids WHERE kind = 'followup' AND partnership = $PID AND msgid IN ('$LMID', '$MMID')")" = 2 ]

# ---- an out-of-office to a follow-up: stored, threaded, not answered ---
before=$(q "SELECT count(*) FROM outbox")
letter "$WORK/ooo.eml" "Emily Carter" intl@madison.test ooo-1@madison.test \
	"Automatic reply: Re: [C4C #$PID] Meeting in March" $now \
	$'Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\nIn-Reply-To: <'"$MMID"$'>\r\n' "I am out of the office."
bash "$RIG" deliver team@c4c.test "$WORK/ooo.eml" >/dev/null
M sync --once --quiet >"$WORK/sync3.out" 2>&1
M messages --json >"$WORK/msgs.json"
r=$($PY - "$WORK/msgs.json" "$MMID" <<'EOF'
import json, sys
ms = json.load(open(sys.argv[1]))
o = [m for m in ms if m["message_id"] == "ooo-1@madison.test"]
f = [m for m in ms if m["message_id"] == sys.argv[2]]
print("yes" if len(o) == 1 and o[0]["kind"] == "autoreply" and f and
      o[0]["thread"] == f[0]["thread"] else "no %s" % o)
EOF
)
check "the out-of-office is stored as autoreply in the follow-up's thread" [ "$r" = yes ]
check "nothing was queued in answer to it" [ "$(q "SELECT count(*) FROM outbox")" = "$before" ]
dj=$(M followup lviv-madison --to intl@madison.test --dry-run --json)
check "a new follow-up to Emily still answers her letter, not the auto-reply" \
	[ "$(J "$dj" 'd["in_reply_to"]')" = madison-1@madison.test ]
check "a dry run queues nothing" [ "$(q "SELECT count(*) FROM outbox")" = "$before" ]

# ---- a bounce: a DSN from Postfix marks the mail and the address -------
bash "$RIG" sink-start "-f RCPT" >/dev/null 2>&1
inbox0=$(bash "$RIG" count team@c4c.test)
M followup lviv-madison --to nobody@daneaid.test --now >"$WORK/fb.out" 2>"$WORK/fb.err"
check "Postfix accepts the follow-up to nobody@daneaid.test ($(cat "$WORK/fb.out"))" [ $? -eq 0 ]
BID=$(q "SELECT id FROM outbox WHERE dedupe_key LIKE 'followup:$PID:nobody@daneaid.test:%'")
bash "$RIG" flush >/dev/null 2>&1
RIG_WAIT=60 bash "$RIG" wait-count team@c4c.test $((inbox0 + 1)) >/dev/null 2>&1
check "a DSN came back to team's INBOX" [ "$(bash "$RIG" count team@c4c.test)" -gt "$inbox0" ]
bash "$RIG" sink-start >/dev/null 2>&1
M sync --once --quiet >"$WORK/sync4.out" 2>&1
check "the DSN is stored as kind bounce naming the address" \
	[ "$(q "SELECT count(*) FROM messages WHERE kind = 'bounce'")" -ge 1 ]
check "the outbox mail stays sent and is marked bounced" \
	[ "$(q "SELECT status || ':' || (instr(rejected, 'nobody@daneaid.test: bounced: ') > 0) FROM outbox WHERE id = $BID")" = "sent:1" ]
check "the address is marked bouncing" \
	[ "$(q "SELECT bouncing FROM contact_addresses WHERE email = 'nobody@daneaid.test'")" = 1 ]
check "one bounce notice is queued" \
	[ "$(q "SELECT count(*) FROM outbox WHERE dedupe_key = 'bounce-notice:$BID:nobody@daneaid.test'")" = 1 ]
NMID=$(q "SELECT message_id FROM outbox WHERE dedupe_key = 'bounce-notice:$BID:nobody@daneaid.test'")
M sync --once --quiet >"$WORK/sync5.out" 2>&1
check "syncing again queues no second notice" \
	[ "$(q "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'bounce-notice:%'")" = 1 ]
# mistokd sends the notice.
"$MISTOKD" -d -c "$WORK/m.conf" >>"$WORK/d.log" 2>&1 &
DPID=$!
for i in $(seq 1 300); do
	[ "$(q "SELECT status FROM outbox WHERE message_id = '$NMID'")" = sent ] && break
	sleep 0.1
done
stop_d
for u in olena@c4c.test mark@c4c.test; do
	bash "$RIG" wait-count "$u" 1 >/dev/null 2>&1
	N=$(read_msg "$u" INBOX "$NMID")
	check "$u got the bounce notice once, in Ukrainian, naming the address" \
		[ "$(J "$N" 'd["count"] == 1 and d["Subject"].startswith("Лист повернувся") and "nobody@daneaid.test" in d["Subject"] and "nobody@daneaid.test" in d["text"]')" = True ]
done
M followup lviv-madison --to nobody@daneaid.test >"$WORK/fb2.out" 2>&1
check "a new follow-up to the bouncing address is refused (65)" [ $? -eq 65 ]

# ---- a failed delivery: 5xx at submission, one notice from the template
M followup lviv-madison --to nobody@lviv.test --now >"$WORK/ff.out" 2>&1
check "a follow-up to an unknown user at a rig domain fails (69)" [ $? -eq 69 ]
FID=$(q "SELECT id FROM outbox WHERE dedupe_key LIKE 'followup:$PID:nobody@lviv.test:%'")
check "one failure notice, written from the notice template" \
	[ "$(q "SELECT count(*) FROM outbox WHERE dedupe_key = 'failed-notice:$FID' AND subject LIKE 'Лист не доставлено: %'")" = 1 ]

# ---- a name with an embedded newline cannot add a header ---------------
printf 'name,email,organisation,role,timezone,language\r\n"James\r\nBcc: evil@evil.test",clerk@madison.test,City of Madison,city clerk,,en\r\n' >"$WORK/evil.csv"
M import contacts "$WORK/evil.csv" >"$WORK/evil.out" 2>&1
imp=$?
raw=$(M followup lviv-madison --to clerk@madison.test --dry-run)
hdr=$(printf '%s' "$raw" | tr -d '\r' | sed '/^$/q')
if [ $imp -ne 0 ]; then
	ok "the directory refuses a name with a newline"
else
	check "the imported name's newline does not reach the header" \
		[ -z "$(printf '%s\n' "$hdr" | grep -i '^Bcc:')" ]
fi
check "no header names evil@evil.test" [ -z "$(printf '%s\n' "$hdr" | grep -i 'evil@evil.test' | grep -v '^To:\|^ ')" ]

echo "1..$n"
[ $failed -eq 0 ]
