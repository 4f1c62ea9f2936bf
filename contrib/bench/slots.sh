#!/bin/sh
# Slot search benchmark (issue 6): 6 attendees in 4 zones over 14 days;
# prints the time per search (goal < 1 ms), asserts nothing.
# Standalone: BUILD=build sh contrib/bench/slots.sh (builds the helper when
# it is missing).
set -eu
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
bin="$BUILD/tests/slotbench"
if [ ! -x "$bin" ]; then
	make -C "$TOP" --no-print-directory BUILD="$BUILD" "$bin" >&2
fi
"$bin" "$TOP/contrib/holidays/us-federal.txt"
