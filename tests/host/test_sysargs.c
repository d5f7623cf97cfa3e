/*
 * The system-call argument checks (kernel/sysargs.c) on the simulated
 * machine in strict TLB mode: every error of WRITE provoked at its
 * boundary, and a randomized comparison (fixed seed) with what the
 * simulated CPU lets a ring-3 program read: sysargs_write() accepts a
 * buffer exactly when a user-mode read of each of its bytes succeeds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mm/paging.h"
#include "mm_sim.h"
#include "sysargs.h"
#include "xomb/abi.h"
#include "xorshift.h"

#define RAM	    (32u << 20)
#define PAGE	    MM_PAGE_4K
#define USER_VA	    0x0000000000400000ull /* pages 0..7: a mixed layout */
#define KERNEL_VA   0xFFFF800000000000ull
#define RANDOM_RUNS 20000u

static struct mm_sim *sim;
static struct mm_vm *vm;

/*
 * USER_VA + i * PAGE for i in [0, 8): user, user, unmapped, user
 * (read-only), kernel-only, user, unmapped, user. A kernel-half page too.
 */
static const int layout[8] = {1, 1, 0, 1, 2, 1, 0, 1};

static void map_page(mm_vaddr_t va, unsigned prot)
{
	mm_pfn_t pfn;

	assert_int_equal(mm_frame_alloc(mm_sim_frames(sim), &pfn), MM_OK);
	assert_int_equal(mm_map(vm, va, MM_PFN_TO_PADDR(pfn), PAGE, prot),
			 MM_OK);
}

static int setup(void **state)
{
	(void)state;
	sim = mm_sim_create(RAM, MM_SIM_NX | MM_SIM_1G);
	if (sim == NULL)
		return -1;
	mm_sim_set_strict(sim, true);
	vm = mm_sim_vm(sim);
	for (unsigned i = 0; i < 8; i++) {
		if (layout[i] == 1)
			map_page(USER_VA + i * PAGE,
				 MM_PROT_USER | (i == 3 ? 0 : MM_PROT_WRITE));
		if (layout[i] == 2)
			map_page(USER_VA + i * PAGE, MM_PROT_WRITE);
	}
	map_page(KERNEL_VA, MM_PROT_WRITE);
	return 0;
}

static int teardown(void **state)
{
	struct mm_sim_stats st;

	(void)state;
	mm_sim_stats(sim, &st);
	mm_sim_destroy(sim);
	return st.stale_hits == 0 && st.strict_violations == 0 ? 0 : -1;
}

/* A buffer inside user pages is accepted, up to XOMB_WRITE_MAX bytes. */
static void test_write_user_buffer_ok(void **state)
{
	(void)state;
	assert_int_equal(sysargs_write(vm, USER_VA, 1), 0);
	assert_int_equal(sysargs_write(vm, USER_VA + 100, XOMB_WRITE_MAX), 0);
	assert_int_equal(sysargs_write(vm, USER_VA + 3 * PAGE, 8), 0);
	assert_int_equal(sysargs_write(vm, USER_VA + 6 * PAGE - 1, 0), 0);
}

/* One byte over XOMB_WRITE_MAX, and any huge length: XOMB_ETOOBIG first. */
static void test_write_too_big(void **state)
{
	(void)state;
	assert_int_equal(sysargs_write(vm, USER_VA, XOMB_WRITE_MAX + 1),
			 XOMB_ETOOBIG);
	assert_int_equal(sysargs_write(vm, KERNEL_VA, UINT64_MAX),
			 XOMB_ETOOBIG);
	assert_int_equal(sysargs_write(vm, 0, 1ull << 63), XOMB_ETOOBIG);
}

/* Unmapped, kernel-only, kernel half, hole, wrap: XOMB_EFAULT. */
static void test_write_bad_buffers(void **state)
{
	(void)state;
	assert_int_equal(sysargs_write(vm, USER_VA + 2 * PAGE, 1), XOMB_EFAULT);
	assert_int_equal(sysargs_write(vm, USER_VA + 2 * PAGE - 1, 2),
			 XOMB_EFAULT); /* straddles into the hole */
	assert_int_equal(sysargs_write(vm, USER_VA + 4 * PAGE, 1),
			 XOMB_EFAULT); /* supervisor page */
	assert_int_equal(sysargs_write(vm, USER_VA + 4 * PAGE - 8, 16),
			 XOMB_EFAULT);
	assert_int_equal(sysargs_write(vm, KERNEL_VA, 8), XOMB_EFAULT);
	assert_int_equal(sysargs_write(vm, 0x0000800000000000ull, 1),
			 XOMB_EFAULT);
	assert_int_equal(sysargs_write(vm, 0x00007FFFFFFFFFFFull, 2),
			 XOMB_EFAULT);
	assert_int_equal(sysargs_write(vm, UINT64_MAX - 10, 100), XOMB_EFAULT);
}

/* Can a ring-3 program read every byte of [buf, buf + len)? */
static int user_can_read(uint64_t buf, uint64_t len)
{
	for (uint64_t va = buf & ~(PAGE - 1); len && va < buf + len;
	     va += PAGE) {
		if (mm_sim_access(sim, va, MM_SIM_READ | MM_SIM_USER, NULL) !=
		    MM_OK)
			return 0;
	}
	return 1;
}

/* Random buffers over the layout agree with the simulated CPU. */
static void test_write_matches_cpu(void **state)
{
	uint64_t seed = 0x5EED12ull;
	unsigned accepted = 0, refused = 0;

	(void)state;
	for (unsigned i = 0; i < RANDOM_RUNS; i++) {
		uint64_t buf =
			USER_VA - PAGE + xorshift64star(&seed) % (10 * PAGE);
		uint64_t len = xorshift64star(&seed) % (XOMB_WRITE_MAX + 1);
		int64_t got = sysargs_write(vm, buf, len);

		assert_int_equal(got == 0, user_can_read(buf, len));
		assert_true(got == 0 || got == XOMB_EFAULT);
		if (got == 0)
			accepted++;
		else
			refused++;
	}
	assert_true(accepted > RANDOM_RUNS / 10 && refused > RANDOM_RUNS / 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_user_buffer_ok),
		cmocka_unit_test(test_write_too_big),
		cmocka_unit_test(test_write_bad_buffers),
		cmocka_unit_test(test_write_matches_cpu),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
