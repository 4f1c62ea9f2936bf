#!/bin/bash
# commands: commands by mail on the real rig (TAP), COMMANDS.md end to end.
#  - The demo directory imported; mistokd -d runs ingest (IDLE), the
#    commands, the outbox and the search module.
#  - olena@c4c.test sends commands as real mail (python3 smtplib through
#    the rig's submission port, STARTTLS against the rig's CA, her own
#    password) in English and in Ukrainian: Partnership, Stage, Next-Step,
#    Note, Show, Help. The change is in `mistok partnership show --json`
#    and `mistok steps --json`; the answer reaches her INBOX (imaplib over
#    IMAPS) threaded under the command (In-Reply-To its Message-ID) in her
#    language (uk).
#  - A partner's mail (mayor@lviv.test to the team, olena in Cc) with
#    `Stage: closed` changes nothing: by COMMANDS.md it is command mail
#    from someone else (team-only recipients), so it is recorded as
#    refused, not run and not answered. olena's own mail with a partner
#    among the recipients is correspondence: no commands row at all.
#  - `Stge: planning` is answered with the error and the suggestion.
#  - A Meeting line: the proposal mail reaches the coordinator
#    (mark@c4c.test); his reply "2" books slot 2 (`meeting show --json`
#    start is slot 2's) and the invitation reaches mayor@lviv.test.
#  - With require_authenticated_sender = yes (a reload), a coordinator's
#    From whose topmost Authentication-Results (the configured
#    authserv_id) says dmarc=fail runs nothing, and the coordinators are
#    told.
# mistokd runs with -v -T outbox,cmd,imap into $WORK/mistokd.log.
# poll_interval is short: an IDLE slice blocks the daemon's loop, so it
# also bounds how late a retry of the outbox can be.
# Environment: COMMANDS_TEST_BASE_PORT (17000), COMMANDS_KEEP=1 keeps the
# work directory (and so mistokd.log).
set -u
. "$(dirname "$0")/lib.sh"

export RIG_BASE_PORT=${COMMANDS_TEST_BASE_PORT:-17000}
rig_dirs commands
cleanup() {
	stop_d
	if [ "$failed" -gt 0 ] && [ -f "$WORK/mistokd.log" ]; then
		echo "# outbox:"
		sqlite3 "$WORK/mistok.db" "SELECT id, dedupe_key, status, attempts, last_error FROM outbox" 2>/dev/null | sed 's/^/#   /'
		echo "# mistokd.log (tail):"
		grep -v '^imap ' "$WORK/mistokd.log" | tail -20 | sed 's/^/#   /'
	fi
	rig_cleanup "${COMMANDS_KEEP:-0}"
}
trap cleanup EXIT

for b in "$MISTOK" "$MISTOKD"; do [ -x "$b" ] || bail "$b not built"; done
rig_start "${DEMO_USERS[@]}"
elapsed "rig started"

CONF=$WORK/mistok.conf
write_conf() { # [SECTION.KEY=VALUE...]
	rig_conf "$CONF" mailbox.idle=yes mailbox.poll_interval=10s "$@"
}
write_conf
export MISTOK_CONFIG=$CONF

# mail.py send FROM TO CC SUBJECT BODY-FILE [IN-REPLY-TO] -> Message-ID
# mail.py wait USER IN-REPLY-TO SECS -> the answer's subject and text
# mail.py wait-subject USER WORD SECS -> Message-ID of the newest match
cat >"$WORK/mail.py" <<'EOF'
import email, email.policy, email.utils, imaplib, os, smtplib, ssl, sys, time
from email.message import EmailMessage
E = os.environ
ctx = ssl.create_default_context(cafile=E["RIG_CA_FILE"])
def pw(u):
    return open(os.path.join(E["RIG_PASSWORD_DIR"], u)).read()
def inbox(u):
    m = imaplib.IMAP4_SSL("127.0.0.1", int(E["RIG_IMAPS_PORT"]), ssl_context=ctx)
    m.login(u, pw(u))
    m.select("INBOX", readonly=True)
    typ, d = m.search(None, "ALL")
    out = []
    for num in d[0].split():
        typ, r = m.fetch(num, "(BODY.PEEK[])")
        out.append(email.message_from_bytes(r[0][1], policy=email.policy.default))
    m.logout()
    return out
