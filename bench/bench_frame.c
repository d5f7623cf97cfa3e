/*
 * The frame-allocator workloads: init, fill, free, steady<fill>, lastframe,
 * contig2m and contig1g. Each workload has an untimed setup, run once per
 * allocator, and a timed repetition that returns nanoseconds per operation;
 * bench_frame_workload() interleaves libmm and the seed repetition by
 * repetition and keeps the medians. Random choices come from fixed seeds, so
 * both allocators see the same pattern.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

#define PATTERN_SEED 0x9E3779B97F4A7C15ull /* pre-fill and permutations */
#define VICTIM_SEED  0xD1B54A32D192ED03ull /* steady victims */
#define CHUNK	     256u		   /* steady pairs per timed chunk */
#define BIG_CHUNK    4096u		   /* fill / free ops per chunk */
#define MAX_REPS     64u

/* Everything a workload needs to know about the run. */
struct wl {
	uint64_t frames;
	uint64_t usable;
	unsigned fill_permille; /* steady: target fill level in 1/1000 */
	uint64_t contig;	/* contig: frames per run */
	const struct bench_opts *opt;
	struct mm_memmap map;
	uint32_t *perm; /* free: usable frames in a random order */
	double *rate;	/* ns per operation of each timed chunk */
	size_t nrate, rate_cap;
	/* steady */
	uint64_t pairs;		/* libmm's timed pairs per repetition */
	struct bench_impl *ref; /* warmed up first; the seed loads its state */
	uint64_t last[2];	/* per allocator: last frame taken */
	uint32_t *alive[2];	/* per allocator: the allocated usable frames */
	uint64_t nalive;	/* how many (pairs keep it constant) */
	uint64_t slot[CHUNK];	/* alive[] index of each victim of a chunk */
	uint64_t sum[2];	/* per allocator (hinted): pfn sum this rep */
	uint64_t seed_chunks;	/* chunks the seed did this rep */
	bool diverged;		/* libmm and the seed took different frames */
	struct bench_floor floor; /* steady, timed runs: the memory floor */
	double *frate;		  /* ns per load of each floor chunk */
	double *irate;		  /* the same, independent loads */
	size_t nfrate, nirate;
	double floor_rep, indep_rep; /* the last libmm repetition's */
};

struct workload {
	const char *name;
	bool seed_runs; /* the seed has this operation */
	bool (*setup)(struct bench_impl *im, struct wl *w);
	double (*run)(struct bench_impl *im, struct wl *w, unsigned *ops);
};

/* {free victims[i]; allocate taken[i]} for i < n; sum of the taken. */
static inline uint64_t pairs(struct bench_impl *im, const uint64_t *victims,
			     size_t n, uint64_t *taken)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++) {
		im->free(im->ctx, victims[i]);
		im->alloc(im->ctx, &taken[i]);
		sum += taken[i];
	}
	return sum;
}

/* Out of line on purpose: callgrind counts inside this function only. */
__attribute__((noinline)) uint64_t bench_run_pairs(struct bench_impl *im,
						   const uint64_t *victims,
						   size_t n, uint64_t *taken)
{
	return pairs(im, victims, n, taken);
}

/* Allocate until the allocator says no; returns the count. */
static uint64_t fill_all(struct bench_impl *im)
{
	uint64_t n = 0, pfn;

	while (im->alloc(im->ctx, &pfn))
		n++;
	return n;
}

static bool fresh(struct bench_impl *im, struct wl *w)
{
	if (im->init(im->ctx, &w->map))
		return true;
	fprintf(stderr, "bench: %s init failed at %llu frames\n", im->name,
		(unsigned long long)w->frames);
	return false;
}

static bool fresh_full(struct bench_impl *im, struct wl *w)
{
	uint64_t n;

	if (!fresh(im, w))
		return false;
	n = fill_all(im);
	if (n == w->usable)
		return true;
	fprintf(stderr, "bench: %s filled %llu of %llu frames\n", im->name,
		(unsigned long long)n, (unsigned long long)w->usable);
	return false;
}

