#!/usr/bin/env bash
# Instructions per steady {free; alloc} pair, libmm and the seed baseline,
# counted by callgrind: deterministic figures that do not depend on the
# neighbours, for catching regressions.
#   bench/callgrind.sh BENCH_BINARY [FRAMES [MD_FILE]]
# Prints one line per workload for libmm,
#   bench-callgrind: <workload> frames=<N> instr_per_pair=<n>
# one `bench-callgrind-seed:` line with the same fields for the seed, and
# one `bench-callgrind-target:` line judging libmm against the issue's
# target (INSTR_TARGET instructions per pair, 150, at 1M frames). With
# MD_FILE, the results are also written to it as a Markdown table.
# For each steady workload and allocator, xomb_bench sets the state up and
# runs exactly K untimed pairs (--count K); callgrind collects only inside
# bench_run_pairs (the pair loop and everything it calls: free, alloc and one
# indirect call each), and a run with 0 pairs is subtracted, so
#   instr/pair = (Ir(K pairs) - Ir(0 pairs)) / K.
set -euo pipefail

bin=${1:?usage: callgrind.sh BENCH_BINARY [FRAMES [MD_FILE]]}
frames=${2:-1048576}
md=${3:-}
target=${INSTR_TARGET:-150}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# ir IMPL WORKLOAD COUNT: instructions collected inside bench_run_pairs.
ir() {
	valgrind --tool=callgrind --toggle-collect=bench_run_pairs \
		--callgrind-out-file="$out/cg" "$bin" --only "$2" \
		--frames "$frames" --impl "$1" --count "$3" \
		>"$out/stdout" 2>"$out/log" || {
		cat "$out/log" >&2
		exit 1
	}
	awk '/^(summary|totals):/ { print $2; exit }' "$out/cg"
}

# per_pair IMPL WORKLOAD K: instructions per pair, rounded.
per_pair() {
	local base total k
	base=$(ir "$1" "$2" 0)
	total=$(ir "$1" "$2" "$3")
	k=$(sed -n 's/.* pairs=\([0-9]*\).*/\1/p' "$out/stdout")
	[ "$k" -gt 0 ] || { echo "callgrind.sh: no pairs run" >&2; exit 1; }
	awk -v t="$total" -v b="$base" -v k="$k" \
		'BEGIN { printf "%.0f", (t - b) / k }'
}

echo "callgrind: frames=$frames, instructions per pair (pair loop only)"
if [ -n "$md" ]; then
	{
		printf '\n### Instructions per steady pair (callgrind, %s frames)\n\n' "$frames"
		printf 'Deterministic: `make bench-callgrind`. Counted inside the pair loop only (free, alloc, one indirect call each), a 0-pair run subtracted (4096 pairs for libmm, 1024 for the seed); the seed is fast-forwarded into the warmed-up state as in the timed runs. Target: libmm <= %s instructions per pair.\n\n' "$target"
		printf '| workload | libmm instr/pair | seed instr/pair | seed/libmm | target |\n|---|---:|---:|---:|---|\n'
	} >"$md"
fi
for w in steady50 steady90 steady99 steady999; do
	libmm=$(per_pair libmm "$w" 4096)
	seed=$(per_pair seed "$w" 1024)
	verdict=MISSED
	[ "$libmm" -le "$target" ] && verdict=ok
	echo "bench-callgrind: $w frames=$frames instr_per_pair=$libmm"
	echo "bench-callgrind-seed: $w frames=$frames instr_per_pair=$seed"
	echo "bench-callgrind-target: $w frames=$frames" \
		"instr_per_pair<=$target value=$libmm $verdict"
	if [ -n "$md" ]; then
		awk -v w="$w" -v l="$libmm" -v s="$seed" -v t="$target" \
			-v v="$verdict" 'BEGIN {
			printf "| %s | %d | %d | %.0f | <= %d: %s |\n", w, l, s,
				s / l, t, v }' >>"$md"
	fi
done
