#!/bin/sh
# Runs the test phases and prints one closing line "N passed, N failed".
#   tests/check.sh all|unit|asan|integration|conformance
# Every test program speaks TAP ("ok N - ...", "not ok N - ..."); cmocka is
# told to with CMOCKA_MESSAGE_OUTPUT=TAP. A program that exits non-zero
# without a "not ok" line counts as one failure; so does one that prints
# no result at all. Logs: $BUILD/test-logs/.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$TOP/$BUILD" ;; esac
CORPORA=${CORPORA:-$TOP/../shared/corpora}
case "$CORPORA" in /*) ;; *) CORPORA="$TOP/$CORPORA" ;; esac
TEST_TIMEOUT=${TEST_TIMEOUT:-1800}
export BUILD TOP CORPORA
LOGS="$BUILD/test-logs"
mkdir -p "$LOGS"
passed=0
failed=0
failures=""

run_one() { # phase name command...
	phase=$1 name=$2
	shift 2
	log="$LOGS/$phase-$name.log"
	start=$(date +%s)
	CMOCKA_MESSAGE_OUTPUT=TAP timeout -k 10 "$TEST_TIMEOUT" "$@" \
	    >"$log" 2>&1 </dev/null
	rc=$?
	secs=$(( $(date +%s) - start ))
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name ran no test" >>"$log"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -eq 0 ]; then
		printf 'PASS %-12s %-28s %4d ok  %4ds\n' "$phase" "$name" "$p" "$secs"
	else
		printf 'FAIL %-12s %-28s %4d ok %3d failed  %4ds  (%s)\n' \
		    "$phase" "$name" "$p" "$f" "$secs" "$log"
		grep '^not ok ' "$log" | head -20 | sed 's/^/     /'
		tail -n 30 "$log" | sed 's/^/   | /'
		failures="$failures $phase/$name"
	fi
}

phase_unit() {
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		run_one unit "$(basename "$t")" "$t"
	done
	# Command answers when the templates are broken: the plain fallback.
	if [ -x "$BUILD/tests/test_cmdexec" ]; then
		TEST_NO_TEMPLATES=1 TEST_FILTER=recognition_matrix \
		    run_one unit test_cmdexec-no-templates \
		    "$BUILD/tests/test_cmdexec"
	fi
}

phase_asan() {
	for t in "$BUILD"/asan/tests/test_*; do
		[ -x "$t" ] || continue
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		LSAN_OPTIONS=suppressions=$TOP/tests/lsan.supp:print_suppressions=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		G_SLICE=always-malloc G_DEBUG=gc-friendly \
		    run_one asan "$(basename "$t")" "$t"
	done
}

phase_integration() {
	for t in "$TOP"/tests/integration/*.sh; do
		[ -f "$t" ] || continue
		[ "$(basename "$t")" = lib.sh ] && continue	# their library
		run_one integration "$(basename "$t" .sh)" bash "$t"
	done
}

phase_conformance() {
	if [ ! -d "$CORPORA" ]; then
		echo "conformance: $CORPORA not found, skipped"
		return
	fi
	for t in "$TOP"/tests/conformance/*.sh; do
		[ -f "$t" ] || continue
		run_one conformance "$(basename "$t" .sh)" bash "$t"
	done
}

case "${1:-all}" in
all)		phase_unit; phase_asan; phase_integration; phase_conformance ;;
unit)		phase_unit; phase_asan ;;
integration)	phase_integration ;;
conformance)	phase_conformance ;;
*)		echo "usage: $0 all|unit|integration|conformance" >&2; exit 64 ;;
esac

[ -z "$failures" ] || echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
