#!/bin/bash
# Ingest benchmark (issue 3): side by side, in one run, on one generated
# mailbox in the mail rig (Dovecot on loopback, IMAPS with the rig's CA):
#   - the first import: a raw streaming "UID FETCH 1:* BODY.PEEK[]" (the
#     transfer limit), mbsync into a fresh Maildir (COMPRESS=DEFLATE off),
#     "mistok sync --once" into a fresh database, and "notmuch new" over
#     mbsync's Maildir; wall, CPU, the server's CPU, msgs/s, peak RSS and the
#     ratios, with the goals printed (mistok <= 1.0x mbsync, RSS <= 32 MB);
#   - peak RSS of mistok's import at BENCH_RSS_MESSAGES as well (not growing
#     with the mailbox);
#   - a poll with nothing new at BENCH_MESSAGES and BENCH_POLL_MESSAGES:
#     IMAP commands after login (Dovecot's rawlog) and CPU time.
# Prints figures, asserts nothing; see contrib/bench/README.md.
#
# Environment: BENCH_MESSAGES (20000), BENCH_RSS_MESSAGES (5000),
# BENCH_POLL_MESSAGES (100000; 0 skips), BENCH_MAX_SIZE (2M), BENCH_SEED (1),
# BENCH_BASE_PORT (26000), BENCH_NOTMUCH (1; 0 skips notmuch), BENCH_POLLS
# (3 polls per size), BENCH_RUNS (2 runs of each import, the fastest
# shown), BENCH_KEEP (1 keeps the work directory).
# Generated mailboxes are cached in $BUILD/bench-cache.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
PY=/usr/bin/python3
RIG=$TOP/tests/rig/rig.sh
GEN=$TOP/contrib/bench/genmailbox.py
MISTOK=$BUILD/mistok
N=${BENCH_MESSAGES:-20000}
N_RSS=${BENCH_RSS_MESSAGES:-5000}
N_POLL=${BENCH_POLL_MESSAGES:-100000}
MAX_SIZE=${BENCH_MAX_SIZE:-2M}
SEED=${BENCH_SEED:-1}
POLLS=${BENCH_POLLS:-3}
RUNS=${BENCH_RUNS:-2}
CACHE=$BUILD/bench-cache
USER_MAIN=team@c4c.test         # BENCH_MESSAGES, the side-by-side import
USER_RSS=olena@c4c.test         # BENCH_RSS_MESSAGES, the same mix
USER_POLL=mark@c4c.test         # BENCH_POLL_MESSAGES small ones

for v in N N_RSS N_POLL SEED POLLS RUNS; do
	case ${!v} in *[!0-9]* | '')
		echo "ingest: BENCH_ variable for $v must be a number" >&2
		exit 2 ;;
	esac
done
case $MAX_SIZE in
[1-9] | [1-9]*[0-9KMG]) ;;
*) echo "ingest: BENCH_MAX_SIZE must look like 2097152, 2048K or 2M" >&2; exit 2 ;;
esac
[ "$RUNS" -ge 1 ] || RUNS=1
[ "$POLLS" -ge 1 ] || POLLS=1

say() { printf '%s\n' "$*"; }
note() { printf 'ingest: %s\n' "$*" >&2; }

