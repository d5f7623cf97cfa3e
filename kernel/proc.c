/*
 * Owns the life of a program: loading its ELF image into a fresh address
 * space, running it in ring 3, and its end by EXIT or by a kill (a ring-3
 * exception or a refused return rip), which prints one line and frees
 * nothing yet: the caller destroys the address space after proc_run().
 */
#include "proc.h"

#include "aspace.h"
#include "elf.h"
#include "exoproc.h"
#include "kmem.h"
#include "kprintf.h"
#include "panic.h"
#include "uarch.h"
#include "xomb/abi.h"

#define PAGE	  MM_FRAME_SIZE
#define PF_VECTOR 14u /* only a page fault sets CR2 */

/* Where segments may go: the user half below the images (abi.h). */
static const struct elf_limits proc_limits = {XOMB_USER_MIN, XOMB_IMAGES_VA};

_Static_assert(XOMB_IMAGES_VA + XOMB_IMAGES_SPAN <=
		       XOMB_STACK_TOP - (XOMB_STACK_PAGES + 1u) * PAGE,
	       "the images lie below the stack and its guard");

static struct proc *current;

struct proc *proc_current(void)
{
	return current;
}

static uint64_t proc_page_down(uint64_t v)
{
	return v & ~(PAGE - 1);
}

/*
 * The bytes of the file image that land in the page at va of segment s:
 * [*from, *from + *n) of the image go to page offset *at.
 */
static void proc_page_bytes(const struct elf_segment *s, uint64_t va,
			    uint64_t *from, uint64_t *at, uint64_t *n)
{
	uint64_t lo = va > s->vaddr ? va : s->vaddr;
	uint64_t hi = va + PAGE;
	uint64_t file_end = s->vaddr + s->filesz;

	if (hi > file_end)
		hi = file_end;
	*at = lo - va;
	*n = hi > lo ? hi - lo : 0;
	*from = s->offset + (lo - s->vaddr);
}

mm_status_t proc_map_page(uint64_t va, const uint8_t *src, uint64_t at,
			  uint64_t n, unsigned prot)
{
	uint64_t pfn;
	uint8_t *p;
	mm_status_t st;

	if (mm_frame_alloc(&kmem.frames, &pfn) != MM_OK)
		return MM_ERR_NOMEM;
	p = aspace_kmap(MM_PFN_TO_PADDR(pfn));
	for (uint64_t i = 0; i < PAGE; i++)
		p[i] = 0;
	for (uint64_t i = 0; i < n; i++)
		p[at + i] = src[i];
	aspace_kunmap();
	st = mm_map(&kmem.vm, va, MM_PFN_TO_PADDR(pfn), MM_PAGE_4K,
		    prot | MM_PROT_USER);
	if (st != MM_OK)
		mm_frame_free(&kmem.frames, pfn);
	return st;
}

static mm_status_t proc_map_segment(const uint8_t *img,
				    const struct elf_segment *s)
{
	uint64_t end = s->vaddr + s->memsz;

	for (uint64_t va = proc_page_down(s->vaddr); va < end; va += PAGE) {
		uint64_t from, at, n;
		mm_status_t st;

		proc_page_bytes(s, va, &from, &at, &n);
		st = proc_map_page(va, n ? img + from : NULL, at, n, s->prot);
		if (st != MM_OK)
			return st;
	}
	return MM_OK;
}

static mm_status_t proc_map_all(const void *img, const struct elf_image *im)
{
	struct elf_segment s;
	mm_status_t st = MM_OK;

	for (unsigned i = 0; i < im->nsegments && st == MM_OK; i++) {
		elf_segment(img, im, i, &s);
		st = proc_map_segment(img, &s);
	}
	for (unsigned i = 1; i <= XOMB_STACK_PAGES && st == MM_OK; i++)
		st = proc_map_page(XOMB_STACK_TOP - i * PAGE, NULL, 0, 0,
				   MM_PROT_WRITE);
	return st;
}

const char *proc_load(struct proc *p, const void *img, size_t size)
{
	struct elf_image im;
	const char *why = elf_check(img, size, &proc_limits, &im);
	mm_status_t st;

	p->pml4 = 0;
	if (why != NULL)
		return why;
	if (exoproc_create(&p->pml4, &p->xpid) != MM_OK)
		return "out_of_memory";
	p->entry = im.entry;
	aspace_switch(p->pml4);
	st = proc_map_all(img, &im);
	aspace_switch(aspace_kernel());
	if (st == MM_OK)
		return NULL;
	proc_destroy(p);
	return "out_of_memory";
}

void proc_destroy(struct proc *p)
{
	if (p->pml4 != 0)
		exoproc_destroy(p->xpid);
	p->pml4 = 0;
}

void proc_run(struct proc *p)
{
	current = p;
	exoproc_syscall_seen();
	exoproc.fr.pending = false; /* each program starts with no free */
	p->end = PROC_EXITED;
	p->code = 0;
	aspace_switch(p->pml4);
	kmem_unlock();
	uarch_enter(p->entry, XOMB_STACK_TOP, p->xpid);
	if (uarch_rflags() & (UARCH_RFLAGS_AC | UARCH_RFLAGS_DF))
		panic("user: back from pid %u with rflags %#lx (AC or DF set)",
		      p->pid, uarch_rflags());
	kmem_lock();
	aspace_switch(aspace_kernel());
	current = NULL;
}

_Noreturn void proc_exit(uint64_t code)
{
	current->end = PROC_EXITED;
	current->code = code;
	uarch_leave(0);
}

_Noreturn void uarch_user_killed(uint64_t vector, uint64_t error, uint64_t rip,
				 uint64_t cr2)
{
	struct proc *p = current;

	if (p == NULL)
		panic("user: ring-3 exception %lu with no program", vector);
	if (vector == PF_VECTOR)
		exoproc_fault(error, rip, cr2);
	exoproc_end(vector == UARCH_KILL_RETURN ? "noncanonical_return"
						: "fault",
		    vector, rip);
	if (vector == UARCH_KILL_RETURN)
		kprintf("user: killed pid=%u reason=noncanonical_return "
			"rip=%#lx\n",
			p->pid, rip);
	else
		kprintf("user: fault pid=%u vector=%lu rip=%#lx cr2=%#lx\n",
			p->pid, vector, rip, vector == PF_VECTOR ? cr2 : 0);
	p->end = PROC_KILLED;
	p->vector = vector;
	uarch_leave(1);
}
