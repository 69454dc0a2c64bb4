/* SPDX-License-Identifier: MIT */
/*
 * fresh_process.h - what the suites that run each case in a fresh process
 * share: re-executing the test binary with the case's arguments, its output
 * read back whole, and matching that output line by line against globs.
 */
#ifndef KMM_FRESH_PROCESS_H
#define KMM_FRESH_PROCESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

/*
 * run_fresh - run this binary again with @argv (argv[0] first, NULL last),
 * KMM_CMDLINE set to @cmdline unless it is NULL, its stdout and stderr read
 * into @text (NUL-terminated, cut at @len - 1 bytes).  Return: its wait
 * status, or -1 if it could not be started.
 */
static inline int run_fresh(char *const argv[], const char *cmdline, char *text, size_t len)
{
	size_t used = 0;
	int fd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(fd) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		close(fd[1]);
		if (cmdline)
			setenv("KMM_CMDLINE", cmdline, 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], text + used, len - 1 - used)) > 0)
		used += (size_t)n;
	close(fd[0]);
	text[used] = '\0';
	return waitpid(pid, &status, 0) == pid ? status : -1;
}

/* glob_match - does @s match the glob @pat ('*' matches any run of characters)? */
static inline bool glob_match(const char *pat, const char *s)
{
	for (; *pat; pat++, s++) {
		if (*pat == '*') {
			for (; *s; s++)
				if (glob_match(pat + 1, s))
					return true;
			return glob_match(pat + 1, s);
		}
		if (*pat != *s)
			return false;
	}
	return *s == '\0';
}

/* output_matches - does every line of @text match the glob of the same rank in @expect, and no more? */
static inline bool output_matches(const char *expect, const char *text)
{
	char pat[512], line[512];

	while (*expect || *text) {
		size_t pl = strcspn(expect, "\n"), tl = strcspn(text, "\n");

		if (!*expect || !*text || pl >= sizeof(pat) || tl >= sizeof(line))
			return false;
		memcpy(pat, expect, pl);
		pat[pl] = '\0';
		memcpy(line, text, tl);
		line[tl] = '\0';
		if (!glob_match(pat, line))
			return false;
		expect += pl + (expect[pl] == '\n');
		text += tl + (text[tl] == '\n');
	}
	return true;
}

/* expect_exit_0_and - fail the test unless case @name ended with exit 0 and printed @expect. */
static inline void expect_exit_0_and(const char *name, int status, const char *text,
				     const char *expect)
{
	assert_true(status != -1);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !output_matches(expect, text))
		fail_msg("%s: %s %d, output:\n%s\nexpected exit 0 and:\n%s", name,
			 WIFSIGNALED(status) ? "signal" : "exit",
			 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), text,
			 expect);
}

#endif /* KMM_FRESH_PROCESS_H */