static bool no_setup(struct bench_impl *im, struct wl *w)
{
	(void)im;
	(void)w;
	return true;
}

/*
 * Timing. Every timed loop is cut into chunks far shorter than a scheduler
 * time slice, and a repetition's figure is the median chunk: a chunk during
 * which another process ran is an outlier, not a bias, so figures hold on
 * a shared machine. Each chunk's clock overhead (two reads, 20-30 ns) is
 * spread over its operations (4096 for fill/free, 256 otherwise).
 */
static void rate_add(struct wl *w, uint64_t ns, uint64_t ops)
{
	if (ops && w->nrate < w->rate_cap)
		w->rate[w->nrate++] = (double)ns / (double)ops;
}

static double rate_median(struct wl *w)
{
	double m = w->nrate ? bench_median(w->rate, w->nrate) : BENCH_NONE;

	w->nrate = 0;
	return m;
}

static double run_init(struct bench_impl *im, struct wl *w, unsigned *ops)
{
	uint64_t t0 = bench_now_ns();

	if (!im->init(im->ctx, &w->map))
		return BENCH_NONE;
	*ops = 1;
	return (double)(bench_now_ns() - t0);
}

static double run_fill(struct bench_impl *im, struct wl *w, unsigned *ops)
{
	uint64_t pfn, ok = 0;

	if (!fresh(im, w))
		return BENCH_NONE;
	for (uint64_t i = 0; i < w->usable; i += BIG_CHUNK) {
		uint64_t n =
			w->usable - i < BIG_CHUNK ? w->usable - i : BIG_CHUNK;
		uint64_t t0 = bench_now_ns();

		for (uint64_t k = 0; k < n; k++)
			ok += im->alloc(im->ctx, &pfn);
		rate_add(w, bench_now_ns() - t0, n);
	}
	*ops = (unsigned)w->usable;
	return ok == w->usable ? rate_median(w) : BENCH_NONE;
}

/* free: one random permutation of the usable frames, shared by both. */
static bool setup_free(struct bench_impl *im, struct wl *w)
{
	uint64_t rng = PATTERN_SEED, n = 0;

	(void)im;
	if (w->perm)
		return true;
	w->perm = malloc(w->usable * sizeof(*w->perm));
	if (!w->perm)
		return false;
	for (uint64_t pfn = 0; pfn < w->frames; pfn++) {
		if (bench_pfn_usable(pfn, w->frames))
			w->perm[n++] = (uint32_t)pfn;
	}
	for (uint64_t i = n - 1; i > 0; i--) {
		uint64_t j = bench_rand(&rng) % (i + 1);
		uint32_t t = w->perm[i];

		w->perm[i] = w->perm[j];
		w->perm[j] = t;
	}
	return true;
}

static double run_free(struct bench_impl *im, struct wl *w, unsigned *ops)
{
	uint64_t ok = 0;

	if (!fresh_full(im, w))
		return BENCH_NONE;
	for (uint64_t i = 0; i < w->usable; i += BIG_CHUNK) {
		uint64_t n =
			w->usable - i < BIG_CHUNK ? w->usable - i : BIG_CHUNK;
		uint64_t t0 = bench_now_ns();

		for (uint64_t k = i; k < i + n; k++)
			ok += im->free(im->ctx, w->perm[k]);
		rate_add(w, bench_now_ns() - t0, n);
	}
	*ops = (unsigned)w->usable;
	return ok == w->usable ? rate_median(w) : BENCH_NONE;
}

/*
 * Victims are drawn from the harness's own list of the allocated usable
 * frames (one per allocator, in no particular order), never by asking the
 * allocator: probing its bitmap would pull the victims' lines into the
 * cache before the timed frees. A chunk takes one slot from each of n equal
 * slices of the list, so its victims are distinct, and after the chunk each
 * slot receives the frame its pair allocated.
 */
