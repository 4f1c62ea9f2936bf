# tests/integration/lib.sh - what the integration tests share, those on
# the mail rig (tests/rig/rig.sh) and those without it (the TAP helpers
# and paths only). A test sources it after `set -u`:
#	. "$(dirname "$0")/lib.sh"
# It sets TOP (unless given), BUILD (made absolute), MISTOK, MISTOKD, RIG,
# PY, DEMO_USERS and the TAP counters, and defines the TAP helpers, the
# rig's start and stop, rig_conf (a mistok.conf for the rig's team
# mailbox), mistokd in the background and queries on the store.
# A library, not a test: tests/check.sh skips it.

TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
MISTOK=$BUILD/mistok
MISTOKD=$BUILD/mistokd
RIG=$TOP/tests/rig/rig.sh
PY=/usr/bin/python3
# The demo directory's (contrib/demo/*.csv) addresses that are not in
# tests/rig/users.txt.
DEMO_USERS=(team@krylia.test rada@irpin.test mayor@honolulu.test
    help@daneaid.test attache@embassy.test)

# ---- TAP ---------------------------------------------------------------
T0=$(date +%s)
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { # DESC CMD...
	local d=$1
	shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}
bail() { echo "Bail out! $*"; exit 1; }
elapsed() { echo "# [$(($(date +%s) - T0)) s] $*"; }

# ---- the rig -------------------------------------------------------------
# rig_dirs NAME: a new rig directory (RIG_DIR, exported) and work
# directory (WORK) under /tmp. RIG_BASE_PORT is the test's to set.
rig_dirs() {
	RIG_DIR=$(mktemp -d "/tmp/mistok-$1-rig.XXXXXX")
	WORK=$(mktemp -d "/tmp/mistok-$1.XXXXXX")
	export RIG_DIR
	chmod 755 "$RIG_DIR"
}
# rig_start [USER...]: starts the rig (log: $WORK/rig.log), then rig_ready.
rig_start() {
	bash "$RIG" start >"$WORK/rig.log" 2>&1 ||
	    { cat "$WORK/rig.log"; bail "the rig does not start"; }
	rig_ready "$@"
}
# rig_ready [USER...]: adds the mailboxes, then reads the rig's
# environment (RIG_IMAPS_PORT, RIG_CA_FILE, RIG_PASSWORD_DIR, ...).
rig_ready() {
	local u
	for u; do
		bash "$RIG" add-user "$u" >>"$WORK/rig.log" 2>&1 || bail "add-user $u"
	done
	eval "$(bash "$RIG" env)"
}
# rig_cleanup KEEP: stops the rig and removes its directory; removes WORK
# unless KEEP is 1.
rig_cleanup() {
	bash "$RIG" stop >/dev/null 2>&1
	rm -rf "$RIG_DIR"
	if [ "${1:-0}" = 1 ]; then echo "# kept $WORK"; else rm -rf "$WORK"; fi
}

# ---- mistok.conf -----------------------------------------------------------
# rig_conf FILE [SECTION.KEY=VALUE...]: writes a configuration for the
# rig's team mailbox: team@c4c.test over IMAPS with the rig's CA, polled
# hourly; submission with STARTTLS; outbox retries after 1 s, at most 3 s
# apart; the team Cities4Cities (c4c.test, coordinators olena and mark,
# English, Kyiv); the store $WORK/mistok.db; the tree's templates. Each
# argument sets one key: in its place if the default has it, else at the
# end of its section (a new section at the end); an empty VALUE leaves the
# key out, and a section left without keys is left out.
rig_conf() {
	local file=$1 a k s body sep=
	local -a keys=() secs=()
	local -A val=()
	shift
	for a in \
	    mailbox.host=localhost \
	    "mailbox.port=$RIG_IMAPS_PORT" \
	    "mailbox.ca_file=$RIG_CA_FILE" \
	    mailbox.user=team@c4c.test \
	    "mailbox.password_file=$RIG_PASSWORD_DIR/team@c4c.test" \
	    mailbox.idle=no \
	    mailbox.poll_interval=1h \
	    "smtp.port=$RIG_SUBMISSION_PORT" \
	    smtp.tls=starttls \
	    outbox.retry_first=1s \
	    outbox.retry_max=3s \
	    team.address=team@c4c.test \
	    team.name=Cities4Cities \
	    team.domain=c4c.test \
	    "team.coordinators=olena@c4c.test, mark@c4c.test" \
	    team.language=en \
	    team.timezone=Europe/Kyiv \
	    "store.path=$WORK/mistok.db" \
	    "templates.dir=$TOP/templates" \
	    "$@"; do
		k=${a%%=*}
		if [[ $a != *=* || $k != ?*.?* ]]; then
			echo "rig_conf: not SECTION.KEY=VALUE: $a" >&2
			return 1
		fi
		[ -n "${val[$k]+set}" ] || keys+=("$k")
		val[$k]=${a#*=}
		s=${k%%.*}
		case " ${secs[*]} " in *" $s "*) ;; *) secs+=("$s") ;; esac
	done
	for s in "${secs[@]}"; do
		body=
		for k in "${keys[@]}"; do
			[ "${k%%.*}" = "$s" ] && [ -n "${val[$k]}" ] &&
			    body+="${k#*.} = ${val[$k]}"$'\n'
		done
		[ -n "$body" ] || continue
		printf '%s[%s]\n%s' "$sep" "$s" "$body"
		sep=$'\n'
	done >"$file"
}

# ---- mistokd and the store -------------------------------------------------
DPID=
# start_mistokd LOG PAUSE ARGS...: mistokd ARGS in the background (DPID),
# its output appended to LOG; bails if it is gone after PAUSE seconds.
start_mistokd() {
	local log=$1 pause=$2
	shift 2
	"$MISTOKD" "$@" >>"$log" 2>&1 &
	DPID=$!
	sleep "$pause"
	kill -0 "$DPID" 2>/dev/null || { tail -5 "$log"; bail "mistokd does not start"; }
}
# stop_d: SIGTERM to mistokd, and wait for it to end.
stop_d() {
	[ -z "$DPID" ] && return
	kill -TERM "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
	DPID=
}
# q SQL: a query on the store $WORK/mistok.db.
q() { sqlite3 "$WORK/mistok.db" "$1" 2>/dev/null; }
# wait_q SQL WANT SECS: until q SQL prints WANT; says what it got if not.
wait_q() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(q "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "# $1 -> $(q "$1") (want $2)"
	return 1
}
# demo_import: contrib/demo/{orgs,contacts,partnerships}.csv into the
# store (mistok import, output in $WORK/import.log); bails if one fails.
demo_import() {
	local k
	for k in orgs contacts partnerships; do
		"$MISTOK" import "$k" "$TOP/contrib/demo/$k.csv" >>"$WORK/import.log" 2>&1 ||
		    { cat "$WORK/import.log"; bail "import $k"; }
	done
}
# week_after_next: Monday..Friday of the week after next (ISO dates).
week_after_next() {
	"$PY" -c 'import datetime
d = datetime.date.today() + datetime.timedelta(days=14)
d -= datetime.timedelta(days=d.weekday())
print("%s..%s" % (d, d + datetime.timedelta(days=4)))'
}
