/*
 * The physical frame allocator: one bit per 4 KiB frame (1 = used), with
 * summary levels above the bitmap so that every search inspects O(log64 N)
 * words, whatever the fill level. The caller owns both the descriptor and
 * the metadata memory it points to; nothing here allocates. Every frame is
 * named by its number (mm_pfn_t) and every count is in frames; the only
 * byte-based call is mm_frame_reserve_bytes(), named for it.
 *
 * Every frame in [0, total_frames) is in exactly one state:
 *   free      - may be returned by an allocation;
 *   allocated - handed out, may be freed;
 *   reserved  - outside the usable regions of the map, or reserved by
 *               mm_frame_reserve(): never allocated, never freed.
 *
 * Not thread-safe: libmm takes no locks. Callers serialize every call on
 * one struct mm_frames (the kernel holds kmem.lock); different descriptors
 * are independent.
 */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include "mm/memmap.h"
#include "mm/status.h"
#include "mm/types.h"

/* Pass as limit_pfn to mm_frame_alloc_contig() for "anywhere". */
#define MM_FRAME_NO_LIMIT UINT64_MAX

/* Frames per 2 MiB and 1 GiB page. */
#define MM_FRAMES_2M ((uint64_t)512)
#define MM_FRAMES_1G (MM_FRAMES_2M * 512u)

/* Capacity of the reserved-range table (holes of the map + explicit). */
#define MM_FRAME_MAX_RESERVED (2u * MM_MEMMAP_CAPACITY + 64u)

/* Levels of a summary tree: enough for 2^52 bytes of physical memory. */
#define MM_FRAME_TREE_LEVELS 7u

/* A half-open frame range [start, end). */
struct mm_frame_range {
	mm_pfn_t start; /* first frame of the range */
	mm_pfn_t end;	/* one past the last frame */
};

/*
 * A summary tree over a bit vector: level[0] is the vector itself, and bit i
 * of level[k + 1] is set iff word i of level[k] is non-zero.
 */
struct mm_frame_tree {
	uint64_t *level[MM_FRAME_TREE_LEVELS]; /* level[0]: the vector */
	uint64_t words[MM_FRAME_TREE_LEVELS];  /* words in each level */
	unsigned depth;			       /* levels in use */
};

/*
 * Allocator state, written only by the mm_frame_* calls. Its definition is
 * public because the caller owns the storage. Stable, and read by tests and
 * checkers: total_frames, usable_frames, free_frames, reserved_frames, the
 * leaf bitmap (bit i = frame i, 1 = used; the exokernel exposes it to
 * library OSes) and resv[0, nresv) (sorted, disjoint, non-touching ranges
 * of reserved frames). The summaries (empty, empty16m, resv_hint, avail,
 * chunk2m), low_word and next_word are the allocator's representation:
 * their meaning is drawn in libmm/frame.c and may change with it.
 */
struct mm_frames {
	uint64_t total_frames;	/* tracked: pfns [0, total_frames) */
	uint64_t usable_frames; /* whole frames in usable regions of the map */
	uint64_t free_frames;	/* frames in state free */
	uint64_t reserved_frames; /* frames in state reserved */
	uint64_t low_word;   /* lowest leaf word with a free frame (or last) */
	uint64_t next_word;  /* leaf words (low_word, next_word) are full */
	uint64_t *leaf;	     /* 1 bit per frame, 1 = used */
	uint64_t *empty;     /* 1 bit per leaf word, 1 = all 64 free */
	uint64_t *empty16m;  /* 1 bit per empty word, 1 = all 4096 free */
	uint64_t *resv_hint; /* 1 bit per 4096 frames, 1 = may hold reserved */
	struct mm_frame_tree avail;   /* over "leaf word has a free bit" */
	struct mm_frame_tree chunk2m; /* over "empty word has a free 2 MiB" */
	size_t nresv;		      /* entries used in resv */
	struct mm_frame_range
		resv[MM_FRAME_MAX_RESERVED]; /* sorted, disjoint */
};

/* The allocator's figures, copied by mm_frame_stats(). */
struct mm_frame_stats {
	uint64_t total_frames;	/* tracked frames: up to the highest usable */
	uint64_t usable_frames; /* whole frames in usable regions of the map */
	uint64_t free_frames;	/* frames in state free */
	uint64_t allocated_frames; /* frames in state allocated */
	uint64_t reserved_frames;  /* free + allocated + reserved == total */
	uint64_t free_2m_runs;	   /* free, 2 MiB-aligned runs of 512 frames */
	uint64_t free_1g_runs; /* free, 1 GiB-aligned runs of 262144 frames */
	uint64_t largest_free_run; /* longest run of free frames */
};

/*
 * Bytes of metadata mm_frame_init() needs for this map (bitmap plus summary
 * levels), 8-byte aligned. 0 when mm_frame_init() would refuse the map (no
 * usable frame, more than MM_MEMMAP_CAPACITY regions, or a map that
 * mm_memmap_sanitize() refuses). The map need not be sanitized (see
 * mm_frame_init()).
 */
size_t mm_frame_metadata_bytes(const struct mm_memmap *map);

