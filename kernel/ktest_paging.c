/*
 * Owns the paging tests that run against the real MMU: libmm edits the live
 * tables through the recursive window and the CPU must see exactly that.
 * Pages are mapped in a test arena (PML4[256], otherwise unused), written
 * and read through, aliased, remapped (a stale TLB entry would show the old
 * frame), protected and unmapped; expected faults are provoked with the
 * arch fault probes and must carry the right vector, CR2 and error code.
 * The suite as a whole must give back every frame it took, intermediate
 * tables included (checked once: a stats call scans the summaries).
 */
#include "arch.h"
#include "kmem.h"
#include "kprintf.h"
#include "ktest.h"

#define ARENA	  0xFFFF800000000000ull /* PML4[256] */
#define SLOT(n)	  (ARENA + (uint64_t)(n)*MM_PAGE_1G)
#define PF_VECTOR 14u
#define PF_P	  (1ull << 0) /* the page was present: protection fault */
#define PF_W	  (1ull << 1) /* the access was a write */
#define PF_I	  (1ull << 4) /* the access was an instruction fetch */
#define X86_RET	  0xC3u

static bool nx(void)
{
	return arch_cpu_features()->nx;
}

static uint64_t rd(uint64_t va)
{
	return *(volatile uint64_t *)va;
}

static void wr(uint64_t va, uint64_t v)
{
	*(volatile uint64_t *)va = v;
}

/* The last probe faulted with a page fault at va whose error has want. */
static bool page_fault(uint64_t va, uint64_t mask, uint64_t want)
{
	const struct arch_fault_expect *fx = &arch_fault_expect;

	return fx->vector == PF_VECTOR && fx->cr2 == va &&
	       (fx->error & mask) == want;
}

static bool new_frame(uint64_t *pa)
{
	uint64_t pfn;

	KT_OK(mm_frame_alloc(&kmem.frames, &pfn));
	*pa = MM_PFN_TO_PADDR(pfn);
	return true;
}

static bool drop_frame(uint64_t pa)
{
	KT_OK(mm_frame_free(&kmem.frames, MM_PADDR_TO_PFN(pa)));
	return true;
}

/* Text is read+exec, rodata read-only, data read-write; NX where it can. */
static bool paging_kernel_image_wx(void)
{
	uint64_t text = (uint64_t)_text_start, ro = (uint64_t)_rodata_start;
	uint64_t data = (uint64_t)_data_start, pa, size;
	unsigned prot;

	KT_OK(mm_translate(&kmem.vm, text, &pa, &size, &prot));
	KT_CHECK(pa == text - KERNEL_VMA && size == MM_PAGE_4K);
	KT_CHECK((prot & MM_PROT_EXEC) && !(prot & MM_PROT_WRITE));
	KT_OK(mm_translate(&kmem.vm, ro, &pa, &size, &prot));
	KT_CHECK(!(prot & MM_PROT_WRITE) && size == MM_PAGE_4K);
	KT_CHECK(!nx() || !(prot & MM_PROT_EXEC));
	KT_OK(mm_translate(&kmem.vm, data, NULL, &size, &prot));
	KT_CHECK((prot & MM_PROT_WRITE) && size == MM_PAGE_4K);
	KT_CHECK(!nx() || !(prot & MM_PROT_EXEC));
	return true;
}

/* PML4[510] holds the PML4's own frame; the identity slot is empty. */
static bool paging_recursive_entry(void)
{
	const volatile uint64_t *pml4 =
		(const volatile uint64_t *)MM_RECURSIVE_PML4;

	KT_CHECK(MM_PTE_ADDR(pml4[MM_RECURSIVE_INDEX]) == arch_pml4_phys());
	KT_CHECK(pml4[MM_RECURSIVE_INDEX] & MM_PTE_PRESENT);
	KT_CHECK(pml4[0] == 0);
	KT_STATUS(mm_map(&kmem.vm, MM_RECURSIVE_PML4, 0, MM_PAGE_4K, 0),
		  MM_ERR_OUT_OF_RANGE);
	return true;
}

