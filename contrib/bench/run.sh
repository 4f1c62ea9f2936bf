#!/bin/sh
# make bench: runs every contrib/bench/*.sh (except this file) in turn.
# Each benchmark prints its own figures and ratios; nothing is asserted.
# BENCH=name1,name2 runs only those.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
export TOP BUILD
rc=0
for b in "$TOP"/contrib/bench/*.sh; do
	name=$(basename "$b" .sh)
	[ "$name" = run ] && continue
	if [ -n "${BENCH:-}" ]; then
		case ",$BENCH," in *",$name,"*) ;; *) continue ;; esac
	fi
	echo "== bench $name"
	if ! sh "$b"; then
		echo "bench $name: failed" >&2
		rc=1
	fi
done
exit $rc
