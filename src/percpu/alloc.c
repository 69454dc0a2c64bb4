/* SPDX-License-Identifier: MIT */
/*
 * percpu/alloc.c - the per-CPU allocator: alloc_percpu(), free_percpu()
 * (the kernel's mm/percpu.c, in its simplest form; see <kmm/percpu_alloc.h>).
 *
 * A chunk is nr_cpu_ids units of PCPU_UNIT_SIZE bytes, unit n for CPU n,
 * mapped one after another in the vmalloc space (vmap() of order-0 pages
 * from the page allocator, all of them at once: no lazy population).  An
 * allocation is the same range of granules (PCPU_MIN_ALLOC_SIZE bytes) in
 * every unit, found first fit in the chunk's alloc_map; its length is kept at
 * its first granule (area_len), which is what free_percpu() checks a pointer
 * against.  The __percpu pointer is the address in unit 0, so per_cpu_ptr()
 * only adds n * PCPU_UNIT_SIZE.  Chunks are made when no chunk has room and
 * given back when they become empty, except the last one (the kernel keeps
 * its first chunk for good, and one empty chunk in reserve).
 *
 * Locking: pcpu_lock (a mutex) protects the chunk list, every chunk's maps
 * and pcpu_nr_chunks, and is held while a chunk is made or freed (page
 * allocator and vmalloc locks are taken under it, never the other way).  It
 * is taken with no other libkmm lock held and is never taken from an IPI.  The
 * bytes of the allocations are the callers'; no lock covers them.  fork()
 * takes pcpu_lock (pthread_atfork, registered at the first allocation, so its
 * prepare runs before the library's and the lock order holds).
 *
 * The chunks belong to the machine: kmm_exit() forgets them
 * (pcpu_alloc_exit()), as it does every other allocator's state.
 */
#include <errno.h>
#include <string.h>

#include <kmm/kmm.h>
#include <kmm/percpu_alloc.h>
#include <kmm/vmalloc.h>
#include "boot/machine.h"
#include "buddy/internal.h"
#include "fault/fault_inject.h"
#include "percpu/percpu.h"
#include "report/report.h"

/* Granules in a unit, and the longs of a bitmap of them. */
#define PCPU_UNIT_BITS	 (PCPU_UNIT_SIZE / PCPU_MIN_ALLOC_SIZE)
#define PCPU_MAP_LONGS	 (PCPU_UNIT_BITS / (8 * sizeof(unsigned long)))
#define PCPU_UNIT_PAGES	 (PCPU_UNIT_SIZE / PAGE_SIZE)
#define PCPU_CHUNK_PAGES (PCPU_UNIT_PAGES * NR_CPUS)

struct pcpu_chunk {
	struct list_head list;			 /* on pcpu_chunks */
	char *base;				 /* unit 0; unit n at base + n * PCPU_UNIT_SIZE */
	unsigned int free_bits;			 /* granules free in alloc_map */
	unsigned long alloc_map[PCPU_MAP_LONGS]; /* granules allocated */
	unsigned short area_len[PCPU_UNIT_BITS]; /* granules of the area starting here; 0: none */
	struct page *pages[PCPU_CHUNK_PAGES];	 /* the pages mapped at base, in order */
};

static LIST_HEAD(pcpu_chunks);
static pthread_mutex_t pcpu_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long pcpu_nr_chunks;
static pthread_once_t pcpu_atfork_once = PTHREAD_ONCE_INIT;

static bool map_test(const unsigned long *map, unsigned int bit)
{
	return map[bit / (8 * sizeof(long))] & (1UL << (bit % (8 * sizeof(long))));
}

static void map_assign(unsigned long *map, unsigned int start, unsigned int len, bool set)
{
	unsigned int bit;

	for (bit = start; bit < start + len; bit++) {
		unsigned long mask = 1UL << (bit % (8 * sizeof(long)));

		if (set)
			map[bit / (8 * sizeof(long))] |= mask;
		else
			map[bit / (8 * sizeof(long))] &= ~mask;
	}
}

/* pcpu_find_area - the first free run of @len granules at a multiple of @align_bits, or -1. */
static int pcpu_find_area(const struct pcpu_chunk *chunk, unsigned int len, unsigned int align_bits)
{
	unsigned int start = 0;

	if (chunk->free_bits < len)
		return -1;
	while (start + len <= PCPU_UNIT_BITS) {
		unsigned int bit;

		for (bit = start; bit < start + len && !map_test(chunk->alloc_map, bit); bit++)
			;
		if (bit == start + len)
			return (int)start;
		/* past the allocated granule, to the next aligned start */
		start = (bit + align_bits) / align_bits * align_bits;
	}
	return -1;
}

/* pcpu_create_chunk - a chunk with every page mapped; pcpu_lock held.  NULL on failure. */
static struct pcpu_chunk *pcpu_create_chunk(void)
{
	bool nofault = memalloc_nofault_save();
	struct pcpu_chunk *chunk = kmm_alloc_own_pages(sizeof(*chunk), GFP_KERNEL | __GFP_ZERO);
	unsigned long got = 0, want = PCPU_UNIT_PAGES * nr_cpu_ids;

	if (!chunk)
		goto out;
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
		kmm_free_own_pages(chunk, sizeof(*chunk));
		chunk = NULL;
		goto out;
	}
	chunk->free_bits = PCPU_UNIT_BITS;
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
	for (i = 0; i < PCPU_UNIT_PAGES * nr_cpu_ids; i++)
		__free_page(chunk->pages[i]);
	kmm_free_own_pages(chunk, sizeof(*chunk));
}

static void pcpu_fork_prepare(void)
{
	pthread_mutex_lock(&pcpu_lock);
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
	pthread_mutex_lock(&pcpu_lock);
	list_for_each_entry(chunk, &pcpu_chunks, list)
	{
		start = pcpu_find_area(chunk, len, align_bits);
		if (start >= 0)
			break;
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
	chunk->area_len[start] = (unsigned short)len;
	chunk->free_bits -= len;
	ptr = chunk->base + (unsigned int)start * PCPU_MIN_ALLOC_SIZE;
	pthread_mutex_unlock(&pcpu_lock);
	for_each_possible_cpu(cpu) memset(per_cpu_ptr(ptr, cpu), 0, size);
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
	pthread_mutex_lock(&pcpu_lock);
	list_for_each_entry(chunk, &pcpu_chunks, list)
	{
		unsigned long off = (unsigned long)((char *)ptr - chunk->base);
		unsigned int bit = (unsigned int)(off / PCPU_MIN_ALLOC_SIZE), len;

		if ((char *)ptr < chunk->base || off >= PCPU_UNIT_SIZE)
			continue;
		if (off % PCPU_MIN_ALLOC_SIZE ||
		    (map_test(chunk->alloc_map, bit) && !chunk->area_len[bit])) {
			why = "is inside a per-CPU allocation, not its start";
			break;
		}
		if (!chunk->area_len[bit]) {
			why = "is not allocated (freed already?)";
			break;
		}
		len = chunk->area_len[bit];
		chunk->area_len[bit] = 0;
		map_assign(chunk->alloc_map, bit, len, false);
		chunk->free_bits += len;
		if (chunk->free_bits == PCPU_UNIT_BITS && pcpu_nr_chunks > 1)
			pcpu_destroy_chunk(chunk);
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

void pcpu_alloc_exit(void)
{
	pthread_mutex_lock(&pcpu_lock);
	INIT_LIST_HEAD(&pcpu_chunks);
	pcpu_nr_chunks = 0;
	pthread_mutex_unlock(&pcpu_lock);
}