/* A 4 KiB page: map, translate, write and read, unmap, touch faults. */
static bool paging_map_4k(void)
{
	uint64_t va = SLOT(0) + 0x5000, pa, got, size;
	unsigned prot;

	KT_CHECK(new_frame(&pa));
	KT_OK(mm_map(&kmem.vm, va, pa, MM_PAGE_4K, MM_PROT_WRITE));
	KT_STATUS(mm_map(&kmem.vm, va, pa, MM_PAGE_4K, 0), MM_ERR_MAPPED);
	KT_OK(mm_translate(&kmem.vm, va + 8, &got, &size, &prot));
	KT_CHECK(got == pa + 8 && size == MM_PAGE_4K);
	KT_CHECK((prot & MM_PROT_WRITE) && (!nx() || !(prot & MM_PROT_EXEC)));
	wr(va, 0x1122334455667788ull);
	wr(va + 4088, ~0ull);
	KT_CHECK(rd(va) == 0x1122334455667788ull && rd(va + 4088) == ~0ull);
	KT_OK(mm_unmap(&kmem.vm, va, &got, &size));
	KT_CHECK(got == pa && size == MM_PAGE_4K);
	KT_STATUS(mm_translate(&kmem.vm, va, NULL, NULL, NULL),
		  MM_ERR_NOT_MAPPED);
	KT_CHECK(arch_probe_read(va, &got) == 1 && page_fault(va, PF_P, 0));
	KT_STATUS(mm_unmap(&kmem.vm, va, NULL, NULL), MM_ERR_NOT_MAPPED);
	KT_CHECK(drop_frame(pa));
	return true;
}

/*
 * A 2 MiB page: both ends reachable, 4 KiB inside it is a conflict, made
 * read-only its far end refuses a write.
 */
static bool paging_map_2m(void)
{
	uint64_t va = SLOT(1) + 4 * MM_PAGE_2M;
	uint64_t pfn, pa, got, size;

	KT_OK(mm_frame_alloc_contig(&kmem.frames, MM_FRAMES_2M, MM_FRAMES_2M,
				    MM_FRAME_NO_LIMIT, &pfn));
	pa = MM_PFN_TO_PADDR(pfn);
	KT_OK(mm_map(&kmem.vm, va, pa, MM_PAGE_2M, MM_PROT_WRITE));
	KT_STATUS(mm_map(&kmem.vm, va + MM_PAGE_4K, pa, MM_PAGE_4K, 0),
		  MM_ERR_HUGE_CONFLICT);
	KT_OK(mm_translate(&kmem.vm, va + 0x12345, &got, &size, NULL));
	KT_CHECK(got == pa + 0x12345 && size == MM_PAGE_2M);
	wr(va, 0xA5A5);
	wr(va + MM_PAGE_2M - 8, 0x5A5A);
	KT_CHECK(rd(va) == 0xA5A5 && rd(va + MM_PAGE_2M - 8) == 0x5A5A);
	KT_OK(mm_protect(&kmem.vm, va, 0));
	KT_CHECK(arch_probe_write(va + MM_PAGE_2M - 8, 1) == 1);
	KT_CHECK(page_fault(va + MM_PAGE_2M - 8, PF_P | PF_W, PF_P | PF_W));
	KT_CHECK(rd(va + MM_PAGE_2M - 8) == 0x5A5A);
	KT_OK(mm_unmap(&kmem.vm, va, &got, &size));
	KT_CHECK(got == pa && size == MM_PAGE_2M);
	KT_CHECK(arch_probe_read(va + MM_PAGE_2M - 8, &got) == 1);
	KT_CHECK(page_fault(va + MM_PAGE_2M - 8, PF_P, 0));
	KT_OK(mm_frame_free_contig(&kmem.frames, pfn, MM_FRAMES_2M));
	return true;
}

/*
 * A 1 GiB page over physical [0, 1 GiB), read-only: it shows the kernel's
 * own text. Without CPU support the answer must be MM_ERR_UNSUPPORTED.
 */
