/*
 * The kernel command line: switches given as blank-separated words
 * ("ktest.fail=1 mb2.dump=1").
 */
#ifndef XOMB_CMDLINE_H
#define XOMB_CMDLINE_H

#include <stdbool.h>

/* True when `word` occurs in `cmdline` as a whole blank-separated word. */
bool cmdline_has(const char *cmdline, const char *word);

#endif /* XOMB_CMDLINE_H */
