/* SPDX-License-Identifier: MIT */
/*
 * boot/limits.c - reading the host's limits on a machine (RLIMIT_FSIZE,
 * RLIMIT_AS, the memory cgroup) and counting what a machine costs in address
 * space; see limits.h for the costs.
 *
 * No locking: reads of the process's own limits and of /proc and /sys.  No
 * allocation and no stdio: open(), read() and close() into stack buffers, so
 * the malloc front end may call it inside its first malloc().
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <kmm/pgtable.h>
#include <kmm/smp.h>
#include "boot/limits.h"

/* The PKMAP and kmap_local areas after the vmalloc area, at most (pgtable.c's layout). */
#define KMAP_AREAS_BYTES                                                                           \
	(3 * PMD_SIZE + (unsigned long long)KM_MAX_IDX * KMAP_LOCAL_TASKS * PAGE_SIZE)
/* libkmm's threads besides one kswapd per node: the slab reaper, page reporting, kmmstat. */
#define NR_KTHREADS_BESIDES_KSWAPD 3
/* cgroup v1 writes "no limit" as a huge number (PAGE_COUNTER_MAX pages): anything above this */
#define MEMCG_NO_LIMIT		   (1ULL << 62)

static unsigned long long rlimit_cur(int resource)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return HOST_UNLIMITED;
	return rl.rlim_cur;
}

unsigned long long host_fsize_limit(void)
{
	return rlimit_cur(RLIMIT_FSIZE);
}

unsigned long long host_as_limit(void)
{
	return rlimit_cur(RLIMIT_AS);
}

/* read_file - at most @len - 1 bytes of @path in @buf, NUL-terminated; false if unreadable. */
static bool read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

unsigned long long host_as_left(void)
{
	unsigned long long limit = host_as_limit(), used;
	char buf[128];

	if (limit == HOST_UNLIMITED)
		return HOST_UNLIMITED;
	/* statm's first field: the pages the process maps (VmSize) */
	if (!read_file("/proc/self/statm", buf, sizeof(buf)))
		return limit;
	used = strtoull(buf, NULL, 10) * (unsigned long long)sysconf(_SC_PAGESIZE);
	return used < limit ? limit - used : 0;
}

/*
 * memcg_file_limit - the lowest limit in file @name of cgroup directory
 * @dir (under @root) and its ancestors; HOST_UNLIMITED if none.
 */
static unsigned long long memcg_file_limit(const char *root, const char *dir, size_t dirlen,
					   const char *name)
{
	unsigned long long lowest = HOST_UNLIMITED;
	char path[512], buf[64];

	for (;;) {
		unsigned long long v;
		char *end;

		while (dirlen && dir[dirlen - 1] == '/')
			dirlen--;
		if (strlen(root) + dirlen + strlen(name) + 2 >= sizeof(path))
			return lowest;
		memcpy(path, root, strlen(root));
		memcpy(path + strlen(root), dir, dirlen);
		path[strlen(root) + dirlen] = '/';
		strcpy(path + strlen(root) + dirlen + 1, name);
		if (read_file(path, buf, sizeof(buf)) && buf[0] >= '0' && buf[0] <= '9') {
			v = strtoull(buf, &end, 10);
			if (v < MEMCG_NO_LIMIT && v < lowest)
				lowest = v;
		}
		if (!dirlen)
			return lowest;
		while (dirlen && dir[dirlen - 1] != '/')
			dirlen--;
	}
}

/* Does the comma-separated list [@s, @s + @len) name "memory"? */
static bool lists_memory(const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		size_t n = strcspn(s, ",:");

		if (n == 6 && !strncmp(s, "memory", 6))
			return true;
		s += n + 1;
	}
	return false;
}

unsigned long long host_memcg_limit(void)
{
	unsigned long long lowest = HOST_UNLIMITED, v;
	char buf[4096], *line, *next;

	if (!read_file("/proc/self/cgroup", buf, sizeof(buf)))
		return HOST_UNLIMITED;
	/* each line: hierarchy-id:controllers:path; cgroup v2's is "0::path" */
	for (line = buf; *line; line = next) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		size_t pathlen;

		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		if (!c2)
			continue;
		pathlen = strlen(c2 + 1);
		if (c2 == c1 + 1 && !strncmp(line, "0:", 2))
			v = memcg_file_limit("/sys/fs/cgroup", c2 + 1, pathlen, "memory.max");
		else if (lists_memory(c1 + 1, (size_t)(c2 - c1 - 1)))
			v = memcg_file_limit("/sys/fs/cgroup/memory", c2 + 1, pathlen,
					     "memory.limit_in_bytes");
		else
			continue;
		if (v < lowest)
			lowest = v;
	}
	return lowest;
}

/* The stack a thread gets by default (libkmm's threads take the default). */
static unsigned long long thread_stack_bytes(void)
{
	pthread_attr_t attr;
	size_t stack = 8UL << 20, guard = PAGE_SIZE;

	if (pthread_getattr_default_np(&attr) == 0) {
		pthread_attr_getstacksize(&attr, &stack);
		pthread_attr_getguardsize(&attr, &guard);
		pthread_attr_destroy(&attr);
	}
	return stack + guard;
}

unsigned long long machine_address_space(unsigned long long mem, unsigned long long highmem,
					 unsigned long long vmalloc, int nr_nodes)
{
	unsigned long long bytes = (mem & PAGE_MASK) - (highmem & PAGE_MASK);

	bytes += (vmalloc + PAGE_SIZE - 1) & PAGE_MASK;
	if (highmem)
		bytes += KMAP_AREAS_BYTES;
	return bytes +
	       (unsigned long long)(nr_nodes + NR_KTHREADS_BESIDES_KSWAPD) * thread_stack_bytes();
}
