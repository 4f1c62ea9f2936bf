#!/bin/sh
# Runs each libFuzzer binary given for FUZZ_SECONDS (default 60) with a
# corpus in $BUILD/fuzz-corpus/NAME, seeded from tests/data/NAME minus the
# fuzz_ prefix (fuzz_invite: tests/data/ical), else tests/data/mime.
# Prints TAP: "ok N - NAME" or "not ok N - NAME (log)"; exits non-zero
# when any target found a crash. Crash inputs land in $BUILD/fuzz-crash/.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
n=0
failed=0
echo "1..$#"
for bin in "$@"; do
	n=$((n + 1))
	name=$(basename "$bin")
	corpus="$BUILD/fuzz-corpus/$name"
	crash="$BUILD/fuzz-crash/$name"
	log="$BUILD/fuzz-logs/$name.log"
	mkdir -p "$corpus" "$crash" "$(dirname "$log")"
	# The seed folder is tests/data/NAME without fuzz_, or one named in
	# this table when the data folder is called otherwise.
	case $name in
	fuzz_invite) seed="$TOP/tests/data/ical" ;;
	*) seed="$TOP/tests/data/${name#fuzz_}" ;;
	esac
	[ -d "$seed" ] || seed="$TOP/tests/data/mime"
	if [ -d "$seed" ]; then
		cp -n "$seed"/* "$corpus"/ 2>/dev/null
	fi
	if [ ! -x "$bin" ]; then
		echo "not ok $n - $name (not built)"
		failed=$((failed + 1))
		continue
	fi
	# -rss_limit_mb bounds memory; -timeout flags a slow input as a hang.
	ASAN_OPTIONS=detect_leaks=1 \
	LSAN_OPTIONS=suppressions=$TOP/tests/lsan.supp:print_suppressions=0 \
	G_SLICE=always-malloc \
	timeout -k 10 $((FUZZ_SECONDS + 60)) "$bin" \
	    -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=1024 -timeout=10 \
	    -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix="$crash/" "$corpus" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $name (${execs:-?} runs in ${FUZZ_SECONDS}s)"
	else
		echo "not ok $n - $name exited $rc, see $log"
		grep -m 3 -E 'ERROR|SUMMARY' "$log" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
