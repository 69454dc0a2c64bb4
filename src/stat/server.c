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
 * then the server closes it.  With kmmstat=0 (the default) none of this
 * exists: no thread, no socket, and no allocation path looks at the parameter.
 *
 * Hostile clients.  Any local user can connect to an abstract socket, so
 * nothing a peer does can make the server, or the program, wait:
 *   - a peer whose uid (SO_PEERCRED) is neither the process's effective uid
 *     nor root gets "ERR permission denied" (sent without waiting) and is
 *     closed at accept(): it takes no slot;
 *   - every socket is non-blocking and the thread waits in poll() only, so
 *     connections are accepted as they come (backlog SOMAXCONN) and served
 *     side by side, at most KMMSTAT_CONN_MAX at once: one more closes the
 *     oldest, so a burst of idle connections cannot lock a client out;
 *   - a request has 1 s in all from accept() to its newline (bytes that
 *     trickle in do not extend it) and its reply 2 s in all; a connection
 *     past its deadline is closed.  A request is answered as soon as its
 *     line is in, while others are still being read or sent.
 * If another process bound "@kmm/<pid>" first (bind() fails with
 * EADDRINUSE), one line says who holds it and that this process serves
 * nothing; the tool checks the server's SO_PEERCRED before it believes a
 * reply (tools/kmmstat.c).
 *
 * The thread is not a CPU: it never allocates, from libkmm or from the C
 * library (whose malloc may be libkmm's, under libkmm-malloc.so).  The FILE
 * that kmm_show() prints into is made when the server starts, by the booting
 * thread (fopencookie(), with a static stdio buffer), and writes into the
 * mmap()ed reply buffer of the connection being answered (each slot has its
 * own, so replies go out side by side); the physmap walk maps its own
 * scratch memory.  The allocator's locks are held by kmm_show() exactly as
 * for an in-process call, while printing into memory; the reply is sent after
 * they are released.  Signals are blocked in the thread, so none meant for
 * the program lands there.
 *
 * Locking: kmmstat_lock protects the connection table, the FILE and the reply
 * buffers.  The thread holds it for one step at a time (an accept(), a read,
 * a kmm_show() into memory, a send, a close: non-blocking system calls or
 * printing) and never across poll(), so no client can stretch it.  fork takes
 * it after the boot lock and before every allocator lock (boot/fork.c), so the
 * child sees no step half done: it closes its copies of the parent's socket
 * and connections (the parent answers them) and starts a server of its own
 * for its own pid, reusing the FILE and the reply buffers it inherited.
 * kmm_show() takes the allocator's locks under it, as in-process.  Start and
 * stop run under the boot lock (at boot and in kmm_exit(), before anything is
 * torn down), never under kmmstat_lock; stop wakes the thread with the
 * eventfd, and it is never further than one step from poll().
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
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
#include "boot/subsys.h"
#include "report/report.h"
#include "stat/stat.h"
#include "sync/kthread.h"
#include "sync/lock.h"

#define KMMSTAT_REQUEST_MAX	 64
#define KMMSTAT_REQUEST_DEADLINE 1000 /* ms from accept() to the request's newline, in all */
#define KMMSTAT_REPLY_DEADLINE	 2000 /* ms from the request to the reply's last byte, in all */
#define KMMSTAT_CONN_MAX	 32   /* connections served at once; one more evicts the oldest */
#define KMMSTAT_ACCEPT_BATCH	 64   /* accepts between two looks at the connections */
#define KMMSTAT_ACCEPT_PAUSE	 100  /* ms without accepting after accept() failed (EMFILE) */
#define KMMSTAT_HEADER_ROOM	 32   /* bytes kept before a reply for its "OK <length>\n" */
#define KMMSTAT_STACK		 (256 << 10)
#define KMMSTAT_REPLY_MIN	 (64 << 10)

static struct {
	bool running;		 /* the thread runs (between start and stop) */
	pthread_t thread;	 /* "kmmstat" */
	int listen_fd;		 /* the socket "@kmm/<pid>" */
	int stop_fd;		 /* an eventfd: kmm_stat_stop() wakes the thread with it */
	FILE *out;		 /* kmm_show() prints here; it writes into *filling */
	long long accept_paused; /* no accept() before this time (ms), after a failure */
} server = {.listen_fd = -1, .stop_fd = -1};

/*
 * A reply buffer: mmap()ed at its first request, grown with mremap(); kept
 * for the next request if it stayed at KMMSTAT_REPLY_MIN, unmapped at the
 * close otherwise: a free slot keeps 64 KiB at most.
 */
struct reply_buf {
	char *buf;  /* KMMSTAT_HEADER_ROOM bytes, then kmm_show()'s */
	size_t len; /* bytes kmm_show() wrote after the room */
	size_t cap; /* bytes mapped */
};

/* A connection: its request being read, then its reply being sent. */
struct stat_conn {
	int fd;		    /* the connection (non-blocking), or -1: a free slot */
	long long accepted; /* when (ms): when all slots are taken, the oldest goes */
	long long deadline; /* ms: the connection is closed when it passes */
	size_t got;	    /* bytes of request[] read */
	char request[KMMSTAT_REQUEST_MAX];   /* the request line, NUL-terminated */
	const char *out;		     /* the rest of the reply; NULL while reading */
	size_t out_len;			     /* bytes of out not sent yet */
	char line[KMMSTAT_REQUEST_MAX + 64]; /* an "ERR <reason>\n" reply */
	struct reply_buf reply;		     /* an "OK <length>\n" reply */
};

static struct stat_conn conns[KMMSTAT_CONN_MAX];

/* The reply server.out writes into, set under kmmstat_lock before kmm_show(). */
static struct reply_buf *filling;

/* out's stdio buffer: static, so that stdio never allocates one. */
static char out_buffer[1 << 14];

static pthread_mutex_t kmmstat_lock = PTHREAD_MUTEX_INITIALIZER;

/* reply_reserve - room for @more bytes after @r's; false if it cannot grow. */
static bool reply_reserve(struct reply_buf *r, size_t more)
{
	size_t need = KMMSTAT_HEADER_ROOM + r->len + more, cap;
	void *p;

	if (r->buf && need <= r->cap)
		return true;
	cap = r->cap ? r->cap : KMMSTAT_REPLY_MIN;
	while (cap < need)
		cap *= 2;
	if (r->buf)
		p = mremap(r->buf, r->cap, cap, MREMAP_MAYMOVE);
	else
		p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	r->buf = p;
	r->cap = cap;
	return true;
}

/* reply_write - out's cookie write function: append to *filling; 0 if it cannot grow. */
static ssize_t reply_write(void *cookie, const char *data, size_t len)
{
	(void)cookie;
	if (!reply_reserve(filling, len))
		return 0;
	memcpy(filling->buf + KMMSTAT_HEADER_ROOM + filling->len, data, len);
	filling->len += len;
	return (ssize_t)len;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A peer of the program's effective uid, or root, is answered. */
static bool peer_allowed(uid_t uid)
{
	return uid == geteuid() || uid == 0;
}

/* conn_close - close @c; a reply buffer grown past KMMSTAT_REPLY_MIN goes too. */
static void conn_close(struct stat_conn *c)
{
	close(c->fd);
	c->fd = -1;
	if (c->reply.cap > KMMSTAT_REPLY_MIN) {
		munmap(c->reply.buf, c->reply.cap);
		memset(&c->reply, 0, sizeof(c->reply));
	}
}

/* conn_send - send what the socket takes of @c's reply now; close @c when all is sent. */
static void conn_send(struct stat_conn *c)
{
	while (c->out_len) {
		ssize_t n = send(c->fd, c->out, c->out_len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			break;
		c->out += n;
		c->out_len -= (size_t)n;
	}
	conn_close(c);
}

/* conn_error - answer @c "ERR <reason><name>". */
static void conn_error(struct stat_conn *c, const char *reason, const char *name)
{
	int n = snprintf(c->line, sizeof(c->line), "ERR %s%s\n", reason, name ? name : "");

	c->out = c->line;
	c->out_len = (size_t)n;
	c->deadline = now_ms() + KMMSTAT_REPLY_DEADLINE;
	conn_send(c);
}

/* A file name: lower-case letters, digits, '.', '_' and '-'. */
static bool valid_name(const char *name)
{
	const char *c;

	for (c = name; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' ||
		      *c == '_' || *c == '-'))
			return false;
	return *name != '\0';
}

/* conn_answer - @c's request is read: print its file into its reply buffer and send it. */
static void conn_answer(struct stat_conn *c)
{
	const char *name = c->request;
	char header[KMMSTAT_HEADER_ROOM];
	int n, ret;

	if (!valid_name(name)) {
		conn_error(c, "malformed request: a file name and a newline expected", NULL);
		return;
	}
	c->reply.len = 0;
	if (!reply_reserve(&c->reply, 0)) {
		conn_error(c, "out of memory for the reply of ", name);
		return;
	}
	filling = &c->reply;
	clearerr(server.out);
	ret = kmm_show(name, server.out);
	if (fflush(server.out) || ferror(server.out)) {
		conn_error(c, "out of memory for the reply of ", name);
		return;
	}
	if (ret) {
		conn_error(c, ret == -ENOENT ? "no such file: " : "cannot show ", name);
		return;
	}
	n = snprintf(header, sizeof(header), "OK %zu\n", c->reply.len);
	c->out = c->reply.buf + KMMSTAT_HEADER_ROOM - n;
	memcpy((char *)c->out, header, (size_t)n);
	c->out_len = (size_t)n + c->reply.len;
	c->deadline = now_ms() + KMMSTAT_REPLY_DEADLINE;
	conn_send(c);
}

/*
 * conn_read - read what has come of @c's request; answer it once its newline
 * is in.  A request that ends, or fills request[], without one is malformed.
 */
static void conn_read(struct stat_conn *c)
{
	while (c->got < KMMSTAT_REQUEST_MAX - 1) {
		ssize_t n = recv(c->fd, c->request + c->got, KMMSTAT_REQUEST_MAX - 1 - c->got,
				 MSG_DONTWAIT);
		char *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			conn_close(c);
			return;
		}
		if (n == 0)
			break;
		c->got += (size_t)n;
		c->request[c->got] = '\0';
		nl = memchr(c->request, '\n', c->got);
		if (!nl)
			continue;
		*nl = '\0';
		if (nl > c->request && nl[-1] == '\r')
			nl[-1] = '\0';
		conn_answer(c);
		return;
	}
	conn_error(c, "malformed request: a file name and a newline expected", NULL);
}

/* conn_slot - a free slot; when there is none, the oldest connection is closed for it. */
static struct stat_conn *conn_slot(void)
{
	struct stat_conn *oldest = &conns[0];
	int i;

	for (i = 0; i < KMMSTAT_CONN_MAX; i++) {
		if (conns[i].fd < 0)
			return &conns[i];
		if (conns[i].accepted < oldest->accepted)
			oldest = &conns[i];
	}
	conn_close(oldest);
	return oldest;
}

/*
 * accept_conn - take one connection off the backlog and read its request at
 * once (a client has usually sent it already); false when the backlog is
 * empty.  A peer of another uid is refused here and takes no slot.
 */
static bool accept_conn(void)
{
	static const char denied[] = "ERR permission denied\n";
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct stat_conn *c;
	int fd;

	fd = accept4(server.listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno == EINTR || errno == ECONNABORTED)
			return true;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			server.accept_paused = now_ms() + KMMSTAT_ACCEPT_PAUSE;
		return false;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || !peer_allowed(cred.uid)) {
		(void)!send(fd, denied, sizeof(denied) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
		close(fd);
		return true;
	}
	c = conn_slot();
	c->fd = fd;
	c->accepted = now_ms();
	c->deadline = c->accepted + KMMSTAT_REQUEST_DEADLINE;
	c->got = 0;
	c->out = NULL;
	c->out_len = 0;
	conn_read(c);
	return true;
}

/* conn_event - @c's socket is ready (@revents): read its request, or send its reply. */
static void conn_event(struct stat_conn *c, short revents)
{
	if (c->out)
		conn_send(c);
	else if (revents & (POLLIN | POLLHUP | POLLERR))
		conn_read(c);
}

/* conns_expire - close the connections past their deadlines; the time to the next one, or -1. */
static int conns_expire(void)
{
	long long now = now_ms(), next = -1;
	int i;

	for (i = 0; i < KMMSTAT_CONN_MAX; i++) {
		struct stat_conn *c = &conns[i];

		if (c->fd < 0)
			continue;
		if (c->deadline <= now) {
			conn_close(c);
			continue;
		}
		if (next < 0 || c->deadline - now < next)
			next = c->deadline - now;
	}
	if (server.accept_paused > now && (next < 0 || server.accept_paused - now < next))
		next = server.accept_paused - now;
	return (int)next;
}

static void conns_close_all(void)
{
	int i;

	for (i = 0; i < KMMSTAT_CONN_MAX; i++)
		if (conns[i].fd >= 0)
			conn_close(&conns[i]);
}

/*
 * kmmstat_thread - the server: it waits in poll() only, for the listening
 * socket, the stop eventfd and every connection, until the next deadline;
 * each step it takes then (an accept, a read, a kmm_show(), a send, a close)
 * runs under kmmstat_lock and never waits for a client.
 */
static void *kmmstat_thread(void *arg)
{
	struct pollfd fds[2 + KMMSTAT_CONN_MAX];
	int slot[2 + KMMSTAT_CONN_MAX];

	(void)arg;
	for (;;) {
		int nfds = 2, timeout, i;

		kmm_mutex_lock(&kmmstat_lock);
		timeout = conns_expire();
		pthread_mutex_unlock(&kmmstat_lock);
		fds[0] = (struct pollfd){server.listen_fd,
					 server.accept_paused > now_ms() ? 0 : POLLIN, 0};
		fds[1] = (struct pollfd){server.stop_fd, POLLIN, 0};
		for (i = 0; i < KMMSTAT_CONN_MAX; i++) {
			if (conns[i].fd < 0)
				continue;
			slot[nfds] = i;
			fds[nfds++] =
				(struct pollfd){conns[i].fd, conns[i].out ? POLLOUT : POLLIN, 0};
		}
		if (poll(fds, (nfds_t)nfds, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		for (i = 2; i < nfds; i++) {
			struct stat_conn *c = &conns[slot[i]];

			if (!fds[i].revents)
				continue;
			kmm_mutex_lock(&kmmstat_lock);
			if (c->fd == fds[i].fd)
				conn_event(c, fds[i].revents);
			pthread_mutex_unlock(&kmmstat_lock);
		}
		for (i = 0; (fds[0].revents & POLLIN) && i < KMMSTAT_ACCEPT_BATCH; i++) {
			bool more;

			kmm_mutex_lock(&kmmstat_lock);
			more = accept_conn();
			pthread_mutex_unlock(&kmmstat_lock);
			if (!more)
				break;
		}
	}
	kmm_mutex_lock(&kmmstat_lock);
	conns_close_all();
	pthread_mutex_unlock(&kmmstat_lock);
	return NULL;
}

/* socket_name - @addr holds "@kmm/<pid>" of this process; its length for bind()/connect(). */
static socklen_t socket_name(struct sockaddr_un *addr)
{
	int len;

	/* sun_path[0] stays '\0': an abstract name, of exactly len bytes after it */
	len = snprintf(addr->sun_path + 1, sizeof(addr->sun_path) - 1, KMMSTAT_SOCKET_PREFIX "%d",
		       (int)getpid());
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)len);
}

/* open_socket - the listening socket "@kmm/<pid>"; its fd or -errno. */
static int open_socket(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	socklen_t len = socket_name(&addr);
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&addr, len) || listen(fd, SOMAXCONN)) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

