#!/bin/bash
# Templates and composed mail, end to end (TAP, no mail rig): `mistok
# template check` on templates/ and on broken copies (FILE:LINE), `mistok
# template render`, mistokd refusing to start with a broken template, and
# Python's email package (policy=default) reading what compose writes.
set -u
. "$(dirname "$0")/lib.sh"
TOOL=$BUILD/tests/composetool

show() { sed 's/^/# /' "$@"; }

T=$(mktemp -d /tmp/mistok-compose-test.XXXXXX)
DPID=
cleanup() {
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

# A port nothing listens on, so mistokd's ingest has nowhere to go.
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
printf 'pw-%s\n' "$$" >"$T/password"
chmod 600 "$T/password"
write_conf() { # file templates-dir
	cat >"$1" <<EOF
[mailbox]
host = 127.0.0.1
port = $PORT
user = team@c4c.test
password_file = $T/password

[team]
address = team@c4c.test
name = Cities4Cities
domain = c4c.test
coordinators = maria@c4c.test
language = uk

[store]
path = $T/mistok.db

[templates]
dir = $2
EOF
}

# ---- mistok template check ----------------------------------------------
write_conf "$T/good.conf" "$TOP/templates"
"$MISTOK" -c "$T/good.conf" template check >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -q 'templates OK' "$T/out"; then
	ok "template check passes on templates/ (via the config)"
else
	nok "template check passes on templates/ (exit $rc)"
	show "$T/err"
fi
"$MISTOK" template check --dir "$TOP/templates" --json >"$T/out" 2>&1
check "template check --json lists followup, notice, test in en and uk" \
    $PY -c '
import json, sys
o = json.load(open(sys.argv[1]))
have = {(t["name"], t["lang"]) for t in o["templates"]}
want = {(n, l) for n in ("followup", "notice", "test") for l in ("en", "uk")}
sys.exit(0 if o["ok"] and not o["errors"] and want <= have else 1)' "$T/out"

# A copy with one thing broken at a time; the error names FILE:LINE.
broken() { # name: copies templates/ to $T/NAME and prints its path
	rm -rf "$T/$1"
	cp -r "$TOP/templates" "$T/$1"
	echo "$T/$1"
}
expect_fail() { # description dir pattern
	local rc
	"$MISTOK" template check --dir "$2" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq 65 ] && grep -qE -- "$3" "$T/err"; then
		ok "$1"
	else
		nok "$1 (exit $rc)"
		show "$T/err"
	fi
}
D=$(broken unclosed)
printf 'Hello {{#recipient.name}}\nno close\n' >>"$D/en/followup.txt"
expect_fail "an unclosed section fails with FILE:LINE" "$D" \
    "^$D/en/followup.txt:[0-9]+: "
D=$(broken misspelt)
sed -i '2s/{{recipient.name}}/{{recipient.nmae}}/' "$D/uk/followup.txt"
expect_fail "a misspelt name fails in strict mode with FILE:LINE" "$D" \
    "^$D/uk/followup.txt:2: .*recipient.nmae"
D=$(broken nopartial)
rm "$D/uk/_footer.html"
expect_fail "a missing partial fails with FILE:LINE" "$D" \
    "^$D/uk/(followup|notice|test).html:[0-9]+: partial 'footer' not found"
D=$(broken missing)
rm "$D"/en/notice.* "$D"/uk/notice.*
expect_fail "a template mistok needs that is missing fails" "$D" \
    "template 'notice' is missing"
D=$(broken badutf8)
printf '\xff\xfe\n' >>"$D/en/test.txt"
expect_fail "invalid UTF-8 fails with FILE:LINE" "$D" \
    "^$D/en/test.txt:[0-9]+: not valid UTF-8"

# ---- mistok template render -----------------------------------------------
cat >"$T/data.json" <<'EOF'
{"team": {"name": "Cities4Cities", "address": "team@c4c.test"},
 "coordinator": {"name": "Марія Шевчук", "email": "maria@c4c.test"},
 "recipient": {"name": "Олена Коваль"},
 "partnership": {"tag": "[C4C #12]", "ua_org": "Львівська міська рада",
   "us_org": "City of Madison", "stage": "contacted"},
 "message": "Ми <раді> & вдячні", "steps": [], "has_steps": false}
