/*
 * Randomized model test of XOmB's processes and resources (mm/exo_proc.h):
 * a population of processes and resources driven by random calls (ALLOC /
 * FREE / YIELD_PROCESS, kill, MAP_UPCALL, ALLOC / GRANT / REVOKE / CHOWN
 * RESOURCE, filling and emptying resources and private memory through
 * mm/exo.h, unmapping roots, user writes, CR3 switches) on the simulated
 * machine in strict TLB mode, each predicted by the reference of who owns
 * and who is granted what (tests/common/proc_ref.h). After every call the
 * current process's slots are checked by user-mode reads and writes and
 * the allocator's free count against the frames the model holds; every
 * FULL_CHECK_EVERY calls every process is. Each run ends by killing
 * everything: every frame comes back. Fixed seeds: a failure replays.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "proc_ref.h"
#include "xorshift.h"

#define STEPS		 40000u
#define FULL_CHECK_EVERY 500u

/* A mismatch with the model fails the test at the current step. */
static void ref_fail(void *ctx, const char *what, uint64_t got, uint64_t want)
{
	const struct pref *m = ctx;

	print_error("step %llu: %s = 0x%llx, model 0x%llx\n",
		    (unsigned long long)m->steps, what, (unsigned long long)got,
		    (unsigned long long)want);
	fail();
}

/* Every call returned success and its main refusal at least once. */
static void expect_codes(const struct pref *m)
{
	/* {call, code}: see the call numbers in proc_ref.c. */
	static const unsigned seen[][2] = {
		{1, 0},	 {1, 2},  {1, 5},  {1, 6},  {2, 0},  {2, 4},  {3, 0},
		{3, 5},	 {4, 0},  {4, 1},  {4, 4},  {4, 5},  {5, 0},  {5, 5},
		{6, 0},	 {6, 2},  {6, 5},  {6, 6},  {9, 0},  {9, 4},  {9, 6},
		{10, 0}, {10, 1}, {10, 4}, {10, 5}, {11, 0}, {11, 4}, {11, 5},
		{12, 0}, {12, 4}, {12, 5}};
	unsigned i;

	for (i = 0; i < sizeof(seen) / sizeof(seen[0]); i++) {
		if (m->tally[seen[i][0]][seen[i][1]] == 0)
			print_error("op %u never returned %u\n", seen[i][0],
				    seen[i][1]);
		assert_true(m->tally[seen[i][0]][seen[i][1]] > 0);
	}
}

static void run(uint64_t seed, unsigned steps)
{
	struct pref *m = malloc(sizeof(*m));
	uint64_t rng = seed;
	unsigned i;

	assert_non_null(m);
	assert_true(pref_init(m, ref_fail, m));
	for (i = 1; i <= steps; i++) {
		uint64_t w = xorshift64star(&rng);

		pref_step(m, (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16),
			  (uint8_t)(w >> 24));
		if (i % FULL_CHECK_EVERY == 0)
			pref_check_all(m);
	}
	pref_check_all(m);
	expect_codes(m);
	pref_finish(m);
	pref_destroy(m);
	free(m);
}

/* Three seeds: 120000 calls, all as the model says, nothing leaked. */
static void test_model(void **state)
{
	(void)state;
	run(0x9E3779B97F4A7C15ull, STEPS);
	run(0xD1B54A32D192ED03ull, STEPS);
	run(0x2545F4914F6CDD1Dull, STEPS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
