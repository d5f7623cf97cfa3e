/*
 * The programs of a boot: every GRUB module whose command line reads
 * `program NAME [expect=exit|killed]` is loaded and run, in module order,
 * each until it exits or is killed; then one summary line
 * `user: programs=N exited=E killed=K processes=P resources=R
 * frames_leaked=L`. A module refused
 * at load prints `user: refused name=NAME reason=WHY` and counts as killed.
 */
#ifndef XOMB_PROGRAMS_H
#define XOMB_PROGRAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "boot_info.h"

struct programs_result {
	unsigned programs, exited, killed;
	unsigned unmet;	       /* programs whose end was not their expect= */
	int64_t frames_leaked; /* free frames before minus after */
	uint64_t processes;    /* processes created (programs included) */
	uint64_t resources;    /* resources created */
};

/* What a module's command line asks for (parsed by programs_parse). */
struct program_spec {
	char name[64];
	bool expect_killed;
};

/*
 * Parse a module command line. Returns 1 for a program (spec filled),
 * 0 for a module that is not a program (no leading "program" word), -1
 * for a malformed program line (no name, a name over 63 bytes, an unknown
 * word); spec->name then holds what could be read.
 */
int programs_parse(const char *cmdline, struct program_spec *spec);

/*
 * Run every program module of bi (caller does not hold kmem.lock), print
 * the per-program verdicts and the summary line, fill *out. A malformed
 * program line counts as a program that did not meet its expectation.
 */
void programs_run(const struct boot_info *bi, struct programs_result *out);

#endif /* XOMB_PROGRAMS_H */
