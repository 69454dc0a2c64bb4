/* SPDX-License-Identifier: MIT */
/*
 * kmmstat: the server that hands the kmm_show() files to the kmmstat tool
 * (off by default; answers as kmm_show() does; refuses what it does not
 * have; a server of its own in a fork child; gone after kmm_exit()), under
 * hostile clients (a request that trickles in is dropped at its deadline and
 * holds back no other client, no fork() and no kmm_exit(); a burst of idle
 * connections locks nobody out; a name taken by another process is reported),
 * the tool's checks (it refuses an impostor's server; -l lists only the
 * caller's programs), and the physmap: every frame once, the right owners, a
 * well-formed picture that the server and the program draw alike.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <kmm/kmm.h>
#include "kmm_test.h"

/* stat_connect - a connection to process @pid's server; the fd, or -errno. */
static int stat_connect(pid_t pid)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd, len, err;

	len = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, "kmm/%d", (int)pid);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&addr,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len)) == 0)
		return fd;
	err = errno;
	close(fd);
	return -err;
}

/* stat_request - send @request (as is) to @pid's server; the whole reply, malloc()ed. */
static char *stat_request(pid_t pid, const char *request)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	int fd = stat_connect(pid);
	ssize_t n;

	assert_non_null(buf);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
}

/* stat_fetch - the file @name from @pid's server, without the "OK <length>" line. */
static char *stat_fetch(pid_t pid, const char *name)
{
	char request[64], *reply, *body;
	size_t len;

	snprintf(request, sizeof(request), "%s\n", name);
	reply = stat_request(pid, request);
	assert_int_equal(sscanf(reply, "OK %zu", &len), 1);
	body = strchr(reply, '\n') + 1;
	assert_int_equal(strlen(body), len);
	memmove(reply, body, len + 1);
	return reply;
}

/*
 * show_alloc - kmm_show(@name) in this process, malloc()ed.  Not inlined: gcc 12 at -O3
 * takes the stream's buffer for the local that holds its address (-Wdangling-pointer).
 */
static __attribute__((noinline)) char *show_alloc(const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(kmm_show(name, f), 0);
	fclose(f);
	return buf;
}

static __attribute__((noinline)) char *physmap_svg_alloc(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(kmm_physmap_svg(f), 0);
	fclose(f);
	return buf;
}

/*
 * assert_served_as_shown - the server's @name is kmm_show(@name) of this
 * process.  The reaper may change the numbers between the two reads, so a
 * few attempts are allowed; one must match exactly.
 */
static void assert_served_as_shown(const char *name, bool svg)
{
	int attempt;

	for (attempt = 0; attempt < 10; attempt++) {
		char *served = stat_fetch(getpid(), svg ? "physmap.svg" : name);
		char *shown = svg ? physmap_svg_alloc() : show_alloc(name);
		bool same = !strcmp(served, shown);

		free(served);
		free(shown);
		if (same)
			return;
		usleep(100 * 1000);
	}
	fail_msg("%s served differs from kmm_show() in 10 attempts", name);
}

/* The inode of the listening socket "@kmm/<pid>" in /proc/net/unix, or 0. */
static unsigned long listening_inode(pid_t pid)
{
	FILE *f = fopen("/proc/net/unix", "r");
	char line[512], want[32];
	unsigned long inode = 0;

	assert_non_null(f);
	snprintf(want, sizeof(want), "@kmm/%d", (int)pid);
	while (fgets(line, sizeof(line), f)) {
		unsigned long flags, ino;
		char path[256];

		if (sscanf(line, "%*s %*s %*s %lx %*s %*s %lu %255s", &flags, &ino, path) == 3 &&
		    (flags & 0x10000) && !strcmp(path, want))
			inode = ino;
	}
	fclose(f);
	return inode;
}

/* Does process @pid hold a descriptor of socket @inode? */
static bool holds_socket(pid_t pid, unsigned long inode)
{
	char dir[64], path[320], link[64], want[64];
	struct dirent *d;
	bool found = false;
	DIR *fds;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	fds = opendir(dir);
	assert_non_null(fds);
	while ((d = readdir(fds))) {
		ssize_t n;

		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found |= !strcmp(link, want);
	}
	closedir(fds);
	return found;
}

