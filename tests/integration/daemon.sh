#!/bin/bash
# mistokd and mistok end to end (TAP): config check, start, reload with a
# broken and a good config, graceful stop, systemd readiness, daemonizing,
# valgrind over a start/stop cycle, `mistok status --json`, `mistok backup`.
# The mailbox points at 127.0.0.1 on a port nobody listens on, so the test
# stays meaningful once ingest connects: the daemon must run regardless.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
MISTOKD=$BUILD/mistokd
MISTOK=$BUILD/mistok
PY=/usr/bin/python3

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
# Status $1 equals $2, and the command that follows succeeds.
rc_and() {
	local rc=$1 want=$2
	shift 2
	[ "$rc" -eq "$want" ] && "$@"
}
check() { # description command...
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

T=$(mktemp -d /tmp/mistok-daemon-test.XXXXXX)
DPID=
cleanup() {
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

# A port nothing listens on: bind to 0, note it, release it.
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

SECRET="s3cr3t-$$-never-printed"
printf '%s\n' "$SECRET" >"$T/password"
chmod 600 "$T/password"

write_good() { # file
	cat >"$1" <<EOF
[mailbox]
host = 127.0.0.1
port = $PORT
user = team@c4c.test
password_file = $T/password

[team]
address = team@c4c.test
coordinators = olena@c4c.test, mark@c4c.test

[store]
path = $T/mistok.db

[templates]
dir = $TOP/templates
EOF
}
# Two errors, on lines 3 and 4.
write_broken() { # file
	cat >"$1" <<EOF
[mailbox]
host = 127.0.0.1
port = not-a-port
tls = sometimes
user = team@c4c.test
password_file = $T/password

[team]
address = team@c4c.test
coordinators = olena@c4c.test
EOF
}

CONF=$T/mistok.conf
write_good "$CONF"
write_broken "$T/broken.conf"

# Waits (up to $2 seconds) for a line matching $1 in $3.
wait_log() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -q -- "$1" "$3" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# Waits (up to $2 seconds) for pid $1 to exit; sets RC to its status.
wait_exit() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			RC=$?
			return 0
		fi
		sleep 0.05
	done
	return 1
}

for b in "$MISTOKD" "$MISTOK"; do
	if [ ! -x "$b" ]; then
		echo "not ok 1 - $b is not built"
		exit 1
	fi
done

# --- -n: check the configuration ---------------------------------------
"$MISTOKD" -n -c "$CONF" 2>"$T/n.err"
check "mistokd -n accepts a good config (exit 0)" [ $? -eq 0 ]

"$MISTOKD" -n -c "$T/broken.conf" 2>"$T/n.err"
rc=$?
check "mistokd -n refuses a broken config with EX_CONFIG (got $rc)" [ $rc -eq 78 ]
check "-n names both errors as file:line" \
    grep -q "broken.conf:3:.*port" "$T/n.err"
check "-n reports every error, not only the first" \
    grep -q "broken.conf:4:.*tls" "$T/n.err"

chmod 644 "$T/password"
"$MISTOKD" -n -c "$CONF" 2>"$T/n.err"
rc=$?
chmod 600 "$T/password"
check "a password file readable by others is refused (exit $rc)" \
    rc_and $rc 78 grep -qi "password file.*readable" "$T/n.err"
check "the secret never appears on stderr" \
    bash -c "! grep -q -- '$SECRET' '$T/n.err'"

"$MISTOKD" -x 2>/dev/null
check "an unknown option is a usage error (64)" [ $? -eq 64 ]

# --- foreground run, reloads, stop --------------------------------------
LOG=$T/mistokd.log
"$MISTOKD" -d -c "$CONF" 2>"$LOG" &
DPID=$!
if wait_log "mistokd: started" 10 "$LOG"; then
	ok "mistokd -d starts and logs \"started\""
else
	not_ok "mistokd -d starts and logs \"started\""
	sed 's/^/# /' "$LOG"
fi
check "the start line names the config path" grep -q "started.*$CONF" "$LOG"
check "the database is created mode 0600" \
    [ "$(stat -c %a "$T/mistok.db" 2>/dev/null)" = 600 ]

cp "$CONF" "$T/good.conf"
write_broken "$CONF"
kill -HUP "$DPID"
if wait_log "config kept" 10 "$LOG"; then
	ok "SIGHUP with a broken config: the log says the config is kept"
else
	not_ok "SIGHUP with a broken config: the log says the config is kept"
fi
check "... and names each error by file:line" \
    grep -q "$CONF:3:.*port" "$LOG"
check "... line 4 too" grep -q "$CONF:4:.*tls" "$LOG"
sleep 0.2
check "... and mistokd is still running" kill -0 "$DPID"

cp "$T/good.conf" "$CONF"
kill -HUP "$DPID"
if wait_log "mistokd: reloaded" 10 "$LOG"; then
	ok "SIGHUP with a good config: reloaded"
else
	not_ok "SIGHUP with a good config: reloaded"
fi
check "still running after the reload" kill -0 "$DPID"

# --- the CLI against the daemon's database ------------------------------
"$MISTOK" -c "$CONF" status --json >"$T/status.json" 2>"$T/status.err"
rc=$?
check "mistok status --json exits 0 (got $rc)" [ $rc -eq 0 ]
$PY - "$T/status.json" "$T/mistok.db" "$CONF" >"$T/py.out" 2>&1 <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
for k in ("config", "database", "schema_version", "folders",
          "unreachable_since", "quarantined", "outbox"):
    assert k in s, "missing key " + k
assert s["database"] == sys.argv[2], s["database"]
assert s["config"] == sys.argv[3], s["config"]
assert isinstance(s["schema_version"], int) and s["schema_version"] >= 1
assert isinstance(s["folders"], list)
assert set(s["outbox"]) >= {"queued", "failed"}
EOF
rc=$?
check "status --json parses as JSON with the documented keys" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/# /' "$T/py.out"
"$MISTOK" -c "$CONF" --json status >"$T/status2.json" 2>/dev/null
check "--json before the command works the same" \
    cmp -s "$T/status.json" "$T/status2.json"
"$MISTOK" -c "$CONF" status >"$T/status.txt" 2>&1
check "status (text) shows the database path" \
    grep -q "database: *$T/mistok.db" "$T/status.txt"

"$MISTOK" -c "$CONF" backup "$T/backup.db" >"$T/backup.out" 2>&1
rc=$?
check "mistok backup while mistokd runs exits 0 (got $rc)" [ $rc -eq 0 ]
check "the backup passes PRAGMA integrity_check" \
    [ "$(sqlite3 "$T/backup.db" 'PRAGMA integrity_check' 2>&1)" = ok ]
check "the backup has the schema version of the live database" \
    [ "$(sqlite3 "$T/backup.db" 'PRAGMA user_version')" = \
      "$(sqlite3 "$T/mistok.db" 'PRAGMA user_version')" ]
"$MISTOK" -c "$CONF" backup "$T/backup.db" >/dev/null 2>&1
rc=$?
check "backup refuses an existing file (EX_CANTCREAT, got $rc)" [ $rc -eq 73 ]
"$MISTOK" -c "$CONF" stauts >/dev/null 2>"$T/typo.err"
rc=$?
check "an unknown command exits 64 and suggests one" \
    rc_and $rc 64 grep -q 'did you mean "status"' "$T/typo.err"

start=$(date +%s%N)
kill -TERM "$DPID"
if wait_exit "$DPID" 10; then
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "# SIGTERM to exit: ${ms} ms"
	ok "SIGTERM stops mistokd (within 10 s)"
	check "... with exit status 0 (got $RC)" [ "$RC" -eq 0 ]
	check "... and logs stopped" grep -q "mistokd: stopped" "$LOG"
else
	not_ok "SIGTERM stops mistokd (within 10 s)"
	not_ok "... with exit status 0"
	not_ok "... and logs stopped"
fi
DPID=

"$MISTOKD" -d -c "$CONF" 2>"$T/int.log" &
DPID=$!
wait_log "mistokd: started" 10 "$T/int.log"
kill -INT "$DPID"
if wait_exit "$DPID" 10 && [ "$RC" -eq 0 ]; then
	ok "SIGINT stops mistokd too"
else
	not_ok "SIGINT stops mistokd too"
fi
DPID=

# --- a broken database is a clean start-up failure ----------------------
sed "s|^path = .*|path = $T/no/such/dir/x.db|" "$CONF" >"$T/nodir.conf"
timeout 10 "$MISTOKD" -d -c "$T/nodir.conf" 2>"$T/nodir.err"
rc=$?
check "an unusable database path fails start-up (exit $rc)" \
    [ $rc -ne 0 -a $rc -ne 124 ]

# --- systemd Type=notify --------------------------------------------------
# The listener starts mistokd WITHOUT -d and NOTIFY_SOCKET set; it must not
# fork (the started process itself stays up), and say READY=1, RELOADING=1
# and STOPPING=1 at the right moments.
notify_test() { # address-kind: path | abstract
	$PY - "$MISTOKD" "$CONF" "$T" "$1" <<'EOF'
import os, signal, socket, subprocess, sys, time
mistokd, conf, tmp, kind = sys.argv[1:5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
if kind == "abstract":
    name = "mistok-test-%d" % os.getpid()
    s.bind("\0" + name)
    addr = "@" + name
else:
    addr = os.path.join(tmp, "notify.sock")
    s.bind(addr)
s.settimeout(10)
env = dict(os.environ, NOTIFY_SOCKET=addr)
p = subprocess.Popen([mistokd, "-c", conf], env=env,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
def expect(word):
    deadline = time.time() + 10
    while time.time() < deadline:
        msg = s.recv(4096).decode()
        if word in msg.split("\n"):
            return msg
    raise SystemExit("no %s" % word)
try:
    msg = expect("READY=1")
    print("# notify:", msg.replace("\n", " | "))
    time.sleep(0.3)
    assert p.poll() is None, "the process exited: it forked"
    p.send_signal(signal.SIGHUP)
    expect("RELOADING=1")
    expect("READY=1")
    p.send_signal(signal.SIGTERM)
    expect("STOPPING=1")
    rc = p.wait(timeout=10)
    assert rc == 0, "exit status %d" % rc
finally:
    if p.poll() is None:
        p.kill()
        p.wait()
EOF
}
notify_test path >"$T/notify.out" 2>&1
rc=$?
grep '^#' "$T/notify.out"
check "NOTIFY_SOCKET: READY=1, no fork, RELOADING=1, STOPPING=1" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/# /' "$T/notify.out"
notify_test abstract >"$T/notify2.out" 2>&1
rc=$?
check "NOTIFY_SOCKET with an abstract address (@name)" [ $rc -eq 0 ]
[ $rc -eq 0 ] || sed 's/^/# /' "$T/notify2.out"

# --- daemonizing (no -d, no NOTIFY_SOCKET) ------------------------------
timeout 10 "$MISTOKD" -c "$CONF" 2>"$T/bg.err"
rc=$?
check "without -d mistokd detaches and the parent exits 0 (got $rc)" \
    [ $rc -eq 0 ]
# The child runs on; find it by our unique config path, stop it by id.
BG=
for ((i = 0; i < 50; i++)); do
	BG=$(ps -eo pid=,args= | awk -v c="$CONF" \
	    '$2 ~ /mistokd$/ && $NF == c { print $1 }' | head -1)
	[ -n "$BG" ] && break
	sleep 0.1
done
check "the detached daemon is running" [ -n "$BG" ]
if [ -n "$BG" ]; then
	check "it is a session leader with no terminal" \
	    [ "$(ps -o sid= -p "$BG" | tr -d ' ')" = "$BG" ]
	kill -TERM "$BG"
	for ((i = 0; i < 200; i++)); do
		kill -0 "$BG" 2>/dev/null || break
		sleep 0.05
	done
	check "the detached daemon stops on SIGTERM" \
	    bash -c "! kill -0 $BG 2>/dev/null"
	kill -0 "$BG" 2>/dev/null && kill -KILL "$BG"
fi
sed "s|^path = .*|path = $T/no/such/dir/x.db|" "$CONF" >"$T/nodir.conf"
timeout 10 "$MISTOKD" -c "$T/nodir.conf" 2>"$T/bgfail.err"
rc=$?
check "a start-up failure after detaching still reaches the shell (exit $rc)" \
    rc_and $rc 1 grep -q "database.*no/such/dir" "$T/bgfail.err"

# --- valgrind over a start / reload / stop cycle ------------------------
if command -v valgrind >/dev/null; then
	SUPP=
	[ -f /usr/share/glib-2.0/valgrind/glib.supp ] &&
	    SUPP=--suppressions=/usr/share/glib-2.0/valgrind/glib.supp
	VLOG=$T/valgrind.log
	G_SLICE=always-malloc G_DEBUG=gc-friendly valgrind -q \
	    --leak-check=full --show-leak-kinds=definite \
	    --errors-for-leak-kinds=definite --error-exitcode=99 $SUPP \
	    --log-file="$VLOG" "$MISTOKD" -d -c "$CONF" 2>"$T/vg.stderr" &
	DPID=$!
	if wait_log "mistokd: started" 60 "$T/vg.stderr"; then
		write_broken "$CONF"
		kill -HUP "$DPID"
		wait_log "config kept" 30 "$T/vg.stderr"
		cp "$T/good.conf" "$CONF"
		kill -HUP "$DPID"
		wait_log "mistokd: reloaded" 30 "$T/vg.stderr"
		kill -TERM "$DPID"
		if wait_exit "$DPID" 60; then
			check "valgrind: no error and no definite leak (exit $RC)" \
			    [ "$RC" -eq 0 ]
			[ "$RC" -eq 0 ] || sed 's/^/# /' "$VLOG" | head -40
		else
			not_ok "valgrind: mistokd stopped within 60 s"
		fi
	else
		not_ok "valgrind: mistokd started within 60 s"
		sed 's/^/# /' "$T/vg.stderr" | head -20
	fi
	DPID=
else
	not_ok "valgrind is not installed"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