static bool alive_build(struct bench_impl *im, struct wl *w)
{
	w->nalive = 0;
	for (uint64_t pfn = 0; pfn < w->frames; pfn++) {
		if (bench_pfn_usable(pfn, w->frames) && im->used(im->ctx, pfn))
			w->alive[0][w->nalive++] = (uint32_t)pfn;
	}
	return w->nalive >= CHUNK;
}

/* The list follows a chunk: each victim's slot gets the frame taken. */
static void alive_follow(struct bench_impl *im, struct wl *w,
			 const uint64_t *taken, size_t n)
{
	for (size_t i = 0; i < n; i++)
		w->alive[im->hinted][w->slot[i]] = (uint32_t)taken[i];
	w->last[im->hinted] = n ? taken[n - 1] : w->last[im->hinted];
}

/* Timed pairs of one chunk, then the list follows (untimed). */
static uint64_t chunk_pairs(struct bench_impl *im, struct wl *w,
			    const uint64_t *victims, size_t n, uint64_t *ns)
{
	uint64_t taken[CHUNK], sum, t0 = bench_now_ns();

	sum = bench_run_pairs(im, victims, n, taken);
	*ns = bench_now_ns() - t0;
	alive_follow(im, w, taken, n);
	return sum;
}

/* n distinct allocated victims (n <= CHUNK) in a random order. */
static size_t pick_victims(struct bench_impl *im, struct wl *w,
			   uint64_t *victims, size_t n)
{
	uint64_t slice = w->nalive / n;

	for (size_t s = 0; s < n; s++)
		w->slot[s] = s * slice + bench_rand(&im->rng) % slice;
	for (size_t i = n; i > 1; i--) {
		size_t j = bench_rand(&im->rng) % i;
		uint64_t t = w->slot[i - 1];

		w->slot[i - 1] = w->slot[j];
		w->slot[j] = t;
	}
	for (size_t s = 0; s < n; s++)
		victims[s] = w->alive[im->hinted][w->slot[s]];
	return n;
}

/* steady: fill everything, then free each frame with p = 1 - level. */
static uint64_t prefill(struct bench_impl *im, struct wl *w)
{
	uint64_t rng = PATTERN_SEED, freed = 0;

	for (uint64_t pfn = 0; pfn < w->frames; pfn++) {
		bool drop = bench_rand(&rng) % 1000u >= w->fill_permille;

		if (drop && bench_pfn_usable(pfn, w->frames))
			freed += im->free(im->ctx, pfn);
	}
	return freed;
}

/*
 * The reference (libmm) reaches the steady state itself: pre-fill, then
 * one warm-up pair per free frame, untimed. The seed's hint degrades as
 * pairs go by (the fully used prefix below it grows), so timing it right
 * after the pre-fill would show a transient, not its steady state.
 */
static bool warm_up(struct bench_impl *im, struct wl *w)
{
	uint64_t victims[CHUNK], taken[CHUNK], done = 0;
	uint64_t target = prefill(im, w);

	if (!alive_build(im, w))
		return false;
	im->rng = VICTIM_SEED;
	while (done < target) {
		size_t n = pick_victims(im, w, victims, CHUNK);

		pairs(im, victims, n,
		      taken); /* not bench_run_pairs: callgrind */
		alive_follow(im, w, taken, n);
		done += n;
	}
	w->ref = im;
	return true;
}

/*
 * Fast-forward the seed into the reference's current state instead of
 * replaying the reference's pairs at the seed's speed: the same bitmap (both
 * take the lowest free frame, so the seed would have taken the same frames),
 * its hint just past the last frame taken, and the same victim generator.
 */
