#!/bin/bash
# SMTP throughput: 500 mails (a small text/plain message each) through the
# rig's Postfix submissions port (implicit TLS, AUTH PLAIN) to a partner's
# mailbox, once over one kept connection (how the outbox sends a batch)
# and once with a new connection, TLS handshake and AUTH per mail. Prints
# mails/s of each and the ratio. SMTP_BENCH_N changes the count; the rig
# takes base port SMTP_BENCH_BASE_PORT (29000).
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
TOOL=$BUILD/tests/outboxtool
RIG=$TOP/tests/rig/rig.sh
N=${SMTP_BENCH_N:-500}
[ -x "$TOOL" ] || { echo "smtp bench: $TOOL not built (make tests)" >&2; exit 1; }

export RIG_BASE_PORT=${SMTP_BENCH_BASE_PORT:-29000}
RIG_DIR=$(mktemp -d /tmp/mistok-smtpbench-rig.XXXXXX)
WORK=$(mktemp -d /tmp/mistok-smtpbench.XXXXXX)
export RIG_DIR
chmod 755 "$RIG_DIR"
trap 'bash "$RIG" stop >/dev/null 2>&1; rm -rf "$RIG_DIR" "$WORK"' EXIT
bash "$RIG" start >"$WORK/rig.log" 2>&1 || { cat "$WORK/rig.log"; exit 1; }
eval "$(bash "$RIG" env)"

cat >"$WORK/m.conf" <<CONF
[mailbox]
host = localhost
port = $RIG_IMAPS_PORT
ca_file = $RIG_CA_FILE
user = team@c4c.test
password_file = $RIG_PASSWORD_DIR/team@c4c.test
[smtp]
port = $RIG_SUBMISSIONS_PORT
[team]
address = team@c4c.test
coordinators = olena@c4c.test
[store]
path = $WORK/m.db
CONF

run() { # reuse|fresh
	"$TOOL" "$WORK/m.conf" bench "$N" "$1" intl@madison.test 2>"$WORK/$1.err" ||
		{ echo "smtp bench: $1 failed:"; head -5 "$WORK/$1.err"; exit 1; }
}
reuse=$(run reuse)
fresh=$(run fresh)
echo "smtp: $N mails to the rig's Postfix (submissions, TLS + AUTH PLAIN)"
echo "  one kept connection:     $reuse"
echo "  a connection per mail:   $fresh"
r=$(echo "$reuse" | awk '{print $NF}')
f=$(echo "$fresh" | awk '{print $NF}')
awk -v r="$r" -v f="$f" 'BEGIN { printf "  ratio (reuse / fresh):   %.1fx\n", r / f }'
bash "$RIG" wait-count intl@madison.test $((2 * N)) >/dev/null 2>&1 &&
	echo "  delivered: $(bash "$RIG" count intl@madison.test) mails in the mailbox"