EOF
"$MISTOK" -c "$T/good.conf" template render followup --lang uk \
    --data "$T/data.json" --part txt >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 0 ] && grep -q '^Добрий день, Олена Коваль!$' "$T/out" &&
    grep -q 'Львівська міська рада' "$T/out" &&
    grep -q '^Ми <раді> & вдячні$' "$T/out" &&
    grep -q '^Марія Шевчук, Cities4Cities$' "$T/out" &&
    ! grep -q 'Наступні кроки' "$T/out"; then
	ok "template render followup --lang uk prints the Ukrainian text"
else
	nok "template render followup --lang uk (exit $rc)"
	show "$T/out" "$T/err"
fi
"$MISTOK" -c "$T/good.conf" template render followup --lang uk \
    --data "$T/data.json" --part html >"$T/out" 2>"$T/err"
check "render --part html escapes the data" \
    grep -q 'Ми &lt;раді&gt; &amp; вдячні' "$T/out"
"$MISTOK" -c "$T/good.conf" template render followup --lang en \
    --data "$T/data.json" --part subject >"$T/out" 2>"$T/err"
check "render --lang en --part subject is the English subject" \
    grep -qx '\[C4C #12\] Львівська міська рада & City of Madison: next steps' \
    "$T/out"
echo '{"team": {}}' >"$T/thin.json"
"$MISTOK" -c "$T/good.conf" template render test --lang uk \
    --data "$T/thin.json" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc -eq 65 ] && grep -q "test.txt:[0-9]*: 'address' is missing" \
    "$T/err"; then
	ok "render names data the template needs but did not get (exit 65)"
else
	nok "render with thin data (exit $rc)"
	show "$T/err"
fi

# ---- mistokd start-up -----------------------------------------------------
D=$(broken daemon)
sed -i '1s/.*/{{#partnership.tag}} unclosed/' "$D/uk/followup.subject"
write_conf "$T/broken.conf" "$D"
timeout 30 "$MISTOKD" -d -c "$T/broken.conf" >"$T/dout" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] &&
    grep -q "$D/uk/followup.subject:1: " "$T/dout" &&
    grep -q 'module templates failed to start' "$T/dout"; then
	ok "mistokd -d with a broken template exits non-zero ($rc) naming FILE:LINE"
else
	nok "mistokd -d with a broken template (exit $rc)"
	show "$T/dout"
fi
D=$(broken daemon2)
rm "$D/en/test.txt" "$D/en/test.subject" "$D/en/test.html"
rm "$D/uk/test.txt" "$D/uk/test.subject" "$D/uk/test.html"
write_conf "$T/missing.conf" "$D"
timeout 30 "$MISTOKD" -d -c "$T/missing.conf" >"$T/dout" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] &&
    grep -q "template 'test' is missing" "$T/dout"; then
	ok "mistokd -d with a missing template exits non-zero ($rc)"
else
	nok "mistokd -d with a missing template (exit $rc)"
	show "$T/dout"
fi
# With the good set it starts (and stops on SIGTERM).
"$MISTOKD" -d -c "$T/good.conf" >"$T/dout" 2>&1 &
DPID=$!
started=0
for _ in $(seq 1 100); do
	grep -q 'mistokd: started' "$T/dout" && { started=1; break; }
	kill -0 "$DPID" 2>/dev/null || break
	sleep 0.1
done
kill -TERM "$DPID" 2>/dev/null
wait "$DPID" 2>/dev/null
DPID=
if [ $started -eq 1 ]; then
	ok "mistokd starts with templates/"
else
	nok "mistokd starts with templates/"
	show "$T/dout"
fi

# ---- an independent reader: Python's email package ------------------------
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n' \
    >"$T/invite.ics"
if "$TOOL" --from team@c4c.test --from-name 'Cities4Cities — команда' \
    --domain c4c.test --to olena@lviv.test \
    --to-name $'Олена Коваль\r\nBcc: evil@x.test' \
    --cc maria@c4c.test --cc-name 'Шевчук, Марія "М."' \
    --parent '<reply@lviv.test>' --ref '<root@lviv.test>' \
    --own-id 'mistok.1.abc@c4c.test' \
    --templates "$TOP/templates" --template followup --lang uk \
    --data "$T/data.json" --ics "$T/invite.ics" --id-file "$T/id" \
    >"$T/m.eml" 2>"$T/err"; then
	ok "composetool writes a message from the followup template"
