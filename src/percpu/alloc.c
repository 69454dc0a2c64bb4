/* SPDX-License-Identifier: MIT */
/*
 * percpu/alloc.c - the per-CPU allocator: alloc_percpu(), free_percpu()
 * (the kernel's mm/percpu.c, in its simplest form; see <kmm/percpu_alloc.h>).
 *
 * A chunk is nr_cpu_ids units of PCPU_UNIT_SIZE bytes, unit n for CPU n,
 * mapped one after another in the vmalloc space (vmap() of order-0 pages
 * from the bulk page allocator, all of them at once: no lazy population).
 * An allocation is the same run of granules (PCPU_MIN_ALLOC_SIZE bytes) in
 * every unit; the chunk's alloc_map has a bit per granule in use and its
 * bound_map a bit at each allocation's first granule (the kernel's two
 * bitmaps), which is what free_percpu() checks a pointer against.
 * contig_hint is the longest free run (and contig_start where it is), so a
 * search skips the chunks whose longest run cannot hold the request, aligned,
 * and takes the first fit of the first chunk whose run can.  The
 * __percpu pointer is the address in unit 0, so per_cpu_ptr() only adds
 * n * PCPU_UNIT_SIZE.  Chunks are made when none has room and given back when
 * they become empty, except the last one (the kernel keeps its first chunk).
 *
 * Locking: pcpu_lock (a mutex) protects the chunk list, every chunk's maps
 * and pcpu_nr_chunks, and is held while a chunk is made or freed (page
 * allocator and vmalloc locks are taken under it, never the other way).  It
 * is taken with no other libkmm lock held and never holding a CPU.  The bytes
 * of the allocations are the callers'; no lock covers them.  fork() takes
 * pcpu_lock (pthread_atfork, registered at the first allocation, so that its
 * prepare runs before the library's and the lock order holds).
 *
 * The chunks belong to the machine: kmm_exit() forgets them
 * (pcpu_alloc_exit()), as it does every other allocator's state.
 * kmm_nr_cpu_ids belongs to the process: it is the host's, set once.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <kmm/kmm.h>
#include <kmm/percpu_alloc.h>
#include <kmm/vmalloc.h>
#include "boot/machine.h"
#include "boot/subsys.h"
#include "buddy/internal.h"
#include "fault/fault_inject.h"
#include "percpu/percpu.h"
#include "report/report.h"

/* Granules in a unit, bits in a bitmap word, the words of a unit's bitmap. */
#define PCPU_UNIT_BITS	(unsigned int)(PCPU_UNIT_SIZE / PCPU_MIN_ALLOC_SIZE)
#define BITS_PER_WORD	(unsigned int)(8 * sizeof(unsigned long))
#define PCPU_MAP_WORDS	(PCPU_UNIT_BITS / BITS_PER_WORD)
#define PCPU_UNIT_PAGES (PCPU_UNIT_SIZE / PAGE_SIZE)

struct pcpu_chunk {
	struct list_head list;			 /* on pcpu_chunks, oldest first */
	char *base;				 /* unit 0; unit n at base + n * PCPU_UNIT_SIZE */
	unsigned int free_bits;			 /* granules free */
	unsigned int contig_hint;		 /* the longest run of free granules */
	unsigned int contig_start;		 /* where it starts (the first such run) */
	unsigned long alloc_map[PCPU_MAP_WORDS]; /* granules in use */
	unsigned long bound_map[PCPU_MAP_WORDS]; /* the first granule of each allocation */
	unsigned long nr_pages;			 /* pages[]: nr_cpu_ids * PCPU_UNIT_PAGES */
	struct page *pages[];			 /* the pages mapped at base, in order */
};

unsigned int kmm_nr_cpu_ids;
static LIST_HEAD(pcpu_chunks);
static pthread_mutex_t pcpu_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long pcpu_nr_chunks;
static pthread_once_t pcpu_atfork_once = PTHREAD_ONCE_INIT;

unsigned int kmm_pcpu_setup(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);
	unsigned int cpus = n < 1 ? 1 : n > NR_CPUS ? NR_CPUS : (unsigned int)n;

	__atomic_store_n(&kmm_nr_cpu_ids, cpus, __ATOMIC_RELAXED);
	return cpus;
}

static bool map_test(const unsigned long *map, unsigned int bit)
{
	return map[bit / BITS_PER_WORD] & (1UL << (bit % BITS_PER_WORD));
}

static void map_assign(unsigned long *map, unsigned int start, unsigned int len, bool set)
{
	unsigned int bit;

	for (bit = start; bit < start + len; bit++) {
		unsigned long mask = 1UL << (bit % BITS_PER_WORD);

		if (set)
			map[bit / BITS_PER_WORD] |= mask;
		else
			map[bit / BITS_PER_WORD] &= ~mask;
	}
}

