#!/bin/sh
# The manual pages: each renders with groff's mdoc macros without a single
# warning (preconv reads the UTF-8 of the Ukrainian examples, as man-db
# does through the coding line), every key of config/mistok.conf.example
# is in mistok.conf(5), and every command `mistok help` lists has its
# entry in mistok(1). TAP.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
MAN=$TOP/contrib/man
WORK=$(mktemp -d /tmp/mistok-test-man.XXXXXX) || exit 1
trap 'rm -rf "$WORK"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }

for page in mistok.1 mistok.conf.5 mistokd.8; do
	if ! command -v groff >/dev/null 2>&1; then
		nok "$page: groff is missing (contrib/install-deps.sh installs groff-base)"
		continue
	fi
	groff -k -ww -mdoc -Tutf8 "$MAN/$page" >"$WORK/out" 2>"$WORK/err"
	if [ -s "$WORK/err" ] || [ "$(wc -l <"$WORK/out")" -lt 20 ]; then
		nok "$page renders without warnings"
		sed 's/^/# /' "$WORK/err" | head -10
	else
		ok "$page renders without warnings"
	fi
done

missing=""
for key in $(sed -n 's/^#\{0,1\} \{0,1\}\([a-z_][a-z_]*\) *=.*/\1/p' \
    "$TOP/config/mistok.conf.example" | sort -u); do
	grep -q "\\<$key\\>" "$MAN/mistok.conf.5" || missing="$missing $key"
done
if [ -z "$missing" ]; then
	ok "every key of mistok.conf.example is in mistok.conf(5)"
else
	nok "every key of mistok.conf.example is in mistok.conf(5); missing:$missing"
fi

missing=""
if [ -x "$BUILD/mistok" ]; then
	for cmd in $("$BUILD/mistok" help 2>&1 |
	    sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p'); do
		grep -q "^\\.It Cm $cmd\\>" "$MAN/mistok.1" ||
			missing="$missing $cmd"
	done
	if [ -z "$missing" ]; then
		ok "every command of mistok help is in mistok(1)"
	else
		nok "every command of mistok help is in mistok(1); missing:$missing"
	fi
else
	nok "every command of mistok help is in mistok(1): $BUILD/mistok is not built"
fi
echo "1..$n"
