/*
 * Owns the lookup of switches on the kernel command line.
 */
#include "cmdline.h"

#include <stddef.h>

/* Does `word` start at `s` and end there at a blank or the end? */
static bool word_at(const char *s, const char *word)
{
	size_t i = 0;

	while (word[i] && s[i] == word[i])
		i++;
	return !word[i] && (s[i] == ' ' || s[i] == 0);
}

bool cmdline_has(const char *cmdline, const char *word)
{
	for (const char *s = cmdline; *s; s++) {
		if ((s == cmdline || s[-1] == ' ') && word_at(s, word))
			return true;
	}
	return false;
}