/*
 * report_name_taken - another process bound "@kmm/<pid>" first: say who (the
 * SO_PEERCRED of its listening socket, by a connection that sends nothing and
 * does not wait), and that this process serves nothing.  A notice, not a
 * warning: another user's socket must not abort a program with panic_on_warn.
 */
static void report_name_taken(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	socklen_t len = socket_name(&addr), cred_len;
	struct ucred cred;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	bool known = false;

	if (fd >= 0) {
		cred_len = sizeof(cred);
		known = !connect(fd, (struct sockaddr *)&addr, len) &&
			!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len);
		close(fd);
	}
	if (known)
		kmm_info("kmmstat: @%s is already bound by pid %d (uid %u); this process serves "
			 "no statistics",
			 addr.sun_path + 1, (int)cred.pid, (unsigned int)cred.uid);
	else
		kmm_info("kmmstat: @%s is already bound by another process; this process serves "
			 "no statistics",
			 addr.sun_path + 1);
}

static void close_fds(void)
{
	if (server.listen_fd >= 0)
		close(server.listen_fd);
	if (server.stop_fd >= 0)
		close(server.stop_fd);
	server.listen_fd = server.stop_fd = -1;
}

/*
 * kmm_stat_start - start the server of this process.  A failure is reported
 * in one line, a name already bound by another process too (naming it); the
 * machine runs without the server.
 */
