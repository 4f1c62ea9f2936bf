#!/bin/sh
# Slot search benchmark (issue 6): 6 attendees in 4 zones over 14 days;
# prints the time per search (goal < 1 ms), asserts nothing.
# Standalone: BUILD=build sh contrib/bench/slots.sh (brings the helper up
# to date first; a no-op under make bench).
set -eu
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
bin="$BUILD/tests/slotbench"
if ! make -C "$TOP" -s --no-print-directory BUILD="$BUILD" "$bin" >&2; then
	[ -x "$bin" ] || exit 1
	echo "slots: build failed; timing the existing $bin" >&2
fi
"$bin" "$TOP/contrib/holidays/us-federal.txt"