static void seed_sync(struct bench_impl *seed, struct wl *w)
{
	seed->load(w->ref->used, w->ref->ctx, w->frames, w->last[0] + 1);
	seed->rng = w->ref->rng;
	memcpy(w->alive[1], w->alive[0], w->nalive * sizeof(uint32_t));
}

static bool setup_steady(struct bench_impl *im, struct wl *w)
{
	if (!fresh_full(im, w))
		return false;
	if (!im->load)
		return warm_up(im, w);
	if (!w->ref)
		return false;
	seed_sync(im, w);
	return true;
}

/*
 * The memory floor, chunk by chunk between libmm's timed chunks: after the
 * same harness work (following the list, picking victims) as each chunk of
 * pairs, so both see the same cache state and the same neighbours. Chunks
 * of dependent and of independent loads alternate.
 */
static void floor_add(struct wl *w)
{
	if (!w->floor.base || w->nfrate >= w->rate_cap)
		return;
	if (w->nfrate == w->nirate)
		w->frate[w->nfrate++] = bench_floor_chunk(&w->floor);
	else
		w->irate[w->nirate++] = bench_floor_indep_chunk(&w->floor);
}

/* After libmm's repetition: its floor; compare with the seed's pairs. */
static void steady_end(struct wl *w)
{
	w->floor_rep =
		w->nfrate ? bench_median(w->frate, w->nfrate) : BENCH_NONE;
	w->indep_rep =
		w->nirate ? bench_median(w->irate, w->nirate) : BENCH_NONE;
	w->nfrate = w->nirate = 0;
	if (w->seed_chunks && w->sum[0] != w->sum[1])
		w->diverged = true;
	w->sum[0] = w->sum[1] = 0;
	w->seed_chunks = 0;
}

/*
 * One repetition. The seed goes first, from the reference's state, for at
 * most cmp_ops pairs and the seed budget; libmm then runs the very same
 * chunks (the sums of the frames taken must agree) and goes on to `pairs`
 * in total. Whole chunks only: a chunk's victims depend on its size. That
 * moves the state on; the next repetition re-syncs the seed.
 */
static double run_steady(struct bench_impl *im, struct wl *w, unsigned *ops)
{
	uint64_t victims[CHUNK], spent = 0, done = 0, budget = UINT64_MAX;
	uint64_t target = w->pairs, ns, sum, c;
	bool seed = im->hinted;

	if (seed) {
		seed_sync(im, w);
		budget = (uint64_t)(w->opt->seed_budget_ms * 1e6);
		target = w->opt->cmp_ops;
	}
	for (c = 0; done < target && spent < budget; c++) {
		size_t n = pick_victims(im, w, victims, CHUNK);

		sum = chunk_pairs(im, w, victims, n, &ns);
		rate_add(w, ns, n);
		if (!seed)
			floor_add(w);
		spent += ns;
		done += n;
		if (seed || c < w->seed_chunks)
			w->sum[seed] += sum;
	}
	if (seed)
		w->seed_chunks = c;
	else
		steady_end(w);
	*ops = (unsigned)done;
	return rate_median(w);
}

/* lastframe: all used but the last frame; the seed's hint at the start. */
static bool setup_last(struct bench_impl *im, struct wl *w)
{
	uint64_t pfn;

	if (!fresh_full(im, w) || !im->free(im->ctx, w->frames - 1))
		return false;
	if (!im->hinted)
		return true;
	return im->free(im->ctx, 0) && im->alloc(im->ctx, &pfn) && pfn == 0;
}

/* Take the one free frame, then restore the state (untimed by itself). */
static bool last_once(struct bench_impl *im, struct wl *w)
{
	uint64_t pfn = 0;

	if (!im->alloc(im->ctx, &pfn) || pfn != w->frames - 1 ||
	    !im->free(im->ctx, pfn))
		return false;
	if (!im->hinted)
		return true;
	return im->free(im->ctx, 0) && im->alloc(im->ctx, &pfn) && pfn == 0;
}

