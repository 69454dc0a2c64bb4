/* SPDX-License-Identifier: MIT */
/*
 * Host limits, each case in a fresh process: a machine that the process's
 * RLIMIT_FSIZE (ulimit -f, the memfd) or RLIMIT_AS (ulimit -v, every mapping)
 * cannot hold is refused at boot with one line naming kmm_init, the
 * parameters and the limit, never a signal; a machine that fits boots, its
 * reservations costing what they map; and the default vmalloc area fits the
 * address-space limit.
 *
 * A case sets its limits itself, before its first libkmm call.  The parent
 * runs it with "--case NAME" (KMM_CMDLINE set to the case's command line)
 * under an alarm, and checks its exit status (0) and its whole output against
 * the case's expected lines ('*' matches any run of characters).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <kmm/kmm.h>
#include "fresh_process.h"
#include "kmm_test.h"

/* The child's side. */

#define check(cond) ((cond) ? (void)0 : check_failed(#cond, __FILE__, __LINE__))

static void check_failed(const char *what, const char *file, int line)
{
	fprintf(stderr, "check failed: %s:%d: %s\n", file, line, what);
	fflush(stderr);
	_exit(3);
}

static void set_limit(int resource, unsigned long long bytes)
{
	struct rlimit rl = {.rlim_cur = bytes, .rlim_max = bytes};

	check(setrlimit(resource, &rl) == 0);
}

