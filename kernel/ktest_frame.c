/*
 * Owns the frame-allocator tests that run in the booted kernel, against the
 * real memory map: totals agree with the map and the boot reservations,
 * reserved ranges stay out of reach, errors are reported, and the allocator
 * can be exhausted and refilled to the same counts. Everything that covers
 * all frames works in contiguous runs so it scales to the largest guests.
 */
#include "kmem.h"
#include "ktest.h"
#include "mm/arith.h"
#include "multiboot2.h"

#define MAX_RUNS 4096u

static struct mm_frame_range runs[MAX_RUNS];
static size_t nruns;

/* Frames of usable whole frames of map inside pfn range [s, e). */
static uint64_t usable_in(const struct mm_memmap *map, mm_pfn_t s, mm_pfn_t e)
{
	uint64_t n = 0;

	for (size_t i = 0; i < map->count; i++) {
		const struct mm_region *r = &map->regions[i];
		mm_pfn_t lo = MM_PADDR_TO_PFN_UP(r->base);
		mm_pfn_t hi = MM_PADDR_TO_PFN(mm_region_end(r));

		lo = mm_max_u64(lo, s);
		hi = mm_min_u64(hi, e);
		if (r->type == MM_REGION_USABLE && hi > lo)
			n += hi - lo;
	}
	return n;
}

/* The boot reservations as pfn ranges, sorted by start. */
static size_t sorted_reservations(struct mm_frame_range *out)
{
	size_t n = 0;

	for (size_t i = 0; i < kmem.nreserved; i++) {
		struct mm_frame_range f = kmem.reserved[i];
		size_t j = n++;

		for (; j > 0 && out[j - 1].start > f.start; j--)
			out[j] = out[j - 1];
		out[j] = f;
	}
	return n;
}

/* The boot reservations as disjoint pfn ranges (overlaps merged). */
static size_t merged_reservations(struct mm_frame_range *out)
{
	size_t n = sorted_reservations(out), m = 0;

	for (size_t i = 0; i < n; i++) {
		if (m > 0 && out[i].start <= out[m - 1].end)
			out[m - 1].end = mm_max_u64(out[m - 1].end, out[i].end);
		else
			out[m++] = out[i];
	}
	return m;
}

/* Module i as a pfn range (whole frames it touches). */
static struct mm_frame_range module_pfns(size_t i)
{
	struct boot_module m = {0};

	(void)mb2_module(ktest_boot, i, &m);
	return (struct mm_frame_range){m.start >> MM_PAGE_SHIFT,
				       (m.end + MM_FRAME_SIZE - 1) >>
					       MM_PAGE_SHIFT};
}

static bool in_range(const struct mm_frame_range *r, size_t n, uint64_t pfn)
{
	for (size_t i = 0; i < n; i++) {
		if (pfn >= r[i].start && pfn < r[i].end)
			return true;
	}
	return false;
}

static bool in_earlier_module(size_t i, uint64_t pfn)
{
	for (size_t j = 0; j < i; j++) {
		struct mm_frame_range r = module_pfns(j);

		if (in_range(&r, 1, pfn))
			return true;
	}
	return false;
}

/*
 * Usable frames the modules (any number, small) hold beyond the fixed
 * reservations `fixed` and each other: counted frame by frame.
 */
static uint64_t module_frames(const struct mm_frame_range *fixed, size_t n)
{
	const struct mm_memmap *map = &ktest_boot->memmap;
	uint64_t taken = 0;

	for (size_t i = 0; i < ktest_boot->module_count; i++) {
		struct mm_frame_range r = module_pfns(i);

		for (uint64_t pfn = r.start; pfn < r.end; pfn++) {
			if (!in_range(fixed, n, pfn) &&
			    !in_earlier_module(i, pfn))
				taken += usable_in(map, pfn, pfn + 1);
		}
	}
	return taken;
}

/* Free frames of leaf word w among its `valid` low bits (1 = used). */
static uint64_t free_in_word(uint64_t w, unsigned valid)
{
	uint64_t n = 0;

	w = ~w & (valid >= 64 ? ~0ull : (1ull << valid) - 1);
	if (w == ~0ull)
		return 64;
	for (; w != 0; w &= w - 1) /* one loop per free frame */
		n++;
	return n;
}