/*
 * n allocations of the last frame, each followed by the restore (libmm:
 * free it; the seed: free it, and free and retake frame 0 to put the hint
 * back at the start), timed in chunks: the figure is an upper bound of the
 * allocation alone, free of the clock's 10-30 ns granularity.
 */
static double run_last(struct bench_impl *im, struct wl *w, unsigned *ops)
{
	unsigned n = im->hinted ? w->opt->seed_last : w->opt->last_samples;
	unsigned chunk = im->hinted ? 1 : 64;

	for (unsigned i = 0; i < n; i += chunk) {
		unsigned k = n - i < chunk ? n - i : chunk;
		uint64_t t0 = bench_now_ns();

		for (unsigned j = 0; j < k; j++) {
			if (!last_once(im, w))
				return BENCH_NONE;
		}
		rate_add(w, bench_now_ns() - t0, k);
	}
	*ops = n;
	return rate_median(w);
}

/* Runs of w->contig frames until none is left; per run handed out. */
static double run_contig(struct bench_impl *im, struct wl *w, unsigned *ops)
{
	uint64_t pfn, runs = 0, n;
	bool more = fresh(im, w);

	if (!more)
		return BENCH_NONE;
	while (more) {
		uint64_t t0 = bench_now_ns();

		for (n = 0; n < CHUNK && more; n++)
			more = im->contig(im->ctx, w->contig, &pfn);
		t0 = bench_now_ns() - t0;
		runs += n - !more;
		rate_add(w, t0, n - !more);
	}
	*ops = (unsigned)runs;
	return runs ? rate_median(w) : BENCH_NONE;
}

static const struct workload workloads[] = {
	{"init", true, no_setup, run_init},
	{"fill", true, no_setup, run_fill},
	{"free", true, setup_free, run_free},
	{"steady50", true, setup_steady, run_steady},
	{"steady90", true, setup_steady, run_steady},
	{"steady99", true, setup_steady, run_steady},
	{"steady999", true, setup_steady, run_steady},
	{"lastframe", true, setup_last, run_last},
	{"contig2m", false, no_setup, run_contig},
	{"contig1g", false, no_setup, run_contig},
};

static const struct workload *find(const char *name)
{
	for (size_t i = 0; i < sizeof(workloads) / sizeof(workloads[0]); i++) {
		if (strcmp(workloads[i].name, name) == 0)
			return &workloads[i];
	}
	return NULL;
}

static void wl_free(struct wl *w)
{
	free(w->perm);
	free(w->rate);
	free(w->frate);
	free(w->irate);
	free(w->alive[0]);
	free(w->alive[1]);
	bench_floor_destroy(&w->floor);
	free(w);
}

static struct wl *wl_new(const char *name, uint64_t frames,
			 const struct bench_opts *opt)
{
	struct wl *w = calloc(1, sizeof(*w));
	uint64_t n;
	bool floor_ok;

	if (!w)
		return NULL;
	w->frames = frames;
	w->usable = bench_map_usable(frames);
	w->opt = opt;
	bench_map_build(&w->map, frames);
	if (strncmp(name, "steady", 6) == 0)
		w->fill_permille = (unsigned)atoi(name + 6) *
				   (strlen(name) == 9 ? 1u : 10u);
	w->contig = strcmp(name, "contig1g") == 0 ? 512u * 512u : 512u;
	w->rate_cap = frames / BIG_CHUNK + 4096;
	w->rate = malloc(w->rate_cap * sizeof(*w->rate));
	w->frate = malloc(w->rate_cap * sizeof(*w->frate));
	w->irate = malloc(w->rate_cap * sizeof(*w->irate));
	w->floor_rep = w->indep_rep = BENCH_NONE;
	n = w->fill_permille ? w->usable : 1;
	w->alive[0] = malloc(n * sizeof(uint32_t));
	w->alive[1] = malloc(n * sizeof(uint32_t));
	floor_ok = !w->fill_permille || !opt ||
		   bench_floor_init(&w->floor, bench_floor_bytes(frames));
	if (!w->rate || !w->frate || !w->irate || !w->alive[0] ||
	    !w->alive[1] || !floor_ok) {
		wl_free(w);
		return NULL;
	}
	return w;
}

