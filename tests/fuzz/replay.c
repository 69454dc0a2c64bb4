/* SPDX-License-Identifier: MIT */
/*
 * replay.c - runs the fuzz harness (fuzz_api.c) over files without libFuzzer:
 * the corpus as a ctest entry of every build (gcc included), or a crash input.
 *
 *   fuzz_api_replay [FILE|DIR]...   (default: the corpus, tests/fuzz/corpus/)
 *
 * Each file is one input, run in name order; a directory's regular files are
 * its inputs.  Each runs on a machine of its own, with the harness's full
 * check after it, unless FUZZ_WINDOW= in the environment says how many
 * inputs share a machine (as a failing window's inputs, written out by the
 * harness, need).  Exit status 0 when every input ran (a failure aborts).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_api.h"

#ifndef FUZZ_CORPUS_DIR
#define FUZZ_CORPUS_DIR "tests/fuzz/corpus"
#endif

static int run_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	printf("replay: %s (%zu bytes)\n", path, n);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path)
{
	struct stat st;
	struct dirent *e;
	char **names = NULL;
	size_t nr = 0, i;
	int errors = 0;
	DIR *d;

	if (stat(path, &st) != 0) {
		perror(path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	d = opendir(path);
	if (!d) {
		perror(path);
		return 1;
	}
	while ((e = readdir(d))) {
		char full[4096];

		snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
		if (e->d_name[0] == '.' || stat(full, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		names = realloc(names, sizeof(*names) * (nr + 1));
		names[nr++] = strdup(full);
	}
	closedir(d);
	qsort(names, nr, sizeof(*names), by_name);
	for (i = 0; i < nr; i++) {
		errors += run_file(names[i]);
		free(names[i]);
	}
	free(names);
	if (!nr) {
		fprintf(stderr, "replay: %s holds no inputs\n", path);
		return 1;
	}
	return errors;
}

int main(int argc, char **argv)
{
	int i, errors = 0;

	/* every input on a machine of its own, with the full check, unless asked otherwise */
	setenv("FUZZ_WINDOW", "1", 0);
	LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2)
		errors += run_path(FUZZ_CORPUS_DIR);
	for (i = 1; i < argc; i++)
		errors += run_path(argv[i]);
	printf("replay: %s\n", errors ? "errors" : "every input passed");
	return errors ? 1 : 0;
}
