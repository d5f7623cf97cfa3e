/*
 * The performance targets of the benchmark issues (issue 11 for the floor
 * and the seed ratios), judged against the measured medians: one `bench: target ...` line each (ok or MISSED) and,
 * with a Markdown file, a table. Judging only: nothing here is timed.
 */
#include <string.h>

#include "bench.h"

enum kind {
	MAX_NS,	     /* libmm ns/op <= limit */
	MIN_SPEEDUP, /* seed / libmm >= limit */
	MAX_SLOWER,  /* libmm / seed <= limit */
	WORKS,	     /* libmm handed out at least one */
	MAX_X_FLOOR, /* libmm / memory floor (same run) <= limit */
};

struct target {
	const char *workload;
	uint64_t frames;
	enum kind kind;
	double limit;
};

#define M1  ((uint64_t)1 << 20)
#define M4  ((uint64_t)1 << 22)
#define M16 ((uint64_t)1 << 24)

static const struct target targets[] = {
	{"steady50", M16, MAX_X_FLOOR, 2.5},
	{"steady90", M16, MAX_X_FLOOR, 2.5},
	{"steady99", M16, MAX_X_FLOOR, 2.5},
	{"steady999", M16, MAX_X_FLOOR, 2.5},
	{"steady50", M4, MIN_SPEEDUP, 30},
	{"steady90", M4, MIN_SPEEDUP, 100},
	{"steady99", M4, MIN_SPEEDUP, 100},
	{"steady999", M4, MIN_SPEEDUP, 100},
	{"lastframe", M16, MAX_NS, 100},
	{"lastframe", M4, MIN_SPEEDUP, 100},
	{"contig2m", M16, MAX_NS, 60},
	{"contig1g", M1, WORKS, 1},
	{"contig1g", M4, WORKS, 1},
	{"contig1g", M16, WORKS, 1},
	{"fill", M1, MAX_SLOWER, 2},
	{"fill", M4, MAX_SLOWER, 2},
	{"init", M16, MAX_NS, 150000},
	{"init", M4, MIN_SPEEDUP, 10},
};

static const char *const kind_str[] = {
	"libmm_ns<=", "speedup>=", "libmm/seed<=", "runs>=", "x_floor<="};

static const struct bench_result *find(const struct bench_result *r, size_t n,
				       const struct target *t)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i].frames == t->frames &&
		    strcmp(r[i].workload, t->workload) == 0)
			return &r[i];
	}
	return NULL;
}

/* The measured value for t; false when it cannot be judged. */
static bool value_of(const struct bench_result *r, const struct target *t,
		     double *v)
{
	switch (t->kind) {
	case MAX_NS:
		*v = r->libmm_ns;
		return r->libmm_ns >= 0;
	case WORKS:
		*v = r->libmm_ops;
		return true;
	case MIN_SPEEDUP:
		*v = r->seed_ns / r->libmm_ns;
		break;
	case MAX_SLOWER:
		*v = r->libmm_ns / r->seed_ns;
		break;
	case MAX_X_FLOOR:
		*v = r->libmm_ns / r->floor_ns;
		return r->floor_ns > 0 && r->libmm_ns > 0;
	}
	return r->seed_ns > 0 && r->libmm_ns > 0;
}

static bool met(const struct target *t, double v)
{
	bool at_most = t->kind == MAX_NS || t->kind == MAX_SLOWER ||
		       t->kind == MAX_X_FLOOR;

	return at_most ? v <= t->limit : v >= t->limit;
}

static void judge(const struct target *t, const struct bench_result *r,
		  FILE *md)
{
	double v = 0;
	bool known = r && value_of(r, t, &v);
	const char *verdict = !known	  ? "NOT-MEASURED"
			      : met(t, v) ? "ok"
					  : "MISSED";

	printf("bench: target %s frames=%llu %s%g value=%.2f %s\n", t->workload,
	       (unsigned long long)t->frames, kind_str[t->kind], t->limit, v,
	       verdict);
	if (md)
		fprintf(md, "| %s | %llu | %s %g | %.2f | %s |\n", t->workload,
			(unsigned long long)t->frames, kind_str[t->kind],
			t->limit, v, verdict);
}

void bench_targets_report(const struct bench_result *r, size_t n,
			  double metadata_bits, FILE *md)
{
	bool meta_ok = metadata_bits <= 1.1;

	if (md)
		fprintf(md, "\n### Targets\n\n| workload | frames | target | "
			    "measured | verdict |\n|---|---:|---|---:|---|\n");
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		judge(&targets[i], find(r, n, &targets[i]), md);
	printf("bench: target metadata bits_per_frame<=1.1 value=%.4f %s\n",
	       metadata_bits, meta_ok ? "ok" : "MISSED");
	if (md)
		fprintf(md,
			"| metadata | all | bits/frame <= 1.1 | %.4f | %s |\n",
			metadata_bits, meta_ok ? "ok" : "MISSED");
}
