#!/usr/bin/env bash
# Where the instructions of a steady {free; alloc} pair go: the printed
# instr_per_pair of bench/callgrind.sh split into libmm's own work and the
# harness around it, counted by callgrind.
#   bench/callgrind_split.sh BENCH_BINARY [FRAMES [WORKLOAD...]]
# Prints one line per workload (steady50 ... steady999 by default):
#   callgrind-split: <workload> frames=<N> pair=<n> mm_frame_free=<n>
#     mm_frame_alloc=<n> harness=<n>
# pair is what callgrind.sh prints (collected inside bench_run_pairs);
# mm_frame_free / mm_frame_alloc are the inclusive costs of the two calls
# (collected only inside each, callees included); harness = pair - both:
# the pair loop, the victim and result bookkeeping, the adapters of
# bench_impl.c and the indirect calls. Each figure is, as in callgrind.sh,
# (Ir(K pairs) - Ir(0 pairs)) / K with K = 4096.
set -euo pipefail

bin=${1:?usage: callgrind_split.sh BENCH_BINARY [FRAMES [WORKLOAD...]]}
frames=${2:-1048576}
shift $(($# < 2 ? $# : 2))
workloads=${*:-steady50 steady90 steady99 steady999}
k=4096
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# ir FUNCTION WORKLOAD COUNT: instructions collected inside FUNCTION.
ir() {
	valgrind --tool=callgrind --toggle-collect="$1" \
		--callgrind-out-file="$out/cg" "$bin" --only "$2" \
		--frames "$frames" --impl libmm --count "$3" \
		>"$out/stdout" 2>"$out/log" || {
		cat "$out/log" >&2
		exit 1
	}
	awk '/^(summary|totals):/ { print $2; exit }' "$out/cg"
}

# per_pair FUNCTION WORKLOAD: instructions per pair inside FUNCTION.
per_pair() {
	local base total
	base=$(ir "$1" "$2" 0)
	total=$(ir "$1" "$2" "$k")
	awk -v t="$total" -v b="${base:-0}" -v k="$k" \
		'BEGIN { printf "%.1f", (t - b) / k }'
}

for w in $workloads; do
	pair=$(per_pair bench_run_pairs "$w")
	fr=$(per_pair mm_frame_free "$w")
	al=$(per_pair mm_frame_alloc "$w")
	awk -v w="$w" -v n="$frames" -v p="$pair" -v f="$fr" -v a="$al" \
		'BEGIN { printf "callgrind-split: %s frames=%s pair=%.1f " \
			"mm_frame_free=%.1f mm_frame_alloc=%.1f harness=%.1f\n",
			w, n, p, f, a, p - f - a }'
done