export RIG_BASE_PORT=${BENCH_BASE_PORT:-26000}
RIG_DIR=$(mktemp -d /tmp/mistok-bench-rig.XXXXXX) || exit 1
WORK=$(mktemp -d /tmp/mistok-bench.XXXXXX) || exit 1
export RIG_DIR
chmod 755 "$RIG_DIR"
cleanup() {
	bash "$RIG" stop >/dev/null 2>&1
	rm -rf "$RIG_DIR"
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		note "kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------ helpers

# measure.py OUT CMD...: runs CMD, writes "wall user sys maxrss_kb rc" to
# OUT. The figures come from wait4(2), as /usr/bin/time's do, but with
# microsecond CPU times (a poll takes milliseconds; time(1) shows 10 ms).
cat >"$WORK/measure.py" <<'EOF'
import os, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
p = subprocess.Popen(cmd)
_, status, ru = os.wait4(p.pid, 0)
wall = time.monotonic() - t0
rc = os.waitstatus_to_exitcode(status)
with open(out, "w") as f:
    f.write("%.3f %.4f %.4f %d %d\n" % (wall, ru.ru_utime, ru.ru_stime,
                                        ru.ru_maxrss, rc))
sys.exit(0)
EOF

# rawfetch.py: IMAPS, LOGIN, EXAMINE, "UID FETCH 1:* BODY.PEEK[]", every
# literal read and thrown away; prints "MESSAGES BYTES". The transfer
# limit: the least a client can do with what Dovecot sends.
cat >"$WORK/rawfetch.py" <<'EOF'
import socket, ssl, sys
host, port, ca, user, pwfile, folder = sys.argv[1:7]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection((host, int(port)), 60),
                    server_hostname="localhost")
# One buffer for every read: recv() would allocate (and fault in) a fresh
# one per TLS record.
rbuf = bytearray(1 << 18)
view = memoryview(rbuf)
buf = b""
def more():
    n = s.recv_into(rbuf)
    if n == 0:
        sys.exit("rawfetch: connection closed")
    return n
def line():
    global buf
    while b"\r\n" not in buf:
        buf += bytes(view[:more()])
    l, buf = buf.split(b"\r\n", 1)
    return l
def command(tag, text):
    s.sendall(tag + b" " + text + b"\r\n")
    while True:
        l = line()
        if l.startswith(tag + b" "):
            if not l.startswith(tag + b" OK"):
                sys.exit("rawfetch: %s failed" % tag.decode())
            return
line()
pw = open(pwfile).read().strip()
command(b"a", b'LOGIN "%s" "%s"' % (user.encode(), pw.encode()))
command(b"b", b'EXAMINE "%s"' % folder.encode())
s.sendall(b"c UID FETCH 1:* BODY.PEEK[]\r\n")
msgs = nbytes = skip = 0
done = False
while not done:
    n = more()
    if skip >= n:
        skip -= n
        nbytes += n
        continue
    nbytes += skip
    buf += bytes(view[skip:n])
    skip = 0
    while not skip:
        i = buf.find(b"\r\n")
        if i < 0:
            break
        l, buf = buf[:i], buf[i + 2:]
        if l.startswith(b"c "):
            if not l.startswith(b"c OK"):
                sys.exit("rawfetch: FETCH failed")
            done = True
            break
        if l.startswith(b"* ") and b" FETCH " in l[:32]:
            msgs += 1
        if l.endswith(b"}"):
            lit = int(l[l.rindex(b"{") + 1:-1])
            if len(buf) >= lit:
                buf = buf[lit:]
                nbytes += lit
            else:
                skip = lit - len(buf)
                nbytes += len(buf)
                buf = b""
command(b"d", b"LOGOUT")
print(msgs, nbytes)
EOF

# dovecot_ticks: CPU (user + system, clock ticks) of the rig's Dovecot
# processes that have ended: the master reaps every login and imap process,
# so its children's times grow by what each session cost the server.
dovecot_ticks() {
	local pid
	pid=$(head -n1 "$RIG_DIR/run/master.pid" 2>/dev/null) || { echo 0; return; }
	sed -e 's/.*) //' "/proc/$pid/stat" 2>/dev/null |
		awk '{ print $14 + $15 }' || echo 0
}
TICKS=$(getconf CLK_TCK)