/* map_find - the first bit at or after @start that is @set, or PCPU_UNIT_BITS. */
static unsigned int map_find(const unsigned long *map, unsigned int start, bool set)
{
	while (start < PCPU_UNIT_BITS) {
		unsigned long word = set ? map[start / BITS_PER_WORD] : ~map[start / BITS_PER_WORD];

		word &= ~0UL << (start % BITS_PER_WORD);
		if (word)
			return start / BITS_PER_WORD * BITS_PER_WORD +
			       (unsigned int)__builtin_ctzl(word);
		start = (start / BITS_PER_WORD + 1) * BITS_PER_WORD;
	}
	return PCPU_UNIT_BITS;
}

/* pcpu_update_hint - recompute the chunk's longest free run. */
static void pcpu_update_hint(struct pcpu_chunk *chunk)
{
	unsigned int start = map_find(chunk->alloc_map, 0, false), longest = 0, at = 0;

	while (start < PCPU_UNIT_BITS) {
		unsigned int end = map_find(chunk->alloc_map, start, true);

		if (end - start > longest) {
			longest = end - start;
			at = start;
		}
		start = map_find(chunk->alloc_map, end, false);
	}
	chunk->contig_hint = longest;
	chunk->contig_start = at;
}

/* pcpu_hint_fits - does the chunk's longest free run hold @len granules aligned to @align_bits? */
static bool pcpu_hint_fits(const struct pcpu_chunk *chunk, unsigned int len,
			   unsigned int align_bits)
{
	unsigned int aligned = (chunk->contig_start + align_bits - 1) & ~(align_bits - 1);

	return aligned + len <= chunk->contig_start + chunk->contig_hint;
}

/* pcpu_find_area - the first free run of @len granules at a multiple of @align_bits, or -1. */
static int pcpu_find_area(const struct pcpu_chunk *chunk, unsigned int len, unsigned int align_bits)
{
	unsigned int start = map_find(chunk->alloc_map, 0, false);

	while (start < PCPU_UNIT_BITS) {
		unsigned int aligned = (start + align_bits - 1) / align_bits * align_bits, end;

		if (aligned + len > PCPU_UNIT_BITS)
			return -1;
		end = map_find(chunk->alloc_map, aligned, true);
		if (end >= aligned + len)
			return (int)aligned;
		start = map_find(chunk->alloc_map, end, false);
	}
	return -1;
}

/* pcpu_create_chunk - a chunk with every page mapped; pcpu_lock held.  NULL on failure. */
static struct pcpu_chunk *pcpu_create_chunk(void)
{
	unsigned long got = 0, want = PCPU_UNIT_PAGES * nr_cpu_ids;
	size_t bytes = sizeof(struct pcpu_chunk) + want * sizeof(struct page *);
	bool nofault = memalloc_nofault_save();
	struct pcpu_chunk *chunk = kmm_alloc_own_pages(bytes, GFP_KERNEL | __GFP_ZERO);

	if (!chunk)
		goto out;
	chunk->nr_pages = want;
	/* the bulk allocator returns what it could: ask again until it gives nothing */
	while (got < want) {
		unsigned long now =
			alloc_pages_bulk_array(GFP_KERNEL | __GFP_NOWARN, want, chunk->pages);

		if (now == got)
			break;
		got = now;
	}
	if (got == want)
		chunk->base = vmap(chunk->pages, (unsigned int)want, VM_MAP, PAGE_KERNEL);
	if (!chunk->base) {
		for (got = 0; got < want && chunk->pages[got]; got++)
			__free_page(chunk->pages[got]);
		kmm_free_own_pages(chunk, bytes);
		chunk = NULL;
		goto out;
	}
	chunk->free_bits = PCPU_UNIT_BITS;
	chunk->contig_hint = PCPU_UNIT_BITS;
	chunk->contig_start = 0;
	list_add_tail(&chunk->list, &pcpu_chunks);
	pcpu_nr_chunks++;
out:
	memalloc_nofault_restore(nofault);
	return chunk;
}

/* pcpu_destroy_chunk - unmap and free an empty chunk; pcpu_lock held. */
static void pcpu_destroy_chunk(struct pcpu_chunk *chunk)
{
	unsigned long i;

	list_del(&chunk->list);
	pcpu_nr_chunks--;
	vunmap(chunk->base);
	for (i = 0; i < chunk->nr_pages; i++)
		__free_page(chunk->pages[i]);
	kmm_free_own_pages(chunk, sizeof(*chunk) + chunk->nr_pages * sizeof(struct page *));
}

static void pcpu_fork_prepare(void)
{
	kmm_mutex_lock(&pcpu_lock);
}

static void pcpu_fork_unlock(void)
{
	pthread_mutex_unlock(&pcpu_lock);
}

static void pcpu_atfork_register(void)
{
	pthread_atfork(pcpu_fork_prepare, pcpu_fork_unlock, pcpu_fork_unlock);
}