/* The number of "cpu:" entries of zoneinfo's first pagesets: the online CPUs. */
static int online_cpus(void)
{
	char *zoneinfo = show_alloc("zoneinfo"), *p, *end;
	int nr = 0;

	p = strstr(zoneinfo, "pagesets");
	assert_non_null(p);
	end = strstr(p, "node_unreclaimable");
	while ((p = strstr(p, "cpu:")) && p < end) {
		nr++;
		p++;
	}
	free(zoneinfo);
	return nr;
}

static void assert_no_server(pid_t pid)
{
	assert_int_equal(stat_connect(pid), -ECONNREFUSED);
	assert_int_equal(listening_inode(pid), 0);
	if (pid == getpid())
		assert_int_equal(threads_named("kmmstat"), 0);
}

static void test_server_is_off_by_default(void **state)
{
	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	kfree(kmalloc(100, GFP_KERNEL));
	assert_no_server(getpid());
	kmm_exit();
	assert_int_equal(kmm_init("mem=64M kmmstat=0"), 0);
	assert_no_server(getpid());
	kmm_exit();
}

static void test_server_listens_in_a_thread_named_kmmstat(void **state)
{
	(void)state;
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	assert_int_equal(threads_named("kmmstat"), 1);
	assert_true(listening_inode(getpid()) != 0);
	kmm_exit();
}

static void test_server_answers_slabinfo_as_kmm_show_does(void **state)
{
	struct kmem_cache *s;
	void *objs[100];
	char *served;
	int i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	s = kmem_cache_create("kmmstat_test", 200, 0, 0, NULL);
	assert_non_null(s);
	for (i = 0; i < 100; i++)
		assert_non_null(objs[i] = kmem_cache_alloc(s, GFP_KERNEL));
	served = stat_fetch(getpid(), "slabinfo");
	assert_non_null(strstr(served, "\nkmmstat_test "));
	assert_int_equal(strncmp(served, "slabinfo - version: 2.1\n", 24), 0);
	free(served);
	assert_served_as_shown("slabinfo", false);
	for (i = 0; i < 100; i++)
		kmem_cache_free(s, objs[i]);
	kmem_cache_destroy(s);
	kmm_exit();
}

static void test_server_answers_meminfo_as_kmm_show_does(void **state)
{
	void *p;

	(void)state;
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	p = vmalloc(1 << 20);
	assert_non_null(p);
	assert_served_as_shown("meminfo", false);
	vfree(p);
	kmm_exit();
}

static void test_server_answers_every_other_file_as_kmm_show_does(void **state)
{
	static const char *const files[] = {"buddyinfo", "pagetypeinfo", "zoneinfo", "vmallocinfo",
					    "physmap"};
	size_t i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		assert_served_as_shown(files[i], false);
	assert_served_as_shown("physmap.svg", true);
	kmm_exit();
}

