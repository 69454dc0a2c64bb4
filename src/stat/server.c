/* SPDX-License-Identifier: MIT */
/*
 * stat/server.c - the kmmstat server: the kmm_show() files of a running
 * program, for the kmmstat tool (tools/kmmstat.c, docs/kmmstat.md).
 *
 * With kmmstat=1, kmm_init() starts one thread, "kmmstat", listening on the
 * abstract unix socket "@kmm/<pid>" (abstract: no file to clean up, gone with
 * the process).  A connection carries one request:
 *   request  a file name and a newline, "slabinfo\n" (at most 63 bytes);
 *   reply    "OK <length>\n" and <length> bytes of kmm_show(<name>), or
 *            "ERR <reason>\n" (an unknown file, a malformed request, a peer
 *            of another uid);
 * then the server closes it.  Only peers of the process's effective uid are
 * answered (SO_PEERCRED).  With kmmstat=0 (the default) none of this exists:
 * no thread, no socket, and no allocation path looks at the parameter.
 *
 * The thread is not a CPU: it never allocates, from libkmm or from the C
 * library (whose malloc may be libkmm's, under libkmm-malloc.so).  The FILE
 * that kmm_show() prints into is made when the server starts, by the booting
 * thread (fopencookie(), with a static stdio buffer), and writes into an
 * mmap()ed reply buffer; the physmap walk maps its own scratch memory.  The
 * allocator's locks are held by kmm_show() exactly as for an in-process call,
 * while printing into memory; the reply is sent after they are released.
 * Signals are blocked in the thread, so none meant for the program lands there.
 *
 * Locking: kmmstat_lock is held from accept() to the connection's close, so
 * no request is half answered across fork(): fork takes it after the boot
 * lock and before every allocator lock (boot/fork.c), and the child, whose
 * copy of the server has no thread, closes the parent's socket and starts a
 * server of its own for its own pid, reusing the FILE and reply buffer it
 * inherited (no request was in them).  A request waits at most 1 s for its
 * line and 2 s for the reply to be taken, so a stuck client cannot hold a
 * fork back for longer.  Start and stop run under the boot lock (at boot and
 * in kmm_exit(), before anything is torn down), never under kmmstat_lock.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <kmm/kmm.h>
#include "report/report.h"
#include "stat/stat.h"

#define KMMSTAT_REQUEST_MAX   64
#define KMMSTAT_RECV_TIMEOUT  1000 /* ms for the request line */
#define KMMSTAT_SEND_DEADLINE 2000 /* ms for the whole reply */
#define KMMSTAT_STACK	      (256 << 10)
#define KMMSTAT_REPLY_MIN     (64 << 10)

static struct {
	bool running;	  /* the thread runs (between start and stop) */
	pthread_t thread; /* "kmmstat" */
	int listen_fd;	  /* the socket "@kmm/<pid>" */
	int stop_fd;	  /* an eventfd: kmm_stat_stop() wakes the thread with it */
	FILE *out;	  /* kmm_show() prints here; it writes into reply */
} server = {.listen_fd = -1, .stop_fd = -1};

/* The reply being built: mmap()ed, grown with mremap(), kept for the next request. */
static struct {
	char *buf;
	size_t len; /* bytes written */
	size_t cap; /* bytes mapped */
} reply;

/* out's stdio buffer: static, so that stdio never allocates one. */
static char out_buffer[1 << 14];

static pthread_mutex_t kmmstat_lock = PTHREAD_MUTEX_INITIALIZER;

/* reply_write - out's cookie write function: append to the reply; 0 if it cannot grow. */
static ssize_t reply_write(void *cookie, const char *data, size_t len)
{
	(void)cookie;
	if (reply.len + len > reply.cap) {
		size_t cap = reply.cap ? reply.cap : KMMSTAT_REPLY_MIN;
		void *p;

		while (cap < reply.len + len)
			cap *= 2;
		if (reply.buf)
			p = mremap(reply.buf, reply.cap, cap, MREMAP_MAYMOVE);
		else
			p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
				 0);
		if (p == MAP_FAILED)
			return 0;
		reply.buf = p;
		reply.cap = cap;
	}
	memcpy(reply.buf + reply.len, data, len);
	reply.len += len;
	return (ssize_t)len;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void set_timeout(int fd, int option, long ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	setsockopt(fd, SOL_SOCKET, option, &tv, sizeof(tv));
}

