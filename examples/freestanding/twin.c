/*
 * The minimal kernel's hosted twin: mini.c's logic on the host, linked
 * against libmm::host. The allocator runs over the same memory map as in
 * the kernel; the page is mapped in the live tables of libmm's simulated
 * machine (strict mode: a missing TLB invalidation aborts), which also
 * provides every mm/port.h function. Prints one line per step; exit status
 * 0 when every step returned MM_OK.
 */
#include <stdio.h>

#include "mini.h"
#include "mm_sim.h"

/* The image of a kernel loaded at 1 MiB, as start.c gets it from link.ld. */
#define TWIN_IMAGE_PA  0x100000u
#define TWIN_IMAGE_LEN 0x23456u

static int twin_step(const char *what, mm_status_t st)
{
	printf("mini_twin: %s: %s\n", what, mm_status_str(st));
	return st != MM_OK;
}

int main(void)
{
	static struct mm_frames fa;
	struct mm_frame_stats st;
	struct mm_sim *sim;
	int bad;

	bad = twin_step("frames init",
			mini_frames_init(&fa, TWIN_IMAGE_PA, TWIN_IMAGE_LEN));
	if (bad)
		return 1;
	mm_frame_stats(&fa, &st);
	printf("mini_twin: total_frames=%llu free_frames=%llu\n",
	       (unsigned long long)st.total_frames,
	       (unsigned long long)st.free_frames);
	bad |= twin_step("frames exercise", mini_frames_exercise(&fa));
	sim = mm_sim_create(64u << 20, MM_SIM_NX);
	if (sim == NULL)
		return twin_step("mm_sim_create", MM_ERR_NOMEM);
	mm_sim_set_strict(sim, true);
	bad |= twin_step("map page",
			 mini_map_page(mm_sim_vm(sim), mm_sim_frames(sim)));
	mm_sim_destroy(sim);
	return bad;
}
