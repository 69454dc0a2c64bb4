/* SPDX-License-Identifier: MIT */
/*
 * kmmstat - the allocator state of a running program on libkmm.
 *
 *   kmmstat -l                              programs that serve statistics
 *   kmmstat PID FILE                        print a file: buddyinfo, pagetypeinfo,
 *                                           zoneinfo, meminfo, slabinfo, vmallocinfo,
 *                                           physmap, physmap.svg
 *   kmmstat PID physmap --svg OUT.svg       the picture of physical memory
 *   kmmstat [-d SECONDS] [-n N] PID top     slab caches, biggest first, refreshed
 *                                           every SECONDS (q or Ctrl-C quits)
 *
 * The program must run with kmmstat=1 on its command line (kmm_init() or
 * KMM_CMDLINE): libkmm then answers on the abstract unix socket
 * "@kmm/<pid>".  The protocol (docs/kmmstat.md): send the file's name and a
 * newline; read "OK <length>\n" and <length> bytes, or "ERR <reason>\n".
 * This tool does not link libkmm.
 *
 * Any user can bind an abstract name, so the tool believes a server only
 * after SO_PEERCRED says it is the process asked for: its pid, and the
 * caller's uid (for root: the uid owning /proc/<pid>).  Otherwise it refuses,
 * naming who holds the name, and exits with 1.  -l lists only the programs
 * the caller may read (its own, every one for root) that pass the same check.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define SOCKET_PREFIX "kmm/"
#define IO_TIMEOUT    10     /* s for the connection, the request and each read of the reply */
#define PAGE_SIZE     4096UL /* the emulated machine's */

static const char *progname = "kmmstat";

static void usage(FILE *out)
{
	fprintf(out,
		"usage: %s -l\n"
		"       %s PID FILE             (buddyinfo pagetypeinfo zoneinfo meminfo slabinfo\n"
		"                                  vmallocinfo physmap physmap.svg)\n"
		"       %s PID physmap --svg OUT.svg\n"
		"       %s [-d SECONDS] [-n ITERATIONS] PID top\n"
		"The program must run on libkmm with kmmstat=1 (kmm_init() or KMM_CMDLINE).\n",
		progname, progname, progname, progname);
}

/* A reply: its bytes (malloc()ed, NUL-terminated) or the server's reason. */
struct reply {
	char *data;
	size_t len;
	char error[400];
};

/* socket_name - @addr holds "@kmm/<pid>"; its length for connect(). */
static socklen_t socket_name(struct sockaddr_un *addr, int pid)
{
	int len = snprintf(addr->sun_path + 1, sizeof(addr->sun_path) - 1, SOCKET_PREFIX "%d", pid);

	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len);
}

/* owner_of - the uid owning /proc/@pid (the process's effective uid); false if it is gone. */
static bool owner_of(int pid, uid_t *uid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (stat(path, &st))
		return false;
	*uid = st.st_uid;
	return true;
}

/*
 * peer_is - is the server on @fd process @pid itself, of @uid?  The kernel
 * records the pid and uid of whoever called listen() (SO_PEERCRED), so a
 * process of another pid that took the name first cannot pass for @pid.
 */
static bool peer_is(int fd, int pid, uid_t uid, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);

	return !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) && cred->pid == pid &&
	       cred->uid == uid;
}

/*
 * connect_to - a connection to process @pid's server, checked: its peer must
 * be @pid, of the uid the caller is (root: of the uid owning /proc/@pid).
 * The fd, or -1 with @r->error set.
 */
