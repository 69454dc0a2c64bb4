/* SPDX-License-Identifier: MIT */
/*
 * forking.c - a multithreaded program that forks, for libkmm-malloc.so (run
 * it with LD_PRELOAD; tests/malloc/program.sh and scripts/bench-programs do).
 *
 * Worker threads allocate, fill, check, realloc and free blocks of 8 bytes to
 * 8 MiB (every source of the front end: kmalloc caches, large kmallocs,
 * vmalloc, aligned blocks), hand some to each other to be checked and freed
 * by another thread, while the main thread forks again and again.  Each child
 * checks the main thread's blocks (the only memory POSIX lets it rely on, the
 * other threads' being mid-write), allocates and checks its own from two
 * threads of its own, and exits with 0 only if every byte was right.  The
 * parent checks each child's status and, at the end, its own blocks.
 *
 *   forking [-k] [-t THREADS] [-n ITERATIONS] [-f FORKS]
 *   -k  require libkmm-malloc.so: blocks of every size class must lie in the
 *       machine's memory (mappings of the "kmm-physmem" memfd)
 * Exit status: 0 when every check passed; 1 otherwise, with a line saying
 * which.  Allocation failures count as failures.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* A block: its header says how to recompute every byte after it. */
struct block {
	size_t size;	/* bytes, header included */
	uint32_t seed;	/* the pattern */
	uint32_t magic; /* BLOCK_MAGIC while the block is live */
};
#define BLOCK_MAGIC 0x6b6d6d21u

static int failures;

static void fail(const char *what, const void *p)
{
	fprintf(stderr, "forking[%d]: %s (%p)\n", (int)getpid(), what, p);
	__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
}