void __percpu *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp)
{
	struct pcpu_chunk *chunk;
	unsigned int len, align_bits;
	int start = -1, cpu;
	void *ptr;

	if (align < PCPU_MIN_ALLOC_SIZE)
		align = PCPU_MIN_ALLOC_SIZE;
	if (kmm_unlikely(!size || size > PCPU_UNIT_SIZE || align > PAGE_SIZE ||
			 (align & (align - 1)))) {
		if (!(gfp & __GFP_NOWARN))
			kmm_report("WARNING: percpu: illegal size (%zu) or align (%zu) for percpu "
				   "allocation",
				   size, align);
		return NULL;
	}
	if (!kmm_booted() && kmm_boot_default() != 0)
		return NULL;
	pthread_once(&pcpu_atfork_once, pcpu_atfork_register);
	len = (unsigned int)((size + PCPU_MIN_ALLOC_SIZE - 1) / PCPU_MIN_ALLOC_SIZE);
	align_bits = (unsigned int)(align / PCPU_MIN_ALLOC_SIZE);
	kmm_mutex_lock(&pcpu_lock);
	/* the first chunk whose longest free run holds the area: it surely has room */
	list_for_each_entry(chunk, &pcpu_chunks, list) {
		if (pcpu_hint_fits(chunk, len, align_bits)) {
			start = pcpu_find_area(chunk, len, align_bits);
			break;
		}
	}
	if (start < 0) {
		chunk = pcpu_create_chunk();
		if (!chunk) {
			pthread_mutex_unlock(&pcpu_lock);
			if (!(gfp & __GFP_NOWARN))
				kmm_report(
					"percpu: allocation failed, size=%zu align=%zu atomic=%d, "
					"failed to allocate new chunk",
					size, align, !gfpflags_allow_blocking(gfp));
			return NULL;
		}
		start = 0;
	}
	map_assign(chunk->alloc_map, (unsigned int)start, len, true);
	map_assign(chunk->bound_map, (unsigned int)start, 1, true);
	chunk->free_bits -= len;
	pcpu_update_hint(chunk);
	ptr = chunk->base + (unsigned int)start * PCPU_MIN_ALLOC_SIZE;
	pthread_mutex_unlock(&pcpu_lock);
	for_each_possible_cpu(cpu) {
		memset(per_cpu_ptr(ptr, cpu), 0, size);
	}
	return ptr;
}

void __percpu *__alloc_percpu(size_t size, size_t align)
{
	return __alloc_percpu_gfp(size, align, GFP_KERNEL);
}

void free_percpu(void __percpu *ptr)
{
	struct pcpu_chunk *chunk;
	const char *why = "is no per-CPU allocation";

	if (!ptr)
		return;
	kmm_mutex_lock(&pcpu_lock);
	list_for_each_entry(chunk, &pcpu_chunks, list) {
		unsigned long off = (unsigned long)((char *)ptr - chunk->base);
		unsigned int bit = (unsigned int)(off / PCPU_MIN_ALLOC_SIZE), end;

		if ((char *)ptr < chunk->base || off >= PCPU_UNIT_SIZE)
			continue;
		if (!map_test(chunk->alloc_map, bit)) {
			why = "is not allocated (freed already?)";
			break;
		}
		if (off % PCPU_MIN_ALLOC_SIZE || !map_test(chunk->bound_map, bit)) {
			why = "is inside a per-CPU allocation, not its start";
			break;
		}
		/* the area ends at the next free granule or the next area's first */
		end = map_find(chunk->alloc_map, bit, false);
		if (bit + 1 < end) {
			unsigned int next = map_find(chunk->bound_map, bit + 1, true);

			if (next < end)
				end = next;
		}
		map_assign(chunk->alloc_map, bit, end - bit, false);
		map_assign(chunk->bound_map, bit, 1, false);
		chunk->free_bits += end - bit;
		if (chunk->free_bits == PCPU_UNIT_BITS && pcpu_nr_chunks > 1)
			pcpu_destroy_chunk(chunk);
		else
			pcpu_update_hint(chunk);
		pthread_mutex_unlock(&pcpu_lock);
		return;
	}
	pthread_mutex_unlock(&pcpu_lock);
	kmm_report("free_percpu: %p %s, refused", ptr, why);
}

unsigned long pcpu_nr_pages(void)
{
	return __atomic_load_n(&pcpu_nr_chunks, __ATOMIC_RELAXED) * PCPU_UNIT_PAGES * nr_cpu_ids;
}

/* At teardown: forget the chunks (their memory goes with the machine). */
static void pcpu_alloc_exit(void)
{
	kmm_mutex_lock(&pcpu_lock);
	INIT_LIST_HEAD(&pcpu_chunks);
	pcpu_nr_chunks = 0;
	pthread_mutex_unlock(&pcpu_lock);
}

const struct kmm_subsys kmm_pcpu_alloc_subsys = {
	.name = "pcpu_alloc",
	.exit = pcpu_alloc_exit,
};