else
	nok "composetool writes a message from the followup template"
	show "$T/err"
fi
$PY - "$T/m.eml" "$(cat "$T/id" 2>/dev/null)" >"$T/py" 2>&1 <<'EOF'
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.default)
def need(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
need(not m.defects, "defects %r" % m.defects)
need(all(b < 128 for b in raw), "8-bit byte")
need(raw.count(b"\n") == raw.count(b"\r\n"), "bare LF")
need(max(len(l) for l in raw.split(b"\r\n")) <= 78, "line over 78")
need(m["subject"] ==
     "[C4C #12] Львівська міська рада і City of Madison: наступні кроки",
     "subject %r" % m["subject"])
need(m["from"].addresses[0].display_name == "Cities4Cities — команда",
     "from name")
need(m["from"].addresses[0].addr_spec == "team@c4c.test", "from address")
to = m["to"].addresses
need(len(to) == 1 and to[0].addr_spec == "olena@lviv.test", "to")
need(to[0].display_name == "Олена Коваль Bcc: evil@x.test",
     "to name %r" % to[0].display_name)
need(m["bcc"] is None, "a Bcc header appeared")
cc = m["cc"].addresses
need(cc[0].display_name == 'Шевчук, Марія "М."', "cc name %r" %
     cc[0].display_name)
need(m["message-id"] == "<%s>" % sys.argv[2], "message-id")
need(m["in-reply-to"] == "<reply@lviv.test>", "in-reply-to")
need(m["references"].split() ==
     ["<root@lviv.test>", "<mistok.1.abc@c4c.test>", "<reply@lviv.test>"],
     "references %r" % m["references"])
need(m["auto-submitted"] == "auto-generated", "auto-submitted")
need(m["x-auto-response-suppress"] == "OOF, AutoReply", "x-a-r-s")
need(m["thread-topic"] == m["subject"], "thread-topic")
need(m["date"].datetime is not None, "date")
need(m.get_content_type() == "multipart/mixed", "mixed")
alt = m.get_payload()[0]
need(alt.get_content_type() == "multipart/alternative", "alternative first")
types = [p.get_content_type() for p in alt.get_payload()]
need(types == ["text/plain", "text/html", "text/calendar"], "types %r" % types)
cal = alt.get_payload()[2]
need(cal.get_param("method") == "REQUEST", "method param")
need(cal["content-transfer-encoding"] == "base64", "calendar base64")
need(cal.get_content().startswith("BEGIN:VCALENDAR\r\n"), "calendar bytes")
att = m.get_payload()[1]
need(att.get_filename() == "invite.ics" and
     att.get_content_type() == "application/ics", "attachment")
text = alt.get_payload()[0].get_content()
html = alt.get_payload()[1].get_content()
need("Добрий день, Олена Коваль!" in text, "greeting")
need("Ми <раді> & вдячні" in text, "text not escaped")
need("Ми &lt;раді&gt; &amp; вдячні" in html, "html escaped")
need("<script" not in html.lower() and "src=" not in html.lower(),
     "no scripts or remote images")
for p in alt.get_payload()[:2]:
    need(p["content-transfer-encoding"] == "quoted-printable", "qp")
    need(p.get_content_charset() == "utf-8", "charset")
print("python: all headers and parts as composed")
EOF
if [ $? -eq 0 ]; then
	ok "Python's email package (policy=default) reads the same headers and parts"
else
	nok "Python's email package reads the message"
	show "$T/py"
fi
show "$T/py"

# Every HTML template: no script, no remote image, no external style sheet.
bad=$(grep -liE '<script|<img[^>]+src="?https?:|<link[^>]+stylesheet' \
    "$TOP"/templates/*/*.html)
check "HTML templates have no scripts, remote images or style sheets" \
    test -z "$bad"

echo "1..$n"
[ $failed -eq 0 ]
