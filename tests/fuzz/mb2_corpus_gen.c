/*
 * Writes the seed corpus of fuzz_mb2: the realistic BIOS and UEFI infos of
 * mb2_builder.h plus a minimal one, as raw binary files in a directory.
 * Usage: mb2_corpus_gen <dir>   (the committed seeds live in
 * tests/fuzz/corpus/mb2/; rerun this after changing the builder).
 */
#include <stdio.h>

#include "mb2_builder.h"

static struct mb2b b;

static int write_seed(const char *dir, const char *name, size_t len)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL) {
		perror(path);
		return 1;
	}
	ok = fwrite(b.buf, 1, len, f) == len;
	return (fclose(f) != 0 || !ok) ? 1 : 0;
}

int main(int argc, char **argv)
{
	int err = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s <dir>\n", argv[0]);
		return 2;
	}
	err |= write_seed(argv[1], "bios.bin", mb2b_bios_info(&b));
	err |= write_seed(argv[1], "uefi.bin", mb2b_uefi_info(&b));
	mb2b_init(&b);
	err |= write_seed(argv[1], "minimal.bin", mb2b_finish(&b));
	return err;
}