static void test_server_refuses_unknown_files_and_bad_requests(void **state)
{
	char *reply, *ok;

	(void)state;
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	reply = stat_request(getpid(), "nosuchfile\n");
	assert_string_equal(reply, "ERR no such file: nosuchfile\n");
	free(reply);
	reply = stat_request(getpid(), "../../etc/passwd\n");
	assert_int_equal(strncmp(reply, "ERR malformed request", 21), 0);
	free(reply);
	reply = stat_request(getpid(), "\n");
	assert_int_equal(strncmp(reply, "ERR malformed request", 21), 0);
	free(reply);
	/* no newline before the end of the request */
	reply = stat_request(getpid(), "slabinfo");
	assert_int_equal(strncmp(reply, "ERR malformed request", 21), 0);
	free(reply);
	/* a line longer than a file name can be */
	reply = stat_request(
		getpid(), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
	assert_int_equal(strncmp(reply, "ERR malformed request", 21), 0);
	free(reply);
	/* and it still answers */
	ok = stat_fetch(getpid(), "meminfo");
	assert_int_equal(strncmp(ok, "MemTotal:", 9), 0);
	free(ok);
	kmm_exit();
}

static void test_server_thread_never_becomes_a_cpu(void **state)
{
	int cpus, i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	kfree(kmalloc(64, GFP_KERNEL));
	cpus = online_cpus();
	for (i = 0; i < 3; i++) {
		free(stat_fetch(getpid(), "slabinfo"));
		free(stat_fetch(getpid(), "physmap.svg"));
	}
	assert_int_equal(online_cpus(), cpus);
	kmm_exit();
}

static void test_server_answers_for_the_child_after_fork(void **state)
{
	int to_child[2], from_child[2], status;
	unsigned long parent_socket;
	char c = 0, *parent, *child;
	pid_t pid;

	(void)state;
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	kfree(kmalloc(64, GFP_KERNEL));
	assert_int_equal(pipe(to_child), 0);
	assert_int_equal(pipe(from_child), 0);
	parent_socket = listening_inode(getpid());
	assert_true(parent_socket != 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct kmem_cache *s = kmem_cache_create("kmmstat_child", 64, 0, 0, NULL);
		void *obj = s ? kmem_cache_alloc(s, GFP_KERNEL) : NULL;

		close(to_child[1]);
		close(from_child[0]);
		if (!obj || write(from_child[1], "r", 1) != 1 || read(to_child[0], &c, 1) < 0)
			_exit(1);
		kmem_cache_free(s, obj);
		kmem_cache_destroy(s);
		kmm_exit();
		_exit(threads_named("kmmstat") == 0 ? 0 : 2);
	}
	close(to_child[0]);
	close(from_child[1]);
	assert_int_equal(read(from_child[0], &c, 1), 1);
	/* The child answers for itself, the parent for itself. */
	child = stat_fetch(pid, "slabinfo");
	parent = stat_fetch(getpid(), "slabinfo");
	assert_non_null(strstr(child, "\nkmmstat_child "));
	assert_null(strstr(parent, "\nkmmstat_child "));
	free(child);
	free(parent);
	/* The child closed the parent's socket: it holds its own only. */
	assert_false(holds_socket(pid, parent_socket));
	assert_true(listening_inode(pid) != 0);
	close(to_child[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(from_child[0]);
	assert_no_server(pid);
	parent = stat_fetch(getpid(), "meminfo");
	assert_int_equal(strncmp(parent, "MemTotal:", 9), 0);
	free(parent);
	kmm_exit();
}

static void test_server_stops_at_kmm_exit_and_starts_again(void **state)
{
	char *reply;

	(void)state;
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	free(stat_fetch(getpid(), "buddyinfo"));
	kmm_exit();
	assert_no_server(getpid());
	assert_int_equal(kmm_init("mem=128M kmmstat=1"), 0);
	reply = stat_fetch(getpid(), "physmap");
	assert_non_null(strstr(reply, "mem=128M"));
	free(reply);
	kmm_exit();
	assert_no_server(getpid());
}

/*
 * A hostile client: it connects to @pid's server and sends its request a byte
 * at a time, every 250 ms, TRICKLE_BYTES bytes without a newline, unless the
 * server answers or closes the connection first.  A deadline per byte would
 * let it hold its connection for 10 s; the whole request has 1 s.
 */
#define TRICKLE_BYTES 40

struct trickler {
	pthread_t thread;
	pid_t pid;
	int sent;     /* bytes sent (atomic) */
	bool dropped; /* the server answered or closed before all were sent */
};

/* connect_name - a connection to "@<name>", non-blocking if asked; the fd or -errno. */
static int connect_name(const char *name, bool nonblock)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd, len, err;

	len = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, "%s", name);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr,
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len)) == 0)
		return fd;
	err = errno;
	close(fd);
	return -err;
}

static void *trickle(void *arg)
{
	struct trickler *t = arg;
	char name[32];
	int fd, i;

	snprintf(name, sizeof(name), "kmm/%d", (int)t->pid);
	fd = connect_name(name, false);
	if (fd < 0) {
		t->dropped = true;
		return NULL;
	}
	for (i = 0; i < TRICKLE_BYTES; i++) {
		struct pollfd pfd = {fd, POLLIN, 0};

		if (poll(&pfd, 1, 250) != 0 || send(fd, "a", 1, MSG_NOSIGNAL) != 1) {
			t->dropped = true;
			break;
		}
		__atomic_store_n(&t->sent, i + 1, __ATOMIC_RELEASE);
	}
	close(fd);
	return NULL;
}

