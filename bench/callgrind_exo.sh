#!/usr/bin/env bash
# Instructions per call of each XOmB memory primitive (mm/exo.h) on the
# simulated machine, under callgrind: the inclusive count of each mm_exo_*
# function in a run of 2 rounds minus a run of 1 round (so setup cancels
# out), divided by the calls of one round (512 each; UNMAP_PAGE 1024: the
# data pages and the zero-page entries). Deterministic for one binary; it
# includes the simulated MMU's work behind every entry access.
#   bench/callgrind_exo.sh BUILD/bench/xomb_bench_exo [OUT.md]
set -euo pipefail
bin=$1
out=${2:-/dev/stdout}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for r in 1 2; do
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$r" \
		"$bin" "$r" >/dev/null 2>"$tmp/log.$r" ||
		{ cat "$tmp/log.$r" >&2; exit 1; }
	callgrind_annotate --inclusive=yes "$tmp/cg.$r" >"$tmp/an.$r"
done

# inclusive instructions of function $2 in annotation $1
ir() {
	awk -v fn="$2" '$0 ~ (":" fn " ") { gsub(",", "", $1); print $1; exit }' "$1"
}

{
	echo
	echo "Instructions per call on the simulator (\`bench/callgrind_exo.sh\`, callgrind, deterministic; the simulated MMU's work included):"
	echo
	echo "| primitive | instructions per call |"
	echo "|---|---:|"
	for f in alloc_page:512 chmod_page:512 remap_page:512 unmap_page:1024 map_zero:512; do
		name=${f%%:*} calls=${f##*:}
		a=$(ir "$tmp/an.1" "mm_exo_$name")
		b=$(ir "$tmp/an.2" "mm_exo_$name")
		[ -n "$a" ] && [ -n "$b" ] || { echo "callgrind_exo.sh: no count for mm_exo_$name" >&2; exit 1; }
		per=$(((b - a) / calls))
		echo "| mm_exo_$name | $per |"
		echo "bench-callgrind: exo_$name instr_per_call=$per" >&2
	done
} >>"$out"
