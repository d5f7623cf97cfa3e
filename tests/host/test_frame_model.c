/*
 * Randomized model test of the frame allocator: every operation runs both on
 * the allocator and on the trivially correct reference of
 * tests/common/frame_ref.h (one byte per frame, the same lowest-first
 * policy), and every status, pfn and counter must be equal. This file owns
 * the random maps, the operation mix and its phases. Fixed seeds, so a
 * failure replays exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "frame_ref.h"
#include "xorshift.h"

#include "mm/frame.h"

enum {
	OP_ALLOC,
	OP_ALLOC_AT,
	OP_CONTIG,
	OP_FREE,
	OP_FREE_CONTIG,
	OP_RESERVE,
	OP_COUNT
};

/* One run of the test: allocator, reference, random source. */
struct run {
	struct mm_frames fa;
	struct mm_memmap map;
	struct frame_ref m;
	void *meta;
	uint64_t rng;
	uint64_t op;
	unsigned check_every;
	bool scatter; /* reserve single frames all over: fill the table */
	uint64_t tally[OP_COUNT][MM_STATUS_COUNT]; /* outcomes seen */
	uint64_t got_2m, got_1g; /* successful superpage-shaped allocations */
};

/* A mismatch with the reference: say which operation, fail the test. */
static void ref_fail(void *ctx, const char *what, uint64_t got, uint64_t want)
{
	const struct run *r = ctx;

	print_error("op %llu: %s = %llu, model %llu\n",
		    (unsigned long long)r->op, what, (unsigned long long)got,
		    (unsigned long long)want);
	fail();
}

#define EXPECT_EQ(r, a, b) FRAME_REF_EXPECT(&(r)->m, a, b)

static uint64_t rnd(struct run *r)
{
	return xorshift64star(&r->rng);
}

/* Uniform in [0, n), n > 0. */
static uint64_t below(struct run *r, uint64_t n)
{
	return rnd(r) % n;
}

/* ---- comparing ------------------------------------------------------- */

/* The frame counts of the allocator agree with the reference. */
static void compare_counts(struct run *r)
{
	frame_ref_compare(&r->m, &r->fa, false);
}

/* Counts, runs and every frame's state agree with the reference. */
static void compare_full(struct run *r)
{
	frame_ref_compare(&r->m, &r->fa, true);
}

/* ---- random operations ----------------------------------------------- */

/* A pfn around the tracked range, biased towards allocated frames. */
static uint64_t pick_pfn(struct run *r)
{
	uint64_t f = below(r, r->m.n + 80);

	if (below(r, 4) == 0)
		return f;
	for (uint64_t i = 0; i < 256 && f < r->m.n; i++, f++) {
		if (r->m.st[f] == FRAME_REF_ALLOC)
			return f;
	}
	return f;
}

static uint64_t pick_align(struct run *r)
{
	static const uint64_t aligns[] = {1, 1, 1, 2, 4, 8, 16, 64, 128, 512};

	return aligns[below(r, sizeof(aligns) / sizeof(aligns[0]))];
}

static uint64_t pick_count(struct run *r)
{
	switch (below(r, 6)) {
	case 0:
		return 1 + below(r, 4);
	case 1:
		return 1 + below(r, 70);
	case 2:
		return 512;
	case 3:
		return 1 + below(r, 3000);
	case 4:
		return below(r, 8) == 0 ? 0 : 60 + below(r, 200);
	default:
		return below(r, 4) == 0 ? 262144 : 1 + below(r, 600);
	}
}

static uint64_t pick_limit(struct run *r)
{
	if (below(r, 2))
		return MM_FRAME_NO_LIMIT;
	return below(r, r->m.n + 600);
}

/* Compare one operation's status with the model's and count the outcome. */
static void expect_status(struct run *r, int kind, mm_status_t got,
			  mm_status_t want)
{
	EXPECT_EQ(r, got, want);
	r->tally[kind][got]++;
}

static void op_alloc(struct run *r)
{
	uint64_t a = UINT64_MAX, b = UINT64_MAX;

	expect_status(r, OP_ALLOC, mm_frame_alloc(&r->fa, &a),
		      frame_ref_alloc(&r->m, &b));
	EXPECT_EQ(r, a, b);
}

static void op_alloc_at(struct run *r)
{
	uint64_t f = below(r, r->m.n + 80);

	if (below(r, 2))
		f = r->m.low + below(r, 64);
	expect_status(r, OP_ALLOC_AT, mm_frame_alloc_at(&r->fa, f),
		      frame_ref_alloc_at(&r->m, f));
}