def text(msg):
    p = msg.get_body(preferencelist=("plain",))
    return p.get_content() if p is not None else ""
cmd = sys.argv[1]
if cmd == "send":
    fr, to, cc, subj, bodyf = sys.argv[2:7]
    irt = sys.argv[7] if len(sys.argv) > 7 else ""
    msg = EmailMessage()
    msg["From"] = fr
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subj
    msg["Date"] = email.utils.formatdate(localtime=False)
    mid = email.utils.make_msgid(domain=fr.split("@")[1])
    msg["Message-ID"] = mid
    if irt:
        msg["In-Reply-To"] = "<%s>" % irt
        msg["References"] = "<%s>" % irt
    msg.set_content(open(bodyf, encoding="utf-8").read())
    s = smtplib.SMTP("127.0.0.1", int(E["RIG_SUBMISSION_PORT"]), timeout=20)
    s.starttls(context=ctx)
    s.login(fr, pw(fr))
    s.send_message(msg)
    s.quit()
    print(mid.strip("<>"))
elif cmd == "wait":
    u, irt, secs = sys.argv[2], sys.argv[3], float(sys.argv[4])
    end = time.time() + secs
    while time.time() < end:
        for msg in inbox(u):
            if (msg["In-Reply-To"] or "").strip() == "<%s>" % irt:
                print("SUBJECT " + str(msg["Subject"]))
                print(text(msg))
                sys.exit(0)
        time.sleep(0.5)
    sys.exit(1)
elif cmd == "wait-subject":
    u, word, secs = sys.argv[2], sys.argv[3], float(sys.argv[4])
    end = time.time() + secs
    while time.time() < end:
        found = [m for m in inbox(u) if word in str(m["Subject"]) or word in text(m)]
        if found:
            print((found[-1]["Message-ID"] or "").strip().strip("<>"))
            sys.exit(0)
        time.sleep(0.5)
    sys.exit(1)
EOF
M() { "$PY" "$WORK/mail.py" "$@"; }
# send FROM TO CC SUBJECT BODY [IN-REPLY-TO]
send() {
	printf '%s' "$5" >"$WORK/body.txt"
	M send "$1" "$2" "$3" "$4" "$WORK/body.txt" ${6:+"$6"}
}
pshow() { # SLUG EXPR on d
	"$MISTOK" partnership show --json "$1" | "$PY" -c 'import json,sys
d = json.load(sys.stdin)
print('"$2"')'
}
has() { grep -qF -- "$2" "$1"; }

demo_import
ok "the demo directory is imported"
start_mistokd "$WORK/mistokd.log" 0.5 -d -v -T outbox,cmd,imap -c "$CONF"
elapsed "mistokd started"

# ---- English ----------------------------------------------------------
mid=$(send olena@c4c.test team@c4c.test "" "lviv update" \
    $'Partnership: lviv-madison\nStage: joint_projects\nNext-Step: Send the draft MoU to Madison ; due in 7d\nNote: agreed on the phone\n')
M wait olena@c4c.test "$mid" 40 >"$WORK/a1.txt"
check "English commands: the answer reaches olena's INBOX threaded under the command" [ $? -eq 0 ]
check "English commands: the stage is joint_projects" \
    [ "$(pshow lviv-madison 'd["stage"]')" = joint_projects ]
"$MISTOK" steps --json --partnership lviv-madison >"$WORK/steps.json"
check "English commands: the step is listed by mistok steps --json" \
    has "$WORK/steps.json" "Send the draft MoU to Madison"
check "English commands: the answer is in olena's language (uk), with the step's id" \
    bash -c "grep -q 'крок №[0-9]' '$WORK/a1.txt' && grep -q 'нотатку додано' '$WORK/a1.txt'"
check "English commands: the note is stored" \
    [ "$(q "SELECT count(*) FROM notes WHERE text = 'agreed on the phone'")" = 1 ]

# ---- Ukrainian --------------------------------------------------------
mid=$(send olena@c4c.test team@c4c.test "" "харків" \
    $'Партнерство: kharkiv-tempe\nЕтап: planning\nКрок: Надіслати план до Темпе ; до in 5d\nНотатка: домовилися\nПоказати:\n')
