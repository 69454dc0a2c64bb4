/* SPDX-License-Identifier: MIT */
/*
 * fresh_process.h - what the suites that run each case in a fresh process
 * share: re-executing the test binary with the case's arguments, its output
 * read back whole, and matching that output line by line against globs.
 */
#ifndef KMM_FRESH_PROCESS_H
#define KMM_FRESH_PROCESS_H

#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

/* How long a case's own children may outlive it, holding its output open. */
#define FRESH_OUTLIVE_MS 2000

/*
 * run_fresh - run this binary again with @argv (argv[0] first, NULL last),
 * KMM_CMDLINE set to @cmdline unless it is NULL, its stdout and stderr read
 * into @text (NUL-terminated, cut at @len - 1 bytes).  The case runs in a
 * process group of its own: a process it left behind (a fork child hung in a
 * fork handler, say) still holding the output FRESH_OUTLIVE_MS after the case
 * exited is killed with the group, and a line saying so ends @text, so the
 * test fails with the case's output instead of hanging.  Return: the case's
 * wait status, or -1 if it could not be started.
 */
static inline int run_fresh(char *const argv[], const char *cmdline, char *text, size_t len)
{
	int fd[2], status = -1, waited_ms = 0;
	bool exited = false;
	size_t used = 0;
	pid_t pid;

	if (pipe(fd) != 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setpgid(0, 0);
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		close(fd[1]);
		if (cmdline)
			setenv("KMM_CMDLINE", cmdline, 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	setpgid(pid, pid);
	close(fd[1]);
	for (;;) {
		struct pollfd pfd = {fd[0], POLLIN, 0};
		ssize_t n = 0;

		if (poll(&pfd, 1, 100) > 0) {
			n = read(fd[0], text + used, len - 1 - used);
			if (n <= 0)
				break;
			used += (size_t)n;
		}
		if (!exited)
			exited = waitpid(pid, &status, WNOHANG) == pid;
		else if (n == 0 && (waited_ms += 100) >= FRESH_OUTLIVE_MS) {
			kill(-pid, SIGKILL);
			used += (size_t)snprintf(text + used, len - used,
						 "run_fresh: a process of the case outlived it by "
						 "%d ms, holding its output; killed\n",
						 FRESH_OUTLIVE_MS);
			used = used < len ? used : len - 1;
			break;
		}
	}
	close(fd[0]);
	text[used] = '\0';
	if (!exited && waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
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
