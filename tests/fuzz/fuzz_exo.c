/*
 * libFuzzer target for XOmB's memory primitives (mm/exo.h): an arbitrary
 * sequence of ALLOC_PAGE, REMAP_PAGE, CHMOD_PAGE, UNMAP_PAGE and MAP_ZERO
 * calls, with GRANT set and cleared by hand, on the simulated machine in
 * strict TLB mode (a missing invalidation aborts), each call predicted by
 * the reference of who owns what (tests/common/exo_ref.h) and compared:
 * result, invlpg count, the entries, frames and user accesses it touched.
 * The first byte picks the CPU (NX or not); every 16 bytes after it are one
 * call. At the end everything is compared, then unmapped through the
 * primitives, and every frame must be back. Here a mismatch aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exo_ref.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CALLS 4096u

/* A mismatch with the reference: print it and abort. */
static void ref_fail(void *ctx, const char *what, uint64_t got, uint64_t want)
{
	const struct exo_ref *ref = ctx;

	fprintf(stderr, "fuzz_exo: call %llu: %s = 0x%llx, model 0x%llx\n",
		(unsigned long long)ref->steps, what, (unsigned long long)got,
		(unsigned long long)want);
	abort();
}

static uint64_t word(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct exo_ref ref;
	size_t off, calls = 0;

	if (size < 1)
		return 0;
	CHECK(exo_ref_init(&ref, (data[0] & 1u) ? MM_SIM_NX : 0, ref_fail,
			   &ref));
	for (off = 1; off + 16 <= size && calls < MAX_CALLS; off += 16) {
		exo_ref_step(&ref, word(data + off), word(data + off + 8));
		calls++;
	}
	exo_ref_check_all(&ref);
	exo_ref_drain(&ref);
	exo_ref_fini(&ref);
	return 0;
}
