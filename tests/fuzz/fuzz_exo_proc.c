/*
 * libFuzzer target for XOmB's processes and resources (mm/exo_proc.h): an
 * arbitrary sequence of ALLOC / FREE / YIELD_PROCESS, kill, MAP_UPCALL,
 * ALLOC / GRANT / REVOKE / CHOWN RESOURCE, resources filled and emptied
 * through mm/exo.h, roots unmapped, private memory, user writes and CR3
 * switches, on the simulated machine in strict TLB mode (a missing
 * invalidation aborts), each call predicted by the reference of who owns
 * and who is granted what (tests/common/proc_ref.h) and checked by
 * user-mode accesses and the allocator's free count. Every 4 bytes are one
 * call. At the end every process is checked, then killed, and every frame
 * must be back. A mismatch aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_check.h"
#include "proc_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CALLS 2048u

/* A mismatch with the reference: print it and abort. */
static void ref_fail(void *ctx, const char *what, uint64_t got, uint64_t want)
{
	const struct pref *m = ctx;

	fprintf(stderr, "fuzz_exo_proc: call %llu: %s = 0x%llx, model 0x%llx\n",
		(unsigned long long)m->steps, what, (unsigned long long)got,
		(unsigned long long)want);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pref m;
	size_t off, calls = 0;

	CHECK(pref_init(&m, ref_fail, &m));
	for (off = 0; off + 4 <= size && calls < MAX_CALLS; off += 4) {
		pref_step(&m, data[off], data[off + 1], data[off + 2],
			  data[off + 3]);
		calls++;
	}
	pref_check_all(&m);
	pref_finish(&m);
	pref_destroy(&m);
	return 0;
}