static void op_contig(struct run *r)
{
	uint64_t count = pick_count(r), align = pick_align(r);
	uint64_t limit = pick_limit(r), a = UINT64_MAX, b = UINT64_MAX;

	if (count == 512 && below(r, 2))
		align = 512;
	if (count == 262144)
		align = below(r, 4) ? 262144 : 1024;
	if (below(r, 50) == 0)
		align = below(r, 2) ? 0 : 3;
	expect_status(r, OP_CONTIG,
		      mm_frame_alloc_contig(&r->fa, count, align, limit, &a),
		      frame_ref_alloc_contig(&r->m, count, align, limit, &b));
	EXPECT_EQ(r, a, b);
	if (b != UINT64_MAX) {
		r->got_2m += count == 512 && align == 512;
		r->got_1g += count == 262144 && align == 262144;
	}
}

static void op_free(struct run *r)
{
	uint64_t f = pick_pfn(r);
	mm_status_t want = frame_ref_free(&r->m, f, 1);

	if (want == MM_ERR_INVALID)
		want = MM_ERR_OUT_OF_RANGE;
	expect_status(r, OP_FREE, mm_frame_free(&r->fa, f), want);
}

static void op_free_contig(struct run *r)
{
	uint64_t f = pick_pfn(r), count = 1;

	while (f + count < r->m.n && r->m.st[f + count] == FRAME_REF_ALLOC &&
	       below(r, 64) != 0)
		count++;
	if (below(r, 8) == 0)
		count += below(r, 3);
	if (below(r, 40) == 0)
		count = below(r, 2) ? 0 : UINT64_MAX - f + 1;
	expect_status(r, OP_FREE_CONTIG, mm_frame_free_contig(&r->fa, f, count),
		      frame_ref_free(&r->m, f, count));
}

static void op_reserve(struct run *r)
{
	uint64_t eighth = r->m.n / 8 + 1;
	uint64_t base = below(r, (eighth + 40) * 4096);
	uint64_t len = 1 + below(r, 4096 * (1 + below(r, 40)));

	/* Mostly in the first or last eighth: superpage room stays between. */
	if (below(r, 2))
		base += (r->m.n - eighth) * 4096;
	if (below(r, 4) == 0)
		base = below(r, (r->m.n + 40) * 4096);

	if (below(r, 2)) {
		base = pick_pfn(r) * 4096 + below(r, 4096);
		len = 1 + below(r, 3 * 4096);
	}
	if (r->scatter) {
		base = below(r, r->m.n) * 4096 + below(r, 4096);
		len = 1 + below(r, 4096);
	}
	if (below(r, 60) == 0)
		len = below(r, 2) ? 0 : UINT64_MAX - base + 2;
	expect_status(r, OP_RESERVE, mm_frame_reserve_bytes(&r->fa, base, len),
		      frame_ref_reserve(&r->m, base, len));
}

/* Allocate single frames until the allocator runs dry. */
static void burst_fill(struct run *r)
{
	uint64_t a = UINT64_MAX, b = UINT64_MAX;
	mm_status_t st;

	do {
		st = mm_frame_alloc(&r->fa, &a);
		expect_status(r, OP_ALLOC, st, frame_ref_alloc(&r->m, &b));
		EXPECT_EQ(r, a, b);
	} while (st == MM_OK);
	EXPECT_EQ(r, mm_frame_check(&r->fa), MM_OK);
}

/* Free every allocated run, in pieces of at most 5000 frames. */
static void burst_drain(struct run *r)
{
	for (uint64_t f = 0; f < r->m.n; f++) {
		uint64_t count = 0;

		while (f + count < r->m.n &&
		       r->m.st[f + count] == FRAME_REF_ALLOC && count < 5000)
			count++;
		if (count == 0)
			continue;
		expect_status(r, OP_FREE_CONTIG,
			      mm_frame_free_contig(&r->fa, f, count),
			      frame_ref_free(&r->m, f, count));
		f += count - 1;
	}
	EXPECT_EQ(r, mm_frame_check(&r->fa), MM_OK);
}

/* Start a new phase; one in three starts with a burst. */
static unsigned next_phase(struct run *r)
{
	unsigned phase = (unsigned)below(r, 3);

	if (phase == 0 && below(r, 3) == 0)
		burst_fill(r);
	if (phase == 1 && below(r, 3) == 0)
		burst_drain(r);
	return phase;
}

/* Weights of OP_* per phase: fill up, drain, mixed. */
static const unsigned phase_weights[3][OP_COUNT] = {
	{60, 10, 22, 4, 2, 2},
	{8, 4, 4, 40, 40, 4},
	{30, 10, 15, 20, 20, 5},
};

/* One random operation, drawn with the weights of the current phase. */
static void random_op(struct run *r, unsigned phase)
{
	static void (*const ops[OP_COUNT])(struct run *) = {
		op_alloc, op_alloc_at,	  op_contig,
		op_free,  op_free_contig, op_reserve,
	};
	uint64_t dice = below(r, 100);
	int k = 0;

	if (r->scatter && dice < 30) {
		op_reserve(r);
		return;
	}
	while (k + 1 < OP_COUNT && dice >= phase_weights[phase][k])
		dice -= phase_weights[phase][k++];
	ops[k](r);
}