/* send_all - @len bytes of @buf to @conn before @deadline; false if the peer is gone or slow. */
static bool send_all(int conn, const char *buf, size_t len, long long deadline)
{
	while (len) {
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0)
			return false;
		set_timeout(conn, SO_SNDTIMEO, (long)left);
		n = send(conn, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

static void send_error(int conn, const char *reason, const char *name)
{
	char line[KMMSTAT_REQUEST_MAX + 64];
	int n = snprintf(line, sizeof(line), "ERR %s%s\n", reason, name ? name : "");

	send_all(conn, line, (size_t)n, now_ms() + KMMSTAT_SEND_DEADLINE);
}

/* read_request - the request line into @name, without its newline; false if malformed. */
static bool read_request(int conn, char name[KMMSTAT_REQUEST_MAX])
{
	size_t len = 0;
	const char *c;

	set_timeout(conn, SO_RCVTIMEO, KMMSTAT_RECV_TIMEOUT);
	while (len < KMMSTAT_REQUEST_MAX - 1) {
		ssize_t n = recv(conn, name + len, KMMSTAT_REQUEST_MAX - 1 - len, 0);
		char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		len += (size_t)n;
		name[len] = '\0';
		nl = memchr(name, '\n', len);
		if (!nl)
			continue;
		*nl = '\0';
		if (nl > name && nl[-1] == '\r')
			nl[-1] = '\0';
		/* a file name: lower-case letters, digits, '.', '_' and '-' */
		for (c = name; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' ||
			      *c == '_' || *c == '-'))
				return false;
		return *name != '\0';
	}
	return false;
}

/* serve - answer the request on @conn.  kmmstat_lock held. */
static void serve(int conn)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char name[KMMSTAT_REQUEST_MAX], header[48];
	long long deadline;
	int n, ret;

	if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != geteuid()) {
		send_error(conn, "permission denied", NULL);
		return;
	}
	if (!read_request(conn, name)) {
		send_error(conn, "malformed request: a file name and a newline expected", NULL);
		return;
	}
	reply.len = 0;
	clearerr(server.out);
	ret = kmm_show(name, server.out);
	if (fflush(server.out) || ferror(server.out)) {
		send_error(conn, "out of memory for the reply of ", name);
		return;
	}
	if (ret) {
		send_error(conn, ret == -ENOENT ? "no such file: " : "cannot show ", name);
		return;
	}
	deadline = now_ms() + KMMSTAT_SEND_DEADLINE;
	n = snprintf(header, sizeof(header), "OK %zu\n", reply.len);
	if (send_all(conn, header, (size_t)n, deadline))
		send_all(conn, reply.buf, reply.len, deadline);
}

static void *kmmstat_thread(void *arg)
{
	struct pollfd fds[2] = {{server.listen_fd, POLLIN, 0}, {server.stop_fd, POLLIN, 0}};

	(void)arg;
	for (;;) {
		int conn;

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		if (!(fds[0].revents & POLLIN))
			continue;
		pthread_mutex_lock(&kmmstat_lock);
		conn = accept4(server.listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (conn >= 0) {
			serve(conn);
			close(conn);
		}
		pthread_mutex_unlock(&kmmstat_lock);
	}
	return NULL;
}

/* open_socket - the listening socket "@kmm/<pid>"; its fd or -errno. */
static int open_socket(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd, len;

	/* sun_path[0] stays '\0': an abstract name, of exactly len bytes after it */
	len = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, KMMSTAT_SOCKET_PREFIX "%d",
		       (int)getpid());
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len)) ||
	    listen(fd, 16)) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

static void close_fds(void)
{
	if (server.listen_fd >= 0)
		close(server.listen_fd);
	if (server.stop_fd >= 0)
		close(server.stop_fd);
	server.listen_fd = server.stop_fd = -1;
}

void kmm_stat_start(void)
{
	sigset_t all, old;
	pthread_attr_t attr;
	int ret;

	if (server.running)
		return;
	if (!server.out) {
		static const cookie_io_functions_t reply_io = {.write = reply_write};

		server.out = fopencookie(NULL, "w", reply_io);
		if (!server.out) {
			kmm_info("kmmstat: cannot start the server: %s", strerror(errno));
			return;
		}
		setvbuf(server.out, out_buffer, _IOFBF, sizeof(out_buffer));
	}
	ret = open_socket();
	if (ret < 0) {
		kmm_info("kmmstat: cannot listen on @" KMMSTAT_SOCKET_PREFIX "%d: %s",
			 (int)getpid(), strerror(-ret));
		return;
	}
	server.listen_fd = ret;
	server.stop_fd = eventfd(0, EFD_CLOEXEC);
	if (server.stop_fd < 0) {
		kmm_info("kmmstat: cannot start the server: %s", strerror(errno));
		close_fds();
		return;
	}
	sigfillset(&all);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, KMMSTAT_STACK);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&server.thread, &attr, kmmstat_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (ret) {
		kmm_info("kmmstat: cannot start the server thread: %s", strerror(ret));
		close_fds();
		return;
	}
	pthread_setname_np(server.thread, "kmmstat");
	server.running = true;
}

void kmm_stat_stop(void)
{
	uint64_t one = 1;

	if (!server.running)
		return;
	(void)!write(server.stop_fd, &one, sizeof(one));
	pthread_join(server.thread, NULL);
	close_fds();
	server.running = false;
	fclose(server.out);
	server.out = NULL;
	if (reply.buf)
		munmap(reply.buf, reply.cap);
	memset(&reply, 0, sizeof(reply));
}

void kmm_stat_fork_prepare(void)
{
	pthread_mutex_lock(&kmmstat_lock);
}

void kmm_stat_fork_parent(void)
{
	pthread_mutex_unlock(&kmmstat_lock);
}

void kmm_stat_fork_child(void)
{
	pthread_mutex_init(&kmmstat_lock, NULL);
	if (!server.running)
		return;
	/* The parent's thread is not here; its socket stays the parent's alone. */
	close_fds();
	server.running = false;
	kmm_stat_start();
}
