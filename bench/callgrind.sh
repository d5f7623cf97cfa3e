#!/usr/bin/env bash
# Instructions per steady {free; alloc} pair, libmm and the seed baseline,
# counted by callgrind: deterministic figures for catching regressions.
#   bench/callgrind.sh BENCH_BINARY [FRAMES [MD_FILE]]
# With MD_FILE, the results are also written to it as a Markdown table.
# For each steady workload and allocator, xomb_bench sets the state up and
# runs exactly K untimed pairs (--count K); callgrind collects only inside
# bench_run_pairs (the pair loop and everything it calls: free, alloc and one
# indirect call each), and a run with 0 pairs is subtracted, so
#   instr/pair = (Ir(K pairs) - Ir(0 pairs)) / K.
set -euo pipefail

bin=${1:?usage: callgrind.sh BENCH_BINARY [FRAMES [MD_FILE]]}
frames=${2:-1048576}
md=${3:-}
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

echo "callgrind: frames=$frames, instructions per pair (pair loop only)"
if [ -n "$md" ]; then
	{
		printf '\n### Instructions per steady pair (callgrind, %s frames)\n\n' "$frames"
		printf 'Deterministic; `make bench-callgrind`. Counted inside the pair loop only (free, alloc, one indirect call each), a 0-pair run subtracted; the seed is fast-forwarded into the warmed-up state as in the timed runs.\n\n'
		printf '| workload | libmm instr/pair | seed instr/pair | ratio |\n|---|---:|---:|---:|\n'
	} >"$md"
fi
for w in steady50 steady90 steady99 steady999; do
	for impl in libmm seed; do
		# The seed scans one bit at a time: fewer pairs keep this short.
		k=4096
		[ "$impl" = seed ] && k=256
		base=$(ir "$impl" "$w" 0)
		total=$(ir "$impl" "$w" "$k")
		k=$(sed -n 's/.* pairs=\([0-9]*\).*/\1/p' "$out/stdout")
		per=$(awk -v t="$total" -v b="$base" -v k="$k" \
			'BEGIN { printf "%.1f", (t - b) / k }')
		echo "bench-callgrind: $w frames=$frames impl=$impl pairs=$k" \
			"instr_per_pair=$per"
		eval "per_$impl=$per"
	done
	if [ -n "$md" ]; then
		awk -v w="$w" -v l="$per_libmm" -v s="$per_seed" 'BEGIN {
			printf "| %s | %s | %s | %.0f |\n", w, l, s, s / l }' >>"$md"
	fi
done