/* Free frames recounted from the bitmap (mm/frame.h: leaf is stable). */
static uint64_t recount_free(const struct mm_frames *fa)
{
	uint64_t n = 0, words = (fa->total_frames + 63) / 64;

	for (uint64_t wi = 0; wi < words; wi++) {
		uint64_t left = fa->total_frames - wi * 64;

		n += free_in_word(fa->leaf[wi],
				  left >= 64 ? 64 : (unsigned)left);
	}
	return n;
}

/* Reserved frames recounted from the reserved ranges, each all used. */
static bool recount_reserved(const struct mm_frames *fa, uint64_t *n)
{
	*n = 0;
	for (size_t i = 0; i < fa->nresv; i++) {
		const struct mm_frame_range *r = &fa->resv[i];

		KT_CHECK(r->start < r->end && r->end <= fa->total_frames);
		KT_CHECK(!mm_frame_is_free(fa, r->start) &&
			 !mm_frame_is_free(fa, r->end - 1));
		*n += r->end - r->start;
	}
	return true;
}

/* Usable frames of the map, minus what boot reserved, are the free ones. */
static bool frame_totals_match_map(void)
{
	const struct mm_memmap *map = &ktest_boot->memmap;
	const struct mm_frame_stats *b = &kmem.boot_stats;
	struct mm_frame_range merged[KMEM_MAX_RESERVED];
	size_t n = merged_reservations(merged);
	uint64_t taken = 0, reserved;
	struct mm_frame_stats s;

	for (size_t i = 0; i < n; i++)
		taken += usable_in(map, merged[i].start, merged[i].end);
	taken += module_frames(merged, n);
	KT_CHECK(b->usable_frames ==
		 MM_PADDR_TO_PFN(mm_memmap_usable_bytes(map)));
	KT_CHECK(b->free_frames == b->usable_frames - taken);
	KT_CHECK(b->total_frames == MM_PADDR_TO_PFN(mm_memmap_usable_end(map)));
	mm_frame_stats(&kmem.frames, &s);
	KT_CHECK(s.free_frames == recount_free(&kmem.frames));
	KT_CHECK(recount_reserved(&kmem.frames, &reserved));
	KT_CHECK(s.reserved_frames == reserved);
	KT_OK(mm_frame_check(&kmem.frames));
	return true;
}

/* True iff pfn is beyond the tracked range or reserved. */
static bool held(mm_pfn_t pfn)
{
	return pfn >= kmem.boot_stats.total_frames ||
	       mm_frame_is_reserved(&kmem.frames, pfn);
}

/*
 * Every boot reservation (low memory, image, boot info, modules, metadata)
 * is reserved at both ends and cannot be claimed or freed.
 */
static bool frame_boot_reservations_hold(void)
{
	struct mm_frames *fa = &kmem.frames;
	mm_pfn_t kernel = MM_PADDR_TO_PFN(ktest_boot->kernel_phys_start);
	mm_pfn_t meta = MM_PADDR_TO_PFN(kmem.meta_phys);

	KT_CHECK(kmem.nreserved == KMEM_MAX_RESERVED);
	for (size_t i = 0; i < kmem.nreserved; i++) {
		const struct mm_frame_range *r = &kmem.reserved[i];

		KT_CHECK(held(r->start));
		KT_CHECK(held(r->end - 1));
	}
	for (size_t i = 0; i < ktest_boot->module_count; i++) {
		struct mm_frame_range r = module_pfns(i);

		KT_CHECK(r.end == r.start || held(r.start));
		KT_CHECK(r.end == r.start || held(r.end - 1));
	}
	KT_STATUS(mm_frame_alloc_at(fa, kernel), MM_ERR_RESERVED);
	KT_STATUS(mm_frame_free(fa, meta), MM_ERR_RESERVED);
	return true;
}

/* One frame round-trips; double free, far pfns and claims are refused. */
static bool frame_alloc_free_errors(void)
{
	struct mm_frames *fa = &kmem.frames;
	mm_pfn_t pfn, total = kmem.boot_stats.total_frames;

	KT_OK(mm_frame_alloc(fa, &pfn));
	KT_CHECK(!mm_frame_is_free(fa, pfn) && !mm_frame_is_reserved(fa, pfn));
	KT_STATUS(mm_frame_alloc_at(fa, pfn), MM_ERR_IN_USE);
	KT_OK(mm_frame_free(fa, pfn));
	KT_STATUS(mm_frame_free(fa, pfn), MM_ERR_NOT_ALLOCATED);
	KT_STATUS(mm_frame_free(fa, total), MM_ERR_OUT_OF_RANGE);
	KT_STATUS(mm_frame_alloc_at(fa, total), MM_ERR_OUT_OF_RANGE);
	KT_OK(mm_frame_alloc_at(fa, pfn));
	KT_OK(mm_frame_free(fa, pfn));
	return true;
}