/*
 * Both allocators take the lowest free frame and draw the same victims, so
 * over the pairs both ran they must have taken the same frames: a cheap
 * check that the comparison is like for like.
 */
static bool same_pairs(const struct wl *w, const char *name)
{
	if (!w->diverged)
		return true;
	fprintf(stderr, "bench: %s: libmm and seed diverged\n", name);
	return false;
}

/*
 * The repetitions, interleaved (the seed first: in steady workloads libmm
 * then runs the same pairs, with the memory floor measured between its
 * chunks); medians into *res.
 */
static bool measure(const struct workload *wk, struct wl *w,
		    struct bench_impl *libmm, struct bench_impl *seed,
		    struct bench_result *res)
{
	double lt[MAX_REPS], st[MAX_REPS], ft[MAX_REPS], it[MAX_REPS];
	unsigned reps = w->opt->reps < MAX_REPS / 4 ? w->opt->reps : 15u;

	if (wk->run == run_init) /* one short operation per repetition */
		reps = 4 * reps + 1;
	for (unsigned r = 0; r < reps; r++) {
		if (seed)
			st[r] = wk->run(seed, w, &res->seed_ops);
		lt[r] = wk->run(libmm, w, &res->libmm_ops);
		ft[r] = w->floor_rep;
		it[r] = w->indep_rep;
		if (lt[r] < 0 || (seed && st[r] < 0))
			return false;
	}
	res->libmm_ns = bench_median(lt, reps);
	res->seed_ns = seed ? bench_median(st, reps) : BENCH_NONE;
	res->floor_ns = w->floor.base ? bench_median(ft, reps) : BENCH_NONE;
	res->indep_ns = w->floor.base ? bench_median(it, reps) : BENCH_NONE;
	return true;
}

bool bench_frame_workload(const char *name, uint64_t frames,
			  struct bench_impl *libmm, struct bench_impl *seed,
			  const struct bench_opts *opt,
			  struct bench_result *res)
{
	const struct workload *wk = find(name);
	struct wl *w;
	bool ok;

	if (!wk || !(w = wl_new(name, frames, opt)))
		return false;
	if (!wk->seed_runs || frames > seed->max_frames)
		seed = NULL;
	w->pairs = opt->steady_ops;
	memset(res, 0, sizeof(*res));
	snprintf(res->workload, sizeof(res->workload), "%s", name);
	res->frames = frames;
	ok = wk->setup(libmm, w) && (!seed || wk->setup(seed, w)) &&
	     measure(wk, w, libmm, seed, res);
	ok = ok && same_pairs(w, name);
	wl_free(w);
	if (!ok)
		fprintf(stderr, "bench: %s at %llu frames failed\n", name,
			(unsigned long long)frames);
	return ok;
}

long bench_frame_steady_count(const char *name, uint64_t frames,
			      struct bench_impl *ref, struct bench_impl *im,
			      unsigned long ops)
{
	uint64_t victims[CHUNK], ns;
	unsigned long done = 0;
	struct wl *w;
	bool ok;

	if (strncmp(name, "steady", 6) != 0 ||
	    !(w = wl_new(name, frames, NULL)))
		return -1;
	ok = setup_steady(ref, w) && (im == ref || setup_steady(im, w));
	while (ok && done < ops) {
		size_t want = ops - done < CHUNK ? ops - done : CHUNK;
		size_t n = pick_victims(im, w, victims, want);

		chunk_pairs(im, w, victims, n, &ns);
		done += n;
	}
	wl_free(w);
	return ok ? (long)done : -1;
}
