#!/bin/bash
# The directory from the command line (TAP): the demo network imports,
# re-imports as a no-op and exports back to files that import to the same
# records; bad files exit 65 with FILE:LINE: column C and leave the
# database untouched; a missing file is 66; org/contact/partnership
# add, edit, list and show with --json; a stage change keeps its history;
# contact forget. No mail server is needed: the mailbox in the config
# points at a port nobody listens on.
set -u
. "$(dirname "$0")/lib.sh"
DEMO=$TOP/contrib/demo

T=$(mktemp -d /tmp/mistok-directory-test.XXXXXX)
trap 'rm -rf "$T"' EXIT

write_conf() { # file db
	cat >"$1" <<EOF
[mailbox]
host = 127.0.0.1
port = 9
user = team@c4c.test
password_file = $T/password

[team]
address = team@c4c.test
domain = c4c.test
coordinators = olena@c4c.test, mark@c4c.test

[store]
path = $2
EOF
}
printf 'unused\n' >"$T/password"
chmod 600 "$T/password"
write_conf "$T/a.conf" "$T/a.db"
write_conf "$T/b.conf" "$T/b.db"

A() { "$MISTOK" -c "$T/a.conf" "$@"; }
B() { "$MISTOK" -c "$T/b.conf" "$@"; }
# A JSON expression over stdin's document, printed.
jq_() { $PY -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Runs cmd, keeping status, stdout and stderr.
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# ---- the demo network --------------------------------------------------
for k in orgs contacts partnerships; do
	run A import "$k" "$DEMO/$k.csv"
	check "import $k: demo file imports (exit 0)" [ "$rc" -eq 0 ]
done
check "import: 10 orgs, 14 contacts, 5 partnerships" \
    [ "$(A org list --json | jq_ 'len(d)')" = 10 -a \
      "$(A contact list --json | jq_ 'len(d)')" = 14 -a \
      "$(A partnership list --json | jq_ 'len(d)')" = 5 ]

run A import --json orgs "$DEMO/orgs.csv"
check "re-import is a no-op (10 unchanged)" \
    [ "$rc" -eq 0 -a "$(jq_ 'd["unchanged"], d["added"], d["updated"]' \
      <"$T/out")" = "10 0 0" ]
run A import --json contacts "$DEMO/contacts.csv"
check "re-import contacts: 14 unchanged" \
    [ "$(jq_ 'd["unchanged"]' <"$T/out")" = 14 ]

# ---- export round trip -------------------------------------------------
for k in orgs contacts partnerships; do
	A export "$k" "$T/$k.a.csv"
	B import "$k" "$T/$k.a.csv" >/dev/null
	B export "$k" >"$T/$k.b.csv"
	check "export $k: imports into a fresh database and exports the same" \
	    cmp -s "$T/$k.a.csv" "$T/$k.b.csv"
done
check "export orgs: the demo file again (CRLF line ends)" \
    cmp -s <(tr -d '\r' <"$T/orgs.a.csv") "$DEMO/orgs.csv"
check "export: RFC 4180 CRLF" grep -q $'\r$' "$T/contacts.a.csv"
check "export --json: the list's objects" \
    [ "$(A export --json partnerships | jq_ 'd[0]["slug"], d[0]["supporting_orgs"]')" \
      = "lviv-madison ['Dane County Ukraine Aid', 'US Embassy Kyiv']" ]

# ---- bad files: exit 65, exact message, nothing imported ---------------
snapshot() { for k in orgs contacts partnerships; do A export "$k"; done; }
snapshot >"$T/before"
bad() { # description kind expected-message (the CSV on stdin)
	local d=$1 kind=$2 want=$3
	cat >"$T/$kind.csv"
	run A import "$kind" "$T/$kind.csv"
	snapshot >"$T/after"
	if [ "$rc" -eq 65 ] &&
	    [ "$(head -n 1 "$T/err")" = "mistok: $T/$kind.csv:$want" ] &&
	    grep -q '^mistok: nothing imported$' "$T/err" &&
	    cmp -s "$T/before" "$T/after"; then
		ok "$d"
	else
		nok "$d (exit $rc)"
		sed 's/^/# /' "$T/err"
	fi
}
bad "unknown column named" orgs "1: unknown column 'zone' (orgs has: name country kind city region timezone language domains hours)" <<'EOF'
name,country,kind,city,region,zone,language,domains
EOF
bad "missing column named" contacts "1: missing column organisation" <<'EOF'
name,email,role,timezone,language
EOF
bad "bad zone: row and column" contacts "7: column timezone: unknown zone 'Europe/Kiyv'" <<'EOF'
name,email,organisation,role,timezone,language
A,a1@lviv.test,Lviv City Council,,,
B,b1@lviv.test,Lviv City Council,,,
C,c1@lviv.test,Lviv City Council,,,
D,d1@lviv.test,Lviv City Council,,,
E,e1@lviv.test,Lviv City Council,,,
F,f1@lviv.test,Lviv City Council,,Europe/Kiyv,
EOF
bad "duplicate domain" orgs "2: column domains: domain lviv.test belongs to 'Lviv City Council'" <<'EOF'
name,country,kind,city,region,timezone,language,domains
Lviv Aid,UA,volunteer,Lviv,,Europe/Kyiv,uk,lviv-aid.test lviv.test
EOF
bad "unknown organisation in a contact" contacts "3: column organisation: unknown organisation 'Lviv Council'" <<'EOF'
name,email,organisation,role,timezone,language
A,a2@lviv.test,Lviv City Council,,,
B,b2@lviv.test,Lviv Council,,,
EOF
bad "bad stage" partnerships "2: column stage: stage 'done': one of prospect, contacted, introduced, meeting_held, planning, joint_projects, dormant, closed" <<'EOF'
slug,ua_org,us_org,stage,coordinator,started
irpin-tempe,Irpin City Council,City of Tempe,done,olena@c4c.test,2026-12-01
EOF
bad "broken quoting" orgs "3: column name: unterminated quoted field" <<'EOF'
name,country,kind,city,region,timezone,language,domains
Odesa City Council,UA,municipality,Odesa,,Europe/Kyiv,uk,odesa.test
"Mykolaiv City Council,UA,municipality,Mykolaiv,,Europe/Kyiv,uk,mykolaiv.test
EOF
# Not in a pipe: bad() must run in this shell to count.
bad "invalid UTF-8 (windows-1251)" orgs "2: column city: invalid UTF-8" \
    < <(printf 'name,country,kind,city,region,timezone,language,domains\nOdesa,UA,municipality,\xce\xe4\xe5\xf1\xe0,,Europe/Kyiv,uk,odesa.test\n')

run A import orgs "$T/no-such.csv"
check "missing file: exit 66" [ "$rc" -eq 66 ]
run A import things "$DEMO/orgs.csv"
check "unknown kind: exit 64" [ "$rc" -eq 64 ]

# ---- add, edit, show ---------------------------------------------------
run A org add --name "Odesa City Council" --country UA --kind municipality \
    --city Odesa --tz Europe/Kiev --lang uk --domains "odesa.test" --json
check "org add: exit 0, Europe/Kiev stored as Europe/Kyiv" \
    [ "$rc" -eq 0 -a "$(A org show --json 'Odesa City Council' | jq_ 'd["timezone"]')" = Europe/Kyiv ]
run A org add --name "Odesa City Council" --country UA --kind ngo --tz Europe/Kyiv --lang uk
check "org add twice: exit 65 naming it" \
    [ "$rc" -eq 65 -a "$(cat "$T/err")" = "mistok: name: organisation 'Odesa City Council' exists" ]
run A org edit "Odesa City Council" --kind town
check "org edit with a bad kind: exit 65" [ "$rc" -eq 65 ]
run A org edit "Odesa City Council" --hours "Mon-Fri 08:00-16:00"
check "org edit: hours set" \
    [ "$rc" -eq 0 -a "$(A org show --json 11 | jq_ 'd["hours"]')" = "Mon-Fri 08:00-16:00" ]
run A org show Atlantis
check "org show of an unknown name: exit 66" [ "$rc" -eq 66 ]
run A org list
check "org list: an aligned table" \
    grep -q '^2 *Lviv City Council *UA *municipality' "$T/out"

run A contact add --email Nova@Odesa.TEST --name "Нова Людина" --org "Odesa City Council"
check "contact add: exit 0" [ "$rc" -eq 0 ]
check "contact show --json: DESIGN.md's address object, lower case" \
    [ "$(A contact show --json nova@odesa.test | jq_ 'd["address"]["email"], d["address"]["name"], d["effective_timezone"], d["learned"]')" \
      = "nova@odesa.test Нова Людина Europe/Kyiv False" ]
run A contact add --email x@odesa.test --org Nowhere
check "contact add with an unknown organisation: exit 65" \
    [ "$rc" -eq 65 -a "$(cat "$T/err")" = "mistok: organisation: unknown organisation 'Nowhere'" ]

run A partnership add --slug odesa-tempe --ua "Odesa City Council" \
    --us "City of Tempe" --coordinator olena@c4c.test --started 2026-12-01
check "partnership add: exit 0, stage prospect" \
    [ "$rc" -eq 0 -a "$(A partnership show --json odesa-tempe | jq_ 'd["stage"], len(d["history"])')" = "prospect 1" ]
run A partnership add --slug x-y --ua "City of Tempe" --us "City of Madison"
check "partnership add with a US org as UA: exit 65" [ "$rc" -eq 65 ]
run A partnership add --slug odesa-madison --ua "Odesa City Council" \
    --us "City of Madison" --coordinator nova@odesa.test
check "a partner is no coordinator: exit 65" [ "$rc" -eq 65 ]
run A partnership edit odesa-tempe --stage contacted
run A partnership edit odesa-tempe --stage meeting_held
check "stage changes: dated history, in order" \
    [ "$(A partnership show --json odesa-tempe | jq_ '[h["stage"] for h in d["history"]]')" \
      = "['prospect', 'contacted', 'meeting_held']" ]
check "partnership show: text with the coordinator" \
    bash -c "'$MISTOK' -c '$T/a.conf' partnership show odesa-tempe | grep -q 'coordinator:  Olena Kovalenko <olena@c4c.test>'"
check "partnership list --json: ids are integers, started a date" \
    [ "$(A partnership list --json | jq_ 'type(d[0]["id"]).__name__, d[0]["started"]')" = "int 2026-06-15" ]

# ---- forget ------------------------------------------------------------
run A contact forget nova@odesa.test
check "contact forget: exit 0" [ "$rc" -eq 0 ]
run A contact show nova@odesa.test
check "forgotten contact is gone (66)" [ "$rc" -eq 66 ]
run A contact forget "not an address"
check "contact forget of a non-address: exit 65" [ "$rc" -eq 65 ]
check "help lists the directory commands" \
    bash -c "'$MISTOK' help | grep -q '^  partnership' && '$MISTOK' help import | grep -q supporting_orgs"

echo "1..$n"
[ "$failed" -eq 0 ]