static int trickled(struct trickler *t)
{
	return __atomic_load_n(&t->sent, __ATOMIC_ACQUIRE);
}

/* trickle_start - a trickler on @pid's server, once it has sent two bytes (or was dropped). */
static void trickle_start(struct trickler *t, pid_t pid)
{
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	assert_int_equal(pthread_create(&t->thread, NULL, trickle, t), 0);
	while (trickled(t) < 2 && !__atomic_load_n(&t->dropped, __ATOMIC_ACQUIRE))
		usleep(10 * 1000);
}

static void test_server_answers_others_while_a_request_trickles_in(void **state)
{
	static struct trickler t;
	char *reply;

	(void)state;
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	trickle_start(&t, getpid());
	reply = stat_fetch(getpid(), "meminfo");
	/* answered while the trickler was still at it, not after it gave up */
	assert_true(trickled(&t) < TRICKLE_BYTES);
	assert_int_equal(strncmp(reply, "MemTotal:", 9), 0);
	free(reply);
	kmm_exit();
	pthread_join(t.thread, NULL);
}

static void test_server_drops_a_request_that_trickles_in_past_its_deadline(void **state)
{
	static struct trickler t;

	(void)state;
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	trickle_start(&t, getpid());
	pthread_join(t.thread, NULL);
	assert_true(t.dropped);
	assert_true(t.sent < TRICKLE_BYTES);
	kmm_exit();
}

static void test_fork_is_not_held_back_by_a_trickling_client(void **state)
{
	static struct trickler t;
	int status;
	pid_t pid;

	(void)state;
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	kfree(kmalloc(64, GFP_KERNEL));
	trickle_start(&t, getpid());
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		kfree(kmalloc(64, GFP_KERNEL));
		_exit(0);
	}
	/* fork() returned while the trickler was still at it */
	assert_true(trickled(&t) < TRICKLE_BYTES);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	pthread_join(t.thread, NULL);
	kmm_exit();
}

static void test_kmm_exit_is_not_held_back_by_a_trickling_client(void **state)
{
	static struct trickler t;

	(void)state;
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	trickle_start(&t, getpid());
	kmm_exit();
	assert_true(trickled(&t) < TRICKLE_BYTES);
	assert_no_server(getpid());
	pthread_join(t.thread, NULL);
}

#define IDLE_CONNECTIONS 100 /* fewer than the smallest SOMAXCONN (128), more than 16 */

static void test_server_answers_behind_a_burst_of_idle_connections(void **state)
{
	static int idle[IDLE_CONNECTIONS];
	struct timeval bound = {10, 0};
	char name[32], reply[64] = "";
	int nr, fd, i;
	ssize_t n;

	(void)state;
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	snprintf(name, sizeof(name), "kmm/%d", (int)getpid());
	/* connections that never send a byte, as many as the backlog takes */
	for (nr = 0; nr < IDLE_CONNECTIONS; nr++) {
		idle[nr] = connect_name(name, true);
		if (idle[nr] < 0)
			break;
	}
	/* a real client still gets in, and is answered (the bound only keeps a failure short) */
	fd = connect_name(name, true);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_SETFL, 0), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof(bound));
	assert_int_equal(write(fd, "meminfo\n", 8), 8);
	n = read(fd, reply, sizeof(reply) - 1);
	assert_true(n > 0);
	assert_int_equal(strncmp(reply, "OK ", 3), 0);
	close(fd);
	for (i = 0; i < nr; i++)
		close(idle[i]);
	kmm_exit();
}

/* A socket bound to "@kmm/<@pid>" by another process, that listens and answers every request falsely. */
struct impostor {
	pid_t pid; /* 0: none */
	int quit;  /* closing it ends the impostor */
};

/* The test's impostor, if any: impostor_down() ends it even after a failure. */
static struct impostor imp;