/* The address space the process maps now (VmSize). */
static unsigned long long address_space_used(void)
{
	unsigned long long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	check(f && fscanf(f, "%llu", &pages) == 1);
	fclose(f);
	return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

/* RLIMIT_AS: what the process maps now plus @more bytes. */
static void limit_address_space(unsigned long long more)
{
	set_limit(RLIMIT_AS, address_space_used() + more);
}

/* Every allocator hands out memory that holds what is written. */
static void check_allocators_work(void)
{
	struct page *page = alloc_pages(GFP_KERNEL, 2);
	void *k = kmalloc(1000, GFP_KERNEL), *v = vmalloc(8 << 20);

	check(page && k && v);
	memset(page_address(page), 0x5a, 4 * PAGE_SIZE);
	memset(k, 0x5a, 1000);
	memset(v, 0x5a, 8 << 20);
	vfree(v);
	kfree(k);
	__free_pages(page, 2);
}

/* RLIMIT_FSIZE. */

/* A memfd above the file size limit would raise SIGXFSZ: refused before it is made. */
static void fsize_below_mem(void)
{
	set_limit(RLIMIT_FSIZE, 32ULL << 20);
	check(kmm_init("mem=64M") == -EFBIG);
	check(!kmm_booted());
}

/* With SIGXFSZ ignored, the same one line (not a bare EFBIG from ftruncate()). */
static void fsize_below_mem_sigxfsz_ignored(void)
{
	signal(SIGXFSZ, SIG_IGN);
	fsize_below_mem();
}

/* The first call boots nothing either: out of memory after the one line, the next ones silently. */
static void fsize_below_mem_first_call(void)
{
	set_limit(RLIMIT_FSIZE, 32ULL << 20);
	check(kmalloc(100, GFP_KERNEL | __GFP_NOWARN) == NULL);
	check(alloc_page(GFP_KERNEL | __GFP_NOWARN) == NULL);
	check(!kmm_booted());
}

/* mem= at the limit fits, and so does the copy of memory a fork() makes. */
static void fsize_at_mem(void)
{
	int status;
	pid_t pid;

	set_limit(RLIMIT_FSIZE, 64ULL << 20);
	check(kmm_init("mem=64M") == 0);
	check_allocators_work();
	pid = fork();
	check(pid >= 0);
	if (pid == 0) {
		check_allocators_work();
		_exit(0);
	}
	check(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
}

/*
 * A file size limit lowered below mem= after boot: the fork() cannot copy
 * memory for its child, and says so; the parent lives on (no SIGXFSZ), the
 * child, which has no memory of its own, aborts with one line.  The two
 * processes' lines come in either order: they are gathered, then printed
 * sorted.
 */
static void fsize_lowered_before_fork(void)
{
	char lines[3][256];
	FILE *f = tmpfile();
	int saved = dup(2), status, n = 0;
	pid_t pid;

	check(f && saved >= 0);
	check(kmm_init("mem=64M") == 0);
	set_limit(RLIMIT_FSIZE, 32ULL << 20);
	fflush(stderr);
	dup2(fileno(f), 2);
	pid = fork();
	if (pid == 0)
		_exit(0); /* not reached: the child aborts in the fork handler */
	check(waitpid(pid, &status, 0) == pid);
	fflush(stderr);
	dup2(saved, 2);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	rewind(f);
	while (n < 3 && fgets(lines[n], sizeof(lines[n]), f))
		n++;
	check(n == 2);
	if (strcmp(lines[0], lines[1]) > 0)
		fprintf(stderr, "%s%s", lines[1], lines[0]);
	else
		fprintf(stderr, "%s%s", lines[0], lines[1]);
	fclose(f);
	check_allocators_work();
}

/* RLIMIT_AS. */

static void as_below_mem(void)
{
	limit_address_space(512ULL << 20);
	check(kmm_init("mem=1G") == -ENOMEM);
	check(!kmm_booted());
}

static void as_below_vmalloc(void)
{
	limit_address_space(512ULL << 20);
	check(kmm_init("mem=64M vmalloc=4G") == -ENOMEM);
	check(!kmm_booted());
}

/* Without vmalloc=, the vmalloc area is what the limit leaves, not 32G. */
static void as_default_vmalloc_fits(void)
{
	limit_address_space(512ULL << 20);
	check(kmm_init("mem=128M") == 0);
	check_allocators_work();
}

/*
 * The direct map and the vmalloc area cost their size, not their size plus
 * their 1 GiB alignment: 256M + 128M fit in 512M.
 */
static void as_machine_costs_what_it_maps(void)
{
	limit_address_space(512ULL << 20);
	check(kmm_init("mem=256M vmalloc=128M") == 0);
	check((PAGE_OFFSET & ((1UL << 30) - 1)) == 0);
	check_allocators_work();
}

static void as_first_call(void)
{
	limit_address_space(512ULL << 20);
	check(kmalloc(100, GFP_KERNEL) != NULL);
	check(kmm_booted());
	check_allocators_work();
}

struct fcase {
	const char *name;
	void (*run)(void);
	const char *cmdline; /* KMM_CMDLINE of the child */
	const char *expect;  /* every line of its output, '\n'-separated; "" for none */
};

#define FSIZE_REFUSED                                                                              \
	"kmm_init: mem=64M is above the file size limit (RLIMIT_FSIZE, ulimit -f) of 33554432 "    \
	"bytes, refused"
#define AS_REFUSED(mem, vmalloc)                                                                   \
	"kmm_init: mem=" mem " vmalloc=" vmalloc " need *M of address space, *M left under the "   \
	"address-space limit (RLIMIT_AS, ulimit -v) of * bytes, refused"

static const struct fcase cases[] = {
	{"fsize_below_mem", fsize_below_mem, "", FSIZE_REFUSED},
	{"fsize_below_mem_sigxfsz_ignored", fsize_below_mem_sigxfsz_ignored, "", FSIZE_REFUSED},
	{"fsize_below_mem_first_call", fsize_below_mem_first_call, "mem=64M", FSIZE_REFUSED},
	{"fsize_at_mem", fsize_at_mem, "", ""},
	{"fsize_lowered_before_fork", fsize_lowered_before_fork, "",
	 "fork: cannot copy physical memory for the child: File too large\n"
	 "kmm: fork: the child has no copy of physical memory (File too large); aborting"},
	{"as_below_mem", as_below_mem, "", AS_REFUSED("1024M", "16M")},
	{"as_below_vmalloc", as_below_vmalloc, "", AS_REFUSED("64M", "4096M")},
	{"as_default_vmalloc_fits", as_default_vmalloc_fits, "", ""},
	{"as_machine_costs_what_it_maps", as_machine_costs_what_it_maps, "", ""},
	{"as_first_call", as_first_call, "mem=128M", ""},
};

#define NR_CASES (sizeof(cases) / sizeof(cases[0]))

static int run_case(const char *name)
{
	size_t i;

	for (i = 0; i < NR_CASES; i++) {
		if (strcmp(cases[i].name, name) != 0)
			continue;
		alarm(30); /* a hang fails the test */
		cases[i].run();
		if (kmm_booted())
			kmm_exit();
		fflush(NULL);
		return 0;
	}
	fprintf(stderr, "no case %s\n", name);
	return 2;
}

/* The parent's side. */

static void test_case(void **state)
{
	const struct fcase *c = *state;
	static char text[1 << 16];
	char *argv[] = {"test_limits", "--case", (char *)c->name, NULL};
	int status = run_fresh(argv, c->cmdline, text, sizeof(text));

	expect_exit_0_and(c->name, status, text, c->expect);
}

int main(int argc, char **argv)
{
	static struct CMUnitTest tests[NR_CASES];
	size_t i;

	if (argc >= 3 && strcmp(argv[1], "--case") == 0)
		return run_case(argv[2]);
	for (i = 0; i < NR_CASES; i++)
		tests[i] = (struct CMUnitTest){.name = cases[i].name,
					       .test_func = test_case,
					       .initial_state = (void *)&cases[i]};
	return _cmocka_run_group_tests("limits", tests, NR_CASES, NULL, NULL);
}
