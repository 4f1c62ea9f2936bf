#!/bin/bash
# outbox: outgoing mail on the real rig (TAP).
#  - send-test to a partner arrives in the partner's mailbox (read back
#    with imaplib over IMAPS and the rig's CA); the copy is in team's Sent
#    with \Seen; `mistok sync --once` stores it once, kind own.
#  - The same dedupe key queued twice: one mail.
#  - 5xx (an unknown user at a rig domain, refused by Postfix): failed at
#    once, one notice in a coordinator's mailbox.
#  - 4xx: mistok sends straight to the rig's smtp-sink answering every
#    RCPT with 4xx; after recovery each mail is captured once.
#  - Postfix stopped: mail waits (attempts, last error), delivered once
#    when Postfix is back.
#  - 200 mails while mistokd is killed with SIGKILL at random moments:
#    every mail delivered; duplicates only for mails recovered from
#    "sending" (the documented edge), and their number is printed.
#  - Certificates from an unknown CA, for another host, expired: refused.
# Environment: OUTBOX_TEST_BASE_PORT (28000).
set -u
. "$(dirname "$0")/lib.sh"
TOOL=$BUILD/tests/outboxtool

export RIG_BASE_PORT=${OUTBOX_TEST_BASE_PORT:-28000}
rig_dirs outbox
cleanup() {
	if [ -n "$DPID" ]; then
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	rig_cleanup "${OUTBOX_KEEP:-0}"
}
trap cleanup EXIT

for b in "$MISTOK" "$MISTOKD" "$TOOL"; do [ -x "$b" ] || bail "$b not built"; done
rig_start
elapsed "rig started"