static bool paging_map_1g(void)
{
	uint64_t va = SLOT(2), got, size;
	unsigned prot;
	uint64_t text_pa = (uint64_t)_text_start - KERNEL_VMA;

	if (!arch_cpu_features()->pg1g) {
		KT_STATUS(mm_map(&kmem.vm, va, 0, MM_PAGE_1G, 0),
			  MM_ERR_UNSUPPORTED);
		KT_STATUS(mm_translate(&kmem.vm, va, NULL, NULL, NULL),
			  MM_ERR_NOT_MAPPED);
		kprintf("ktest:   (no 1 GiB pages: MM_ERR_UNSUPPORTED as "
			"expected)\n");
		return true;
	}
	KT_OK(mm_map(&kmem.vm, va, 0, MM_PAGE_1G, 0));
	KT_OK(mm_translate(&kmem.vm, va + text_pa, &got, &size, NULL));
	KT_CHECK(got == text_pa && size == MM_PAGE_1G);
	KT_CHECK(rd(va + text_pa) == rd((uint64_t)_text_start));
	KT_CHECK(arch_probe_write(va + text_pa, 0) == 1);
	KT_CHECK(page_fault(va + text_pa, PF_P | PF_W, PF_P | PF_W));
	KT_OK(mm_protect(&kmem.vm, va, MM_PROT_NOCACHE));
	KT_OK(mm_translate(&kmem.vm, va + text_pa, NULL, &size, &prot));
	KT_CHECK(size == MM_PAGE_1G && (prot & MM_PROT_NOCACHE));
	KT_CHECK(!(prot & MM_PROT_WRITE));
	KT_OK(mm_unmap(&kmem.vm, va, &got, &size));
	KT_CHECK(got == 0 && size == MM_PAGE_1G);
	return true;
}

/* Two virtual pages on one frame see each other's writes. */
static bool paging_alias_one_frame(void)
{
	uint64_t a = SLOT(3), b = SLOT(3) + 0x7000;
	uint64_t pa;

	KT_CHECK(new_frame(&pa));
	KT_OK(mm_map(&kmem.vm, a, pa, MM_PAGE_4K, MM_PROT_WRITE));
	KT_OK(mm_map(&kmem.vm, b, pa, MM_PAGE_4K, MM_PROT_WRITE));
	wr(a + 64, 0xFEEDFACE);
	KT_CHECK(rd(b + 64) == 0xFEEDFACE);
	wr(b + 128, 0xC0FFEE);
	KT_CHECK(rd(a + 128) == 0xC0FFEE);
	KT_OK(mm_unmap(&kmem.vm, a, NULL, NULL));
	KT_OK(mm_unmap(&kmem.vm, b, NULL, NULL));
	KT_CHECK(drop_frame(pa));
	return true;
}

/* Remap a page to another frame: the next read shows the new frame. */
static bool paging_remap_sees_new_frame(void)
{
	uint64_t va = SLOT(4), other = SLOT(4) + 0x3000;
	uint64_t f1, f2;

	KT_CHECK(new_frame(&f1) && new_frame(&f2));
	KT_OK(mm_map(&kmem.vm, va, f1, MM_PAGE_4K, MM_PROT_WRITE));
	KT_OK(mm_map(&kmem.vm, other, f2, MM_PAGE_4K, MM_PROT_WRITE));
	wr(va, 0x1111);
	wr(other, 0x2222);
	KT_CHECK(rd(va) == 0x1111); /* the TLB now holds va -> f1 */
	KT_OK(mm_unmap(&kmem.vm, va, NULL, NULL));
	KT_OK(mm_map(&kmem.vm, va, f2, MM_PAGE_4K, MM_PROT_WRITE));
	KT_CHECK(rd(va) == 0x2222);
	KT_OK(mm_unmap(&kmem.vm, va, NULL, NULL));
	KT_OK(mm_unmap(&kmem.vm, other, NULL, NULL));
	KT_CHECK(drop_frame(f1) && drop_frame(f2));
	return true;
}