# timed NAME CMD...: measure CMD; $WORK/NAME.time holds "wall user sys
# maxrss_kb rc srv_cpu_s". Output of CMD in $WORK/NAME.{out,err}.
timed() {
	local name=$1 t0 t1
	shift
	t0=$(dovecot_ticks)
	"$PY" "$WORK/measure.py" "$WORK/$name.m" "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null
	# Let the master reap the session's processes before reading.
	sleep 0.5
	t1=$(dovecot_ticks)
	echo "$(cat "$WORK/$name.m") $(awk -v a="$t0" -v b="$t1" -v t="$TICKS" \
		'BEGIN { printf "%.2f", (b - a) / t }')" >"$WORK/$name.time"
}
field() { awk -v f="$2" '{ print $f }' "$WORK/$1.time"; }
ok_run() { [ -f "$WORK/$1.time" ] && [ "$(field "$1" 5)" = 0 ]; }
show_err() { note "$1 failed (exit $(field "$1" 5)):"; tail -n 5 "$WORK/$1.err" | sed 's/^/    /' >&2; }

# genset NAME COUNT [GEN ARGS...]: the cached set's directory on stdout;
# made anew when the generator's GENVER changed.
GENVER=$(sed -n 's/^GENVER = \([0-9]*\)$/\1/p' "$GEN")
genset() {
	local name=$1 count=$2 dir
	shift 2
	dir=$CACHE/$name-n$count-s$SEED
	if [ -f "$dir/stats" ] &&
		[ "$(awk '{ print $4 }' "$dir/stats")" != "$GENVER" ]; then
		rm -rf "$dir"
	fi
	if [ ! -f "$dir/stats" ]; then
		mkdir -p "$CACHE"
		note "generating $count messages into $dir (once; cached)"
		"$PY" "$GEN" --seed "$SEED" "$@" "$count" "$dir" >&2 || return 1
	fi
	echo "$dir"
}