M wait olena@c4c.test "$mid" 40 >"$WORK/a2.txt"
check "Ukrainian commands: the answer arrives threaded" [ $? -eq 0 ]
check "Ukrainian commands: the stage is planning" \
    [ "$(pshow kharkiv-tempe 'd["stage"]')" = planning ]
"$MISTOK" steps --json --partnership kharkiv-tempe >"$WORK/steps2.json"
check "Ukrainian commands: the step is listed" has "$WORK/steps2.json" "Надіслати план до Темпе"
check "Ukrainian commands: Show's summary is in the answer" \
    bash -c "grep -q 'kharkiv-tempe (#' '$WORK/a2.txt' && grep -q 'Надіслати план до Темпе' '$WORK/a2.txt'"
mid=$(send olena@c4c.test team@c4c.test "" "довідка" $'Довідка:\n')
M wait olena@c4c.test "$mid" 40 >"$WORK/a3.txt"
check "Help (Довідка): the table in Ukrainian" bash -c "grep -q 'Партнерство' '$WORK/a3.txt' && grep -q 'Нове-партнерство' '$WORK/a3.txt'"
elapsed "commands answered"

# ---- a partner's mail changes nothing ---------------------------------
before=$(pshow lviv-madison 'd["stage"]')
mid=$(send mayor@lviv.test team@c4c.test olena@c4c.test "Re: lviv update" $'Stage: closed\n\nThank you!\n')
wait_q "SELECT count(*) FROM messages WHERE message_id = '$mid'" 1 30
check "the partner's mail is ingested" [ $? -eq 0 ]
wait_q "SELECT count(*) FROM messages WHERE message_id = '$mid' AND kind != 'command'" 1 5 >/dev/null
check "a partner's 'Stage: closed' changes nothing (stage $before)" \
    [ "$(pshow lviv-madison 'd["stage"]')" = "$before" ]
check "a partner's mail is not run: refused, not of kind command" \
    [ "$(q "SELECT c.status || ' ' || m.kind FROM commands c JOIN messages m ON m.id = c.message WHERE m.message_id = '$mid'")" = "refused correspondence" ]
check "a partner's mail is not answered" \
    [ "$(q "SELECT count(*) FROM outbox o JOIN messages m ON o.dedupe_key = 'cmd-reply:' || m.id WHERE m.message_id = '$mid'")" = 0 ]
mid=$(send olena@c4c.test team@c4c.test mayor@lviv.test "lviv" $'Stage: closed\n\nDear Oksana, ...\n')
wait_q "SELECT count(*) FROM messages WHERE message_id = '$mid'" 1 30 >/dev/null
sleep 1
check "olena's mail with a partner in Cc is correspondence: no command, no change" \
    [ "$(q "SELECT count(*) FROM commands c JOIN messages m ON m.id = c.message WHERE m.message_id = '$mid'") $(pshow lviv-madison 'd["stage"]')" = "0 $before" ]

# ---- a typo -----------------------------------------------------------
mid=$(send olena@c4c.test team@c4c.test "" "typo" $'Partnership: kharkiv-tempe\nStge: closed\n')
M wait olena@c4c.test "$mid" 40 >"$WORK/a4.txt"
check "a mistyped keyword gets an answer" [ $? -eq 0 ]
check "the answer names the line and suggests Stage" \
    bash -c "grep -q 'рядок 2' '$WORK/a4.txt' && grep -q 'можливо, «Stage»' '$WORK/a4.txt'"
check "nothing of the mail ran" [ "$(pshow kharkiv-tempe 'd["stage"]')" = planning ]

# ---- slot 2 by replying "2" -------------------------------------------
window=$(week_after_next)
mid=$(send olena@c4c.test team@c4c.test "" "meeting" \
    "$(printf 'Partnership: lviv-madison\nMeeting: 60m ; %s ; with mayor@lviv.test\n' "$window")")
