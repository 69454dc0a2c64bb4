/* SPDX-License-Identifier: MIT */
/*
 * workloads.c - allocation patterns of real programs, for any malloc: run it
 * plain (glibc), or with libkmm-malloc.so or a peer preloaded.
 * scripts/bench-programs times each pattern under every allocator (wall time
 * and maximum RSS); program.sh runs each at 3% under libkmm-malloc.so and
 * compares the output with glibc's.
 *
 *   workloads PATTERN [SCALE]     SCALE: a percentage of the full run (100)
 *
 * Patterns:
 *   large    zero-filled blocks of 5 to 25 MiB (calloc), every page written
 *            and read back, then freed: a program's big buffers
 *   churn    two threads, each a working set of 20000 small objects (16 to
 *            256 bytes) replaced at random: a two-thread small-object churn
 *   xthread  a producer thread allocates 16..512-byte messages that a
 *            consumer thread checks and frees: cross-thread frees
 *   mixed    one thread, sizes 8 bytes to 64 KiB (mostly small), a working
 *            set replaced at random, with reallocs: a mixed-size local pattern
 *   threads  100 threads at once, each allocating and freeing 8..2048 bytes,
 *            started in three waves: many threads
 *   server   a long-running server: connections (1 KiB state, 4..64 KiB
 *            buffers) that live for many requests, each request building
 *            small objects and a reply, in bursts with idle gaps between them
 * Each pattern writes every byte it allocates with a pattern and checks it
 * before the free; a wrong byte or a failed allocation exits with 1 and a
 * line saying which.  Output: the pattern's name and a checksum.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int scale = 100;

/* xorshift64*: a fixed sequence per seed. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static unsigned long scaled(unsigned long n)
{
	unsigned long v = n * (unsigned long)scale / 100;

	return v ? v : 1;
}

static void fail(const char *what, size_t size)
{
	fprintf(stderr, "workloads: %s (%zu bytes)\n", what, size);
	exit(1);
}

/* fill - write @size bytes of @p with the pattern of @tag. */
static void fill(unsigned char *p, size_t size, unsigned char tag)
{
	memset(p, tag, size);
}

/* check - are the first and last bytes of @p still @tag?  (Every byte for small blocks.) */
static void check(const unsigned char *p, size_t size, unsigned char tag)
{
	size_t i, step = size > 256 ? size / 16 : 1;

	for (i = 0; i < size; i += step)
		if (p[i] != tag)
			fail("a byte of a block changed", size);
	if (size && p[size - 1] != tag)
		fail("the last byte of a block changed", size);
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size);

	if (!p)
		fail("malloc failed", size);
	return p;
}

/* large: calloc 5..25 MiB, check the zeros a page apart, write every page, free. */
static unsigned long run_large(void)
{
	unsigned long i, n = scaled(300), sum = 0;
	uint64_t seed = 1;

	for (i = 0; i < n; i++) {
		size_t size = (5UL << 20) + rnd(&seed) % (20UL << 20), off;
		unsigned char *p = calloc(1, size);

		if (!p)
			fail("calloc failed", size);
		for (off = 0; off < size; off += 4096) {
			if (p[off])
				fail("calloc's block is not zeroed", size);
			p[off] = (unsigned char)(off >> 12);
		}
		for (off = 0; off < size; off += 4096)
			sum += p[off];
		free(p);
	}
	return sum;
}

/* A working set of small objects replaced at random, by one thread. */
struct churn_arg {
	uint64_t seed;
	unsigned long rounds, sum;
	unsigned int live, min, max;
};

static void *churn_thread(void *argp)
{
	struct churn_arg *a = argp;
	unsigned char **obj = calloc(a->live, sizeof(*obj));
	size_t *size = calloc(a->live, sizeof(*size));
	unsigned long r;
	unsigned int i;

	if (!obj || !size)
		fail("calloc failed", a->live * sizeof(*obj));
	for (r = 0; r < a->rounds; r++) {
		i = (unsigned int)(rnd(&a->seed) % a->live);
		if (obj[i]) {
			check(obj[i], size[i], (unsigned char)i);
			a->sum += obj[i][0];
			free(obj[i]);
		}
		size[i] = a->min + rnd(&a->seed) % (a->max - a->min + 1);
		obj[i] = xmalloc(size[i]);
		fill(obj[i], size[i], (unsigned char)i);
	}
	for (i = 0; i < a->live; i++)
		free(obj[i]);
	free(obj);
	free(size);
	return NULL;
}

/*
 * churn_wave - @n threads at once, thread i a churn_thread() seeded @seed + i
 * with @rounds replacements of @live objects of @min..@max bytes; joined.
 * Return: the sum of their sums.
 */