static int connect_to(int pid, struct reply *r)
{
	struct timeval bound = {IO_TIMEOUT, 0};
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	socklen_t len = socket_name(&addr, pid);
	struct ucred cred = {0, 0, 0};
	uid_t uid = geteuid();
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(r->error, sizeof(r->error), "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof(bound));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));
	if (connect(fd, (struct sockaddr *)&addr, len)) {
		if (errno == ECONNREFUSED || errno == ENOENT)
			snprintf(r->error, sizeof(r->error),
				 "process %d serves no statistics (not running, or not with "
				 "kmmstat=1)",
				 pid);
		else
			snprintf(r->error, sizeof(r->error), "cannot connect to process %d: %s",
				 pid, strerror(errno));
		close(fd);
		return -1;
	}
	if (uid == 0 && !owner_of(pid, &uid)) {
		snprintf(r->error, sizeof(r->error), "process %d: no such process", pid);
		close(fd);
		return -1;
	}
	if (!peer_is(fd, pid, uid, &cred)) {
		if (cred.pid != pid)
			snprintf(r->error, sizeof(r->error),
				 "@" SOCKET_PREFIX "%d is bound by pid %d (uid %u), not by process "
				 "%d: refusing its reply",
				 pid, (int)cred.pid, (unsigned int)cred.uid, pid);
		else
			snprintf(r->error, sizeof(r->error),
				 "@" SOCKET_PREFIX "%d is served by uid %u, not uid %u: refusing "
				 "its reply",
				 pid, (unsigned int)cred.uid, (unsigned int)uid);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * serves - does process @pid, owned by @uid, listen on "@kmm/<pid>" itself?
 * A connection that sends nothing and does not wait, for its SO_PEERCRED.
 */
static bool serves(int pid, uid_t uid)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	socklen_t len = socket_name(&addr, pid);
	struct ucred cred;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	bool ok;

	if (fd < 0)
		return false;
	ok = !connect(fd, (struct sockaddr *)&addr, len) && peer_is(fd, pid, uid, &cred);
	close(fd);
	return ok;
}

static bool read_full(int fd, char *buf, size_t len)
{
	while (len) {
		ssize_t n = read(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* fetch - the file @name of process @pid into @r; 0, or -1 with @r->error set. */
static int fetch(int pid, const char *name, struct reply *r)
{
	char line[300], request[80];
	size_t used = 0;
	int fd, n;

	memset(r, 0, sizeof(*r));
	fd = connect_to(pid, r);
	if (fd < 0)
		return -1;
	n = snprintf(request, sizeof(request), "%s\n", name);
	if (write(fd, request, (size_t)n) != n) {
		snprintf(r->error, sizeof(r->error), "cannot send the request: %s",
			 strerror(errno));
		close(fd);
		return -1;
	}
	/* the status line, a byte at a time: the file's bytes follow it */
	while (used < sizeof(line) - 1) {
		ssize_t got = read(fd, line + used, 1);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0 || line[used] == '\n')
			break;
		used++;
	}
	line[used] = '\0';
	if (!strncmp(line, "ERR ", 4)) {
		snprintf(r->error, sizeof(r->error), "process %d: %s", pid, line + 4);
		close(fd);
		return -1;
	}
	if (sscanf(line, "OK %zu", &r->len) != 1 || !(r->data = malloc(r->len + 1)) ||
	    !read_full(fd, r->data, r->len)) {
		snprintf(r->error, sizeof(r->error), "process %d: the reply was cut short", pid);
		free(r->data);
		r->data = NULL;
		close(fd);
		return -1;
	}
	r->data[r->len] = '\0';
	close(fd);
	return 0;
}

/*
 * kmmstat -l: the listening sockets "@kmm/<pid>" of /proc/net/unix, of the
 * processes the caller may read (its own; every one for root) that hold the
 * name themselves.
 */
static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int list_servers(void)
{
	FILE *f = fopen("/proc/net/unix", "r");
	char line[512];
	int pids[1024], nr = 0, i;

	if (!f) {
		fprintf(stderr, "%s: /proc/net/unix: %s\n", progname, strerror(errno));
		return 1;
	}
	while (fgets(line, sizeof(line), f) && nr < (int)(sizeof(pids) / sizeof(pids[0]))) {
		unsigned long flags;
		char path[256];
		int pid;

		/* Num RefCount Protocol Flags Type St Inode Path; __SO_ACCEPTCON: listening */
		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %*s %255s", &flags, path) != 2)
			continue;
		if (!(flags & 0x10000) ||
		    strncmp(path, "@" SOCKET_PREFIX, strlen(SOCKET_PREFIX) + 1))
			continue;
		pid = atoi(path + strlen(SOCKET_PREFIX) + 1);
		if (pid > 0)
			pids[nr++] = pid;
	}
	fclose(f);
	qsort(pids, (size_t)nr, sizeof(int), cmp_int);
	printf("%7s  %s\n", "PID", "COMMAND");
	for (i = 0; i < nr; i++) {
		char path[64], comm[64] = "?";
		uid_t owner;
		FILE *c;

		if (i && pids[i] == pids[i - 1])
			continue;
		/* gone, or another pid namespace's; another user's; an impostor's name */
		if (!owner_of(pids[i], &owner) || (geteuid() != 0 && owner != geteuid()) ||
		    !serves(pids[i], owner))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pids[i]);
		c = fopen(path, "r");
		if (!c)
			continue;
		if (fgets(comm, sizeof(comm), c))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(c);
		printf("%7d  %s\n", pids[i], comm);
	}
	return 0;
}

/* top: slabinfo parsed, sorted by cache size, under a slabtop-style summary. */
struct cache_row {
	char name[64];
	unsigned long active, total, objsize, per_slab, pages_per_slab, active_slabs, slabs;
	unsigned long long size; /* bytes of its slabs */
};

static int by_size_desc(const void *a, const void *b)
{
	const struct cache_row *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int parse_slabinfo(char *text, struct cache_row **rows)
{
	int nr = 0, cap = 0;
	char *line, *save = NULL;

	*rows = NULL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct cache_row c;

		if (!strncmp(line, "slabinfo", 8) || line[0] == '#')
			continue;
		memset(&c, 0, sizeof(c));
		if (sscanf(line,
			   "%63s %lu %lu %lu %lu %lu : tunables %*u %*u %*u : slabdata %lu %lu",
			   c.name, &c.active, &c.total, &c.objsize, &c.per_slab, &c.pages_per_slab,
			   &c.active_slabs, &c.slabs) != 8)
			continue;
		c.size = (unsigned long long)c.slabs * c.pages_per_slab * PAGE_SIZE;
		if (nr == cap) {
			struct cache_row *n;

			cap = cap ? cap * 2 : 64;
			n = realloc(*rows, (size_t)cap * sizeof(**rows));
			if (!n)
				break;
			*rows = n;
		}
		(*rows)[nr++] = c;
	}
	qsort(*rows, (size_t)nr, sizeof(**rows), by_size_desc);
	return nr;
}

/* meminfo_kb - the value of meminfo's line "@field:", in kB; -1 if it has none. */
static long meminfo_kb(const char *text, const char *field)
{
	size_t n = strlen(field);
	const char *p = text;
	long kb = -1;

	while (p && *p) {
		if (!strncmp(p, field, n) && p[n] == ':') {
			sscanf(p + n + 1, " %ld", &kb);
			break;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return kb;
}

static double pct(unsigned long long part, unsigned long long whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_top(int pid, const char *comm, double delay, const struct cache_row *rows, int nr,
		      const char *meminfo, int max_rows)
{
	unsigned long long act_objs = 0, objs = 0, act_slabs = 0, slabs = 0, act_size = 0, size = 0;
	unsigned long min_obj = 0, max_obj = 0;
	int active_caches = 0, i;
	char when[16];
	time_t now = time(NULL);

	for (i = 0; i < nr; i++) {
		act_objs += rows[i].active;
		objs += rows[i].total;
		act_slabs += rows[i].active_slabs;
		slabs += rows[i].slabs;
		act_size += (unsigned long long)rows[i].active * rows[i].objsize;
		size += (unsigned long long)rows[i].total * rows[i].objsize;
		active_caches += rows[i].active > 0;
		if (!min_obj || rows[i].objsize < min_obj)
			min_obj = rows[i].objsize;
		if (rows[i].objsize > max_obj)
			max_obj = rows[i].objsize;
	}
	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	printf(" kmmstat %d (%s), every %.1f s, q quits%*s\n", pid, comm, delay, 20, when);
	printf(" MemTotal %ld kB, MemFree %ld kB, Slab %ld kB, VmallocUsed %ld kB\n",
	       meminfo_kb(meminfo, "MemTotal"), meminfo_kb(meminfo, "MemFree"),
	       meminfo_kb(meminfo, "Slab"), meminfo_kb(meminfo, "VmallocUsed"));
	printf(" Active / Total Objects (%% used)    : %llu / %llu (%.1f%%)\n", act_objs, objs,
	       pct(act_objs, objs));
	printf(" Active / Total Slabs (%% used)      : %llu / %llu (%.1f%%)\n", act_slabs, slabs,
	       pct(act_slabs, slabs));
	printf(" Active / Total Caches (%% used)     : %d / %d (%.1f%%)\n", active_caches, nr,
	       pct((unsigned long long)active_caches, (unsigned long long)nr));
	printf(" Active / Total Size (%% used)       : %.2fK / %.2fK (%.1f%%)\n",
	       (double)act_size / 1024, (double)size / 1024, pct(act_size, size));
	printf(" Minimum / Average / Maximum Object : %.2fK / %.2fK / %.2fK\n\n",
	       (double)min_obj / 1024, objs ? (double)size / (double)objs / 1024 : 0.0,
	       (double)max_obj / 1024);
	printf("%6s %6s %4s %8s %6s %8s %10s %s\n", "OBJS", "ACTIVE", "USE", "OBJ SIZE", "SLABS",
	       "OBJ/SLAB", "CACHE SIZE", "NAME");
	for (i = 0; i < nr && (max_rows <= 0 || i < max_rows); i++)
		printf("%6lu %6lu %3.0f%% %7.2fK %6lu %8lu %9lluK %s\n", rows[i].total,
		       rows[i].active, pct(rows[i].active, rows[i].total),
		       (double)rows[i].objsize / 1024, rows[i].slabs, rows[i].per_slab,
		       rows[i].size / 1024, rows[i].name);
}

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static struct termios saved_termios;
static bool termios_saved;

static void restore_terminal(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

/* wait_key - wait @delay seconds; true if the user asked to quit (q, Ctrl-C). */
static bool wait_key(double delay)
{
	struct timespec end, now;
	long long left;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)delay;
	end.tv_nsec += (long)((delay - (double)(long)delay) * 1e9);
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
		char c;

		if (interrupted)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (end.tv_sec - now.tv_sec) * 1000LL + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0)
			return false;
		if (!termios_saved) {
			poll(NULL, 0, (int)left);
			continue;
		}
		if (poll(&pfd, 1, (int)left) > 0 && read(STDIN_FILENO, &c, 1) == 1 &&
		    (c == 'q' || c == 'Q'))
			return true;
	}
}

static int top(int pid, double delay, long iterations)
{
	bool tty = isatty(STDOUT_FILENO);
	char path[64], comm[64] = "?";
	struct sigaction sa;
	long done = 0;
	FILE *c;
	int ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	c = fopen(path, "r");
	if (c) {
		if (fgets(comm, sizeof(comm), c))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(c);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_termios) == 0) {
		struct termios raw = saved_termios;

		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		termios_saved = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
		atexit(restore_terminal);
	}
	for (;;) {
		struct reply slab, mem;
		struct cache_row *rows;
		int nr, max_rows = 0;
		struct winsize ws;

		if (fetch(pid, "slabinfo", &slab) || fetch(pid, "meminfo", &mem)) {
			fprintf(stderr, "%s: %s\n", progname, slab.data ? mem.error : slab.error);
			free(slab.data);
			ret = 1;
			break;
		}
		nr = parse_slabinfo(slab.data, &rows);
		if (tty) {
			if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 10)
				max_rows = ws.ws_row - 10;
			printf("\033[H\033[2J");
		} else if (done) {
			printf("\n");
		}
		print_top(pid, comm, delay, rows, nr, mem.data, max_rows);
		fflush(stdout);
		free(rows);
		free(slab.data);
		free(mem.data);
		if (++done == iterations || wait_key(delay))
			break;
	}
	restore_terminal();
	return ret;
}

static int write_file(const char *path, const struct reply *r)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;

	if (!f || fwrite(r->data, 1, r->len, f) != r->len || (f != stdout && fclose(f))) {
		fprintf(stderr, "%s: %s: %s\n", progname, path, strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{"list", no_argument, NULL, 'l'},
		{"delay", required_argument, NULL, 'd'},
		{"iterations", required_argument, NULL, 'n'},
		{"svg", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *svg = NULL, *file;
	bool list = false;
	double delay = 1.0;
	long iterations = -1;
	struct reply r;
	char *end;
	int opt, pid, ret;

	while ((opt = getopt_long(argc, argv, "ld:n:h", options, NULL)) != -1) {
		switch (opt) {
		case 'l':
			list = true;
			break;
		case 'd':
			delay = strtod(optarg, &end);
			if (*end || !(delay > 0) || delay > 86400) {
				fprintf(stderr, "%s: -d expects a positive number of seconds\n",
					progname);
				return 2;
			}
			break;
		case 'n':
			iterations = strtol(optarg, &end, 10);
			if (*end || iterations <= 0) {
				fprintf(stderr, "%s: -n expects a positive number\n", progname);
				return 2;
			}
			break;
		case 's':
			svg = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (list)
		return optind == argc ? list_servers() : (usage(stderr), 2);
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	pid = (int)strtol(argv[optind], &end, 10);
	file = argv[optind + 1];
	if (*end || pid <= 0) {
		fprintf(stderr, "%s: \"%s\" is not a process id\n", progname, argv[optind]);
		return 2;
	}
	if (!strcmp(file, "top"))
		return svg ? (usage(stderr), 2) : top(pid, delay, iterations);
	if (svg && strcmp(file, "physmap")) {
		fprintf(stderr, "%s: --svg goes with physmap\n", progname);
		return 2;
	}
	if (fetch(pid, svg ? "physmap.svg" : file, &r)) {
		fprintf(stderr, "%s: %s\n", progname, r.error);
		return 1;
	}
	if (svg)
		ret = write_file(svg, &r);
	else
		ret = fwrite(r.data, 1, r.len, stdout) == r.len ? 0 : 1;
	free(r.data);
	return ret;
}
