#!/usr/bin/env bash
# Instructions per steady {free; alloc} pair, libmm and the seed baseline,
# counted by callgrind: deterministic figures for catching regressions.
#   bench/callgrind.sh BENCH_BINARY [FRAMES]
# For each steady workload and allocator, xomb_bench sets the state up and
# runs exactly K untimed pairs (--count K); callgrind collects only inside
# bench_run_pairs (the pair loop and everything it calls: free, alloc and one
# indirect call each), and a run with 0 pairs is subtracted, so
#   instr/pair = (Ir(K pairs) - Ir(0 pairs)) / K.
set -euo pipefail

bin=${1:?usage: callgrind.sh BENCH_BINARY [FRAMES]}
frames=${2:-1048576}
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
for w in steady50 steady90 steady99 steady999; do
	for impl in libmm seed; do
		# The seed scans one bit at a time: fewer pairs keep this short.
		k=4096
		[ "$impl" = seed ] && k=256
		base=$(ir "$impl" "$w" 0)
		total=$(ir "$impl" "$w" "$k")
		k=$(sed -n 's/.* pairs=\([0-9]*\).*/\1/p' "$out/stdout")
		awk -v w="$w" -v f="$frames" -v i="$impl" -v k="$k" \
			-v t="$total" -v b="$base" 'BEGIN {
			printf "bench-callgrind: %s frames=%s impl=%s pairs=%d " \
			       "instr_per_pair=%.1f\n", w, f, i, k, (t - b) / k }'
	done
done