M wait olena@c4c.test "$mid" 40 >"$WORK/a5.txt"
check "Meeting: the answer lists the proposal" grep -q 'пропозиція зустрічі №' "$WORK/a5.txt"
pid=$(q "SELECT id FROM meetings WHERE status = 'proposed' ORDER BY id DESC LIMIT 1")
wait_q "SELECT status FROM outbox WHERE dedupe_key = 'proposal:$pid'" sent 30
check "the proposal mail is sent to the coordinator" [ $? -eq 0 ]
pmid=$(q "SELECT message_id FROM outbox WHERE dedupe_key = 'proposal:$pid'")
pmid=${pmid#<}; pmid=${pmid%>}
bash "$RIG" wait-count mark@c4c.test 1 >/dev/null 2>&1
slot2=$(q "SELECT start_utc FROM meeting_slots WHERE meeting = $pid AND n = 2")
check "the proposal has a slot 2" [ -n "$slot2" ]
nmayor=$(bash "$RIG" count mayor@lviv.test)
mid=$(send mark@c4c.test team@c4c.test "" "Re: proposal" $'2\n\n> the proposal\n' "$pmid")
M wait mark@c4c.test "$mid" 40 >"$WORK/a6.txt"
check "the reply '2' is answered in mark's language (en)" grep -q "slot 2 of proposal #$pid booked" "$WORK/a6.txt"
start=$("$MISTOK" meeting show "$pid" --json | "$PY" -c 'import json,sys,datetime
m = json.load(sys.stdin)
print(m["status"], int(datetime.datetime.fromisoformat(m["start"].replace("Z", "+00:00")).timestamp()))')
check "meeting show: scheduled at slot 2's start ($start)" [ "$start" = "scheduled $slot2" ]
bash "$RIG" wait-count mayor@lviv.test $((nmayor + 1)) >/dev/null 2>&1
wait_q "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'invite:%' AND recipients = 'mayor@lviv.test' AND status = 'sent'" 1 30
check "the invitation for slot 2 is sent to mayor@lviv.test" [ $? -eq 0 ]
check "and is in mayor@lviv.test's mailbox" [ "$(bash "$RIG" count mayor@lviv.test)" -gt "$nmayor" ]
elapsed "slot 2 booked"

# ---- a forged coordinator From ----------------------------------------
write_conf team.require_authenticated_sender=yes team.authserv_id=mx.c4c.test
kill -HUP "$DPID"
sleep 1
before=$(pshow lviv-madison 'd["stage"]')
cat >"$WORK/forged.eml" <<EOF
Authentication-Results: mx.c4c.test; dmarc=fail (p=reject) header.from=c4c.test; spf=pass smtp.mailfrom=evil.test
Received: from evil.test by mx.c4c.test; $(date -R)
From: Olena Kovalenko <olena@c4c.test>
To: team@c4c.test
Subject: urgent
Date: $(date -R)
Message-ID: <forged.$$@evil.test>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Partnership: lviv-madison
Stage: closed
EOF
nmark=$(bash "$RIG" count mark@c4c.test)
bash "$RIG" deliver team@c4c.test "$WORK/forged.eml" >/dev/null 2>&1 || nok "deliver the forged mail"
wait_q "SELECT status FROM commands c JOIN messages m ON m.id = c.message WHERE m.message_id = 'forged.$$@evil.test'" refused 40
check "the forged mail is refused" [ $? -eq 0 ]
check "the forged 'Stage: closed' ran nothing" [ "$(pshow lviv-madison 'd["stage"]')" = "$before" ]
wait_q "SELECT o.status FROM outbox o JOIN messages m ON o.dedupe_key = 'cmd-foreign:' || m.id WHERE m.message_id = 'forged.$$@evil.test'" sent 30
check "the coordinators' notice is sent" [ $? -eq 0 ]
bash "$RIG" wait-count mark@c4c.test $((nmark + 1)) >/dev/null 2>&1
check "and reaches mark@c4c.test" [ "$(bash "$RIG" count mark@c4c.test)" -gt "$nmark" ]
check "no answer went to the forged sender's thread" \
    [ "$(q "SELECT count(*) FROM outbox o JOIN messages m ON o.dedupe_key = 'cmd-reply:' || m.id WHERE m.message_id = 'forged.$$@evil.test'")" = 0 ]

stop_d
check "mistokd logged no warning about commands" bash -c "! grep -q 'command: .*database' '$WORK/mistokd.log'"
elapsed "done"
echo "1..$n"
[ $failed -eq 0 ]
