/*
 * xomb_bench: the command line of the host benchmarks. The default run is
 * the full suite of `make bench`: frame workloads at 1M, 4M and 16M frames
 * and init at 256M frames against the seed baseline, each steady figure
 * beside the memory floor measured in the same run, metadata size, the
 * verdict on each target, then the paging benchmark. It prints readable
 * tables and one machine-readable `bench:` line per workload; --md FILE
 * also writes the tables as Markdown. --only W --frames N runs one
 * workload; adding --count K runs exactly K untimed steady pairs on one
 * allocator (--impl), for callgrind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define MAX_RESULTS 64u

static const char *const suite[] = {
	"init",	    "fill",	 "free",      "steady50", "steady90",
	"steady99", "steady999", "lastframe", "contig2m", "contig1g",
};
static const uint64_t suite_frames[] = {1u << 20, 1u << 22, 1u << 24};
#define INIT_BIG_FRAMES ((uint64_t)1 << 28)

struct args {
	struct bench_opts opt;
	const char *only;
	const char *impl;
	const char *md;
	uint64_t frames;
	long count; /* -1: timed run */
	bool no_paging;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: xomb_bench [--reps R] [--md FILE] [--no-paging]\n"
		"       xomb_bench --only WORKLOAD --frames N [--reps R]\n"
		"       xomb_bench --only paging [--reps R]\n"
		"       xomb_bench --only steadyNN --frames N --impl "
		"libmm|seed --count K\n");
}

static bool parse_one(struct args *a, const char *key, const char *val)
{
	if (strcmp(key, "--reps") == 0)
		a->opt.reps = (unsigned)strtoul(val, NULL, 0) | 1u;
	else if (strcmp(key, "--md") == 0)
		a->md = val;
	else if (strcmp(key, "--only") == 0)
		a->only = val;
	else if (strcmp(key, "--impl") == 0)
		a->impl = val;
	else if (strcmp(key, "--frames") == 0)
		a->frames = strtoull(val, NULL, 0);
	else if (strcmp(key, "--count") == 0)
		a->count = strtol(val, NULL, 0);
	else
		return false;
	return true;
}

static bool parse(struct args *a, int argc, char **argv)
{
	*a = (struct args){
		.opt = {.reps = 5,
			.steady_ops = 1u << 16,
			.cmp_ops = 4096,
			.seed_budget_ms = 150.0,
			.last_samples = 2001,
			.seed_last = 31},
		.impl = "libmm",
		.count = -1,
	};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-paging") == 0)
			a->no_paging = true;
		else if (strcmp(argv[i], "--quiet") == 0)
			a->opt.quiet = true;
		else if (i + 1 >= argc || !parse_one(a, argv[i], argv[i + 1]))
			return false;
		else
			i++;
	}
	return !a->only || a->frames >= 512 || strcmp(a->only, "paging") == 0;
}