static unsigned long churn_wave(int n, uint64_t seed, unsigned long rounds, unsigned int live,
				unsigned int min, unsigned int max)
{
	enum { MAX_THREADS = 100 };
	static struct churn_arg a[MAX_THREADS];
	pthread_t t[MAX_THREADS];
	unsigned long sum = 0;
	int i;

	for (i = 0; i < n && i < MAX_THREADS; i++) {
		a[i] = (struct churn_arg){.seed = seed + (uint64_t)i,
					  .rounds = rounds,
					  .live = live,
					  .min = min,
					  .max = max};
		if (pthread_create(&t[i], NULL, churn_thread, &a[i]))
			fail("pthread_create failed", 0);
	}
	while (i-- > 0) {
		pthread_join(t[i], NULL);
		sum += a[i].sum;
	}
	return sum;
}

static unsigned long run_churn(void)
{
	return churn_wave(2, 7, scaled(4000000), 20000, 16, 256);
}

/* xthread: a ring of messages, the producer allocates and the consumer frees. */
#define RING 4096
static struct {
	unsigned char *msg[RING];
	size_t size[RING];
	unsigned long head, tail; /* producer's and consumer's counts */
	pthread_mutex_t lock;
	pthread_cond_t not_full, not_empty;
} ring = {.lock = PTHREAD_MUTEX_INITIALIZER,
	  .not_full = PTHREAD_COND_INITIALIZER,
	  .not_empty = PTHREAD_COND_INITIALIZER};

static unsigned long xthread_total;

/* Batches of 64 under the lock: the allocator's cross-thread path, not the lock, is timed. */
#define XBATCH 64
static void *producer(void *unused)
{
	uint64_t seed = 3;
	unsigned long n = 0;

	(void)unused;
	while (n < xthread_total) {
		unsigned char *m[XBATCH];
		size_t sz[XBATCH];
		int i, k = xthread_total - n < XBATCH ? (int)(xthread_total - n) : XBATCH;

		for (i = 0; i < k; i++) {
			sz[i] = 16 + rnd(&seed) % 497;
			m[i] = xmalloc(sz[i]);
			fill(m[i], sz[i], (unsigned char)(n + (unsigned long)i));
		}
		pthread_mutex_lock(&ring.lock);
		while (ring.head + (unsigned long)k - ring.tail > RING)
			pthread_cond_wait(&ring.not_full, &ring.lock);
		for (i = 0; i < k; i++) {
			ring.msg[(ring.head + (unsigned long)i) % RING] = m[i];
			ring.size[(ring.head + (unsigned long)i) % RING] = sz[i];
		}
		ring.head += (unsigned long)k;
		pthread_cond_signal(&ring.not_empty);
		pthread_mutex_unlock(&ring.lock);
		n += (unsigned long)k;
	}
	return NULL;
}

static unsigned long run_xthread(void)
{
	pthread_t t;
	unsigned long n = 0, sum = 0;

	xthread_total = scaled(3000000);
	if (pthread_create(&t, NULL, producer, NULL))
		fail("pthread_create failed", 0);
	while (n < xthread_total) {
		unsigned char *m[XBATCH];
		size_t sz[XBATCH];
		int i, k;

		pthread_mutex_lock(&ring.lock);
		while (ring.head == ring.tail)
			pthread_cond_wait(&ring.not_empty, &ring.lock);
		k = ring.head - ring.tail < XBATCH ? (int)(ring.head - ring.tail) : XBATCH;
		for (i = 0; i < k; i++) {
			m[i] = ring.msg[(ring.tail + (unsigned long)i) % RING];
			sz[i] = ring.size[(ring.tail + (unsigned long)i) % RING];
		}
		ring.tail += (unsigned long)k;
		pthread_cond_signal(&ring.not_full);
		pthread_mutex_unlock(&ring.lock);
		for (i = 0; i < k; i++) {
			check(m[i], sz[i], (unsigned char)(n + (unsigned long)i));
			sum += m[i][0];
			free(m[i]);
		}
		n += (unsigned long)k;
	}
	pthread_join(t, NULL);
	return sum;
}

/* mixed: sizes mostly small, some up to 64 KiB; a third of the replacements realloc. */
static size_t mixed_size(uint64_t *seed)
{
	uint64_t r = rnd(seed) % 100;

	if (r < 70)
		return 8 + rnd(seed) % 120;
	if (r < 95)
		return 128 + rnd(seed) % 1920;
	return 2048 + rnd(seed) % (62 * 1024);
}