# conf NAME SMTP-PORT [SECTION.KEY=VALUE...]: $WORK/NAME.conf, db
# $WORK/NAME.db; [smtp] tls only if given.
conf() {
	local name=$1 port=$2
	shift 2
	rig_conf "$WORK/$name.conf" "store.path=$WORK/$name.db" \
	    "smtp.port=$port" smtp.tls= outbox.give_up_after=5m "$@"
}
# q and wait_q of their own: the store's NAME first, as the test has several.
q() { sqlite3 "$WORK/$1.db" "$2" 2>/dev/null; }
wait_q() { # DB SQL WANT SECS
	local i
	for ((i = 0; i < $4 * 10; i++)); do
		[ "$(q "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	echo "# $2 -> $(q "$1" "$2") (want $3)"
	return 1
}
start_d() { # NAME
	start_mistokd "$WORK/$1.log" 0.2 -d -c "$WORK/$1.conf"
}
# Message-IDs in a Maildir folder, one a line (header only).
maildir_ids() { # USER [FOLDER]
	local d=${1#*@} l=${1%@*}
	cat "$RIG_MAIL_DIR/$d/$l/${2:+.$2/}"{cur,new}/* 2>/dev/null |
		tr -d '\r' | grep -i '^Message-ID:' | awk '{print $2}'
}

# ---- delivery, Sent copy, ingest -------------------------------------
conf main "$RIG_SUBMISSIONS_PORT"
out=$("$MISTOK" -c "$WORK/main.conf" send-test mayor@lviv.test 2>"$WORK/st.err")
check "send-test exits 0 ($out)" [ $? -eq 0 ]
mid=$(q main "SELECT message_id FROM outbox WHERE dedupe_key LIKE 'send-test:%'")
bash "$RIG" wait-count mayor@lviv.test 1 >/dev/null 2>&1
cat >"$WORK/read.py" <<'EOF'
import imaplib, ssl, sys
host, port, ca, user, pwfile, folder, mid = sys.argv[1:8]
ctx = ssl.create_default_context(cafile=ca)
m = imaplib.IMAP4_SSL(host, int(port), ssl_context=ctx)
m.login(user, open(pwfile).read())
m.select(folder, readonly=True)
typ, data = m.search(None, 'HEADER', 'Message-ID', mid)
nums = data[0].split()
flags = []
for x in nums:
    typ, f = m.fetch(x, '(FLAGS)')
    flags.append(f[0].decode())
print(len(nums), ' '.join(flags))
EOF
read_box() { # USER FOLDER MID
	"$PY" "$WORK/read.py" localhost "$RIG_IMAPS_PORT" "$RIG_CA_FILE" "$1" \
		"$RIG_PASSWORD_DIR/$1" "$2" "$3"
}
r=$(read_box mayor@lviv.test INBOX "$mid")
check "the partner's mailbox holds the mail once (imaplib: $r)" [ "${r%% *}" = 1 ]
r=$(read_box team@c4c.test Sent "$mid")
check "team's Sent holds one copy" [ "${r%% *}" = 1 ]
case $r in *'\Seen'*) ok "the Sent copy is \\Seen" ;; *) nok "the Sent copy is \\Seen ($r)" ;; esac
check "the copy is recorded as done" [ "$(q main "SELECT copy FROM outbox WHERE message_id = '$mid'")" = done ]
"$MISTOK" -c "$WORK/main.conf" sync --once --quiet >"$WORK/sync.log" 2>&1
kind=$(q main "SELECT kind || ' ' || count(*) FROM messages WHERE message_id = '$mid'")
check "ingest stores the Sent copy once, kind own ($kind)" [ "$kind" = "own 1" ]

# ---- dedupe ----------------------------------------------------------
"$TOOL" "$WORK/main.conf" queue dup 1 clerk@madison.test
"$TOOL" "$WORK/main.conf" queue dup 1 clerk@madison.test
check "the same dedupe key queued twice is one row" [ "$(q main "SELECT count(*) FROM outbox WHERE dedupe_key = 'dup:0'")" = 1 ]

# ---- 5xx, the notice, and mistokd sending ----------------------------
"$TOOL" "$WORK/main.conf" queue bad 1 nobody@lviv.test
start_d main
wait_q main "SELECT status FROM outbox WHERE dedupe_key = 'dup:0'" sent 20
check "mistokd delivers the deduped mail once" bash "$RIG" wait-count clerk@madison.test 1
sleep 1
check "the deduped mail arrived exactly once" [ "$(bash "$RIG" count clerk@madison.test)" = 1 ]
wait_q main "SELECT status || ' ' || attempts FROM outbox WHERE dedupe_key = 'bad:0'" "failed 1" 20
check "5xx fails the mail at once" [ $? -eq 0 ]
wait_q main "SELECT count(*) || ' ' || min(status) FROM outbox WHERE dedupe_key LIKE 'failed-notice:%'" "1 sent" 20
check "one failure notice queued and sent" [ $? -eq 0 ]
bash "$RIG" wait-count olena@c4c.test 1 >/dev/null 2>&1
sleep 1
check "the coordinator got one notice" [ "$(bash "$RIG" count olena@c4c.test)" = 1 ]

# ---- Postfix stopped ---------------------------------------------------
postfix -c "$RIG_POSTFIX_DIR" stop >/dev/null 2>&1
for ((i = 0; i < 50; i++)); do ss -ltn | grep -q ":$RIG_SUBMISSIONS_PORT " || break; sleep 0.1; done
"$TOOL" "$WORK/main.conf" queue down 3 city@kharkiv.test
wait_q main "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'down:%' AND attempts >= 2 AND status = 'queued'" 1 20
r=$(q main "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'down:%' AND status = 'queued'")
check "while Postfix is down the mail waits ($r queued)" [ "$r" = 3 ]
bash "$RIG" start >>"$WORK/rig.log" 2>&1
wait_q main "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'down:%' AND status = 'sent'" 3 30
check "Postfix back: all three sent" [ $? -eq 0 ]
bash "$RIG" wait-count city@kharkiv.test 3 >/dev/null 2>&1
sleep 1
check "each delivered once" [ "$(maildir_ids city@kharkiv.test | sort | uniq -d | wc -l)" = 0 ] 
check "three in the mailbox" [ "$(bash "$RIG" count city@kharkiv.test)" = 3 ]
elapsed "faults on Postfix done"

# ---- SIGKILL while 200 mails go out ------------------------------------
"$TOOL" "$WORK/main.conf" queue crash 200 intl@madison.test
kills=0
for ((round = 0; round < 60; round++)); do
	left=$(q main "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'crash:%' AND status != 'sent'")
	[ "$left" = 0 ] && break
	sleep "0.$((RANDOM % 9 + 1))"
	kill -KILL "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	kills=$((kills + 1))
	start_d main
done
wait_q main "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'crash:%' AND status = 'sent'" 200 60
check "all 200 marked sent after $kills SIGKILLs" [ $? -eq 0 ]
bash "$RIG" wait-count intl@madison.test 200 >/dev/null 2>&1
sleep 2
maildir_ids intl@madison.test | sort >"$WORK/got"
q main "SELECT '<' || message_id || '>' FROM outbox WHERE dedupe_key LIKE 'crash:%'" | sort >"$WORK/want"
missing=$(comm -23 "$WORK/want" <(sort -u "$WORK/got") | wc -l)
dups=$(($(wc -l <"$WORK/got") - $(sort -u "$WORK/got" | wc -l)))
recovered=$(q main "SELECT coalesce(sum(recovered), 0) FROM outbox WHERE dedupe_key LIKE 'crash:%'")
echo "# SIGKILL test: $kills kills, $dups duplicate deliveries, $recovered mails recovered from 'sending'"
check "every mail delivered ($missing missing)" [ "$missing" = 0 ]
check "duplicates ($dups) only from mails recovered from 'sending' ($recovered)" [ "$dups" -le "$recovered" ]
# Each duplicated mail must be one that was recovered.
bad=0
for id in $(uniq -d "$WORK/got"); do
	m=${id#<}; m=${m%>}
	[ "$(q main "SELECT recovered > 0 FROM outbox WHERE message_id = '$m'")" = 1 ] || bad=$((bad + 1))
done
check "no duplicate of a mail that was not in 'sending' ($bad)" [ "$bad" = 0 ]
stop_d
elapsed "SIGKILL test done"

# ---- 4xx from the sink, straight ----------------------------------------
conf sink "$RIG_SINK_PORT" smtp.host=127.0.0.1 smtp.tls=none
# -a: no AUTH offered (smtp-sink would refuse any login); curl then sends without.
bash "$RIG" sink-start -a -r RCPT >/dev/null 2>&1
before=$(bash "$RIG" sink-count)
"$TOOL" "$WORK/sink.conf" queue temp 5 someone@example.org
start_d sink
wait_q sink "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'temp:%' AND attempts >= 2 AND status = 'queued' AND last_code BETWEEN 400 AND 499" 5 30
check "4xx: every mail deferred and retried" [ $? -eq 0 ]
bash "$RIG" sink-start -a >/dev/null 2>&1
wait_q sink "SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'temp:%' AND status = 'sent'" 5 30
check "after recovery all five sent" [ $? -eq 0 ]
stop_d
sleep 1
got=$(($(bash "$RIG" sink-count) - before))
check "the sink captured each once ($got)" [ "$got" = 5 ]

# ---- certificates --------------------------------------------------------
for kind in UNTRUSTED WRONGHOST EXPIRED; do
	eval port=\$RIG_SUBMISSION_${kind}_PORT
	conf "cert$kind" "$port" smtp.tls=starttls
	before=$(bash "$RIG" count sister@tempe.test)
	"$MISTOK" -c "$WORK/cert$kind.conf" send-test sister@tempe.test >"$WORK/cert.out" 2>&1
	rc=$?
	err=$(q "cert$kind" "SELECT last_error FROM outbox")
	sleep 0.5
	if [ $rc -ne 0 ] && [ "$(bash "$RIG" count sister@tempe.test)" = "$before" ]; then
		ok "a $kind certificate is refused ($err)"
	else
		nok "a $kind certificate is refused (rc $rc, $err)"
	fi
done
if grep -rqF "$(cat "$RIG_PASSWORD_DIR/team@c4c.test")" "$WORK"/*.log "$WORK"/*.out 2>/dev/null; then
	nok "no log holds the password"
else
	ok "no log holds the password"
fi
elapsed "done"
echo "1..$n"
[ $failed -eq 0 ]