static void impostor_start(pid_t victim, uid_t uid)
{
	int ready[2], quit[2];
	char c;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(quit), 0);
	fflush(NULL);
	imp.pid = fork();
	assert_true(imp.pid >= 0);
	if (imp.pid == 0) {
		static const char lie[] = "OK 22\nimpostor's statistics\n";
		struct sockaddr_un addr = {.sun_family = AF_UNIX};
		int fd, len;

		close(ready[0]);
		close(quit[1]);
		if (getuid() != uid && (setgid(uid) || setuid(uid)))
			_exit(1);
		len = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, "kmm/%d", (int)victim);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 ||
		    bind(fd, (struct sockaddr *)&addr,
			 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len)) ||
		    listen(fd, 16) || write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;) {
			struct pollfd fds[2] = {{fd, POLLIN, 0}, {quit[0], POLLIN, 0}};
			char request[64];
			int conn;

			if (poll(fds, 2, -1) < 0 || fds[1].revents)
				_exit(0);
			conn = accept(fd, NULL, NULL);
			if (conn < 0)
				continue;
			if (read(conn, request, sizeof(request)) > 0)
				(void)!write(conn, lie, sizeof(lie) - 1);
			close(conn);
		}
	}
	close(ready[1]);
	close(quit[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	imp.quit = quit[1];
}

static void impostor_stop(void)
{
	int status;

	close(imp.quit);
	assert_int_equal(waitpid(imp.pid, &status, 0), imp.pid);
	imp.pid = 0;
}

static int impostor_down(void **state)
{
	if (imp.pid > 0)
		impostor_stop();
	return machine_down(state);
}

/* Another user's uid for the impostor when the tests run as root, ours otherwise. */
static uid_t other_uid(void)
{
	return geteuid() == 0 ? 65534 : geteuid();
}

static void test_server_says_its_name_is_taken_and_serves_nothing(void **state)
{
	int go[2], result[2], status;
	char report[512], expect[256];
	pid_t target, holder;
	ssize_t n;

	(void)state;
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(result), 0);
	/* the target first, so that the impostor can take its name before it boots */
	fflush(NULL);
	target = fork();
	assert_true(target >= 0);
	if (target == 0) {
		struct capture cap;
		const char *text;
		char c;

		close(go[1]);
		close(result[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		capture_begin(&cap);
		if (kmm_init("mem=64M kmmstat=1"))
			_exit(2);
		text = capture_end(&cap);
		if (write(result[1], text, strlen(text)) < 0)
			_exit(3);
		close(result[1]);
		_exit(threads_named("kmmstat") == 0 ? 0 : 4);
	}
	close(go[0]);
	close(result[1]);
	impostor_start(target, other_uid());
	holder = imp.pid;
	assert_int_equal(write(go[1], "g", 1), 1);
	n = read(result[0], report, sizeof(report) - 1);
	assert_true(n > 0);
	report[n] = '\0';
	assert_int_equal(waitpid(target, &status, 0), target);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	impostor_stop();
	snprintf(expect, sizeof(expect),
		 "kmmstat: @kmm/%d is already bound by pid %d (uid %u); this process serves no "
		 "statistics\n",
		 (int)target, (int)holder, (unsigned int)other_uid());
	assert_string_equal(report, expect);
	close(go[1]);
	close(result[0]);
}

/*
 * run_tool - run the kmmstat binary (next to this suite's build directory)
 * with @args, as @uid; its exit status, its stdout in @out and stderr in @err.
 */
static int run_tool(uid_t uid, char *out, size_t out_len, char *err, size_t err_len,
		    const char *const args[])
{
	char self[PATH_MAX], tool[PATH_MAX + 32], *slash;
	FILE *o = tmpfile(), *e = tmpfile();
	const char *argv[8] = {"kmmstat"};
	int status, i;
	ssize_t n;
	pid_t pid;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(tool, sizeof(tool), "%s/../tools/kmmstat", self);
	if (access(tool, X_OK))
		skip();
	for (i = 0; args[i]; i++)
		argv[i + 1] = args[i];
	assert_non_null(o);
	assert_non_null(e);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fileno(o), 1);
		dup2(fileno(e), 2);
		if (getuid() != uid && (setgid(uid) || setuid(uid)))
			_exit(126);
		execv(tool, (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	rewind(o);
	rewind(e);
	out[fread(out, 1, out_len - 1, o)] = '\0';
	err[fread(err, 1, err_len - 1, e)] = '\0';
	fclose(o);
	fclose(e);
	return WEXITSTATUS(status);
}

/* Does `kmmstat -l` output @list name process @pid? */
static bool lists(const char *list, pid_t pid)
{
	char line[32];

	snprintf(line, sizeof(line), "\n%7d  ", (int)pid);
	return strstr(list, line) != NULL;
}

static void test_tool_refuses_an_impostor_server(void **state)
{
	static char out[1 << 16], err[4096];
	char pid[16], expect[160];
	const char *fetch[] = {pid, "meminfo", NULL}, *list[] = {"-l", NULL};

	(void)state;
	/* no machine here: the impostor takes this process's name */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	impostor_start(getpid(), other_uid());
	assert_int_equal(run_tool(getuid(), out, sizeof(out), err, sizeof(err), fetch), 1);
	assert_null(strstr(out, "impostor"));
	snprintf(expect, sizeof(expect),
		 "kmmstat: @kmm/%d is bound by pid %d (uid %u), not by process %d: refusing its "
		 "reply\n",
		 (int)getpid(), (int)imp.pid, (unsigned int)other_uid(), (int)getpid());
	assert_string_equal(err, expect);
	/* nor is it listed as this process */
	assert_int_equal(run_tool(getuid(), out, sizeof(out), err, sizeof(err), list), 0);
	assert_false(lists(out, getpid()));
	impostor_stop();
}

static void test_tool_lists_only_the_programs_the_caller_may_read(void **state)
{
	static char out[1 << 16], err[4096];
	const char *list[] = {"-l", NULL};

	(void)state;
	if (geteuid() != 0)
		skip(); /* it needs a program of another user */
	assert_int_equal(kmm_init("mem=64M kmmstat=1"), 0);
	assert_int_equal(run_tool(0, out, sizeof(out), err, sizeof(err), list), 0);
	assert_true(lists(out, getpid()));
	assert_int_equal(run_tool(other_uid(), out, sizeof(out), err, sizeof(err), list), 0);
	assert_false(lists(out, getpid()));
	assert_int_equal(strncmp(out, "    PID  COMMAND\n", 17), 0);
	kmm_exit();
}

/* A run of the physmap text. */
struct run {
	unsigned long first, last;
	char owner[96];
};

/* parse_physmap - the runs of the "physmap" text, in order; their number. */
static int parse_physmap(const char *text, struct run *runs, int max)
{
	const char *line = text;
	int nr = 0;

	for (; *line; line = strchr(line, '\n') + 1) {
		struct run *r = &runs[nr];
		int off = 0;

		if (!strncmp(line, "pfn ", 4)) {
			assert_true(nr < max);
			assert_int_equal(
				sscanf(line, "pfn 0x%lx-0x%lx  %n", &r->first, &r->last, &off), 2);
			snprintf(r->owner, sizeof(r->owner), "%.*s", (int)strcspn(line + off, "\n"),
				 line + off);
			nr++;
		}
		if (!strchr(line, '\n'))
			break;
	}
	return nr;
}

/* The owner of @pfn among @runs. */
static const char *owner_of(const struct run *runs, int nr, unsigned long pfn)
{
	int i;

	for (i = 0; i < nr; i++)
		if (pfn >= runs[i].first && pfn <= runs[i].last)
			return runs[i].owner;
	fail_msg("pfn 0x%lx is in no run", pfn);
	return NULL;
}

static void assert_every_frame_once(const char *cmdline, unsigned long frames)
{
	static struct run runs[1 << 16];
	unsigned long next = 0;
	char *text;
	int nr, i;

	assert_int_equal(kmm_init(cmdline), 0);
	kfree(kmalloc(64, GFP_KERNEL));
	text = show_alloc("physmap");
	nr = parse_physmap(text, runs, 1 << 16);
	assert_true(nr > 2);
	for (i = 0; i < nr; i++) {
		assert_int_equal(runs[i].first, next);
		assert_true(runs[i].last >= runs[i].first);
		next = runs[i].last + 1;
	}
	assert_int_equal(next, frames);
	free(text);
	kmm_exit();
}

static void test_physmap_accounts_for_every_frame_exactly_once(void **state)
{
	(void)state;
	assert_every_frame_once("mem=64M", 16384);
}

static void test_physmap_accounts_for_every_frame_with_nodes_and_highmem(void **state)
{
	(void)state;
	assert_every_frame_once("mem=256M numa=fake=2 highmem=32M", 65536);
}

static void test_physmap_names_the_owners_of_known_pages(void **state)
{
	static struct run runs[1 << 16];
	struct kmem_cache *s;
	struct page *pages;
	void *objs[64], *area, *large;
	char expect[96], *text;
	int nr, i;

	(void)state;
	assert_int_equal(kmm_init("mem=64M"), 0);
	s = kmem_cache_create("physmap_test", 256, 0, 0, NULL);
	assert_non_null(s);
	for (i = 0; i < 64; i++)
		assert_non_null(objs[i] = kmem_cache_alloc(s, GFP_KERNEL));
	area = vmalloc(10 * PAGE_SIZE);
	assert_non_null(area);
	large = kmalloc(64 << 10, GFP_KERNEL);
	assert_non_null(large);
	pages = alloc_pages(GFP_KERNEL, 2);
	assert_non_null(pages);
	text = show_alloc("physmap");
	nr = parse_physmap(text, runs, 1 << 16);

	for (i = 0; i < 64; i++)
		assert_string_equal(owner_of(runs, nr, page_to_pfn(virt_to_page(objs[i]))),
				    "slab physmap_test");
	snprintf(expect, sizeof(expect), "vmalloc 0x%lx", (unsigned long)area);
	for (i = 0; i < 10; i++)
		assert_string_equal(
			owner_of(runs, nr,
				 page_to_pfn(vmalloc_to_page((char *)area + i * PAGE_SIZE))),
			expect);
	for (i = 0; i < 16; i++)
		assert_string_equal(owner_of(runs, nr, page_to_pfn(virt_to_page(large)) + i),
				    "kmalloc-large");
	for (i = 0; i < 4; i++)
		assert_string_equal(owner_of(runs, nr, page_to_pfn(pages) + i), "alloc_pages");
	assert_string_equal(owner_of(runs, nr, 0), "reserved BIOS page 0");
	assert_string_equal(owner_of(runs, nr, page_to_pfn(virt_to_page(kmm_vmemmap))),
			    "reserved memmap");
	free(text);

	/* Freed, they are someone else's: free pages, on a list or in a block. */
	vfree(area);
	kfree(large);
	__free_pages(pages, 2);
	kmm_drain_all();
	text = show_alloc("physmap");
	nr = parse_physmap(text, runs, 1 << 16);
	assert_int_equal(strncmp(owner_of(runs, nr, page_to_pfn(pages)), "free order ", 11), 0);
	free(text);
	for (i = 0; i < 64; i++)
		kmem_cache_free(s, objs[i]);
	kmem_cache_destroy(s);
	kmm_exit();
}

/* xml_balanced - every element of @svg is closed in order; the number of elements. */
static int xml_balanced(const char *svg)
{
	char stack[16][32];
	int depth = 0, elements = 0;
	const char *p = svg;

	while ((p = strchr(p, '<'))) {
		const char *end = strchr(p, '>');
		char name[32];
		int n;

		assert_non_null(end);
		if (p[1] == '?' || p[1] == '!') {
			p = end + 1;
			continue;
		}
		if (p[1] == '/') {
			assert_int_equal(sscanf(p + 2, "%31[a-zA-Z]", name), 1);
			assert_true(depth > 0);
			assert_string_equal(stack[--depth], name);
		} else {
			assert_int_equal(sscanf(p + 1, "%31[a-zA-Z]", name), 1);
			elements++;
			if (end[-1] != '/') {
				assert_true(depth < 16);
				n = snprintf(stack[depth++], sizeof(stack[0]), "%s", name);
				assert_true(n > 0);
			}
		}
		p = end + 1;
	}
	assert_int_equal(depth, 0);
	return elements;
}

static int count(const char *text, const char *what)
{
	int nr = 0;

	while ((text = strstr(text, what))) {
		nr++;
		text += strlen(what);
	}
	return nr;
}

static void test_physmap_svg_is_well_formed_with_a_legend(void **state)
{
	struct kmem_cache *s;
	void *objs[2000];
	char *svg, *first;
	int i, legend;

	(void)state;
	assert_int_equal(kmm_physmap_svg(NULL), -EINVAL);
	assert_int_equal(kmm_init("mem=64M"), 0);
	/* the biggest cache by far: 2000 objects of 2 KiB */
	s = kmem_cache_create("svg_test_cache", 2048, 0, 0, NULL);
	assert_non_null(s);
	for (i = 0; i < 2000; i++)
		assert_non_null(objs[i] = kmem_cache_alloc(s, GFP_KERNEL));
	svg = physmap_svg_alloc();
	assert_int_equal(strncmp(svg, "<?xml", 5), 0);
	assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_int_equal(strcmp(svg + strlen(svg) - 7, "</svg>\n"), 0);
	assert_true(xml_balanced(svg) > 100);
	/* cells: at least a rect for each of the 64 rows of mem=64M */
	assert_true(count(svg, "<rect x=") - count(svg, "<g class=\"legend\"><rect") >= 64);
	/* free blocks, 7 other owners, the slab caches (at most 12 named, and the rest) */
	legend = count(svg, "<g class=\"legend\">");
	assert_true(legend >= 1 + 7 + 1);
	assert_true(legend <= 1 + 7 + 12 + 1);
	/* biggest first: the test's cache has the first slab colour, and its cells are drawn */
	first = strstr(svg, "fill=\"#d32f2f\" stroke=");
	assert_non_null(first);
	assert_int_equal(strncmp(strchr(first, '>') + 1, "<text", 5), 0);
	assert_int_equal(strncmp(strstr(first, "font-size=\"12\">") + 15, "svg_test_cache <", 16),
			 0);
	assert_true(count(svg, "class=\"s0\"") > 0);
	assert_non_null(strstr(svg, "mem=64M"));
	free(svg);
	for (i = 0; i < 2000; i++)
		kmem_cache_free(s, objs[i]);
	kmem_cache_destroy(s);
	kmm_exit();
}

static void test_physmap_svg_groups_frames_on_a_big_machine(void **state)
{
	char *svg;

	(void)state;
	assert_int_equal(kmm_init("mem=1G"), 0);
	svg = physmap_svg_alloc();
	assert_non_null(strstr(svg, "one cell = 4 frames (16K), coloured by the owner of most"));
	assert_true(xml_balanced(svg) > 10);
	assert_true(strlen(svg) < 200000);
	free(svg);
	kmm_exit();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		kmm_test(test_server_is_off_by_default),
		kmm_test(test_server_listens_in_a_thread_named_kmmstat),
		kmm_test(test_server_answers_slabinfo_as_kmm_show_does),
		kmm_test(test_server_answers_meminfo_as_kmm_show_does),
		kmm_test(test_server_answers_every_other_file_as_kmm_show_does),
		kmm_test(test_server_refuses_unknown_files_and_bad_requests),
		kmm_test(test_server_thread_never_becomes_a_cpu),
		kmm_test(test_server_answers_for_the_child_after_fork),
		kmm_test(test_server_stops_at_kmm_exit_and_starts_again),
		kmm_test(test_server_answers_others_while_a_request_trickles_in),
		kmm_test(test_server_drops_a_request_that_trickles_in_past_its_deadline),
		kmm_test(test_fork_is_not_held_back_by_a_trickling_client),
		kmm_test(test_kmm_exit_is_not_held_back_by_a_trickling_client),
		kmm_test(test_server_answers_behind_a_burst_of_idle_connections),
		cmocka_unit_test_teardown(test_server_says_its_name_is_taken_and_serves_nothing,
					  impostor_down),
		cmocka_unit_test_teardown(test_tool_refuses_an_impostor_server, impostor_down),
		kmm_test(test_tool_lists_only_the_programs_the_caller_may_read),
		kmm_test(test_physmap_accounts_for_every_frame_exactly_once),
		kmm_test(test_physmap_accounts_for_every_frame_with_nodes_and_highmem),
		kmm_test(test_physmap_names_the_owners_of_known_pages),
		kmm_test(test_physmap_svg_is_well_formed_with_a_legend),
		kmm_test(test_physmap_svg_groups_frames_on_a_big_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