static unsigned long run_mixed(void)
{
	enum { LIVE = 30000 };
	static unsigned char *obj[LIVE];
	static size_t size[LIVE];
	unsigned long r, rounds = scaled(3000000), sum = 0;
	uint64_t seed = 5;
	unsigned int i;

	for (r = 0; r < rounds; r++) {
		size_t want = mixed_size(&seed);

		i = (unsigned int)(rnd(&seed) % LIVE);
		if (obj[i] && r % 3 == 0) {
			size_t keep = want < size[i] ? want : size[i];

			check(obj[i], size[i], (unsigned char)i);
			obj[i] = realloc(obj[i], want);
			if (!obj[i])
				fail("realloc failed", want);
			check(obj[i], keep, (unsigned char)i);
		} else {
			if (obj[i]) {
				check(obj[i], size[i], (unsigned char)i);
				sum += obj[i][0];
				free(obj[i]);
			}
			obj[i] = xmalloc(want);
		}
		size[i] = want;
		fill(obj[i], want, (unsigned char)i);
	}
	for (i = 0; i < LIVE; i++)
		free(obj[i]);
	return sum;
}

/* threads: waves of short-lived threads, each its own small churn. */
static unsigned long run_threads(void)
{
	enum { THREADS = 100, WAVES = 3 };
	unsigned long sum = 0;
	int w;

	for (w = 0; w < WAVES; w++)
		sum += churn_wave(THREADS, (uint64_t)(w * THREADS + 11), scaled(30000), 500, 8,
				  2048);
	return sum;
}

/* server: connections with buffers; requests build small objects and a reply. */
struct connection {
	unsigned char *state; /* 1 KiB */
	unsigned char *in, *out;
	size_t in_size, out_size;
	unsigned long requests_left;
};

static void open_connection(struct connection *c, uint64_t *seed, unsigned char tag)
{
	c->state = xmalloc(1024);
	fill(c->state, 1024, tag);
	c->in_size = 4096 << (rnd(seed) % 5);
	c->out_size = 4096 << (rnd(seed) % 5);
	c->in = xmalloc(c->in_size);
	c->out = xmalloc(c->out_size);
	fill(c->in, c->in_size, tag);
	fill(c->out, c->out_size, tag);
	c->requests_left = 50 + rnd(seed) % 500;
}

static void close_connection(struct connection *c, unsigned char tag)
{
	check(c->state, 1024, tag);
	check(c->in, c->in_size, tag);
	check(c->out, c->out_size, tag);
	free(c->state);
	free(c->in);
	free(c->out);
}

static unsigned long request(uint64_t *seed)
{
	enum { PARTS = 24 };
	unsigned char *part[PARTS];
	size_t size[PARTS], reply = 0;
	unsigned long sum = 0;
	unsigned char *out;
	int i;

	for (i = 0; i < PARTS; i++) {
		size[i] = 16 + rnd(seed) % 300;
		part[i] = xmalloc(size[i]);
		fill(part[i], size[i], (unsigned char)i);
		reply += size[i];
	}
	out = xmalloc(reply);
	for (i = 0, reply = 0; i < PARTS; i++) {
		check(part[i], size[i], (unsigned char)i);
		memcpy(out + reply, part[i], size[i]);
		reply += size[i];
		free(part[i]);
	}
	sum = out[reply - 1];
	free(out);
	return sum;
}

static unsigned long run_server(void)
{
	enum { CONNECTIONS = 2000 };
	static struct connection conn[CONNECTIONS];
	unsigned long burst, bursts = 8, per_burst = scaled(150000), sum = 0, r;
	uint64_t seed = 9;
	unsigned int i;

	for (i = 0; i < CONNECTIONS; i++)
		open_connection(&conn[i], &seed, (unsigned char)i);
	for (burst = 0; burst < bursts; burst++) {
		for (r = 0; r < per_burst; r++) {
			i = (unsigned int)(rnd(&seed) % CONNECTIONS);
			sum += request(&seed);
			if (--conn[i].requests_left == 0) {
				close_connection(&conn[i], (unsigned char)i);
				open_connection(&conn[i], &seed, (unsigned char)i);
			}
		}
		/* idle between bursts, as a server between waves of clients */
		usleep((useconds_t)scaled(100000));
	}
	for (i = 0; i < CONNECTIONS; i++)
		close_connection(&conn[i], (unsigned char)i);
	return sum;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		unsigned long (*run)(void);
	} patterns[] = {
		{"large", run_large}, {"churn", run_churn},	{"xthread", run_xthread},
		{"mixed", run_mixed}, {"threads", run_threads}, {"server", run_server},
	};
	size_t i;

	if (argc < 2 || argc > 3 || (argc == 3 && (scale = atoi(argv[2])) <= 0)) {
		fprintf(stderr,
			"usage: workloads large|churn|xthread|mixed|threads|server [SCALE]\n");
		return 2;
	}
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++)
		if (strcmp(argv[1], patterns[i].name) == 0) {
			printf("%s %lu\n", patterns[i].name, patterns[i].run());
			return 0;
		}
	fprintf(stderr, "workloads: no pattern %s\n", argv[1]);
	return 2;
}