/* mm_protect to read-only: a write faults and changes nothing; back: ok. */
static bool paging_protect_read_only(void)
{
	uint64_t va = SLOT(5), pa;
	unsigned prot;

	KT_CHECK(new_frame(&pa));
	KT_OK(mm_map(&kmem.vm, va, pa, MM_PAGE_4K, MM_PROT_WRITE));
	KT_CHECK(arch_probe_write(va, 7) == 0 && rd(va) == 7);
	KT_OK(mm_protect(&kmem.vm, va, 0));
	KT_OK(mm_translate(&kmem.vm, va, NULL, NULL, &prot));
	KT_CHECK(!(prot & MM_PROT_WRITE));
	KT_CHECK(arch_probe_write(va, 8) == 1);
	KT_CHECK(page_fault(va, PF_P | PF_W, PF_P | PF_W) && rd(va) == 7);
	KT_OK(mm_protect(&kmem.vm, va, MM_PROT_WRITE));
	KT_CHECK(arch_probe_write(va, 9) == 0 && rd(va) == 9);
	KT_OK(mm_unmap(&kmem.vm, va, NULL, NULL));
	KT_CHECK(drop_frame(pa));
	return true;
}

/* Executing from an NX data page faults; made executable, it runs. */
static bool paging_exec_nx_faults(void)
{
	uint64_t va = SLOT(6), pa;

	KT_CHECK(new_frame(&pa));
	KT_OK(mm_map(&kmem.vm, va, pa, MM_PAGE_4K, MM_PROT_WRITE));
	*(volatile uint8_t *)va = X86_RET;
	if (nx()) {
		KT_CHECK(arch_probe_exec(va) == 1);
		KT_CHECK(page_fault(va, PF_P | PF_I, PF_P | PF_I));
	} else {
		kprintf("ktest:   (no NX: only the executable half runs)\n");
	}
	KT_OK(mm_protect(&kmem.vm, va, MM_PROT_EXEC));
	KT_CHECK(arch_probe_exec(va) == 0);
	KT_OK(mm_unmap(&kmem.vm, va, NULL, NULL));
	KT_CHECK(drop_frame(pa));
	return true;
}

/* The boot identity map is gone: low addresses are not present. */
static bool paging_identity_map_removed(void)
{
	uint64_t v;

	KT_CHECK(arch_probe_read(0x100000, &v) == 1);
	KT_CHECK(page_fault(0x100000, PF_P, 0));
	KT_CHECK(arch_probe_write(0x200000, 0) == 1);
	KT_CHECK(page_fault(0x200000, PF_P | PF_W, PF_W));
	KT_STATUS(mm_translate(&kmem.vm, 0x100000, NULL, NULL, NULL),
		  MM_ERR_NOT_MAPPED);
	return true;
}

/* The page below the kernel stack is a guard: touching it faults. */
static bool paging_stack_guard_unmapped(void)
{
	uint64_t guard = (uint64_t)boot_stack_guard, v;

	KT_CHECK(arch_probe_read(guard + MM_PAGE_4K - 8, &v) == 1);
	KT_CHECK(page_fault(guard + MM_PAGE_4K - 8, PF_P, 0));
	return true;
}

/* Writing the kernel's own text or rodata faults (CR0.WP) and changes none. */
static bool paging_kernel_text_write_faults(void)
{
	uint64_t text = (uint64_t)_text_start, ro = (uint64_t)_rodata_start;
	uint64_t t = rd(text), r = rd(ro);

	KT_CHECK(arch_probe_write(text, t) == 1);
	KT_CHECK(page_fault(text, PF_P | PF_W, PF_P | PF_W) && rd(text) == t);
	KT_CHECK(arch_probe_write(ro, r) == 1);
	KT_CHECK(page_fault(ro, PF_P | PF_W, PF_P | PF_W) && rd(ro) == r);
	return true;
}

/* Bad arguments are refused and leave nothing behind. */
static bool paging_errors_change_nothing(void)
{
	uint64_t va = SLOT(7), pa;

	KT_CHECK(new_frame(&pa));
	KT_STATUS(mm_map(&kmem.vm, va + 1, pa, MM_PAGE_4K, 0), MM_ERR_INVALID);
	KT_STATUS(mm_map(&kmem.vm, va, pa + 1, MM_PAGE_4K, 0), MM_ERR_INVALID);
	KT_STATUS(mm_map(&kmem.vm, 0x0000800000000000ull, pa, MM_PAGE_4K, 0),
		  MM_ERR_INVALID);
	KT_STATUS(mm_map(&kmem.vm, va, pa, MM_PAGE_4K,
			 MM_PROT_WRITE | MM_PROT_EXEC),
		  MM_ERR_INVALID);
	KT_STATUS(mm_map(&kmem.vm, va, pa, 12345, 0), MM_ERR_INVALID);
	KT_OK(mm_map(&kmem.vm, va, pa, MM_PAGE_4K, 0));
	KT_STATUS(mm_map(&kmem.vm, va, 0, MM_PAGE_2M, 0), MM_ERR_HUGE_CONFLICT);
	KT_STATUS(mm_unmap(&kmem.vm, va + MM_PAGE_4K, NULL, NULL),
		  MM_ERR_NOT_MAPPED);
	KT_OK(mm_unmap(&kmem.vm, va, NULL, NULL));
	KT_CHECK(drop_frame(pa));
	return true;
}

