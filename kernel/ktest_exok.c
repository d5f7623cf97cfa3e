/*
 * Owns the kernel tests of the exokernel memory primitives (exok.c): the
 * exported bitmap is the allocator's live leaf (every bit agrees, a change
 * shows at once), mapped read-only, user, NX at every level it should be;
 * slot 255 is the same in every PML4 and outlives every program; a torn
 * down program gives back what it claimed with ALLOC_PAGE but never the
 * zero page.
 */
#include "arch.h"
#include "aspace.h"
#include "exok.h"
#include "kmem.h"
#include "ktest.h"
#include "mm/port.h"
#include "uarch.h"
#include "xomb/abi.h"

#define PAGE	    MM_FRAME_SIZE
#define SAMPLES	    65536u /* bits compared, spread over all frames */
#define TEST_VA	    0x0000100000000000ull /* PML4 slot 32: nothing there */
#define PTE_BITS(e) ((e) & (MM_PTE_PRESENT | MM_PTE_WRITE | MM_PTE_USER))

static uint64_t free_frames(void)
{
	struct mm_frame_stats st;

	mm_frame_stats(&kmem.frames, &st);
	return st.free_frames;
}

/* Bit pfn of the export, read through its user mapping. */
static int exported_bit(uint64_t pfn)
{
	const volatile uint8_t *b = (const volatile uint8_t *)XOMB_BITMAP_VA;
	uint8_t byte;

	uarch_user_access_begin();
	byte = b[pfn / 8u];
	uarch_user_access_end();
	return (byte >> (pfn % 8u)) & 1;
}

/* Every sampled bit (and every bit of the last word past the end) agrees. */
static bool exok_bitmap_matches_allocator(void)
{
	uint64_t step = exok.frames / SAMPLES + 1u;
	uint64_t end = exok.bitmap_bytes * 8u;

	KT_CHECK(exok.frames > 0 && exok.bitmap_bytes * 8u >= exok.frames);
	for (uint64_t pfn = 0; pfn < exok.frames; pfn += step)
		KT_CHECK(exported_bit(pfn) ==
			 !mm_frame_is_free(&kmem.frames, pfn));
	for (uint64_t pfn = exok.frames; pfn < end; pfn++)
		KT_CHECK(exported_bit(pfn) == 1);
	KT_CHECK(exported_bit(MM_PADDR_TO_PFN(kmem.meta_phys)) == 1);
	return true;
}

/* The export is the live leaf: an allocation and a free show at once. */
static bool exok_bitmap_is_live(void)
{
	uint64_t pfn;

	KT_OK(mm_frame_alloc(&kmem.frames, &pfn));
	KT_CHECK(exported_bit(pfn) == 1);
	KT_OK(mm_frame_free(&kmem.frames, pfn));
	KT_CHECK(exported_bit(pfn) == 0);
	return true;
}

/* The leaf of va: present, user, not writable, NX (where the CPU has NX). */
static bool exok_leaf_read_only(uint64_t va, uint64_t pa)
{
	mm_pte_t e = mm_port_pte_read(NULL, MM_PTE_VA(0, va));
	bool nx = arch_cpu_features()->nx;

	KT_CHECK(PTE_BITS(e) == (MM_PTE_PRESENT | MM_PTE_USER));
	KT_CHECK(MM_PTE_ADDR(e) == pa);
	KT_CHECK(!nx || (e & MM_PTE_NX));
	for (unsigned l = 1; l <= MM_PT_TOP; l++)
		KT_CHECK(mm_port_pte_read(NULL, MM_PTE_VA(l, va)) &
			 MM_PTE_USER);
	return true;
}

/* Every page of the leaf and the info page; nothing past the leaf. */
static bool exok_export_mapping(void)
{
	const volatile struct xomb_bitmap_info *info =
		(const volatile struct xomb_bitmap_info *)XOMB_BITMAP_INFO_VA;
	uint64_t past = XOMB_BITMAP_VA + exok.bitmap_pages * PAGE;
	uint64_t frames, bytes;

	for (uint64_t i = 0; i < exok.bitmap_pages; i++)
		KT_CHECK(exok_leaf_read_only(XOMB_BITMAP_VA + i * PAGE,
					     kmem.meta_phys + i * PAGE));
	KT_CHECK(exok_leaf_read_only(XOMB_BITMAP_INFO_VA, exok.info_phys));
	KT_CHECK(mm_translate(&kmem.vm, past, NULL, NULL, NULL) ==
		 MM_ERR_NOT_MAPPED);
	uarch_user_access_begin();
	frames = info->frames;
	bytes = info->bytes;
	uarch_user_access_end();
	KT_CHECK(frames == exok.frames && bytes == exok.bitmap_bytes);
	KT_CHECK(exok.bitmap_pages * PAGE <= kmem.meta_bytes);
	return true;
}

