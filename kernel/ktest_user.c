/*
 * Owns the user-mode tests that need the kernel's hands: the return-path
 * guard driven through the real SYSCALL exit with a return rip no program
 * can produce; the bits of the two recursive entries and the kernel half
 * in a program's PML4; SMEP and SMAP seen faulting on a real user page;
 * an address space built and torn down without a frame lost. Programs are
 * built here as tiny ELF images in memory and go through proc_load().
 */
#include "arch.h"
#include "aspace.h"
#include "elf.h"
#include "exoproc.h"
#include "images.h"
#include "kmem.h"
#include "ktest.h"
#include "proc.h"
#include "syscall.h"
#include "uarch.h"
#include "xomb/abi.h"

#define IMG_VADDR  0x400000ull
#define IMG_CODE   (ELF_EHDR_SIZE + ELF_PHDR_SIZE)
#define IMG_BYTES  256u
#define PF_VECTOR  14u
#define NONCANON   0x0000800000000000ull /* first address past the half */
#define KERNEL_RIP 0xFFFFFFFF80100000ull

/*
 * The program: GETPID (the system call whose return the tests tamper
 * with), then EXIT(0):
 *   mov eax, 3; syscall; xor eax, eax; xor edi, edi; syscall; ud2
 */
static const uint8_t prog_code[] = {0xB8, 0x03, 0x00, 0x00, 0x00,
				    0x0F, 0x05, 0x31, 0xC0, 0x31,
				    0xFF, 0x0F, 0x05, 0x0F, 0x0B};

static uint8_t img[IMG_BYTES];