/* An aligned run below 4 GiB (DMA-style) and a 2 MiB run come back whole. */
static bool frame_contig_runs(void)
{
	struct mm_frames *fa = &kmem.frames;
	mm_pfn_t limit = MM_PADDR_TO_PFN(4ull << 30);
	mm_pfn_t pfn;

	KT_OK(mm_frame_alloc_contig(fa, 16, 16, limit, &pfn));
	KT_CHECK(pfn % 16 == 0 && pfn + 16 <= limit);
	KT_OK(mm_frame_free_contig(fa, pfn, 16));
	KT_OK(mm_frame_alloc_contig(fa, MM_FRAMES_2M, MM_FRAMES_2M,
				    MM_FRAME_NO_LIMIT, &pfn));
	KT_CHECK(pfn % MM_FRAMES_2M == 0);
	KT_OK(mm_frame_free_contig(fa, pfn, MM_FRAMES_2M));
	KT_STATUS(mm_frame_alloc_contig(fa, 0, 1, MM_FRAME_NO_LIMIT, &pfn),
		  MM_ERR_INVALID);
	KT_STATUS(mm_frame_alloc_contig(fa, 1, 3, MM_FRAME_NO_LIMIT, &pfn),
		  MM_ERR_INVALID);
	return true;
}

/* Record run [pfn, pfn + n), merging with the previous one when adjacent. */
static bool keep_run(mm_pfn_t pfn, uint64_t n)
{
	if (nruns > 0 && runs[nruns - 1].end == pfn) {
		runs[nruns - 1].end += n;
		return true;
	}
	if (nruns == MAX_RUNS)
		return false;
	runs[nruns++] = (struct mm_frame_range){pfn, pfn + n};
	return true;
}

/* Take runs of `size` frames until none is left; false if runs[] is full. */
static bool drain(uint64_t size)
{
	mm_pfn_t pfn;

	while (mm_frame_alloc_contig(&kmem.frames, size, size,
				     MM_FRAME_NO_LIMIT, &pfn) == MM_OK) {
		if (!keep_run(pfn, size))
			return false;
	}
	return true;
}

static bool give_back(void)
{
	for (size_t i = 0; i < nruns; i++)
		KT_OK(mm_frame_free_contig(&kmem.frames, runs[i].start,
					   runs[i].end - runs[i].start));
	nruns = 0;
	return true;
}

/* Exhaust the allocator (1 GiB, 2 MiB runs, then frames), refill: same. */
static bool frame_exhaust_and_refill(void)
{
	struct mm_frame_stats before, empty, after;
	mm_pfn_t pfn;

	mm_frame_stats(&kmem.frames, &before);
	nruns = 0;
	KT_CHECK(drain(MM_FRAMES_1G) && drain(MM_FRAMES_2M) && drain(1));
	mm_frame_stats(&kmem.frames, &empty);
	KT_STATUS(mm_frame_alloc(&kmem.frames, &pfn), MM_ERR_NOMEM);
	KT_CHECK(empty.free_frames == 0);
	KT_CHECK(empty.allocated_frames ==
		 before.allocated_frames + before.free_frames);
	KT_CHECK(give_back());
	mm_frame_stats(&kmem.frames, &after);
	KT_CHECK(after.free_frames == before.free_frames);
	KT_CHECK(after.allocated_frames == before.allocated_frames);
	KT_CHECK(after.reserved_frames == before.reserved_frames);
	KT_CHECK(after.free_2m_runs == before.free_2m_runs);
	KT_OK(mm_frame_check(&kmem.frames));
	return true;
}

const struct ktest ktest_frame_tests[] = {
	{"frame_totals_match_map", frame_totals_match_map},
	{"frame_boot_reservations_hold", frame_boot_reservations_hold},
	{"frame_alloc_free_errors", frame_alloc_free_errors},
	{"frame_contig_runs", frame_contig_runs},
	{"frame_exhaust_and_refill", frame_exhaust_and_refill},
};
const size_t ktest_frame_count =
	sizeof(ktest_frame_tests) / sizeof(ktest_frame_tests[0]);