static void kmm_stat_start(void)
{
	int ret, i;

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
	if (ret == -EADDRINUSE) {
		report_name_taken();
		return;
	}
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
	for (i = 0; i < KMMSTAT_CONN_MAX; i++)
		conns[i].fd = -1;
	server.accept_paused = 0;
	ret = kmm_kthread_create(&server.thread, kmmstat_thread, NULL, KMMSTAT_STACK);
	if (ret) {
		kmm_info("kmmstat: cannot start the server thread: %s", strerror(ret));
		close_fds();
		return;
	}
	pthread_setname_np(server.thread, "kmmstat");
	server.running = true;
}

/* kmm_stat_stop - stop the server and wait for its thread (boot lock held). */
static void kmm_stat_stop(void)
{
	uint64_t one = 1;
	int i;

	if (!server.running)
		return;
	(void)!write(server.stop_fd, &one, sizeof(one));
	pthread_join(server.thread, NULL);
	close_fds();
	server.running = false;
	fclose(server.out);
	server.out = NULL;
	for (i = 0; i < KMMSTAT_CONN_MAX; i++) {
		if (conns[i].reply.buf)
			munmap(conns[i].reply.buf, conns[i].reply.cap);
		memset(&conns[i].reply, 0, sizeof(conns[i].reply));
	}
}

