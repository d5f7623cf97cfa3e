/*
 * The reference model of paging (see paging_ref.h): the list of mappings,
 * the rules that predict every status of the paging calls on valid
 * arguments, and the comparison of the simulated machine with it. Argument
 * validation (bad prot, bad size, unsupported page size) stays with the
 * callers, which predict those statuses before asking the model.
 */
#include "paging_ref.h"

#include "mm/pte.h"

void paging_ref_init(struct paging_ref *ref, struct paging_ref_map *maps,
		     size_t cap, uint32_t features, paging_ref_fail_fn fail,
		     void *ctx)
{
	*ref = (struct paging_ref){maps, 0, cap, features, fail, ctx};
}

void paging_ref_expect(const struct paging_ref *ref, const char *what,
		       uint64_t got, uint64_t want)
{
	if (got != want)
		ref->fail(ref->ctx, what, got, want);
}

/* The model. */

struct paging_ref_map *paging_ref_covering(const struct paging_ref *ref,
					   mm_vaddr_t va)
{
	for (size_t i = 0; i < ref->n; i++) {
		if (va - ref->maps[i].va < ref->maps[i].size)
			return &ref->maps[i];
	}
	return NULL;
}

/* True iff a mapping starts in [va, va + size). */
static bool any_inside(const struct paging_ref *ref, mm_vaddr_t va,
		       uint64_t size)
{
	for (size_t i = 0; i < ref->n; i++) {
		if (ref->maps[i].va - va < size)
			return true;
	}
	return false;
}

mm_status_t paging_ref_map_status(const struct paging_ref *ref, mm_vaddr_t va,
				  uint64_t size)
{
	const struct paging_ref_map *m = paging_ref_covering(ref, va);

	if (m != NULL && m->size > size)
		return MM_ERR_HUGE_CONFLICT;
	if (m != NULL && m->va == va && m->size == size)
		return MM_ERR_MAPPED;
	if (any_inside(ref, va, size))
		return MM_ERR_HUGE_CONFLICT;
	return MM_OK;
}

mm_status_t paging_ref_find(const struct paging_ref *ref, mm_vaddr_t va,
			    struct paging_ref_map **m)
{
	*m = paging_ref_covering(ref, va);
	if (*m == NULL)
		return MM_ERR_NOT_MAPPED;
	return (*m)->va == va ? MM_OK : MM_ERR_INVALID;
}

uint64_t paging_ref_range_page(const struct paging_ref *ref, mm_vaddr_t va,
			       mm_paddr_t pa, uint64_t left)
{
	uint64_t size = (ref->features & MM_SIM_1G) ? MM_PAGE_1G : MM_PAGE_2M;

	for (; size > MM_PAGE_4K; size >>= MM_PT_INDEX_BITS) {
		if (((va | pa) & (size - 1u)) == 0 && left >= size)
			break;
	}
	return size;
}

mm_status_t paging_ref_range_status(const struct paging_ref *ref, mm_vaddr_t va,
				    mm_paddr_t pa, uint64_t len,
				    uint64_t max_pages, uint64_t *pages)
{
	mm_status_t st = MM_OK;
	uint64_t done = 0, size;

	for (*pages = 0; done < len && st == MM_OK && *pages <= max_pages;
	     (*pages)++) {
		size = paging_ref_range_page(ref, va + done, pa + done,
					     len - done);
		st = paging_ref_map_status(ref, va + done, size);
		done += size;
	}
	return st;
}

/* True iff a mapping holds both boundary - 1 and boundary. */
static bool straddles(const struct paging_ref *ref, mm_vaddr_t boundary)
{
	const struct paging_ref_map *m = paging_ref_covering(ref, boundary);

	return m != NULL && m->va != boundary;
}

mm_status_t paging_ref_unmap_range_status(const struct paging_ref *ref,
					  mm_vaddr_t va, uint64_t len)
{
	if (straddles(ref, va) || straddles(ref, va + len))
		return MM_ERR_HUGE_CONFLICT;
	return MM_OK;
}

void paging_ref_add(struct paging_ref *ref, mm_vaddr_t va, mm_paddr_t pa,
		    uint64_t size, unsigned prot)
{
	PAGING_REF_EXPECT(ref, ref->n < ref->cap, true);
	ref->maps[ref->n++] = (struct paging_ref_map){va, pa, size, prot};
}

void paging_ref_add_range(struct paging_ref *ref, mm_vaddr_t va, mm_paddr_t pa,
			  uint64_t len, unsigned prot)
{
	uint64_t done, size;

	for (done = 0; done < len; done += size) {
		size = paging_ref_range_page(ref, va + done, pa + done,
					     len - done);
		paging_ref_add(ref, va + done, pa + done, size, prot);
	}
}