/*
 * Track every frame below the highest usable address of the map. Whole frames
 * inside usable regions start free, all others reserved. metadata must be
 * 8-byte aligned and at least mm_frame_metadata_bytes(map) long; it is
 * initialised a word at a time. The map need not be sanitized: init
 * sanitizes a copy of it (mm_memmap_sanitize()), so the result, the
 * metadata size included, is exactly that of the sanitized map; *map is
 * only read. Uses about 11.5 KiB of stack for the copy and sanitizing it
 * (the kernel's boot stack is 16 KiB).
 * Errors: MM_ERR_INVALID for a NULL or misaligned pointer, more than
 * MM_MEMMAP_CAPACITY regions, a map mm_memmap_sanitize() refuses (its
 * overlaps would need more than MM_MEMMAP_CAPACITY regions) or a map with
 * no usable frame; MM_ERR_NOMEM when metadata_bytes is too small. On
 * failure *fa is untouched.
 */
mm_status_t mm_frame_init(struct mm_frames *fa, const struct mm_memmap *map,
			  void *metadata, size_t metadata_bytes);

/*
 * Reserve the count frames [pfn, pfn + count): they are never allocated and
 * cannot be freed. Frames beyond the tracked range are already unavailable
 * and are skipped; reserving a reserved frame again is allowed.
 * Errors: MM_ERR_INVALID for count 0 or a range wrapping past 2^64;
 * MM_ERR_IN_USE if a frame in the range is allocated; MM_ERR_NOMEM when the
 * reserved-range table is full. A failed call changes nothing.
 */
mm_status_t mm_frame_reserve(struct mm_frames *fa, mm_pfn_t pfn,
			     uint64_t count);

/*
 * The same for the bytes [base, base + length): every frame the range
 * touches is reserved (partial frames count whole).
 * Errors: MM_ERR_INVALID for length 0 or a range wrapping past 2^64;
 * otherwise those of mm_frame_reserve(). A failed call changes nothing.
 */
mm_status_t mm_frame_reserve_bytes(struct mm_frames *fa, mm_paddr_t base,
				   uint64_t length);

/*
 * Allocate one free frame (the lowest-numbered) and store its number in *pfn.
 * Errors: MM_ERR_NOMEM when no frame is free (*pfn untouched).
 */
mm_status_t mm_frame_alloc(struct mm_frames *fa, mm_pfn_t *pfn);

/*
 * Claim frame pfn itself.
 * Errors: MM_ERR_OUT_OF_RANGE beyond the tracked range; MM_ERR_RESERVED for
 * a reserved frame; MM_ERR_IN_USE for an allocated one. Nothing changes
 * on failure.
 */
mm_status_t mm_frame_alloc_at(struct mm_frames *fa, mm_pfn_t pfn);

/*
 * Allocate count contiguous free frames whose first pfn is a multiple of
 * align_frames (a power of two) and whose end is <= limit_pfn
 * (MM_FRAME_NO_LIMIT for anywhere); the lowest such run is taken. The
 * 2 MiB (512/512) and 1 GiB (262144/262144) cases are summary lookups.
 * Errors: MM_ERR_INVALID for count 0 or an align that is 0 or not a power of
 * two; MM_ERR_NOMEM when no such run exists. Nothing changes on failure.
 */
mm_status_t mm_frame_alloc_contig(struct mm_frames *fa, uint64_t count,
				  uint64_t align_frames, mm_pfn_t limit_pfn,
				  mm_pfn_t *pfn);

/*
 * Free one allocated frame.
 * Errors: MM_ERR_OUT_OF_RANGE beyond the tracked range; MM_ERR_RESERVED for
 * a reserved frame; MM_ERR_NOT_ALLOCATED for a free one (double free).
 * Nothing changes on failure.
 */
mm_status_t mm_frame_free(struct mm_frames *fa, mm_pfn_t pfn);

/*
 * Free the count allocated frames [pfn, pfn + count), all or none.
 * Errors: MM_ERR_INVALID for count 0 or a wrapping range; otherwise the
 * error mm_frame_free() would give for the first offending frame. Nothing
 * changes on failure.
 */
mm_status_t mm_frame_free_contig(struct mm_frames *fa, mm_pfn_t pfn,
				 uint64_t count);

/* True iff pfn is tracked and currently free. */
bool mm_frame_is_free(const struct mm_frames *fa, mm_pfn_t pfn);

/* True iff pfn is tracked and reserved. */
bool mm_frame_is_reserved(const struct mm_frames *fa, mm_pfn_t pfn);

/*
 * Fill *st. Counters are O(1); the run figures scan the summaries
 * (O(total_frames / 64) word reads at worst).
 */
void mm_frame_stats(const struct mm_frames *fa, struct mm_frame_stats *st);

/*
 * Recount everything and compare: counters against the bitmap, every summary
 * bit against the level below, reserved ranges marked used. Returns MM_OK or
 * MM_ERR_INVALID on the first disagreement. Cost O(total_frames / 64).
 */
mm_status_t mm_frame_check(const struct mm_frames *fa);

#endif /* MM_FRAME_H */
