/*
 * A plain main() for the fuzz targets, for compilers without libFuzzer (the
 * gcc presets): feeds every file named on the command line, or every file
 * of every directory named, to LLVMFuzzerTestOneInput once. A target that
 * finds a bug aborts, so the replay fails with it. Prints how many inputs
 * ran; fails when there were none (a missing corpus is an error).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run one file; returns 1 if it ran, 0 when it cannot be read. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (f == NULL) {
		perror(path);
		return 0;
	}
	do {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got > 0);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 1;
}

/* Run every regular file of a directory (not recursive). */
static int replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat sb;
	int n = 0;

	if (d == NULL) {
		perror(dir);
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_name[0] != '.' && stat(path, &sb) == 0 &&
		    S_ISREG(sb.st_mode))
			n += replay_file(path);
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	struct stat sb;
	int n = 0;

	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			n += replay_dir(argv[i]);
		else if (stat(argv[i], &sb) == 0)
			n += replay_file(argv[i]);
	}
	printf("replay: %d inputs\n", n);
	return n > 0 ? 0 : 1;
}