/*
 * fork (the step KMM_FORK_KMMSTAT): prepare takes kmmstat_lock after the boot
 * lock, so no step of the server is half done across fork() (it waits for one
 * step at most, never for a client); the parent drops it; the child closes the
 * parent's socket and connections and starts a server of its own, for its own
 * pid.
 */
static void kmm_stat_fork_prepare(void)
{
	kmm_mutex_lock(&kmmstat_lock);
}

static void kmm_stat_fork_parent(void)
{
	pthread_mutex_unlock(&kmmstat_lock);
}

static void kmm_stat_fork_child(void)
{
	pthread_mutex_init(&kmmstat_lock, NULL);
	if (!server.running)
		return;
	/* The parent's thread is not here; its socket and connections stay the parent's. */
	conns_close_all();
	close_fds();
	server.running = false;
	kmm_stat_start();
}

/* kmmstat=: a server thread answers the kmmstat tool. */
static bool param_kmmstat;

/* Last of a boot: clients get the machine once it is whole (they wait for the boot lock). */
static int kmm_stat_init(void)
{
	if (param_kmmstat)
		kmm_stat_start();
	return 0;
}

static const struct kmm_fork_ops stat_fork_ops[] = {
	{.step = KMM_FORK_KMMSTAT,
	 .prepare = kmm_stat_fork_prepare,
	 .parent = kmm_stat_fork_parent,
	 .child = kmm_stat_fork_child},
};

static const struct kmm_param stat_params[] = {
	KMM_PARAM_BOOL_VAR("kmmstat", param_kmmstat, 0, "0 or 1",
			   "serve the kmm_show() files to the kmmstat tool (docs/kmmstat.md)"),
};

static const struct kmm_proc_file stat_proc[] = {
	{"meminfo", show_meminfo},
	{"physmap", show_physmap},
	{"physmap.svg", show_physmap_svg},
};

const struct kmm_subsys kmm_stat_subsys = {
	.name = "stat",
	KMM_SUBSYS_PARAMS(stat_params),
	.init = kmm_stat_init,
	.stop = kmm_stat_stop,
	KMM_SUBSYS_PROC(stat_proc),
	KMM_SUBSYS_FORK(stat_fork_ops),
};