/* map_range picks 4 KiB, 2 MiB, 4 KiB for a range straddling 2 MiB. */
static bool paging_map_range_sizes(void)
{
	uint64_t va = SLOT(8) + MM_PAGE_2M - MM_PAGE_4K;
	uint64_t len = MM_PAGE_2M + 2 * MM_PAGE_4K, pfn, pa, size;

	KT_OK(mm_frame_alloc_contig(&kmem.frames, 3 * MM_FRAMES_2M,
				    MM_FRAMES_2M, MM_FRAME_NO_LIMIT, &pfn));
	pa = MM_PFN_TO_PADDR(pfn) + MM_PAGE_2M - MM_PAGE_4K;
	KT_OK(mm_map_range(&kmem.vm, va, pa, len, MM_PROT_WRITE));
	KT_OK(mm_translate(&kmem.vm, va, NULL, &size, NULL));
	KT_CHECK(size == MM_PAGE_4K);
	KT_OK(mm_translate(&kmem.vm, va + MM_PAGE_4K, NULL, &size, NULL));
	KT_CHECK(size == MM_PAGE_2M);
	KT_OK(mm_translate(&kmem.vm, va + len - 8, NULL, &size, NULL));
	KT_CHECK(size == MM_PAGE_4K);
	wr(va, 1);
	wr(va + len - 8, 2);
	KT_CHECK(rd(va) == 1 && rd(va + len - 8) == 2);
	KT_OK(mm_unmap_range(&kmem.vm, va, len));
	KT_STATUS(mm_translate(&kmem.vm, va + MM_PAGE_4K, NULL, NULL, NULL),
		  MM_ERR_NOT_MAPPED);
	KT_OK(mm_frame_free_contig(&kmem.frames, pfn, 3 * MM_FRAMES_2M));
	return true;
}

/*
 * After the suite every frame is back: the frame tests restore what they
 * take, so the counts are the boot counts, and the bitmap agrees.
 */
static bool paging_no_frame_leaked(void)
{
	struct mm_frame_stats s;

	mm_frame_stats(&kmem.frames, &s);
	KT_CHECK(s.free_frames == kmem.boot_stats.free_frames);
	KT_CHECK(s.allocated_frames == kmem.boot_stats.allocated_frames);
	KT_OK(mm_frame_check(&kmem.frames));
	return true;
}

const struct ktest ktest_paging_tests[] = {
	{"paging_kernel_image_wx", paging_kernel_image_wx},
	{"paging_recursive_entry", paging_recursive_entry},
	{"paging_map_4k", paging_map_4k},
	{"paging_map_2m", paging_map_2m},
	{"paging_map_1g", paging_map_1g},
	{"paging_alias_one_frame", paging_alias_one_frame},
	{"paging_remap_sees_new_frame", paging_remap_sees_new_frame},
	{"paging_protect_read_only", paging_protect_read_only},
	{"paging_exec_nx_faults", paging_exec_nx_faults},
	{"paging_identity_map_removed", paging_identity_map_removed},
	{"paging_kernel_text_write_faults", paging_kernel_text_write_faults},
	{"paging_stack_guard_unmapped", paging_stack_guard_unmapped},
	{"paging_errors_change_nothing", paging_errors_change_nothing},
	{"paging_map_range_sizes", paging_map_range_sizes},
	{"paging_no_frame_leaked", paging_no_frame_leaked},
};
const size_t ktest_paging_count =
	sizeof(ktest_paging_tests) / sizeof(ktest_paging_tests[0]);