# fill USER SETDIR: the set's files into USER's Maildir (hard links when
# possible: nothing here writes into a message file), then Dovecot indexes
# the folder (not timed by anyone) and the page cache gets warm.
fill() {
	local user=$1 set=$2 md
	md=$RIG_MAIL_DIR/${user#*@}/${user%@*}
	rm -rf "$md/cur" "$md/new"
	cp -al "$set/cur" "$md/cur" 2>/dev/null || cp -a "$set/cur" "$md/cur"
	mkdir -p "$md/new"
	chown -R nobody:"$(id -gn nobody)" "$md"
	find "$md/cur" -type f -print0 | xargs -0 cat >/dev/null
	doveadm -c "$RIG_DOVECOT_CONF" mailbox status -u "$user" \
		messages INBOX >/dev/null
}

# mistok_conf USER DIR: a config for mistok on the rig, database in DIR.
mistok_conf() {
	local user=$1 dir=$2
	mkdir -p "$dir"
	(umask 077 && cp "$RIG_PASSWORD_DIR/$user" "$dir/password")
	cat >"$dir/mistok.conf" <<EOF
[mailbox]
host = localhost
port = $RIG_IMAPS_PORT
tls = implicit
ca_file = $RIG_CA_FILE
user = $user
password_file = $dir/password
folders = INBOX
idle = no

[team]
address = $user
coordinators = olena@c4c.test, mark@c4c.test

[store]
path = $dir/mistok.db
EOF
	echo "$dir/mistok.conf"
}

stored() { # DB: number of stored messages
	sqlite3 "$1" "SELECT count(*) FROM messages" 2>/dev/null || echo '?'
}

# rawlog on/off: Dovecot's imap processes write each session's input to
# $RIG_DIR/rawlog only while the directory exists (it is configured
# from the start; a missing directory means no log). The log holds no
# LOGIN (that happens in imap-login) and is removed after counting.
rawlog_on() {
	rm -rf "$RIG_DIR/rawlog"
	mkdir "$RIG_DIR/rawlog"
	chown nobody "$RIG_DIR/rawlog"
}
# Each line of a .in file: "EPOCH.USEC TAG COMMAND ...".
rawlog_lines() {
	cat "$RIG_DIR"/rawlog/*.in 2>/dev/null | tr -d '\r' |
		sed -n 's/^[0-9]*\.[0-9]* \([A-Za-z0-9.]* [A-Za-z].*\)/\1/p'
}
rawlog_commands() { rawlog_lines | wc -l; }
rawlog_commands_list() { # "CAPABILITY; EXAMINE INBOX; ..." (no tags)
	rawlog_lines | cut -d' ' -f2- | cut -c1-40 | paste -sd';' |
		sed 's/;/; /g'
}
rawlog_off() { rm -rf "$RIG_DIR/rawlog"; }

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# ------------------------------------------------------------ set-up

have_sync=0
if [ -x "$MISTOK" ] && "$MISTOK" help sync >/dev/null 2>&1; then
	have_sync=1
else
	note "mistok sync not built: skipped (the mistok rows stay empty)"
fi

SET=$(genset "mix$MAX_SIZE" "$N" --max-size "$MAX_SIZE") || exit 1
read -r _ SET_BYTES SET_LARGEST _ <"$SET/stats"
if [ $have_sync = 1 ] && [ "$N_RSS" -gt 0 ]; then
	SET_RSS=$(genset "mix$MAX_SIZE" "$N_RSS" --max-size "$MAX_SIZE") ||
		exit 1
	read -r _ RSS_BYTES RSS_LARGEST _ <"$SET_RSS/stats"
fi
if [ $have_sync = 1 ] && [ "$N_POLL" -gt 0 ]; then
	SET_POLL=$(genset small "$N_POLL" --small) || exit 1
fi

bash "$RIG" start >"$WORK/rig.log" 2>&1 || {
	cat "$WORK/rig.log" >&2
	note "the rig does not start"
	exit 1
}
eval "$(bash "$RIG" env)"
printf '%s\n' "protocol imap {" "  rawlog_dir = $RIG_DIR/rawlog" "}" \
	>"$RIG_DOVECOT_CONF_D/bench-rawlog.conf"
bash "$RIG" reload >>"$WORK/rig.log" 2>&1 || { note "rig reload failed"; exit 1; }

note "filling the rig's mailboxes and letting Dovecot index them"
fill "$USER_MAIN" "$SET"
[ -z "${SET_RSS:-}" ] || fill "$USER_RSS" "$SET_RSS"
[ -z "${SET_POLL:-}" ] || fill "$USER_POLL" "$SET_POLL"
got=$(bash "$RIG" count "$USER_MAIN")
[ "$got" = "$N" ] || { note "Dovecot sees $got messages, not $N"; exit 1; }

pwfile() { echo "$RIG_PASSWORD_DIR/$1"; }

# ------------------------------------------------------------ import

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# Each tool runs BENCH_RUNS times (default 2), interleaved (raw, mbsync,
# mistok, raw, ...), each time into a fresh Maildir or database; the table
# shows each tool's fastest run, with that run's own CPU and RSS: the
# machine is shared, and a busy moment should not decide a ratio.
note "warm-up: one raw fetch, not counted"
timed warmup "$PY" "$WORK/rawfetch.py" 127.0.0.1 "$RIG_IMAPS_PORT" \
	"$RIG_CA_FILE" "$USER_MAIN" "$(pwfile "$USER_MAIN")" INBOX

# mbsyncrc DIR: mbsync's config pulling INBOX into DIR. FSync no: by
# default mbsync fsyncs every message (here ~7 ms each, 20,000 messages
# would take minutes), and the comparison is with its fastest setting.
mbsyncrc() {
	cat <<EOF
FSync no

IMAPAccount bench
Host localhost
Port $RIG_IMAPS_PORT
User $USER_MAIN
PassCmd "cat $(pwfile "$USER_MAIN")"
SSLType IMAPS
CertificateFile $RIG_CA_FILE
DisableExtensions COMPRESS=DEFLATE

IMAPStore remote
Account bench

MaildirStore local
Path $1/
Inbox $1/INBOX

Channel bench
Far :remote:
Near :local:
Patterns INBOX
Create Near
Sync Pull
SyncState *
EOF
}

# best NAME: NAME.time := the fastest successful NAME.R.time; prints R.
best() {
	local r b= w bw=
	for ((r = 1; r <= RUNS; r++)); do
		ok_run "$1.$r" || continue
		w=$(field "$1.$r" 1)
		if [ -z "$b" ] || awk -v a="$w" -v b="$bw" 'BEGIN { exit !(a < b) }'; then
			b=$r bw=$w
		fi
	done
	[ -n "$b" ] || b=$RUNS
	cp "$WORK/$1.$b.time" "$WORK/$1.time" 2>/dev/null
	echo "$b"
}
walls() { # NAME: "w1 / w2" of every run
	local r out=
	for ((r = 1; r <= RUNS; r++)); do
		out="$out${out:+ / }$(ok_run "$1.$r" && field "$1.$r" 1 || echo failed)"
	done
	echo "$out"
}

for ((r = 1; r <= RUNS; r++)); do
	note "run $r/$RUNS: raw UID FETCH 1:* BODY.PEEK[]"
	timed "raw.$r" "$PY" "$WORK/rawfetch.py" 127.0.0.1 "$RIG_IMAPS_PORT" \
		"$RIG_CA_FILE" "$USER_MAIN" "$(pwfile "$USER_MAIN")" INBOX
	ok_run "raw.$r" || show_err "raw.$r"

	note "run $r/$RUNS: mbsync (DisableExtensions COMPRESS=DEFLATE, FSync no)"
	rm -rf "$WORK/mbsync"
	mkdir -p "$WORK/mbsync"
	mbsyncrc "$WORK/mbsync" >"$WORK/mbsyncrc"
	timed "mbsync.$r" mbsync -c "$WORK/mbsyncrc" -q bench
	ok_run "mbsync.$r" || show_err "mbsync.$r"

	if [ $have_sync = 1 ]; then
		note "run $r/$RUNS: mistok sync --once ($N)"
		rm -rf "$WORK/mistok-main"
		CONF_MAIN=$(mistok_conf "$USER_MAIN" "$WORK/mistok-main")
		timed "mistok.$r" "$MISTOK" -c "$CONF_MAIN" sync --once
		ok_run "mistok.$r" || show_err "mistok.$r"
	fi
done
best raw >/dev/null
raw_got=$(awk '{ print $1 }' "$WORK/raw.$RUNS.out" 2>/dev/null)
best mbsync >/dev/null
# The last run's Maildir and database stay for notmuch and the polls.
mbsync_got=$(find "$WORK/mbsync/INBOX/cur" "$WORK/mbsync/INBOX/new" -type f \
	2>/dev/null | wc -l)
if [ $have_sync = 1 ]; then
	best mistok >/dev/null
	mistok_got=$(stored "$WORK/mistok-main/mistok.db")
	ok_run "mistok.$RUNS" || CONF_MAIN=
fi

if [ "${BENCH_NOTMUCH:-1}" = 1 ]; then
	note "notmuch new over mbsync's Maildir"
	cat >"$WORK/notmuch-config" <<EOF
[database]
path=$WORK/mbsync
[user]
name=Bench
primary_email=$USER_MAIN
[new]
tags=inbox;unread
[maildir]
synchronize_flags=false
EOF
	timed notmuch env NOTMUCH_CONFIG="$WORK/notmuch-config" \
		HOME="$WORK" notmuch new --quiet
	ok_run notmuch || show_err notmuch
	notmuch_got=$(NOTMUCH_CONFIG="$WORK/notmuch-config" HOME="$WORK" \
		notmuch count '*' 2>/dev/null)
fi

# ------------------------------------------------------------ RSS at N_RSS

if [ $have_sync = 1 ] && [ -n "${SET_RSS:-}" ]; then
	note "mistok sync --once ($N_RSS, for RSS)"
	CONF_RSS=$(mistok_conf "$USER_RSS" "$WORK/mistok-rss")
	timed mistok_rss "$MISTOK" -c "$CONF_RSS" sync --once
	ok_run mistok_rss || show_err mistok_rss
	rss_got=$(stored "$WORK/mistok-rss/mistok.db")
fi

# ------------------------------------------------------------ polls

# poll NAME CONF: BENCH_POLLS polls with nothing new; prints "commands
# cpu_min_ms cpu_median_ms wall_median_ms" (commands of the last poll).
poll() {
	local name=$1 conf=$2 i cmds
	: >"$WORK/$name.polls"
	for ((i = 1; i <= POLLS; i++)); do
		rawlog_on
		timed "$name.$i" "$MISTOK" -c "$conf" sync --once
		ok_run "$name.$i" || { show_err "$name.$i"; rawlog_off; return 1; }
		cmds=$(rawlog_commands)
		[ "$i" = "$POLLS" ] && rawlog_commands_list >"$WORK/$name.cmds"
		rawlog_off
		echo "$cmds $(awk '{ printf "%.1f %.1f %.0f", ($2 + $3) * 1000,
			$1 * 1000, $6 * 1000 }' "$WORK/$name.$i.time")" \
			>>"$WORK/$name.polls"
	done
	# Commands of every poll ("4" or "4/4/5" if they differ), min and
	# median CPU, median wall, median server CPU.
	sort -n -k2 "$WORK/$name.polls" | awk -v n="$POLLS" '
		NR == 1 { min = $2 } NR == int((n + 1) / 2) { med = $2 }
		{ c[$1] = 1 }
		END {
			s = ""
			for (k in c) s = s (s == "" ? "" : "/") k
			printf "%s %.1f %.1f", s, min, med
		}'
	for i in 3 4; do
		sort -n -k$i "$WORK/$name.polls" | awk -v n="$POLLS" -v f=$i \
			'NR == int((n + 1) / 2) { printf " %.0f", $f }'
	done
	echo
}

poll_main= poll_large=
if [ $have_sync = 1 ] && [ -n "${CONF_MAIN:-}" ]; then
	note "polls with nothing new at $N"
	poll_main=$(poll poll_main "$CONF_MAIN")
fi
if [ $have_sync = 1 ] && [ -n "${SET_POLL:-}" ]; then
	note "mistok sync --once ($N_POLL small messages, before polling)"
	CONF_POLL=$(mistok_conf "$USER_POLL" "$WORK/mistok-poll")
	timed mistok_large "$MISTOK" -c "$CONF_POLL" sync --once
	if ok_run mistok_large; then
		large_got=$(stored "$WORK/mistok-poll/mistok.db")
		note "polls with nothing new at $N_POLL"
		poll_large=$(poll poll_large "$CONF_POLL")
	else
		show_err mistok_large
	fi
fi

# ------------------------------------------------------------ report

row() { # LABEL NAME GOT
	local label=$1 name=$2
	if ! ok_run "$name"; then
		printf '%-28s %s\n' "$label" "${4:-failed}"
		return
	fi
	awk -v l="$label" -v n="$N" -v got="$3" '{
		printf "%-28s %8.2f %8.2f %9.2f %8.0f %9.1f   %s\n", l, $1,
		    $2 + $3, $6, n / $1, $4 / 1024, got
	}' "$WORK/$name.time"
}
ratio() { # NAME_A NAME_B: wall A / wall B
	if ok_run "$1" && ok_run "$2"; then
		echo "$(field "$1" 1) $(field "$2" 1)" |
			awk '{ printf "%.2fx", $1 / $2 }'
	else
		echo "n/a"
	fi
}

say ""
say "ingest: $N messages, $(mb $((SET_BYTES / 1024))) MB, largest" \
	"$(mb $((SET_LARGEST / 1024))) MB (seed $SEED, max $MAX_SIZE);" \
	"IMAPS on loopback, Dovecot $(dovecot --version | cut -d' ' -f1)," \
	"$(nproc) cores"
say "mistok $(git -C "$TOP" describe --always --dirty 2>/dev/null || echo '?')" \
	"(build $(date -r "$MISTOK" '+%F %T' 2>/dev/null || echo '?'))"
say "load average (1/5/15 min) before the imports: $LOAD_START;" \
	"now: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine" \
	"slows every row)"
printf '%-28s %8s %8s %9s %8s %9s   %s\n' tool "wall s" "CPU s" \
	"srv CPU s" "msgs/s" "RSS MB" "messages"
row "raw UID FETCH 1:* (python)" raw "${raw_got:-?}"
row "mbsync, no DEFLATE/FSync" mbsync "$mbsync_got"
if [ $have_sync = 1 ]; then
	row "mistok sync --once" mistok "${mistok_got:-?} stored"
else
	printf '%-28s %s\n' "mistok sync --once" "not built: skipped"
fi
if [ "${BENCH_NOTMUCH:-1}" = 1 ]; then
	row "notmuch new (mbsync's dir)" notmuch "${notmuch_got:-?}"
fi
say "wall s of each run: raw $(walls raw); mbsync $(walls mbsync)$(
	[ $have_sync = 1 ] && echo "; mistok $(walls mistok)")"
say "(CPU: the client's user+system; srv CPU: Dovecot's processes of that"
say " session; RSS: the client's peak; notmuch reads local files, no IMAP)"
say "ratios (wall): mistok/mbsync $(ratio mistok mbsync)," \
	"mistok/raw fetch $(ratio mistok raw), mistok/notmuch $(ratio mistok notmuch)"
say "goal: mistok <= 1.0x mbsync"

say ""
say "peak RSS of mistok sync --once (messages up to $MAX_SIZE):"
if [ $have_sync = 1 ]; then
	for spec in "mistok_rss $N_RSS ${RSS_LARGEST:-0} ${rss_got:-?}" \
		"mistok $N $SET_LARGEST ${mistok_got:-?}"; do
		set -- $spec
		if ok_run "$1"; then
			printf '  %6d messages: %6.1f MB   (largest message %s MB, %s stored)\n' \
				"$2" "$(mb "$(field "$1" 4)")" "$(mb $(($3 / 1024)))" "$4"
		else
			printf '  %6d messages: %s\n' "$2" "n/a"
		fi
	done
else
	say "  mistok sync not built: skipped"
fi
say "goal: peak RSS <= 32 MB, the same at both sizes"

say ""
say "poll with nothing new (mistok sync --once; $POLLS polls each, medians;" \
	"IMAP commands after login, per Dovecot's rawlog; CPU = mistok's" \
	"user+system; srv CPU in 10 ms ticks):"
for spec in "$N:$poll_main:poll_main" "$N_POLL:$poll_large:poll_large"; do
	IFS=: read -r count figs name <<<"$spec"
	if [ -z "$figs" ]; then
		printf '  %6d messages: %s\n' "$count" \
			"$([ $have_sync = 1 ] && echo n/a || echo 'mistok sync not built: skipped')"
		continue
	fi
	set -- $figs
	printf '  %6d messages: %s commands, CPU %s ms (min %s), wall %s ms, srv CPU %s ms\n' \
		"$count" "$1" "$3" "$2" "$4" "$5"
	[ ! -s "$WORK/$name.cmds" ] || printf '                   %s\n' \
		"$(cut -c1-150 "$WORK/$name.cmds")"
done
if [ -n "${large_got:-}" ]; then
	say "  (first import of the $N_POLL small messages took" \
		"$(field mistok_large 1) s, $(mb "$(field mistok_large 4)") MB RSS," \
		"$large_got stored)"
fi
say "goal: the same commands and CPU at both sizes"
say "reference (INTEROP.md, 20,000 msgs / 724 MB): mbsync 10.3 s," \
	"notmuch new 37 s / 129 MB, raw streaming fetch over IMAPS 3.5 s"
exit 0