static uint32_t next_random(uint32_t *state)
{
	/* xorshift32 */
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static unsigned char pattern(uint32_t seed, size_t i)
{
	return (unsigned char)(seed + i * 131 + (i >> 8));
}

static void fill(struct block *b, size_t size, uint32_t seed)
{
	unsigned char *bytes = (unsigned char *)(b + 1);
	size_t i;

	b->size = size;
	b->seed = seed;
	b->magic = BLOCK_MAGIC;
	for (i = 0; i < size - sizeof(*b); i++)
		bytes[i] = pattern(seed, i);
}

/* check - are the first @size bytes of @b (header included) as fill() left them? */
static bool check(const struct block *b, size_t size)
{
	const unsigned char *bytes = (const unsigned char *)(b + 1);
	size_t i;

	if (b->magic != BLOCK_MAGIC)
		return false;
	for (i = 0; i < size - sizeof(*b); i++)
		if (bytes[i] != pattern(b->seed, i))
			return false;
	return true;
}

/* A size for the next block: mostly small, some pages, a few of megabytes. */
static size_t pick_size(uint32_t *rnd)
{
	uint32_t r = next_random(rnd) % 10000;

	if (r < 8800)
		return sizeof(struct block) + next_random(rnd) % 512;
	if (r < 9990)
		return 512 + next_random(rnd) % (32 << 10);
	return (1 << 20) + next_random(rnd) % (7 << 20);
}

static struct block *new_block(uint32_t *rnd)
{
	size_t size = pick_size(rnd);
	struct block *b;
	void *p = NULL;

	switch (next_random(rnd) % 8) {
	case 0:
		b = calloc(1, size);
		if (b && b->magic)
			fail("calloc gave memory that is not zero", b);
		break;
	case 1:
		if (posix_memalign(&p, (size_t)64 << (next_random(rnd) % 8), size))
			p = NULL;
		b = p;
		break;
	default:
		b = malloc(size);
		break;
	}
	if (!b) {
		fail("allocation failed", NULL);
		return NULL;
	}
	if (malloc_usable_size(b) < size)
		fail("malloc_usable_size below the size asked for", b);
	fill(b, size, next_random(rnd));
	return b;
}

/* Blocks handed from one thread to another, checked and freed there. */
#define HANDOFF_SLOTS 64
static struct block *handoff[HANDOFF_SLOTS];
static pthread_mutex_t handoff_lock = PTHREAD_MUTEX_INITIALIZER;

static struct block *exchange_handoff(unsigned int slot, struct block *b)
{
	struct block *old;

	pthread_mutex_lock(&handoff_lock);
	old = handoff[slot % HANDOFF_SLOTS];
	handoff[slot % HANDOFF_SLOTS] = b;
	pthread_mutex_unlock(&handoff_lock);
	return old;
}

#define WORKER_SLOTS 256

struct worker {
	pthread_t thread;
	uint32_t seed;
	long iterations;
};

/* One step on a table of blocks: allocate, check and free, or check and realloc. */
static void step(struct block **slots, uint32_t *rnd)
{
	unsigned int i = next_random(rnd) % WORKER_SLOTS;
	struct block *b = slots[i], *n;
	size_t size;

	if (!b) {
		slots[i] = new_block(rnd);
		return;
	}
	if (!check(b, b->size))
		fail("a block changed under its owner", b);
	switch (next_random(rnd) % 4) {
	case 0:
		/* realloc: the common prefix must survive, whatever the new source */
		size = pick_size(rnd);
		n = realloc(b, size);
		if (!n) {
			fail("realloc failed", b);
			return;
		}
		if (!check(n, size < n->size ? size : n->size))
			fail("realloc lost the contents", n);
		fill(n, size, next_random(rnd));
		slots[i] = n;
		break;
	case 1:
		/* to another thread, which checks and frees it */
		slots[i] = NULL;
		n = exchange_handoff(next_random(rnd), b);
		if (n && !check(n, n->size))
			fail("a handed-off block changed", n);
		if (n)
			n->magic = 0;
		free(n);
		break;
	default:
		b->magic = 0;
		free(b);
		slots[i] = NULL;
		break;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct block *slots[WORKER_SLOTS] = {0};
	uint32_t rnd = w->seed;
	long n;
	int i;

	for (n = 0; n < w->iterations; n++)
		step(slots, &rnd);
	for (i = 0; i < WORKER_SLOTS; i++) {
		if (slots[i] && !check(slots[i], slots[i]->size))
			fail("a block changed under its owner", slots[i]);
		free(slots[i]);
	}
	return NULL;
}

/* The main thread's own blocks: what a child may check. */
#define MAIN_BLOCKS 64
static struct block *main_blocks[MAIN_BLOCKS];

static void *child_worker(void *arg)
{
	struct block *slots[WORKER_SLOTS] = {0};
	uint32_t rnd = (uint32_t)(uintptr_t)arg | 1;
	int n;

	for (n = 0; n < 1500; n++)
		step(slots, &rnd);
	for (n = 0; n < WORKER_SLOTS; n++)
		free(slots[n]);
	return NULL;
}

/* The child: its parent's main-thread blocks, then memory of its own from two threads. */
static int child_main(int round)
{
	pthread_t threads[2];
	int i;

	/* another thread may have held the lock at the fork; what it guarded is theirs */
	pthread_mutex_init(&handoff_lock, NULL);
	memset(handoff, 0, sizeof(handoff));
	for (i = 0; i < MAIN_BLOCKS; i++)
		if (main_blocks[i] && !check(main_blocks[i], main_blocks[i]->size))
			fail("the child's copy of a main-thread block differs", main_blocks[i]);
	for (i = 0; i < 2; i++)
		if (pthread_create(&threads[i], NULL, child_worker,
				   (void *)(uintptr_t)(round * 2 + i + 7)))
			fail("pthread_create failed in the child", NULL);
	for (i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	/* the main-thread blocks are the child's now: change and free them */
	for (i = 0; i < MAIN_BLOCKS; i++) {
		size_t size = 100 + (size_t)i * 1000, old = main_blocks[i]->size;
		struct block *b = realloc(main_blocks[i], size);

		if (!b || !check(b, size < old ? size : old))
			fail("realloc of an inherited block failed", b);
		free(b);
	}
	return failures ? 1 : 0;
}

/* Is @a inside a mapping of the machine's memory (the "kmm-physmem" memfd)? */
static bool in_machine_memory(unsigned long a)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	unsigned long lo, hi;
	char line[512];
	bool found = false;

	while (maps && !found && fgets(line, sizeof(line), maps))
		if (strstr(line, "kmm-physmem") && sscanf(line, "%lx-%lx", &lo, &hi) == 2)
			found = a >= lo && a < hi;
	if (maps)
		fclose(maps);
	return found;
}

static int require_libkmm(void)
{
	static const size_t sizes[] = {1, 100, 5000, 20000, 3 << 20, 9 << 20};
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *p = malloc(sizes[i]);

		if (!p || !in_machine_memory((unsigned long)p) ||
		    !in_machine_memory((unsigned long)p + sizes[i] - 1)) {
			fprintf(stderr,
				"forking: malloc(%zu) = %p is not libkmm's memory "
				"(is libkmm-malloc.so preloaded?)\n",
				sizes[i], p);
			return 1;
		}
		free(p);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int threads = 4, forks = 12, opt, i, kmm = 0;
	long iterations = 20000;
	struct worker *workers;
	uint32_t rnd = 12345;

	while ((opt = getopt(argc, argv, "kt:n:f:")) != -1) {
		switch (opt) {
		case 'k':
			kmm = 1;
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'n':
			iterations = atol(optarg);
			break;
		case 'f':
			forks = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-k] [-t THREADS] [-n ITERATIONS] [-f FORKS]\n",
				argv[0]);
			return 2;
		}
	}
	if (kmm && require_libkmm())
		return 1;
	for (i = 0; i < MAIN_BLOCKS; i++)
		main_blocks[i] = new_block(&rnd);
	workers = calloc((size_t)threads, sizeof(*workers));
	for (i = 0; i < threads; i++) {
		workers[i].seed = 1000u + (uint32_t)i * 7919u;
		workers[i].iterations = iterations;
		if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i])) {
			fail("pthread_create failed", NULL);
			return 1;
		}
	}
	for (i = 0; i < forks; i++) {
		int status, j;
		pid_t pid;

		/* some work between forks, so they land at different points of the workers' */
		for (j = 0; j < 500; j++) {
			unsigned int k = next_random(&rnd) % MAIN_BLOCKS;

			if (!check(main_blocks[k], main_blocks[k]->size))
				fail("a main-thread block changed", main_blocks[k]);
			free(main_blocks[k]);
			main_blocks[k] = new_block(&rnd);
		}
		pid = fork();
		if (pid < 0) {
			fail("fork failed", NULL);
			break;
		}
		if (pid == 0)
			_exit(child_main(i));
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail(WIFEXITED(status) ? "a child found bad memory" : "a child crashed",
			     NULL);
	}
	for (i = 0; i < threads; i++)
		pthread_join(workers[i].thread, NULL);
	for (i = 0; i < MAIN_BLOCKS; i++) {
		if (!check(main_blocks[i], main_blocks[i]->size))
			fail("a main-thread block changed", main_blocks[i]);
		free(main_blocks[i]);
	}
	free(workers);
	if (failures) {
		fprintf(stderr, "forking: %d failure(s)\n", failures);
		return 1;
	}
	printf("forking: ok: %d threads x %ld steps, %d forks%s\n", threads, iterations, forks,
	       kmm ? ", on libkmm" : "");
	return 0;
}
