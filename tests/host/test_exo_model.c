/*
 * Randomized model test of XOmB's memory primitives (mm/exo.h): ALLOC_PAGE,
 * REMAP_PAGE, CHMOD_PAGE, UNMAP_PAGE and MAP_ZERO, with GRANT set and
 * cleared by hand now and then, on the simulated machine in strict TLB mode
 * and on the reference of who owns what (tests/common/exo_ref.h), which
 * predicts every result and invalidation count. After every call the
 * entries, frames and user accesses it touched are compared; every
 * FULL_CHECK_EVERY calls everything is. Each run ends by unmapping
 * everything through the primitives: every frame comes back. Fixed seeds:
 * a failure replays exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "exo_ref.h"
#include "xorshift.h"

#define STEPS		 35000u
#define FULL_CHECK_EVERY 1000u

/* A mismatch with the model fails the test at the current step. */
static void ref_fail(void *ctx, const char *what, uint64_t got, uint64_t want)
{
	const struct exo_ref *ref = ctx;

	print_error("step %llu: %s = 0x%llx, model 0x%llx\n",
		    (unsigned long long)ref->steps, what,
		    (unsigned long long)got, (unsigned long long)want);
	fail();
}

/*
 * Every code each call can return was seen at least once, no other. Without
 * NX a table entry can only be Present: CHMOD never changes one, so it
 * cannot be NOT_EMPTY.
 */
static void expect_codes(const struct exo_ref *ref)
{
	static const unsigned want[EXO_OP_GRANT][EXO_REF_CODES] = {
		[EXO_OP_ALLOC] = {1, 1, 1, 0, 0, 1, 0},
		[EXO_OP_REMAP] = {1, 0, 0, 0, 1, 1, 0},
		[EXO_OP_CHMOD] = {1, 1, 0, 0, 1, 0, 1},
		[EXO_OP_UNMAP] = {1, 0, 0, 0, 1, 0, 1},
		[EXO_OP_ZERO] = {1, 1, 0, 0, 0, 1, 0},
	};
	bool nx = (ref->features & MM_SIM_NX) != 0;
	unsigned op, code;

	for (op = 0; op < EXO_OP_GRANT; op++) {
		for (code = 0; code < EXO_REF_CODES; code++) {
			bool chmod_table =
				op == EXO_OP_CHMOD && code == MM_EXO_NOT_EMPTY;

			if (want[op][code] && (nx || !chmod_table))
				assert_true(ref->tally[op][code] > 0);
			else
				assert_int_equal(ref->tally[op][code], 0);
		}
	}
}

static void run(uint64_t seed, uint32_t features, unsigned steps)
{
	struct exo_ref *ref = malloc(sizeof(*ref));
	uint64_t rng = seed;
	unsigned i;

	assert_non_null(ref);
	assert_true(exo_ref_init(ref, features, ref_fail, ref));
	for (i = 1; i <= steps; i++) {
		uint64_t a = xorshift64star(&rng);

		exo_ref_step(ref, a, xorshift64star(&rng));
		if (i % FULL_CHECK_EVERY == 0)
			exo_ref_check_all(ref);
	}
	expect_codes(ref);
	exo_ref_drain(ref);
	exo_ref_fini(ref);
	free(ref);
}

/* Three seeds on a CPU with NX: 105000 calls, all as the model says. */
static void test_model_nx(void **state)
{
	(void)state;
	run(0x9E3779B97F4A7C15ull, MM_SIM_NX, STEPS);
	run(0x0123456789ABCDEFull, MM_SIM_NX | MM_SIM_1G, STEPS);
	run(42, MM_SIM_NX, STEPS);
}

/* Without NX: every NOEXEC is INVALID_FLAGS, the rest as with NX. */
static void test_model_no_nx(void **state)
{
	(void)state;
	run(7, 0, 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_nx),
		cmocka_unit_test(test_model_no_nx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