static void fmt_ns(char *buf, size_t len, double ns)
{
	if (ns < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", ns);
}

static void fmt_speedup(char *buf, size_t len, const struct bench_result *r)
{
	if (r->seed_ns < 0 || r->libmm_ns <= 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", r->seed_ns / r->libmm_ns);
}

/* libmm's figure as a multiple of the memory floor, or "-". */
static void fmt_x_floor(char *buf, size_t len, const struct bench_result *r)
{
	if (r->floor_ns <= 0 || r->libmm_ns < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2f", r->libmm_ns / r->floor_ns);
}

static void print_row(FILE *f, const struct bench_result *r, bool md)
{
	char l[32], s[32], x[32], fl[32], xf[32], in[32];

	fmt_ns(l, sizeof(l), r->libmm_ns);
	fmt_ns(s, sizeof(s), r->seed_ns);
	fmt_speedup(x, sizeof(x), r);
	fmt_ns(fl, sizeof(fl), r->floor_ns);
	fmt_x_floor(xf, sizeof(xf), r);
	fmt_ns(in, sizeof(in), r->indep_ns);
	if (md)
		fprintf(f,
			"| %s | %llu | %s | %s | %s | %s | %s | %s | %u | %u "
			"|\n",
			r->workload, (unsigned long long)r->frames, l, s, x, fl,
			xf, in, r->libmm_ops, r->seed_ops);
	else
		fprintf(f, "%-10s %10llu %12s %12s %9s %7s %7s %7s %9u %7u\n",
			r->workload, (unsigned long long)r->frames, l, s, x, fl,
			xf, in, r->libmm_ops, r->seed_ops);
}

static void print_table(FILE *f, const struct bench_result *r, size_t n,
			bool md)
{
	if (md)
		fprintf(f,
			"| workload | frames | libmm ns/op | seed ns/op | "
			"speedup | floor ns | libmm/floor | indep. loads ns "
			"| libmm ops/rep | seed ops/rep |\n"
			"|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	else
		fprintf(f, "%-10s %10s %12s %12s %9s %7s %7s %7s %9s %7s\n",
			"workload", "frames", "libmm ns/op", "seed ns/op",
			"speedup", "floor", "x floor", "indep", "libmm ops",
			"seed ops");
	for (size_t i = 0; i < n; i++)
		print_row(f, &r[i], md);
}

/* One `bench:` line per result; steady ones also carry the floor. */
static void print_machine(const struct bench_result *r, size_t n)
{
	char l[32], s[32], x[32], fl[32], xf[32], in[32];

	for (size_t i = 0; i < n; i++) {
		fmt_ns(l, sizeof(l), r[i].libmm_ns);
		fmt_ns(s, sizeof(s), r[i].seed_ns);
		fmt_speedup(x, sizeof(x), &r[i]);
		printf("bench: %s frames=%llu libmm_ns=%s seed_ns=%s "
		       "speedup=%s",
		       r[i].workload, (unsigned long long)r[i].frames, l, s, x);
		if (r[i].floor_ns < 0) {
			printf("\n");
			continue;
		}
		fmt_ns(fl, sizeof(fl), r[i].floor_ns);
		fmt_x_floor(xf, sizeof(xf), &r[i]);
		fmt_ns(in, sizeof(in), r[i].indep_ns);
		printf(" floor_ns=%s x_floor=%s indep_ns=%s\n", fl, xf, in);
	}
}

/* Metadata bits per frame at each size; returns the largest. */
static double print_metadata(FILE *md)
{
	double worst = 0;

	uint64_t sizes[] = {1u << 20, 1u << 22, 1u << 24, INIT_BIG_FRAMES};

	if (md)
		fprintf(md, "\n| frames | libmm metadata bits/frame |\n"
			    "|---:|---:|\n");

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		double bits = (double)bench_libmm_metadata_bytes(sizes[i]) *
			      8.0 / (double)sizes[i];

		printf("bench: metadata frames=%llu bits_per_frame=%.4f\n",
		       (unsigned long long)sizes[i], bits);
		worst = bits > worst ? bits : worst;
		if (md)
			fprintf(md, "| %llu | %.4f |\n",
				(unsigned long long)sizes[i], bits);
	}
	return worst;
}

static bool run_one(const char *w, uint64_t frames, struct bench_impl *l,
		    struct bench_impl *s, const struct args *a,
		    struct bench_result *r)
{
	uint64_t t0 = bench_now_ns();
	bool ok = bench_frame_workload(w, frames, l, s, &a->opt, r);

	if (ok && !a->opt.quiet)
		fprintf(stderr, "  %-10s %10llu frames: %.2f s\n", w,
			(unsigned long long)frames,
			(double)(bench_now_ns() - t0) / 1e9);
	return ok;
}

/* The whole frame suite; returns the number of results. */
static size_t run_suite(const struct args *a, struct bench_impl *l,
			struct bench_impl *s, struct bench_result *r)
{
	size_t n = 0;

	for (size_t f = 0; f < sizeof(suite_frames) / sizeof(*suite_frames);
	     f++) {
		for (size_t w = 0; w < sizeof(suite) / sizeof(*suite); w++)
			n += run_one(suite[w], suite_frames[f], l, s, a, &r[n]);
	}
	n += run_one("init", INIT_BIG_FRAMES, l, s, a, &r[n]);
	return n;
}

static int run_count(const struct args *a)
{
	struct bench_impl ref, seed;
	bool use_seed = strcmp(a->impl, "seed") == 0;
	long done;

	bench_seed_impl(&seed);
	if (!bench_libmm_impl(&ref, a->frames))
		return 1;
	done = bench_frame_steady_count(a->only, a->frames, &ref,
					use_seed ? &seed : &ref,
					(unsigned long)a->count);
	bench_libmm_impl_destroy(&ref);
	if (done < 0)
		return 1;
	printf("bench-count: %s frames=%llu impl=%s pairs=%ld\n", a->only,
	       (unsigned long long)a->frames, a->impl, done);
	return 0;
}

static const char md_notes[] =
	"How to read it:\n\n"
	"- One process, libmm and the seed baseline interleaved repetition "
	"by repetition; ns per operation, the median over repetitions of "
	"each repetition's median chunk (timed loops are cut into chunks of "
	"256 operations, 4096 for fill/free, far shorter than a scheduler "
	"time slice, so a chunk during which another process ran is an "
	"outlier, not a bias). init: per whole initialisation, 4R+1 "
	"repetitions; contig: per run handed out. `-`: the seed cannot run "
	"it (above 16 GiB, or no contiguous allocation).\n"
	"- The seed baseline (bench/seed_frame.c) is the seed's frame.rs as "
	"written: a static 16 GiB bitmap of 64-bit words; init sets whole "
	"words to ones, then clears usable frames one bit at a time; "
	"allocation returns out-of-memory at once when the free count is 0, "
	"else skips every word equal to all ones from the hint's word to the "
	"end, then wraps once, and takes the lowest clear bit of the first "
	"other word (trailing zeros of its inverse); a free ignores a double "
	"free and moves the hint back. Left out: the seed's spin lock around "
	"each call (one uncontended lock and unlock that the baseline does "
	"not pay). bench.seed_frame_test (ctest) checks these rules.\n"
	"- floor: the memory floor, measured in the same run: after each "
	"chunk of libmm's timed pairs, one chunk of 256 random dependent "
	"loads (a pointer chase over a random cyclic permutation of the "
	"64-byte lines) over an array the size of libmm's leaf bitmap (one "
	"bit per frame), on the same memory as the metadata (2 MiB-aligned, "
	"transparent huge pages asked for); median chunk, median over "
	"repetitions. Each floor chunk follows the same harness work as each "
	"chunk of pairs, so both see the same cache state and neighbours. A "
	"random free must touch one random bitmap line, so one dependent "
	"load is the latency floor of a pair; x floor (libmm/floor) is the "
	"steady figure as a multiple of it. indep. loads: the same lines in "
	"the same order read by independent loads (addresses from a list), "
	"in chunks alternating with the floor's: what overlapping misses "
	"can reach. Pairs do not depend on each other either (the victims "
	"are known in advance), so the CPU overlaps the misses of successive "
	"pairs: x floor below 1 means libmm runs faster than one serialized "
	"miss per pair, and the independent loads show how far overlap can "
	"go.\n"
	"- fill: every usable frame allocated in turn. free: all of them "
	"freed in a fixed random order.\n"
	"- steadyNN: pre-filled to NN% with a fixed-seed random pattern, "
	"then warmed up (one untimed {free random allocated frame; "
	"allocate} pair per free frame) because the seed's hint degrades as "
	"pairs go by; then timed pairs. The seed is fast-forwarded into "
	"libmm's state (both take the lowest free frame, so the states are "
	"identical; each repetition checks that both took the same frames) "
	"and runs at most 4096 pairs or 150 ms per repetition; libmm runs "
	"65536 pairs per repetition. The ops columns give the timed pairs "
	"per repetition. Victims are drawn from the harness's own list of "
	"allocated frames, never by probing the allocator, so their bitmap "
	"lines are as cold as random frees make them.\n"
	"- lastframe: everything used but the last frame; the seed's hint at "
	"the start (frame 0 freed and taken again). Timed as a batch of "
	"{allocate; restore the state} (2001 for libmm, 31 for the seed), so "
	"the figure is an upper bound of the allocation alone.\n"
	"- The machine is shared: absolute figures vary with load "
	"(ratios hold better, both sides see the same load).\n\n";

/* The 1-minute load average, or -1. */
static double loadavg(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double load = -1;

	if (f && fscanf(f, "%lf", &load) != 1)
		load = -1;
	if (f)
		fclose(f);
	return load;
}

static void write_md_head(FILE *md, const struct args *a, double load)
{
	time_t now = time(NULL);
	char date[32];

	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	fprintf(md,
		"## Benchmarks\n\nReproduce: `make bench` (preset `bench`: "
		"Release, -O2, host only; writes this file to "
		"build/bench/RESULTS.md, its output to build/bench/bench.log "
		"and the plots to build/bench/*.svg); this file and "
		"bench/*.svg: `make bench-results` (then runs `make "
		"bench-callgrind`, whose table ends this file). The seed "
		"baseline and the floor are checked by the ctests "
		"bench.seed_frame_test and bench.floor_test.\n"
		"Run: %s, %ld CPUs, load average %.2f at start.\n\n"
		"![ns per steady pair against the fill level: libmm, the seed "
		"and the memory floor at each size](steady.svg)\n\n"
		"![ns per paging call on the simulator](paging.svg)\n\n%s"
		"### Frame allocator (%u repetitions, medians, ns per "
		"operation)\n\n",
		date, sysconf(_SC_NPROCESSORS_ONLN), load, md_notes,
		a->opt.reps);
}

static int run_timed(const struct args *a)
{
	static struct bench_result res[MAX_RESULTS];
	struct bench_impl l, s;
	double load = loadavg();
	FILE *md = NULL;
	size_t n;

	if (!bench_libmm_impl(&l, a->only ? a->frames : INIT_BIG_FRAMES))
		return 1;
	bench_seed_impl(&s);
	if (a->only)
		n = run_one(a->only, a->frames, &l, &s, a, &res[0]);
	else
		n = run_suite(a, &l, &s, res);
	if (a->md && !(md = fopen(a->md, "w")))
		perror(a->md);
	print_table(stdout, res, n, false);
	print_machine(res, n);
	if (md) {
		write_md_head(md, a, load);
		print_table(md, res, n, true);
	}
	if (!a->only)
		bench_targets_report(res, n, print_metadata(md), md);
	if (!a->only && !a->no_paging)
		bench_paging_run(a->opt.reps, md);
	if (md)
		fclose(md);
	bench_libmm_impl_destroy(&l);
	return a->only && n == 0;
}

int main(int argc, char **argv)
{
	struct args a;

	if (!parse(&a, argc, argv)) {
		usage();
		return 2;
	}
	if (a.count >= 0)
		return a.only ? run_count(&a) : 2;
	if (a.only && strcmp(a.only, "paging") == 0)
		return !bench_paging_run(a.opt.reps, NULL);
	return run_timed(&a);
}
