#!/bin/sh
# Threading + partnership matching benchmark (issue 4): 25,000 and
# 100,000 synthetic messages through store_message() with thread_add()
# as its hook (tests/integration/threadbench.c). Prints the rate of
# threading + matching alone (wall and CPU) and of store + threading for
# both sizes, and the ratio of the two rates (about 1.0 = linear).
# Goal: >= 20,000 messages/s. Asserts nothing.
# Standalone: BUILD=build sh contrib/bench/threading.sh
set -eu
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
bin="$BUILD/tests/threadbench"
if ! make -C "$TOP" -s --no-print-directory BUILD="$BUILD" "$bin" >&2; then
	[ -x "$bin" ] || exit 1
	echo "threading: build failed; timing the existing $bin" >&2
fi
tmp=$(mktemp -d /tmp/mistok-bench-thread.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM
for n in 25000 100000; do
	echo "-- $n messages"
	"$bin" "$n" "$tmp/t$n.db" 2>/dev/null | tee "$tmp/out$n"
	rm -f "$tmp/t$n.db" "$tmp/t$n.db-wal" "$tmp/t$n.db-shm"
done
rate() { sed -n 's/^threading+matching: .* s, \([0-9]*\) msgs\/s.*/\1/p' "$1"; }
a=$(rate "$tmp/out25000")
b=$(rate "$tmp/out100000")
if [ -n "$a" ] && [ -n "$b" ] && [ "$a" -gt 0 ]; then
	awk -v a="$a" -v b="$b" 'BEGIN { printf "threading: rate at 100k / rate at 25k = %.2f (1.00 = linear); goal 20000 msgs/s: %s\n", b / a, (b >= 20000 ? "met" : "NOT met") }'
fi
