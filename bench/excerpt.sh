#!/usr/bin/env bash
# The README's excerpt table (Performance section) from the `bench:` lines of
# one `make bench` run:
#   bench/excerpt.sh [BENCH_LOG]      (default build/bench/bench.log)
# ns per operation at 1M, 4M and 16M frames (4, 16 and 64 GiB): libmm and the
# seed with the speedup, and the memory floor beside the 64 GiB steady pairs.
set -euo pipefail

log=${1:-build/bench/bench.log}
awk '
function val(k,   i, kv) {
	for (i = 3; i <= NF; i++) {
		split($i, kv, "=")
		if (kv[1] == k) return kv[2]
	}
	return "-"
}
# 1234567.0 -> "1 234 567"; below 1000 one decimal.
function fmt(x,   s, o) {
	if (x == "-") return "-"
	if (x + 0 < 1000) return sprintf("%.1f", x)
	s = sprintf("%.0f", x); o = ""
	while (length(s) > 3) {
		o = " " substr(s, length(s) - 2) o
		s = substr(s, 1, length(s) - 3)
	}
	return s o
}
function sp(x) {
	if (x == "-") return "-"
	return x + 0 < 10 ? sprintf("%.1fx", x) : sprintf("%.0fx", x)
}
$1 == "bench:" && $3 ~ /^frames=/ && $4 ~ /^libmm_ns=/ {
	k = $2 " " val("frames")
	L[k] = val("libmm_ns"); S[k] = val("seed_ns")
	X[k] = val("speedup"); F[k] = val("floor_ns")
}
END {
	n = split("steady50=random free+alloc, 50% full|" \
		"steady90=random free+alloc, 90% full|" \
		"steady999=random free+alloc, 99.9% full|" \
		"lastframe=only the last frame free: alloc|" \
		"init=init (whole map)|" \
		"fill=sequential fill (per frame)|" \
		"contig2m=aligned 2 MiB run", rows, "|")
	print "| workload | 4 GiB: libmm | seed | speedup | 16 GiB: libmm |" \
		" seed | speedup | 64 GiB: libmm | floor |"
	print "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= n; i++) {
		split(rows[i], r, "=")
		a = r[1] " 1048576"; b = r[1] " 4194304"; c = r[1] " 16777216"
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r[2],
			fmt(L[a]), fmt(S[a]), sp(X[a]), fmt(L[b]), fmt(S[b]),
			sp(X[b]), fmt(L[c]), fmt(F[c])
	}
}' "$log"
