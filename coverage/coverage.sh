#!/usr/bin/env bash
# Coverage of the host test suite: zero the counters, run every host test,
# capture with lcov (branches on), write the HTML report and judge libmm.
#   coverage/coverage.sh <build-dir>
# Prints exactly one line `coverage: libmm lines=<x>% branches=<y>%` (the
# figure the thresholds apply to: libmm/*.c only) and `coverage-detail:`
# lines for the other code the tests run (simulator, boot parsers, tests).
# Fails when libmm is below COV_LINES_MIN (95) or COV_BRANCHES_MIN (90).
set -euo pipefail

build=${1:?usage: coverage.sh <build-dir>}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
rc=(--config-file "$here/lcovrc" --quiet)
# lcov 2 fails on a pattern that matches nothing (no instrumented tests).
if [ "$(lcov --version | grep -oE '[0-9]+' | head -1)" -ge 2 ]; then
	rc+=(--ignore-errors unused,empty)
fi
out=$build/coverage
min_lines=${COV_LINES_MIN:-95}
min_branches=${COV_BRANCHES_MIN:-90}

rm -rf "$out"
mkdir -p "$out"
lcov "${rc[@]}" --zerocounters --directory "$build"
ctest --test-dir "$build" -L host --output-on-failure -j "${JOBS:-2}"

# (lcov 1.16's geninfo warns about its own subroutines under newer perls.)
lcov "${rc[@]}" --capture --directory "$build" --base-directory "$src" \
	--output-file "$out/all.info" 2> >(grep -v 'redefined at' >&2)
# Only our sources: no system headers (cmocka, libc).
lcov "${rc[@]}" --extract "$out/all.info" "$src/*" --output-file "$out/ours.info"

# extract <name> <include-pattern> [exclude-pattern...]
extract() {
	local name=$1 inc=$2
	shift 2
	lcov "${rc[@]}" --extract "$out/ours.info" "$src/$inc" \
		--output-file "$out/$name.info"
	for ex in "$@"; do
		lcov "${rc[@]}" --remove "$out/$name.info" "$src/$ex" \
			--output-file "$out/$name.info"
	done
}
extract libmm 'libmm/*.c' 'libmm/host/*'
extract sim 'libmm/host/*'
extract boot 'kernel/*'
extract tests 'tests/*'

# pct <info> <lines|branches>: the percentage lcov --summary reports
# ("n/a" when there is nothing of that kind: not instrumented).
pct() {
	{ lcov --config-file "$here/lcovrc" --summary "$1" 2>&1 || true; } |
		awk -v k="$2" '$1 ~ "^" k "\\.*:" && $2 ~ /%$/ {
			v = $2; sub("%", "", v); print v; found = 1 }
			END { if (!found) print "n/a" }'
}

# detail <name> <info>: one coverage-detail line.
detail() {
	local l b
	l=$(pct "$2" lines)
	b=$(pct "$2" branches)
	echo "coverage-detail: $1 lines=${l}${l:+%} branches=${b}${b:+%}" |
		sed 's|n/a%|n/a|g'
}

genhtml --config-file "$here/lcovrc" --quiet --prefix "$src" \
	--title "XOmB-C host tests" --output-directory "$out/html" \
	"$out/ours.info"

# Per file of libmm (where the gaps are), then the code around it.
lcov --config-file "$here/lcovrc" --list "$out/libmm.info" 2>/dev/null |
	awk -F'|' '$1 ~ /\.c/ { gsub(/ +/, " "); f = $1; sub(/ *$/, "", f);
		split($2, l, " "); split($4, b, " ");
		print "coverage-detail: libmm/" f " lines=" l[1] " branches=" b[1] }'
detail "simulator (libmm/host)" "$out/sim.info"
detail "boot parsers (kernel/)" "$out/boot.info"
detail "tests (tests/)" "$out/tests.info"
lines=$(pct "$out/libmm.info" lines)
branches=$(pct "$out/libmm.info" branches)
echo "coverage: libmm lines=${lines}% branches=${branches}%"
echo "coverage-report: $out/html/index.html"

# below <value> <min>: true when value < min (decimal compare).
below() { awk -v v="$1" -v m="$2" 'BEGIN { exit !(v + 0 < m + 0) }'; }
fail=0
if below "$lines" "$min_lines"; then
	echo "coverage: FAIL libmm line coverage ${lines}% is below the" \
		"threshold ${min_lines}%" >&2
	fail=1
fi
if below "$branches" "$min_branches"; then
	echo "coverage: FAIL libmm branch coverage ${branches}% is below the" \
		"threshold ${min_branches}%" >&2
	fail=1
fi
exit $fail