static void put(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A static ELF64: one R+X PT_LOAD of the whole file at IMG_VADDR. */
static size_t build_image(void)
{
	uint8_t *ph = img + ELF_EHDR_SIZE;
	size_t size = IMG_CODE + sizeof(prog_code);

	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = 0;
	put(img, 0x464C457F, 4); /* \x7fELF */
	img[4] = ELF_CLASS64;
	img[5] = ELF_DATA_LSB;
	img[6] = ELF_VERSION;
	put(img + 16, ELF_ET_EXEC, 2);
	put(img + 18, ELF_EM_X86_64, 2);
	put(img + 20, ELF_VERSION, 4);
	put(img + 24, IMG_VADDR + IMG_CODE, 8); /* e_entry */
	put(img + 32, ELF_EHDR_SIZE, 8);	/* e_phoff */
	put(img + 52, ELF_EHDR_SIZE, 2);
	put(img + 54, ELF_PHDR_SIZE, 2);
	put(img + 56, 1, 2); /* e_phnum */
	put(ph, ELF_PT_LOAD, 4);
	put(ph + 4, ELF_PF_R | ELF_PF_X, 4);
	put(ph + 16, IMG_VADDR, 8);
	put(ph + 32, size, 8); /* p_filesz */
	put(ph + 40, size, 8); /* p_memsz */
	for (size_t i = 0; i < sizeof(prog_code); i++)
		img[IMG_CODE + i] = prog_code[i];
	return size;
}

static uint64_t free_frames(void)
{
	struct mm_frame_stats st;

	mm_frame_stats(&kmem.frames, &st);
	return st.free_frames;
}

/* Load the test program, run it with the GETPID return rip set to rip. */
static bool run_with_return(uint64_t rip, struct proc *p)
{
	*p = (struct proc){.pid = 1000, .name = "ktest"};
	KT_CHECK(proc_load(p, img, build_image()) == NULL);
	syscall_test_return_rip = rip;
	proc_run(p);
	proc_destroy(p);
	KT_CHECK(syscall_test_return_rip == 0); /* the hook was consumed */
	return true;
}

/* The untampered program exits 0, every frame comes back. */
static bool user_program_runs_and_exits(void)
{
	uint64_t before = free_frames();
	struct proc p;

	KT_CHECK(run_with_return(0, &p));
	KT_CHECK(p.end == PROC_EXITED && p.code == 0);
	KT_CHECK(free_frames() == before);
	return true;
}

/*
 * A non-canonical return rip reaches the guard on the real exit path and
 * the guard kills the program (vector UARCH_KILL_RETURN). Without the
 * guard, SYSRET would take a #GP in ring 0 on Intel CPUs (the boot ends
 * with 37) or, where the CPU (or QEMU's TCG) faults in ring 3 instead,
 * the program dies of that fault: a different vector, and this fails.
 */
static bool user_return_noncanonical_killed(void)
{
	uint64_t before = free_frames();
	struct proc p;

	KT_CHECK(run_with_return(NONCANON, &p));
	KT_CHECK(p.end == PROC_KILLED && p.vector == UARCH_KILL_RETURN);
	KT_CHECK(run_with_return(~0ull, &p));
	KT_CHECK(p.end == PROC_KILLED && p.vector == UARCH_KILL_RETURN);
	KT_CHECK(free_frames() == before);
	return true;
}

/*
 * A canonical kernel-half return rip is refused by the guard too; the
 * last user page is not (it is user half): its fetch faults in ring 3.
 */
static bool user_return_kernel_half_killed(void)
{
	struct proc p;

	KT_CHECK(run_with_return(KERNEL_RIP, &p));
	KT_CHECK(p.end == PROC_KILLED && p.vector == UARCH_KILL_RETURN);
	KT_CHECK(run_with_return(NONCANON - MM_FRAME_SIZE, &p));
	KT_CHECK(p.end == PROC_KILLED && p.vector == PF_VECTOR);
	return true;
}

/*
 * A program's PML4: 510 Present|User, not Writable; 509 Present|Writable,
 * not User; every kernel-half slot present (the process and resource maps
 * 507 and 508 included: a program is a process) and not User; user half
 * empty but for the shared bitmap slot 255.
 */
static bool user_pml4_bits(void)
{
	static uint64_t e[MM_PT_ENTRIES];
	uint64_t pml4, pid, before = free_frames();
	const volatile uint64_t *live;

	KT_OK(exoproc_create(&pml4, &pid));
	live = aspace_kmap(pml4);
	for (unsigned i = 0; i < MM_PT_ENTRIES; i++)
		e[i] = live[i];
	aspace_kunmap();
	exoproc_destroy(pid);
	KT_CHECK(free_frames() == before);
	KT_CHECK(MM_PTE_ADDR(e[510]) == pml4 && MM_PTE_ADDR(e[509]) == pml4);
	KT_CHECK((e[510] & (MM_PTE_PRESENT | MM_PTE_USER | MM_PTE_WRITE)) ==
		 (MM_PTE_PRESENT | MM_PTE_USER));
	KT_CHECK((e[509] & (MM_PTE_PRESENT | MM_PTE_USER | MM_PTE_WRITE)) ==
		 (MM_PTE_PRESENT | MM_PTE_WRITE));
	for (unsigned i = 256; i < MM_PT_ENTRIES; i++) {
		KT_CHECK(e[i] & MM_PTE_PRESENT);
		KT_CHECK(i == 510 || !(e[i] & MM_PTE_USER));
	}
	for (unsigned i = 0; i < 255; i++) /* 255: ktest_exok.c */
		KT_CHECK(e[i] == 0);
	return true;
}

/*
 * SMEP and SMAP, where the CPU has them: in a program's address space the
 * kernel can neither run nor read the program's code page.
 */
static bool user_smep_smap_fault(void)
{
	struct proc p = {.pid = 1001, .name = "ktest"};
	uint64_t v;
	int exec_faulted, read_faulted;

	KT_CHECK(proc_load(&p, img, build_image()) == NULL);
	aspace_switch(p.pml4);
	exec_faulted = uarch_smep() ? arch_probe_exec(IMG_VADDR) : 1;
	read_faulted = uarch_smap() ? arch_probe_read(IMG_VADDR, &v) : 1;
	aspace_switch(aspace_kernel());
	proc_destroy(&p);
	KT_CHECK(exec_faulted == 1 && read_faulted == 1);
	KT_CHECK(!uarch_smep() || arch_fault_expect.vector == PF_VECTOR);
	return true;
}

/*
 * The kernel half is shared: a kernel mapping made after a program's PML4
 * was built (new PD and PT under the shared PDPT of PML4[506]) is seen
 * from inside that address space, and its removal too.
 */
static bool user_kernel_half_shared(void)
{
	uint64_t va = ASPACE_SCRATCH + 2 * MM_PAGE_1G, pml4, pfn, v = 0;
	uint64_t before = free_frames();
	bool read_ok, gone;

	KT_OK(aspace_create(&pml4));
	KT_OK(mm_frame_alloc(&kmem.frames, &pfn));
	KT_OK(mm_map(&kmem.vm, va, MM_PFN_TO_PADDR(pfn), MM_PAGE_4K,
		     MM_PROT_WRITE));
	*(volatile uint64_t *)va = 0x5A5EDull;
	aspace_switch(pml4);
	read_ok = arch_probe_read(va, &v) == 0 && v == 0x5A5EDull;
	aspace_switch(aspace_kernel());
	KT_OK(mm_unmap(&kmem.vm, va, NULL, NULL));
	aspace_switch(pml4);
	gone = arch_probe_read(va, &v) == 1;
	aspace_switch(aspace_kernel());
	aspace_destroy(pml4);
	KT_OK(mm_frame_free(&kmem.frames, pfn));
	KT_CHECK(read_ok && gone);
	KT_CHECK(free_frames() == before);
	return true;
}

/*
 * libmm's fill counts hold after the kernel half was filled behind its
 * back (aspace_init recounts) and in a loaded program's address space
 * (aspace_create sets the new PML4's count; libmm keeps the rest).
 */
static bool user_fill_counts_hold(void)
{
	struct proc p = {.pid = 1002, .name = "ktest"};
	mm_status_t in_program;

	KT_OK(mm_vm_check(&kmem.vm));
	KT_CHECK(proc_load(&p, img, build_image()) == NULL);
	aspace_switch(p.pml4);
	in_program = mm_vm_check(&kmem.vm);
	aspace_switch(aspace_kernel());
	proc_destroy(&p);
	KT_OK(in_program);
	KT_OK(mm_vm_check(&kmem.vm));
	return true;
}

/*
 * The registry is sized from RAM (exoproc.h); calls 21-28 from an address
 * space without the maps (the kernel's own) are refused, not a kernel #PF.
 */
static bool user_exoproc_registry(void)
{
	struct mm_frame_stats s;
	struct uarch_frame f = {.rax = XOMB_SYS_YIELD_PROCESS};
	uint64_t want;
	int64_t r;

	mm_frame_stats(&kmem.frames, &s);
	want = s.total_frames / EXOPROC_FRAMES_PER_RECORD;
	want = want < EXOPROC_MIN_RECORDS ? EXOPROC_MIN_RECORDS : want;
	want = want > MM_PROC_MAX ? MM_PROC_MAX : want;
	KT_CHECK(exoproc.records == want);
	/* The rounded-up pages may hold a few more. */
	KT_CHECK(exoproc.p.cap >= want && exoproc.p.cap <= MM_PROC_MAX);
	KT_CHECK(exoproc.p.nproc == 1 && exoproc.p.nres == 0);
	f.rdi = exoproc.init_pid;
	kmem_unlock();
	r = exoproc_syscall(&f);
	kmem_lock();
	KT_CHECK(r == XOMB_INVALID_TARGET);
	f.rax = XOMB_SYS_MAP_UPCALL;
	kmem_unlock();
	r = exoproc_syscall(&f);
	kmem_lock();
	KT_CHECK(r == XOMB_INVALID_TARGET);
	return true;
}

/* images_parse: `image NAME` only; anything else is not or is malformed. */
static bool user_images_parse(void)
{
	char name[XOMB_IMAGE_NAME];
	char longest[XOMB_IMAGE_NAME + 8] = "image ";

	KT_CHECK(images_parse("image proc_child", name) == 1);
	KT_CHECK(name[0] == 'p' && name[9] == 'd' && name[10] == 0);
	KT_CHECK(images_parse("  image  a  ", name) == 1 && name[1] == 0);
	KT_CHECK(images_parse("program proc_child", name) == 0);
	KT_CHECK(images_parse("imagex a", name) == 0);
	KT_CHECK(images_parse("imag a", name) == 0);
	KT_CHECK(images_parse("", name) == 0);
	KT_CHECK(images_parse("image", name) == -1);
	KT_CHECK(images_parse("image a b", name) == -1);
	for (unsigned i = 6; i < 6u + XOMB_IMAGE_NAME - 1u; i++)
		longest[i] = 'n';
	KT_CHECK(images_parse(longest, name) == 1); /* 47 bytes: fits */
	longest[6u + XOMB_IMAGE_NAME - 1u] = 'n';
	KT_CHECK(images_parse(longest, name) == -1); /* 48: too long */
	return true;
}

const struct ktest ktest_user_tests[] = {
	{"user_images_parse", user_images_parse},
	{"user_exoproc_registry", user_exoproc_registry},
	{"user_program_runs_and_exits", user_program_runs_and_exits},
	{"user_return_noncanonical_killed", user_return_noncanonical_killed},
	{"user_return_kernel_half_killed", user_return_kernel_half_killed},
	{"user_pml4_bits", user_pml4_bits},
	{"user_smep_smap_fault", user_smep_smap_fault},
	{"user_kernel_half_shared", user_kernel_half_shared},
	{"user_fill_counts_hold", user_fill_counts_hold},
};
const size_t ktest_user_count =
	sizeof(ktest_user_tests) / sizeof(ktest_user_tests[0]);