/* ---- maps and runs --------------------------------------------------- */

static const mm_region_type_t hole_types[] = {
	MM_REGION_RESERVED, MM_REGION_ACPI_NVS, MM_REGION_BAD, MM_REGION_KERNEL,
	MM_REGION_BOOTLOADER_RECLAIMABLE};

/* One model run: its map and how long and how closely it is watched. */
struct model_cfg {
	uint64_t seed, span_frames, ops;
	unsigned check_every, max_holes;
	bool sanitize, scatter;
};

/* Add usable [base, end) as up to four touching pieces cut mid-frame. */
static void add_split_usable(struct run *r, uint64_t base, uint64_t end)
{
	unsigned pieces = 1 + (unsigned)below(r, 4);

	while (pieces-- > 1 && end - base > 2) {
		uint64_t cut = base + 1 + below(r, end - base - 1);

		assert_int_equal(mm_memmap_add(&r->map, cut, end - cut,
					       MM_REGION_USABLE),
				 MM_OK);
		end = cut;
	}
	assert_int_equal(
		mm_memmap_add(&r->map, base, end - base, MM_REGION_USABLE),
		MM_OK);
}

/*
 * Usable span with odd edges, split into touching pieces, extra usable
 * overlaps, and random holes.
 */
static void random_map(struct run *r, const struct model_cfg *c)
{
	uint64_t span_frames = c->span_frames;
	uint64_t span = span_frames * 4096;
	uint64_t base = below(r, 2) * below(r, 3 * 4096);
	unsigned holes = (unsigned)below(r, c->max_holes + 1);

	mm_memmap_init(&r->map);
	add_split_usable(r, base, span - below(r, 6000));
	for (unsigned i = 0; i < 3; i++) {
		uint64_t at = below(r, span);

		assert_int_equal(mm_memmap_add(&r->map, at,
					       1 + below(r, span - at),
					       MM_REGION_USABLE),
				 MM_OK);
	}
	for (unsigned i = 0; i < holes; i++) {
		uint64_t at = below(r, span + 8192);
		uint64_t len =
			1 +
			below(r, 4096 * (1 + below(r, span_frames / 400 + 1)));

		assert_int_equal(
			mm_memmap_add(&r->map, at, len, hole_types[i % 5]),
			MM_OK);
	}
	if (c->sanitize)
		assert_int_equal(mm_memmap_sanitize(&r->map), MM_OK);
}

