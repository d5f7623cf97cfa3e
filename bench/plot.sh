#!/usr/bin/env bash
# The plots of `make bench`, drawn with gnuplot from the machine-readable
# `bench:` lines of one xomb_bench run:
#   bench/plot.sh BENCH_LOG OUT_DIR
# writes OUT_DIR/steady.svg (ns per steady {free; alloc} pair against the
# fill level, for each memory size: libmm, the seed and the memory floor
# measured in the same run; log scale) and OUT_DIR/paging.svg (ns per
# call of each paging phase on the simulator; log scale), with the .dat
# files they are drawn from.
set -euo pipefail

log=${1:?usage: plot.sh BENCH_LOG OUT_DIR}
out=${2:?usage: plot.sh BENCH_LOG OUT_DIR}
mkdir -p "$out"

# One block per memory size (frames), one row per fill level: frames, x
# position of the level (50, 90, 99, 99.9% at 0, 1, 2, 3: evenly spaced,
# the free share shrinking tenfold per step), libmm ns, seed ns, floor ns,
# the level's label, independent-load ns ("-" becomes NaN).
awk '
function val(k,   i, kv) {
	for (i = 3; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == k) return kv[2] == "-" ? "NaN" : kv[2]
	}
	return "NaN"
}
$1 == "bench:" && $2 ~ /^steady[0-9]+$/ {
	f = val("frames"); lvl = substr($2, 7)
	lvl = length(lvl) == 3 ? lvl / 10 : lvl
	x = lvl == 50 ? 0 : lvl == 90 ? 1 : lvl == 99 ? 2 : 3
	if (!(f in seen)) { seen[f] = 1; order[n++] = f }
	row[f] = row[f] sprintf("%s %d %s %s %s %s%% %s\n", f, x,
		val("libmm_ns"), val("seed_ns"), val("floor_ns"), lvl,
		val("indep_ns"))
}
END {
	for (i = 0; i < n; i++) printf "%s\n\n", row[order[i]]
}' "$log" >"$out/steady.dat"

# Paging: case, map ns/call, unmap ns/call.
awk '
$1 == "bench:" && $2 ~ /^paging-(map|unmap)-/ {
	split($2, p, "-"); op = p[2]; c = substr($2, length(p[1]) + length(op) + 3)
	for (i = 3; i <= NF; i++) if ($i ~ /^libmm_ns=/) ns = substr($i, 10)
	if (!(c in seen)) { seen[c] = 1; order[n++] = c }
	t[c, op] = ns
}
END {
	for (i = 0; i < n; i++)
		printf "%s %s %s\n", order[i], t[order[i], "map"], t[order[i], "unmap"]
}' "$log" >"$out/paging.dat"

sizes=$(awk 'NF && !($1 in s) { s[$1] = 1; print $1 }' "$out/steady.dat")
[ -n "$sizes" ] || { echo "plot.sh: no steady lines in $log" >&2; exit 1; }
[ -s "$out/paging.dat" ] || { echo "plot.sh: no paging lines in $log" >&2; exit 1; }
run=$(date -u '+%Y-%m-%d %H:%M UTC')

# Per size: a solid line (libmm), a dashed one (the seed), a dotted one (the
# memory floor: one dependent load) and a thin one (independent loads).
plots=() i=0
for f in $sizes; do
	gib=$((f * 4096 >> 30))
	c=$((i + 1))
	plots+=("'$out/steady.dat' index $i using 2:3:xtic(6) with linespoints lw 2 pt 7 lc $c title 'libmm, $gib GiB'")
	# The seed tracks at most 16 GiB: no seed line where it cannot run.
	if awk -v f="$f" '$1 == f && $4 != "NaN" { n++ } END { exit !n }' \
		"$out/steady.dat"; then
		plots+=("'$out/steady.dat' index $i using 2:4 with linespoints lw 2 dt 2 pt 5 lc $c title 'seed, $gib GiB'")
	fi
	plots+=("'$out/steady.dat' index $i using 2:5 with linespoints lw 2 dt 3 pt 2 lc $c title 'floor, $gib GiB'")
	plots+=("'$out/steady.dat' index $i using 2:7 with linespoints lw 1 dt 4 pt 0 lc $c title 'indep. loads, $gib GiB'")
	i=$((i + 1))
done
plot_cmd=$(IFS=,; echo "${plots[*]}")

gnuplot <<GP
set terminal svg size 820,500 dynamic font "sans,12" background "white"
set output "$out/steady.svg"
set title "Random free + alloc pair in the steady state ($run)"
set xlabel "fill level (share of usable frames allocated)"
set ylabel "ns per pair (log scale)"
set logscale y
set grid ytics mytics
set key outside right top
set xrange [-0.3:3.3]
plot $plot_cmd

set output "$out/paging.svg"
set title "Paging on the host simulator, 1 GiB ($run)"
set xlabel "how the 1 GiB is mapped (4k, 2m: one call per page; range: one call)"
set ylabel "ns per call (log scale)"
set format y "10^{%L}"
set xrange [*:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
plot "$out/paging.dat" using 2:xtic(1) title "map", \\
     "" using 3 title "unmap"
GP
echo "plot.sh: wrote $out/steady.svg $out/paging.svg"
