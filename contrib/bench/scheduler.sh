#!/bin/sh
# The reminder scheduler: one tick over 1,000 partnerships and 20,000
# open steps (build/tests/schedbench). Goal: a steady tick under 50 ms.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-$TOP/build}
D=$(mktemp -d /tmp/mistok-schedbench.XXXXXX)
trap 'rm -rf "$D"' EXIT
"$BUILD/tests/schedbench" "$D" "${PARTNERSHIPS:-1000}" "${STEPS:-20000}"