/* The same map sanitized first gives the same allocator, frame by frame. */
static void compare_sanitized(struct run *r)
{
	struct mm_memmap *copy = malloc(sizeof(*copy));
	struct mm_frames *fb = malloc(sizeof(*fb));
	struct mm_frame_stats a, b;
	size_t bytes;
	void *meta;

	assert_non_null(copy);
	assert_non_null(fb);
	*copy = r->map;
	assert_int_equal(mm_memmap_sanitize(copy), MM_OK);
	bytes = mm_frame_metadata_bytes(copy);
	assert_int_equal(bytes, mm_frame_metadata_bytes(&r->map));
	meta = malloc(bytes);
	assert_non_null(meta);
	assert_int_equal(mm_frame_init(fb, copy, meta, bytes), MM_OK);
	mm_frame_stats(&r->fa, &a);
	mm_frame_stats(fb, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	frame_ref_compare(&r->m, fb, true);
	free(meta);
	free(fb);
	free(copy);
}

static void run_setup(struct run *r)
{
	size_t bytes = mm_frame_metadata_bytes(&r->map);
	uint64_t n = frame_ref_frames(&r->map);
	uint8_t *st = malloc(n + 1);
	mm_status_t want;

	assert_non_null(st);
	frame_ref_init(&r->m, &r->map, st, n, ref_fail, r);
	r->meta = malloc(bytes + 8);
	assert_non_null(r->meta);
	want = frame_ref_init_status(&r->m);
	EXPECT_EQ(r, mm_frame_init(&r->fa, &r->map, r->meta, bytes), want);
	assert_int_equal(want, MM_OK);
	assert_int_equal(mm_frame_check(&r->fa), MM_OK);
	compare_full(r);
	compare_sanitized(r);
}

/*
 * Take and give back the lowest 1 GiB and 2 MiB pages while the map is
 * fresh, so the summary paths succeed at least once whatever the dice say.
 */
static void superpage_prelude(struct run *r)
{
	static const uint64_t sizes[] = {262144, 512};

	for (unsigned i = 0; i < 2; i++) {
		uint64_t a = UINT64_MAX, b = UINT64_MAX, n = sizes[i];

		expect_status(r, OP_CONTIG,
			      mm_frame_alloc_contig(&r->fa, n, n,
						    MM_FRAME_NO_LIMIT, &a),
			      frame_ref_alloc_contig(&r->m, n, n,
						     MM_FRAME_NO_LIMIT, &b));
		EXPECT_EQ(r, a, b);
		if (b == UINT64_MAX)
			continue;
		r->got_1g += i == 0;
		r->got_2m += i == 1;
		EXPECT_EQ(r, mm_frame_check(&r->fa), MM_OK);
		expect_status(r, OP_FREE_CONTIG,
			      mm_frame_free_contig(&r->fa, b, n),
			      frame_ref_free(&r->m, b, n));
	}
	EXPECT_EQ(r, mm_frame_check(&r->fa), MM_OK);
}

/* Every kind of operation both succeeded and failed at least once. */
static void check_tally(const struct run *r)
{
	static const char *const names[OP_COUNT] = {"alloc",	   "alloc_at",
						    "contig",	   "free",
						    "free_contig", "reserve"};

	print_message("%llu frames:", (unsigned long long)r->m.n);
	for (int k = 0; k < OP_COUNT; k++) {
		uint64_t ok = r->tally[k][MM_OK], failed = 0;

		for (int st = 1; st < MM_STATUS_COUNT; st++)
			failed += r->tally[k][st];
		print_message(" %s %llu/%llu", names[k], (unsigned long long)ok,
			      (unsigned long long)failed);
		assert_true(ok > 0);
		assert_true(failed > 0);
	}
	print_message(" (ok/failed)\n");
	assert_true(r->m.n < 2048 || r->got_2m > 0);
	assert_true(!r->scatter || r->tally[OP_RESERVE][MM_ERR_NOMEM] > 0);
	assert_true(r->m.n < 2 * 262144 || r->got_1g > 0);
}

static void run_teardown(struct run *r)
{
	free(r->meta);
	free(r->m.st);
}

/* ops random operations on a map of about span_frames frames. */
static void run_model(const struct model_cfg *c)
{
	struct run *r = calloc(1, sizeof(*r));
	unsigned phase = 0;

	assert_non_null(r);
	r->rng = c->seed * 0x9E3779B97F4A7C15ull + 1;
	r->check_every = c->check_every;
	r->scatter = c->scatter;
	random_map(r, c);
	run_setup(r);
	superpage_prelude(r);
	for (r->op = 1; r->op <= c->ops; r->op++) {
		if (r->op % 1500 == 1)
			phase = next_phase(r);
		random_op(r, phase);
		if (r->op == c->ops / 3)
			burst_fill(r);
		if (r->op == 2 * c->ops / 3)
			burst_drain(r);
		if (r->op % r->check_every == 0)
			EXPECT_EQ(r, mm_frame_check(&r->fa), MM_OK);
		if (r->op % 128 == 0)
			compare_counts(r);
		if (r->op % 5000 == 0 && r->op < c->ops)
			compare_full(r);
	}
	EXPECT_EQ(r, mm_frame_check(&r->fa), MM_OK);
	compare_full(r);
	check_tally(r);
	run_teardown(r);
	free(r);
}

/* Small sanitized maps: every status and pfn agrees with the model. */
static void test_model_small_sanitized(void **state)
{
	(void)state;
	run_model(&(struct model_cfg){1, 3000, 20000, 1, 6, true, false});
	run_model(&(struct model_cfg){2, 700, 10000, 1, 24, true, false});
}

/* Unsanitized maps (overlaps, holes inside usable): same results. */
static void test_model_unsanitized(void **state)
{
	(void)state;
	run_model(&(struct model_cfg){3, 9000, 20000, 1, 8, false, false});
	run_model(&(struct model_cfg){4, 20000, 20000, 4, 24, false, false});
}

/* Medium maps with many 2 MiB candidates. */
static void test_model_medium(void **state)
{
	(void)state;
	run_model(&(struct model_cfg){5, 40000, 20000, 8, 16, true, false});
	run_model(&(struct model_cfg){6, 70001, 10000, 16, 24, false, false});
}

/* A map past 1 GiB: the 1 GiB summary path against the model. */
static void test_model_large_1g(void **state)
{
	(void)state;
	run_model(&(struct model_cfg){13, 540000, 5000, 50, 3, true, false});
}

/* Scattered single-frame reservations fill the table: NOMEM agrees too. */
static void test_model_reserve_table_full(void **state)
{
	(void)state;
	run_model(&(struct model_cfg){8, 4000, 8000, 1, 4, true, true});
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_small_sanitized),
		cmocka_unit_test(test_model_unsanitized),
		cmocka_unit_test(test_model_medium),
		cmocka_unit_test(test_model_large_1g),
		cmocka_unit_test(test_model_reserve_table_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
