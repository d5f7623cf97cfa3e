#!/usr/bin/env bash
# Instructions per call of each XOmB memory primitive (mm/exo.h) and each
# process and resource primitive (mm/exo_proc.h) on the simulated machine,
# under callgrind: the inclusive count of a function in a run of 2 rounds
# minus a run of 1 round (so setup cancels out), divided by the calls of
# one round. Memory rows: each mm_exo_* function, 512 calls (UNMAP_PAGE
# 1024: the data pages and the zero-page entries), in a run of the memory
# rows alone (xomb_bench_exo R mem). Process rows: each row's own call
# function bench_proc.c:bp_* (512 calls; FREE_PROCESS 8), in a run of the
# process rows alone (R proc), whose set-up also calls mm_exo_*.
# Deterministic for one binary; it includes the simulated MMU's work
# behind every entry access.
#   bench/callgrind_exo.sh BUILD/bench/xomb_bench_exo [OUT.md]
set -euo pipefail
bin=$1
out=${2:-/dev/stdout}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for mode in mem proc; do
	for r in 1 2; do
		valgrind --tool=callgrind \
			--callgrind-out-file="$tmp/cg.$mode.$r" \
			"$bin" "$r" "$mode" >/dev/null 2>"$tmp/log.$mode.$r" ||
			{ cat "$tmp/log.$mode.$r" >&2; exit 1; }
		callgrind_annotate --inclusive=yes "$tmp/cg.$mode.$r" \
			>"$tmp/an.$mode.$r"
	done
done

# inclusive instructions of function $2 in annotation $1
ir() {
	awk -v fn="$2" '$0 ~ (":" fn " ") { gsub(",", "", $1); print $1; exit }' "$1"
}

# instructions per call of function $2 in mode $1's runs, $3 calls a round
per_call() {
	local a b
	a=$(ir "$tmp/an.$1.1" "$2")
	b=$(ir "$tmp/an.$1.2" "$2")
	[ -n "$a" ] && [ -n "$b" ] || { echo "callgrind_exo.sh: no count for $2" >&2; exit 1; }
	echo $(((b - a) / $3))
}

{
	echo
	echo "Instructions per call on the simulator (\`bench/callgrind_exo.sh\`, callgrind, deterministic; the simulated MMU's work included):"
	echo
	echo "| primitive | instructions per call |"
	echo "|---|---:|"
	for f in alloc_page:512 chmod_page:512 remap_page:512 unmap_page:1024 map_zero:512; do
		name=${f%%:*} calls=${f##*:}
		per=$(per_call mem "mm_exo_$name" "$calls")
		echo "| mm_exo_$name | $per |"
		echo "bench-callgrind: exo_$name instr_per_call=$per" >&2
	done
	echo
	echo "| process primitive | instructions per call |"
	echo "|---|---:|"
	while IFS=: read -r fn calls label; do
		per=$(per_call proc "$fn" "$calls")
		echo "| $label | $per |"
		echo "bench-callgrind: proc_${fn#bp_} instr_per_call=$per" >&2
	done <<'ROWS'
bp_pair:512:ALLOC_PROCESS + FREE_PROCESS (empty child)
bp_kill:512:ALLOC_PROCESS + kill (empty child)
bp_free64:8:FREE_PROCESS (64 pages)
bp_free512:8:FREE_PROCESS (512 pages)
bp_res:512:ALLOC_RESOURCE (a PT)
bp_unres:512:UNMAP_PAGE (an empty resource's root)
bp_grant:512:GRANT_RESOURCE
bp_revoke:512:REVOKE_RESOURCE
bp_upcall:512:MAP_UPCALL
bp_yield:512:YIELD_PROCESS
ROWS
} >>"$out"