/* PML4 slot 255 of a new address space is the kernel's; it survives. */
static bool exok_slot_shared(void)
{
	uint64_t pml4, before = free_frames();
	mm_pte_t mine =
		mm_port_pte_read(NULL, MM_PTE_VA(MM_PT_TOP, XOMB_BITMAP_VA));
	mm_pte_t theirs;

	KT_OK(aspace_create(&pml4));
	theirs = ((const volatile uint64_t *)aspace_kmap(
		pml4))[EXOK_BITMAP_SLOT];
	aspace_kunmap();
	aspace_destroy(pml4);
	KT_CHECK((mine & MM_PTE_PRESENT) && theirs == mine);
	KT_CHECK(free_frames() == before);
	KT_CHECK(exok_leaf_read_only(XOMB_BITMAP_VA, kmem.meta_phys));
	return true;
}

/* A frame the allocator reports free right now. */
static uint64_t exok_free_pa(void)
{
	uint64_t pfn = 0;

	if (mm_frame_alloc(&kmem.frames, &pfn) == MM_OK)
		mm_frame_free(&kmem.frames, pfn);
	return MM_PFN_TO_PADDR(pfn);
}

/*
 * In the current (test) address space: PDPT, PD, PT at TEST_VA by
 * ALLOC_PAGE, a data page there and the zero page on the next entry.
 */
static bool exok_build(void)
{
	struct mm_exo *x = &exok.x;
	uint64_t ro = MM_EXO_PRESENT | MM_EXO_READONLY;

	for (unsigned l = MM_PT_TOP; l >= 1u; l--)
		KT_CHECK(mm_exo_alloc_page(x, exok_free_pa(),
					   MM_PTE_VA(l, TEST_VA),
					   MM_EXO_PRESENT) == MM_EXO_SUCCESS);
	KT_CHECK(mm_exo_alloc_page(x, exok_free_pa(), MM_PTE_VA(0, TEST_VA),
				   MM_EXO_PRESENT) == MM_EXO_SUCCESS);
	KT_CHECK(mm_exo_map_zero(x, MM_PTE_VA(0, TEST_VA + PAGE), ro) ==
		 MM_EXO_SUCCESS);
	return true;
}

/*
 * Teardown frees the three tables and the page a program claimed and
 * leaves the zero page (still allocated, still zero) and slot 255 alone.
 */
static bool exok_teardown_keeps_kernel_frames(void)
{
	uint64_t pml4, before = free_frames();
	uint64_t zero = MM_PFN_TO_PADDR(exok.x.zero_pfn);
	bool built;

	KT_OK(aspace_create(&pml4));
	aspace_switch(pml4);
	built = exok_build();
	aspace_switch(aspace_kernel());
	aspace_destroy(pml4);
	KT_CHECK(built);
	KT_CHECK(free_frames() == before);
	KT_CHECK(!mm_frame_is_free(&kmem.frames, exok.x.zero_pfn));
	KT_CHECK(((const volatile uint64_t *)aspace_kmap(zero))[0] == 0);
	aspace_kunmap();
	KT_CHECK(exok_leaf_read_only(XOMB_BITMAP_VA, kmem.meta_phys));
	return true;
}

const struct ktest ktest_exok_tests[] = {
	{"exok_bitmap_matches_allocator", exok_bitmap_matches_allocator},
	{"exok_bitmap_is_live", exok_bitmap_is_live},
	{"exok_export_mapping", exok_export_mapping},
	{"exok_slot_shared", exok_slot_shared},
	{"exok_teardown_keeps_kernel_frames",
	 exok_teardown_keeps_kernel_frames},
};
const size_t ktest_exok_count =
	sizeof(ktest_exok_tests) / sizeof(ktest_exok_tests[0]);
