#!/bin/bash
# The official Mustache spec against tmpl.c: every test of the required
# modules (comments, delimiters, interpolation, inverted, partials, sections)
# must pass; the optional ones (~lambdas, ~inheritance, ~dynamic-names) are
# reported as SKIP by the helper. TAP comes from $BUILD/tests/mustache_spec.
set -u
: "${BUILD:?BUILD not set}" "${CORPORA:?CORPORA not set}"
SPEC="$CORPORA/mustache/spec/specs"
HELPER="$BUILD/tests/mustache_spec"

if [ ! -x "$HELPER" ]; then
	echo "not ok 1 - $HELPER not built (make tests)"
	exit 1
fi
if [ ! -d "$SPEC" ]; then
	echo "not ok 1 - $SPEC not found"
	exit 1
fi
out=$(timeout 60 "$HELPER" "$SPEC")
rc=$?
printf '%s\n' "$out"
# Every required module must have run: a spec file that silently vanished
# from the corpus must not turn into a pass.
n=$(printf '%s\n' "$out" | grep -c '^ok')
for m in comments delimiters interpolation inverted partials sections; do
	if ! printf '%s\n' "$out" | grep -q "^ok [0-9]* - $m.json: "; then
		n=$((n + 1))
		echo "not ok $n - $m.json: no test of this module passed"
		rc=1
	fi
done
exit $rc