void paging_ref_remove(struct paging_ref *ref, struct paging_ref_map *m)
{
	*m = ref->maps[--ref->n];
}

void paging_ref_unmap(struct paging_ref *ref, struct paging_ref_map *m,
		      mm_paddr_t pa, uint64_t size)
{
	PAGING_REF_EXPECT(ref, pa, m->pa);
	PAGING_REF_EXPECT(ref, size, m->size);
	paging_ref_remove(ref, m);
}

void paging_ref_remove_range(struct paging_ref *ref, mm_vaddr_t va,
			     uint64_t len)
{
	size_t i = 0;

	while (i < ref->n) {
		if (ref->maps[i].va - va < len)
			paging_ref_remove(ref, &ref->maps[i]);
		else
			i++;
	}
}

/* Comparing the machine with the model. */

uint64_t paging_ref_free_frames(struct mm_sim *sim)
{
	struct mm_frame_stats fs;

	mm_frame_stats(mm_sim_frames(sim), &fs);
	return fs.free_frames;
}

bool paging_ref_judge_map(const struct paging_ref *ref, struct mm_sim *sim,
			  mm_status_t st, mm_status_t want, bool injected,
			  uint64_t free_before)
{
	if (injected && want == MM_OK && st == MM_ERR_NOMEM) {
		PAGING_REF_EXPECT(ref, paging_ref_free_frames(sim),
				  free_before);
		return false;
	}
	PAGING_REF_EXPECT(ref, st, want);
	return st == MM_OK;
}

/* What mm_translate reports for a page mapped with prot. */
static unsigned seen_prot(const struct paging_ref *ref, unsigned prot)
{
	prot &= ~MM_PROT_ALLOW_WX;
	if (!(ref->features & MM_SIM_NX))
		prot |= MM_PROT_EXEC;
	if ((prot & MM_PROT_WRITE) && (prot & MM_PROT_EXEC))
		prot |= MM_PROT_ALLOW_WX;
	return prot;
}

/* Simulated accesses at va, m being the mapping holding it or NULL. */
static void check_access(const struct paging_ref *ref, struct mm_sim *sim,
			 mm_vaddr_t va, const struct paging_ref_map *m)
{
	unsigned prot = m ? seen_prot(ref, m->prot) : 0;
	mm_status_t denied = m ? MM_ERR_INVALID : MM_ERR_NOT_MAPPED;
	mm_paddr_t pa = 0;

	PAGING_REF_EXPECT(ref, mm_sim_access(sim, va, MM_SIM_READ, &pa),
			  m ? MM_OK : MM_ERR_NOT_MAPPED);
	if (m != NULL)
		PAGING_REF_EXPECT(ref, pa, m->pa + (va - m->va));
	PAGING_REF_EXPECT(ref, mm_sim_access(sim, va, MM_SIM_WRITE, NULL),
			  (prot & MM_PROT_WRITE) ? MM_OK : denied);
	PAGING_REF_EXPECT(ref, mm_sim_access(sim, va, MM_SIM_EXEC, NULL),
			  (prot & MM_PROT_EXEC) ? MM_OK : denied);
	PAGING_REF_EXPECT(
		ref, mm_sim_access(sim, va, MM_SIM_READ | MM_SIM_USER, NULL),
		(prot & MM_PROT_USER) ? MM_OK : denied);
}

void paging_ref_check_at(const struct paging_ref *ref, struct mm_sim *sim,
			 mm_vaddr_t va)
{
	const struct paging_ref_map *m = paging_ref_covering(ref, va);
	mm_paddr_t pa = 0;
	uint64_t size = 0;
	unsigned prot = 0;

	PAGING_REF_EXPECT(ref,
			  mm_translate(mm_sim_vm(sim), va, &pa, &size, &prot),
			  m ? MM_OK : MM_ERR_NOT_MAPPED);
	if (m != NULL) {
		PAGING_REF_EXPECT(ref, pa, m->pa + (va - m->va));
		PAGING_REF_EXPECT(ref, size, m->size);
		PAGING_REF_EXPECT(ref, prot, seen_prot(ref, m->prot));
	}
	check_access(ref, sim, va, m);
}

void paging_ref_check_span(const struct paging_ref *ref, struct mm_sim *sim,
			   mm_vaddr_t va, uint64_t size, uint64_t mid)
{
	paging_ref_check_at(ref, sim, va);
	paging_ref_check_at(ref, sim, va + size - 8u);
	paging_ref_check_at(ref, sim, va + mid);
}
