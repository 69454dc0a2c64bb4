/* SPDX-License-Identifier: MIT */
/*
 * fuzz_api.c - a libFuzzer harness over libkmm's whole API.
 *
 * Each input is a program of 8-byte records, one operation each: an
 * operation byte (its value modulo NR_OPS picks the operation, see the switch
 * in LLVMFuzzerTestOneInput()), then up to 7 bytes the operation reads (bytes
 * it does not read are ignored, bytes past the end read as 0).  The records
 * drive the page allocator, slab caches with and without constructors,
 * kmalloc and the k* helpers, kfree_rcu, vmalloc, vmap, vm_map_ram, kvmalloc,
 * kmap and kmap_local, with random sizes and GFP flags, on a machine booted
 * with the debugging options on (FUZZ_CMDLINE below).
 *
 * A shadow records every live allocation.  Each is filled with a pattern
 * derived from its id and checked whole before it is freed, through another
 * mapping where there is one (kmap_local of a vmalloc or vmap page, the kmap
 * of a page), and its first page every 16 operations; zeroing allocations are
 * checked for zeros first, constructed objects for their constructor's bytes,
 * krealloc and friends for the contents they keep.
 *
 * Invalid operations are mixed in: double frees, frees with the wrong cache,
 * the wrong order or the wrong function, interior and wild pointers,
 * almost-right pointers (a page start anywhere in the direct map, the start
 * of a free object slot in a slab), the library's own pages (a cache's
 * descriptor and CPU arrays, vmalloc's page tables, the memmap) to kfree(),
 * kmem_cache_free() and free_pages(), unmapping what is not mapped, calls on
 * destroyed and boot caches, a cache destroyed with live objects, caches
 * created with flags, alignments and names the kernel refuses.  libkmm must
 * print a report for each (its output is captured in memory while an input
 * runs, and one report line at least must appear) and refuse it, which the
 * shadow's checks verify.  A valid operation must print nothing, except the
 * allocation failure warnings of an allocation that failed.  Any mismatch
 * prints the failure, the last operations and libkmm's last output, writes
 * the inputs the machine ran (see windows below) and aborts.
 *
 * A non-adjacent double free of a slab object, and the free-slot shapes, are
 * exercised only when slub_debug=F catches them (probed in a child process at
 * start); without it libkmm catches only the object freed just before on the
 * same CPU.  Wild pointers are aimed only where kfree() could not rightly
 * free an object the program owns: slab pages of the shadow's caches and of
 * kmalloc's, whose every object it knows (libkmm keeps its own objects in
 * caches of its own, which refuse a program's free), not while kfree_rcu()
 * has objects to free there, and no large kmalloc.
 *
 * Windows.  One machine runs FUZZ_WINDOW inputs (256; FUZZ_WINDOW= in the
 * environment, 1 in the corpus replay: a fresh machine and every check for
 * each input).  Every input leaves the machine as it found it, and checks so
 * cheaply at its end: everything it left is freed, its caches destroyed, then
 * the live objects of every cache (kmm_live_objects()) must be as at boot and
 * no more pages may be free than at boot.  The last input of a window, and
 * the exit (libFuzzer's -max_total_time, the end of a replay), add the full
 * check: slabinfo's active objects after kmem_cache_shrink, every kfree_rcu
 * done (rcu_barrier()), every cache settled (kmm_drop_caches()), then each
 * kmalloc cache's active objects in slabinfo, MemFree (with Slab and
 * PageTables) and the live objects exactly as measured at boot, and
 * kmm_validate_all(); then the machine is rebooted.  The reasons: an
 * rcu_barrier() costs 10 ms however little is pending (liburcu's call_rcu
 * thread sleeps that long each time it wakes), and kmm_drop_caches() waits for
 * one, so the check that needs it runs once a window; a cache whose objects
 * wait for kfree_rcu() is destroyed after that barrier, and so are caches
 * with SLAB_TYPESAFE_BY_RCU (whose destroy waits for a barrier itself: they
 * are destroyed together, their waits overlapping).  What that trades: a
 * page that is lost (not a page freed twice, which the cheap check sees) is
 * found at the end of its window, not of its input, and so are slab objects
 * kfree_rcu() leaks; the failure then writes the window's inputs out (to
 * FUZZ_WINDOW_DIR, or fuzz-window/) to be replayed in order.  Bounds keep an
 * input short: at most MAX_OPS operations, INPUT_BUDGET bytes allocated in
 * all (which leaves out blocks above order 6, vmalloc_huge() and kmalloc
 * above 256 KiB), and sizes mostly small (see __get_size()).
 * FUZZ_VERBOSE=1 leaves stderr alone and prints each operation.
 *
 * Built twice: with clang's -fsanitize=fuzzer (cmake -DKMM_FUZZ=ON, run by
 * scripts/fuzz; coverage-ignore.txt leaves the byte-by-byte checks out of its
 * coverage instrumentation), and with replay.c's main(), which runs the
 * corpus files (tests/fuzz/corpus/) as a ctest entry of the regular build.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <urcu.h>
#include <kmm/kmm.h>

#include "../pattern.h"

#include "fuzz_api.h"

#define FUZZ_CMDLINE                                                                               \
	"mem=64M highmem=16M slub_debug=FZPU page_poison=1 init_on_free=1 panic_on_warn=0"
#define FUZZ_WINDOW  256	 /* inputs per machine; the full check ends each (FUZZ_WINDOW=) */
#define WINDOW_MAX   1024	 /* the largest window whose inputs are kept for a failure */
#define RECORD	     8		 /* bytes per operation */
#define NR_OPS	     39		 /* the operation byte modulo NR_OPS picks the operation */
#define MAX_OPS	     256	 /* operations run per input (the rest is ignored) */
#define INPUT_BUDGET (1UL << 18) /* bytes an input may allocate in all */

#define VMALLOC_OBJS  4	  /* slab objects vmalloc keeps for an area at most (vmap_area...) */
#define MAX_LIVE      160 /* live allocations in the shadow */
#define MAX_CACHES    4	  /* user caches at once */
#define MAX_GRAVE     32  /* user caches waiting for a grace period to be destroyed */
#define MAX_FREED     16  /* recent frees kept for double frees */
#define MAX_KMAPS     8	  /* kmap()s held at once */
#define MAX_PAGES     16  /* pages of a vmap or vm_map_ram */
#define CHECK_EVERY   16  /* operations between full pattern checks */
#define CHECK_PARTIAL (4UL << 10) /* bytes checked per allocation by the periodic check */

enum kind {
	K_NONE,
	K_PAGES,    /* alloc_pages(): page, order */
	K_ADDR,	    /* __get_free_pages(): ptr, order */
	K_EXACT,    /* alloc_pages_exact(): ptr, size */
	K_CACHE,    /* kmem_cache_alloc(): ptr, cache */
	K_KMALLOC,  /* kmalloc() and the k* helpers: ptr, size */
	K_VMALLOC,  /* vmalloc() and friends: ptr, size */
	K_KVMALLOC, /* kvmalloc(): ptr, size (either kind) */
	K_VMAP,	    /* vmap(): ptr, pages[], nr_pages */
	K_VMRAM,    /* vm_map_ram(): ptr, pages[], nr_pages */
};

/* One live allocation. */
struct obj {
	enum kind kind;
	uint32_t id;			 /* the pattern's seed */
	unsigned long pat_off;		 /* the pattern offset of byte 0 (split pages) */
	unsigned char *ptr;		 /* first byte (NULL for a highmem page block) */
	size_t size;			 /* bytes in use (filled with the pattern) */
	struct page *page;		 /* K_PAGES: the first page */
	unsigned int order;		 /* K_PAGES, K_ADDR */
	bool compound;			 /* K_PAGES: __GFP_COMP */
	int extra_refs;			 /* K_PAGES: get_page()s held */
	int cache;			 /* K_CACHE: the cache slot */
	bool put_pages;			 /* K_VMAP: VM_MAP_PUT_PAGES (vfree() frees the pages) */
	unsigned int nr_pages;		 /* K_VMAP, K_VMRAM */
	struct page **pages;		 /* K_VMAP, K_VMRAM: kvmalloc'ed for VM_MAP_PUT_PAGES */
	struct page *pagebuf[MAX_PAGES]; /* K_VMAP, K_VMRAM without VM_MAP_PUT_PAGES */
};

/* A user cache. */
struct cache {
	struct kmem_cache *s;
	char name[32];
	unsigned int size;
	bool ctor;
	long live;	  /* objects in the shadow */
	long rcu_pending; /* objects given to kfree_rcu() */
};

/* Something freed by a valid free, for a double free while it is certainly still free. */
struct freed {
	enum kind kind;
	void *ptr;
	struct page *page;
	unsigned int order;
	int cache;
	bool slab; /* a slab object (kmalloc or cache) */
};

static struct {
	/* the current record of the input */
	const uint8_t *p, *end;
	/* the shadow */
	struct obj live[MAX_LIVE];
	int nr_live;
	struct cache caches[MAX_CACHES];
	unsigned int cache_gen;
	struct freed freed[MAX_FREED];
	int nr_freed;
	bool last_op_was_slab_free;    /* freed[nr_freed - 1] was freed by the previous operation */
	struct page *kmaps[MAX_KMAPS]; /* pages kmap()ed, of live K_PAGES blocks */
	int nr_kmaps;
	uint32_t next_id;
	/* the machine */
	bool booted;
	unsigned long window;		 /* inputs per machine (FUZZ_WINDOW) */
	unsigned long inputs_on_machine; /* inputs begun on this machine */
	bool full;			 /* this input ends the window: exact checks too */
	unsigned long input_bytes;	 /* bytes this input allocated so far */
	long rcu_objs; /* slab objects kfree_rcu() may not have freed yet (at most) */
	struct kmem_cache *grave[MAX_GRAVE]; /* empty caches to destroy after a barrier */
	int nr_grave;
	long base_free_kb, base_slab_kb, base_pt_kb;
	unsigned long base_free_pages, base_live_objects;
	long base_kmalloc_active[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];
	bool full_double_free_checks; /* slub_debug=F catches every double free */
	/* the window's inputs so far, for the failure report (MAX_OPS records each) */
	uint8_t (*win)[MAX_OPS * RECORD];
	size_t *win_len;
	/* stderr */
	bool verbose;
	FILE *real_stderr; /* the real stderr while an input runs, else NULL */
	FILE *capture;	   /* stderr while an input runs: appends to cap_buf */
	char *cap_buf;	   /* libkmm's output of the current input */
	size_t cap_len, cap_size;
	/* the operations of the current input, for the failure report */
	char log[16][160];
	unsigned long nr_log;
} F;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void window_dump(void);

/* ---- reading the input ---- */

static unsigned int get8(void)
{
	return F.p < F.end ? *F.p++ : 0;
}

static unsigned int get16(void)
{
	unsigned int lo = get8();

	return lo | get8() << 8;
}

/*
 * A size: mostly small (22 in 32 up to 512 bytes), sometimes a few pages,
 * rarely large (1 in 16 above 16 KiB: large ones take most of an input's
 * time, checking and filling their bytes and the page poison).  @max bounds it
 * (at least 1 is returned), and so does the input's budget if @budget.
 */
static size_t __get_size(size_t max, bool budget)
{
	unsigned int cls = get8(), v = get16();
	size_t size;

	if ((cls & 31) < 12)
		size = 1 + v % 64;
	else if ((cls & 31) < 22)
		size = 1 + v % 512;
	else if ((cls & 31) < 27)
		size = 1 + v % 4096;
	else if ((cls & 31) < 30)
		size = 1 + v % 16384;
	else if ((cls & 31) == 30)
		size = 1 + ((size_t)v << 2) % (256 << 10);
	else
		size = 1 + ((size_t)v << 5) % (2 << 20);
	/* what is left of the input's budget (budget_ok() then refuses 0 left) */
	if (budget && max > INPUT_BUDGET - F.input_bytes)
		max = INPUT_BUDGET - F.input_bytes ? INPUT_BUDGET - F.input_bytes : 1;
	return size > max ? max : size;
}

/* The size of an allocation: within what is left of the input's budget. */
static size_t get_size(size_t max)
{
	return __get_size(max, true);
}

/* GFP flags for a request of @what: a base (may sleep or not) and modifiers. */
enum gfp_use { G_PAGES, G_KMALLOC, G_VMALLOC, G_CACHE };

static gfp_t get_gfp(enum gfp_use use)
{
	static const gfp_t base[] = {GFP_KERNEL, GFP_KERNEL, GFP_ATOMIC, GFP_NOWAIT,
				     GFP_NOIO,	 GFP_NOFS,   GFP_USER,	 GFP_KERNEL_ACCOUNT};
	unsigned int a = get8(), b = get8();
	gfp_t gfp = base[a & 7];

	if (a & 0x08)
		gfp |= __GFP_ZERO;
	if (a & 0x10)
		gfp |= __GFP_NOWARN;
	if (a & 0x20)
		gfp |= (b & 1) ? __GFP_NORETRY : __GFP_RETRY_MAYFAIL;
	if (use == G_CACHE)
		return gfp;
	if (a & 0x40)
		gfp |= __GFP_RECLAIMABLE;
	if (use == G_KMALLOC) {
		if ((a & 0x80) && (b & 2))
			gfp |= __GFP_DMA;
		return gfp;
	}
	if (a & 0x80) {
		switch (b >> 4 & 3) {
		case 0:
			gfp |= use == G_PAGES ? __GFP_DMA : __GFP_DMA32;
			break;
		case 1:
			gfp |= __GFP_DMA32;
			break;
		default:
			/* movable only without reclaimable: the pair together is reported */
			gfp |= __GFP_HIGHMEM | (b & 0x40 ? __GFP_MOVABLE : 0);
			if (gfp & __GFP_MOVABLE)
				gfp &= ~__GFP_RECLAIMABLE;
			break;
		}
	}
	if (use == G_PAGES && (b & 0x80))
		gfp |= __GFP_COMP;
	return gfp;
}

/* ---- the log and failures ---- */

static void logop(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void logop(const char *fmt, ...)
{
	char *line = F.log[F.nr_log++ % 16];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(F.log[0]), fmt, ap);
	va_end(ap);
	if (F.verbose)
		fprintf(stderr, "fuzz: %s\n", line);
}

/* Give stderr back (libkmm's output so far stays in cap_buf). */
static void stderr_restore(void)
{
	if (F.real_stderr) {
		stderr = F.real_stderr;
		F.real_stderr = NULL;
	}
}

/* The captured output from @from on, at most @max bytes of its end, to stderr. */
static void print_capture(size_t from, size_t max)
{
	if (!F.cap_buf)
		return;
	if (F.cap_len - from > max)
		from = F.cap_len - max;
	fwrite(F.cap_buf + from, 1, F.cap_len - from, stderr);
}

static void fail(const char *fmt, ...)
{
	unsigned long i;
	va_list ap;

	stderr_restore();
	fprintf(stderr, "\n==== fuzz_api: FAILURE: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n==== the last operations of the input:\n");
	for (i = F.nr_log > 16 ? F.nr_log - 16 : 0; i < F.nr_log; i++)
		fprintf(stderr, "  %lu: %s\n", i, F.log[i % 16]);
	fprintf(stderr, "==== libkmm's last output:\n");
	print_capture(0, 6000);
	window_dump();
	fprintf(stderr, "==== end\n");
	abort();
}

/* The position of libkmm's output, to see whether an operation printed. */
static size_t out_pos(void)
{
	return F.cap_len; /* the capture stream is unbuffered */
}

/* An invalid operation was done: libkmm must have reported it. */
static void expect_report(size_t before, const char *what)
{
	if (!F.capture)
		return;
	if (out_pos() == before)
		fail("no report for %s", what);
}

/* A valid operation was done: libkmm must have said nothing (unless @may_warn). */
static void expect_quiet(size_t before, bool may_warn, const char *what)
{
	if (!F.capture || may_warn)
		return;
	if (out_pos() != before) {
		stderr_restore();
		fprintf(stderr, "==== unexpected output of %s:\n", what);
		print_capture(before, 4000);
		fail("%s printed a report", what);
	}
}

/* ---- patterns ---- */

/* Does @len bytes at @p break (check) the pattern of @id from @off on?  (Fill: never.) */
static bool pattern_bad(unsigned char *p, uint32_t id, unsigned long off, size_t len, bool check)
{
	return pattern(p, id, off, len, check) >= 0;
}

/* (Not inlined: coverage-ignore.txt leaves it out of the instrumentation.) */
static __attribute__((noinline)) bool all_bytes(const unsigned char *p, size_t len, unsigned char c)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != c)
			return false;
	return true;
}

/* Where a byte differs from the pattern, for the failure report. */
static void pattern_fail(const struct obj *o, const unsigned char *p, unsigned long off, size_t len,
			 const char *how)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != pat_byte(o->id, off + i))
			break;
	fail("pattern of allocation id %u (kind %d, %zu bytes at %p) broken %s: byte %lu is "
	     "%#x, expected %#x",
	     o->id, o->kind, o->size, (void *)o->ptr, how, (unsigned long)(off - o->pat_off + i),
	     i < len ? p[i] : 0, i < len ? pat_byte(o->id, off + i) : 0);
}

/*
 * Fill or check the pages of a block page by page through kmap_local_page()
 * (the only way to reach highmem pages).
 */
static void pages_pattern(struct obj *o, struct page *page, unsigned long nr, unsigned long off,
			  bool check, const char *how)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		unsigned char *k = kmap_local_page(page + i);

		if (!k)
			fail("kmap_local_page of pfn %#lx returned NULL", page_to_pfn(page + i));
		if (pattern_bad(k, o->id, off + i * PAGE_SIZE, PAGE_SIZE, check)) {
			kunmap_local(k);
			k = kmap_local_page(page + i);
			pattern_fail(o, k, off + i * PAGE_SIZE, PAGE_SIZE, how);
		}
		kunmap_local(k);
	}
}

/* o->pages of a vmap: the kvmalloc'ed array or the shadow's own buffer (which moves). */
static void obj_fix_pages(struct obj *o)
{
	if ((o->kind == K_VMAP || o->kind == K_VMRAM) && !o->put_pages)
		o->pages = o->pagebuf;
}

/* Fill (@check false) or check the whole of @o, or its first @limit bytes. */
static void obj_pattern(struct obj *o, bool check, size_t limit, const char *how)
{
	size_t len = o->size < limit ? o->size : limit;
	unsigned int i;

	if (o->kind == K_PAGES && !o->ptr) {
		pages_pattern(o, o->page, (len + PAGE_SIZE - 1) >> PAGE_SHIFT, o->pat_off, check,
			      how);
		return;
	}
	if (pattern_bad(o->ptr, o->id, o->pat_off, len, check))
		pattern_fail(o, o->ptr, o->pat_off, len, how);
	/* Mappings of the same pages: each page seen through its own address too. */
	obj_fix_pages(o);
	if (check && (o->kind == K_VMAP || o->kind == K_VMRAM))
		for (i = 0; i < o->nr_pages && (size_t)i * PAGE_SIZE < len; i++) {
			unsigned char *k = kmap_local_page(o->pages[i]);

			if (pattern_bad(k, o->id, o->pat_off + i * PAGE_SIZE, PAGE_SIZE, true)) {
				kunmap_local(k);
				fail("vmap page %u of id %u differs through kmap_local_page", i,
				     o->id);
			}
			kunmap_local(k);
		}
	if (check && is_vmalloc_addr(o->ptr) && o->kind != K_VMRAM) {
		/* vmalloc_to_page() of one page of the area must show the same bytes. */
		size_t pg = (size_t)(o->id % ((len + PAGE_SIZE - 1) / PAGE_SIZE));
		struct page *page = vmalloc_to_page(o->ptr + pg * PAGE_SIZE);
		unsigned char *k;
		size_t n = len - pg * PAGE_SIZE < PAGE_SIZE ? len - pg * PAGE_SIZE : PAGE_SIZE;

		if (!page)
			fail("vmalloc_to_page(%p) of a live area is NULL",
			     (void *)(o->ptr + pg * PAGE_SIZE));
		k = kmap_local_page(page);
		if (pattern_bad(k, o->id, o->pat_off + pg * PAGE_SIZE, n, true)) {
			kunmap_local(k);
			fail("id %u: page %zu of the area differs through vmalloc_to_page", o->id,
			     pg);
		}
		kunmap_local(k);
	}
}

/* ---- the shadow ---- */

static struct obj *obj_new(enum kind kind)
{
	struct obj *o;

	if (F.nr_live == MAX_LIVE)
		fail("shadow full");
	o = &F.live[F.nr_live++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->id = ++F.next_id;
	o->cache = -1;
	return o;
}

/* Record @o as live (fill it), after its allocation succeeded. */
static void obj_commit(struct obj *o)
{
	if (o->cache >= 0)
		F.caches[o->cache].live++;
	obj_pattern(o, false, SIZE_MAX, "");
}

static void obj_drop(struct obj *o)
{
	if (o->cache >= 0)
		F.caches[o->cache].live--;
	*o = F.live[--F.nr_live];
}

/* A random live allocation of one of the kinds in @mask (1 << kind), or NULL. */
static struct obj *pick_obj(unsigned int mask)
{
	unsigned int start, i;

	if (!F.nr_live)
		return NULL;
	start = get8() % (unsigned int)F.nr_live;
	for (i = 0; i < (unsigned int)F.nr_live; i++) {
		struct obj *o = &F.live[(start + i) % (unsigned int)F.nr_live];

		if (mask & 1u << o->kind)
			return o;
	}
	return NULL;
}

/* Room in the shadow, and @bytes left of the input's budget (taken from it). */
static bool budget_ok(size_t bytes)
{
	if (F.nr_live >= MAX_LIVE - MAX_PAGES || bytes > INPUT_BUDGET - F.input_bytes)
		return false;
	F.input_bytes += bytes;
	return true;
}

static void freed_add(enum kind kind, void *ptr, struct page *page, unsigned int order, int cache,
		      bool slab)
{
	struct freed *f;

	if (F.nr_freed == MAX_FREED) {
		memmove(F.freed, F.freed + 1, sizeof(F.freed[0]) * (MAX_FREED - 1));
		F.nr_freed--;
	}
	f = &F.freed[F.nr_freed++];
	f->kind = kind;
	f->ptr = ptr;
	f->page = page;
	f->order = order;
	f->cache = cache;
	f->slab = slab;
}

/* ---- constructors ---- */

#define CTOR_BYTE(slot) ((unsigned char)(0xc0 + (slot)))

static void ctor_slot(int slot, void *obj)
{
	memset(obj, CTOR_BYTE(slot), F.caches[slot].size);
}

static void ctor0(void *obj)
{
	ctor_slot(0, obj);
}
static void ctor1(void *obj)
{
	ctor_slot(1, obj);
}
static void ctor2(void *obj)
{
	ctor_slot(2, obj);
}
static void ctor3(void *obj)
{
	ctor_slot(3, obj);
}
static void (*const ctors[MAX_CACHES])(void *) = {ctor0, ctor1, ctor2, ctor3};

/* ---- reports: slabinfo and meminfo ---- */

static char show_buf[1 << 17];

static const char *show(const char *file)
{
	FILE *f = fmemopen(show_buf, sizeof(show_buf), "w");

	if (!f)
		fail("fmemopen: %s", strerror(errno));
	if (kmm_show(file, f) != 0)
		fail("kmm_show(%s) failed", file);
	fclose(f);
	return show_buf;
}

/* slabinfo's active_objs of the cache @name, -1 if it is not listed. */
static long slab_active(const char *slabinfo, const char *name)
{
	size_t len = strlen(name);
	const char *p = slabinfo;
	long active;

	while ((p = strstr(p, name))) {
		if ((p == slabinfo || p[-1] == '\n') && p[len] == ' ' &&
		    sscanf(p + len, " %ld", &active) == 1)
			return active;
		p += len;
	}
	return -1;
}

static long meminfo_field(const char *meminfo, const char *field)
{
	char key[64];
	const char *p;
	long kb;

	snprintf(key, sizeof(key), "\n%s:", field);
	p = strstr(meminfo, key);
	if (!p && !strncmp(meminfo, key + 1, strlen(key + 1)))
		p = meminfo - 1;
	if (!p || sscanf(p + strlen(key), " %ld kB", &kb) != 1)
		fail("meminfo has no %s", field);
	return kb;
}

/* ---- valid operations ---- */

static void op_alloc_pages(void)
{
	/* order k with probability 2^-(k+1) (and order 10 for a 0 byte) */
	unsigned int how = get8(), order = (unsigned int)__builtin_ctz(get8() | 1u << 10);
	gfp_t gfp = get_gfp(G_PAGES);
	struct obj *o;
	size_t pos;

	if (order > 6 && (how & 0x10))
		order = how & 3;
	while (order && (PAGE_SIZE << order) > INPUT_BUDGET - F.input_bytes)
		order--;
	if (!budget_ok(PAGE_SIZE << order))
		return;
	pos = out_pos();
	switch (how % 4) {
	case 0:
	case 1: {
		struct page *page = (how & 0x20) ? alloc_pages_node(NUMA_NO_NODE, gfp, order)
						 : alloc_pages(gfp, order);

		logop("alloc_pages(%#x, %u) = %p", gfp, order, (void *)page);
		if (!page) {
			expect_quiet(pos, true, "");
			return;
		}
		o = obj_new(K_PAGES);
		o->page = page;
		o->order = order;
		o->compound = (gfp & __GFP_COMP) && order;
		o->size = PAGE_SIZE << order;
		o->ptr = PageHighMem(page) ? NULL : page_address(page);
		if (PageHighMem(page) && !(gfp & __GFP_HIGHMEM))
			fail("alloc_pages(%#x) without __GFP_HIGHMEM gave highmem pfn %#lx", gfp,
			     page_to_pfn(page));
		if ((gfp & __GFP_DMA) && page_to_pfn(page) + (1UL << order) > (16UL << 20) >> 12)
			fail("alloc_pages(GFP_DMA) gave pfn %#lx", page_to_pfn(page));
		if (page_to_pfn(page) & ((1UL << order) - 1))
			fail("order-%u block at unaligned pfn %#lx", order, page_to_pfn(page));
		if (gfp & __GFP_ZERO) {
			unsigned long i;

			for (i = 0; i < 1UL << order; i++) {
				unsigned char *k = kmap_local_page(page + i);

				if (!all_bytes(k, PAGE_SIZE, 0))
					fail("alloc_pages(__GFP_ZERO) page %lu not zeroed", i);
				kunmap_local(k);
			}
		}
		break;
	}
	case 2: {
		unsigned long addr;

		gfp &= ~(__GFP_HIGHMEM | __GFP_COMP);
		addr = (how & 0x40) && !order ? get_zeroed_page(gfp) : __get_free_pages(gfp, order);
		logop("__get_free_pages(%#x, %u) = %#lx", gfp, order, addr);
		if (!addr) {
			expect_quiet(pos, true, "");
			return;
		}
		o = obj_new(K_ADDR);
		o->ptr = (unsigned char *)addr;
		o->order = order;
		o->size = PAGE_SIZE << order;
		if (((how & 0x40) && !order) || (gfp & __GFP_ZERO))
			if (!all_bytes(o->ptr, o->size, 0))
				fail("zeroed pages are not zero");
		break;
	}
	default: {
		size_t size = get_size(PAGE_SIZE << order);
		void *p;

		gfp &= ~(__GFP_HIGHMEM | __GFP_COMP);
		p = alloc_pages_exact(size, gfp);
		logop("alloc_pages_exact(%zu, %#x) = %p", size, gfp, p);
		if (!p) {
			expect_quiet(pos, true, "");
			return;
		}
		o = obj_new(K_EXACT);
		o->ptr = p;
		o->size = size;
		if ((gfp & __GFP_ZERO) && !all_bytes(o->ptr, o->size, 0))
			fail("alloc_pages_exact(__GFP_ZERO) not zeroed");
		break;
	}
	}
	expect_quiet(pos, false, F.log[(F.nr_log - 1) % 16]);
	obj_commit(o);
}

static void op_cache_create(void)
{
	static const slab_flags_t flag_bits[] = {
		SLAB_HWCACHE_ALIGN,	 SLAB_RECLAIM_ACCOUNT, SLAB_CACHE_DMA,
		SLAB_CACHE_DMA32,	 SLAB_ACCOUNT,	       SLAB_TYPESAFE_BY_RCU,
		SLAB_CONSISTENCY_CHECKS, SLAB_RED_ZONE,	       SLAB_POISON,
		SLAB_STORE_USER,	 SLAB_NOLEAKTRACE,     SLAB_HWCACHE_ALIGN,
	};
	unsigned int slot = get8() % MAX_CACHES, bits = get16(), i, align = 0, how;
	struct cache *c = &F.caches[slot];
	slab_flags_t flags = 0;
	unsigned int size;
	bool ctor;
	size_t pos;

	if (c->s)
		return;
	size = (unsigned int)__get_size(32768, false);
	for (i = 0; i < sizeof(flag_bits) / sizeof(flag_bits[0]); i++)
		if (bits & 1u << i)
			flags |= flag_bits[i];
	if ((flags & SLAB_CACHE_DMA) && (flags & SLAB_CACHE_DMA32))
		flags &= ~SLAB_CACHE_DMA32;
	if (bits & 0x1000)
		align = 8u << (bits >> 13 & 7);
	how = get8();
	ctor = how & 1;
	/*
	 * kmem_cache_destroy() of a SLAB_TYPESAFE_BY_RCU cache waits for an
	 * rcu_barrier() (see cache_destroy() and grave_flush()): one cache in 16.
	 */
	if ((flags & SLAB_TYPESAFE_BY_RCU) && (how & 0x0e) != 0x0e)
		flags &= ~SLAB_TYPESAFE_BY_RCU;
	snprintf(c->name, sizeof(c->name), "fuzz%u-%u", slot, ++F.cache_gen);
	c->size = size;
	c->ctor = ctor;
	c->live = c->rcu_pending = 0;
	pos = out_pos();
	c->s = kmem_cache_create(c->name, size, align, flags, ctor ? ctors[slot] : NULL);
	logop("kmem_cache_create(%s, %u, %u, %#x, %s) = %p", c->name, size, align, flags,
	      ctor ? "ctor" : "-", (void *)c->s);
	expect_quiet(pos, c->s == NULL, "kmem_cache_create");
	if (c->s && kmem_cache_size(c->s) != size)
		fail("kmem_cache_size %u, created with %u", kmem_cache_size(c->s), size);
	if (c->s && strcmp(kmem_cache_name(c->s), c->name))
		fail("kmem_cache_name %s, created as %s", kmem_cache_name(c->s), c->name);
}

static struct cache *pick_cache(int *slot)
{
	unsigned int start = get8(), i;

	for (i = 0; i < MAX_CACHES; i++) {
		int s = (int)((start + i) % MAX_CACHES);

		if (F.caches[s].s) {
			*slot = s;
			return &F.caches[s];
		}
	}
	return NULL;
}

/* A fresh object of cache @slot: check its constructed state, then fill it. */
static void cache_obj_commit(int slot, void *p, gfp_t gfp)
{
	struct cache *c = &F.caches[slot];
	struct obj *o = obj_new(K_CACHE);

	o->ptr = p;
	o->size = c->size;
	o->cache = slot;
	if (c->ctor && !all_bytes(p, c->size, CTOR_BYTE(slot)))
		fail("object %p of %s is not in its constructed state", p, c->name);
	if (!c->ctor && (gfp & __GFP_ZERO) && !all_bytes(p, c->size, 0))
		fail("kmem_cache_zalloc object %p of %s is not zeroed", p, c->name);
	if (!kmem_cache_obj_ok(c->s, p))
		fail("object %p of %s fails kmem_cache_obj_ok", p, c->name);
	obj_commit(o);
}

static void op_cache_alloc(void)
{
	unsigned int how = get8();
	int slot;
	struct cache *c = pick_cache(&slot);
	gfp_t gfp = get_gfp(G_CACHE);
	size_t pos;
	void *p;

	if (!c || !budget_ok(c->size))
		return;
	if (c->ctor)
		gfp &= ~__GFP_ZERO;
	pos = out_pos();
	if (how & 1)
		p = kmem_cache_alloc_node(c->s, gfp, (how & 2) ? 0 : NUMA_NO_NODE);
	else
		p = kmem_cache_alloc(c->s, gfp);
	logop("kmem_cache_alloc(%s, %#x) = %p", c->name, gfp, p);
	expect_quiet(pos, p == NULL, "kmem_cache_alloc");
	if (p)
		cache_obj_commit(slot, p, gfp);
}

static void op_cache_alloc_bulk(void)
{
	void *objs[MAX_PAGES];
	size_t nr = 1 + get8() % MAX_PAGES, i;
	int slot, got;
	struct cache *c = pick_cache(&slot);
	gfp_t gfp = get_gfp(G_CACHE);
	size_t pos;

	if (!c || !budget_ok(nr * c->size))
		return;
	if (c->ctor)
		gfp &= ~__GFP_ZERO;
	pos = out_pos();
	got = kmem_cache_alloc_bulk(c->s, gfp, nr, objs);
	logop("kmem_cache_alloc_bulk(%s, %#x, %zu) = %d", c->name, gfp, nr, got);
	expect_quiet(pos, got == 0, "kmem_cache_alloc_bulk");
	if (got != 0 && (size_t)got != nr)
		fail("kmem_cache_alloc_bulk returned %d for %zu", got, nr);
	for (i = 0; i < (size_t)got; i++)
		cache_obj_commit(slot, objs[i], gfp);
}

static void op_kmalloc(void)
{
	unsigned int how = get8();
	size_t size = get_size(KMALLOC_MAX_SIZE);
	gfp_t gfp = get_gfp(G_KMALLOC);
	struct obj *o;
	size_t pos;
	void *p;

	if (!budget_ok(size))
		return;
	pos = out_pos();
	switch (how % 5) {
	case 0:
		p = kmalloc(size, gfp);
		break;
	case 1:
		p = kzalloc(size, gfp);
		gfp |= __GFP_ZERO;
		break;
	case 2:
		p = kcalloc(size, 1, gfp);
		gfp |= __GFP_ZERO;
		break;
	case 3:
		p = kmalloc_node(size, gfp, (how & 8) ? 0 : NUMA_NO_NODE);
		break;
	default:
		p = kmalloc_array(1, size, gfp);
		break;
	}
	logop("kmalloc#%u(%zu, %#x) = %p", how % 5, size, gfp, p);
	expect_quiet(pos, p == NULL, "kmalloc");
	if (!p)
		return;
	if ((gfp & __GFP_ZERO) && !all_bytes(p, size, 0))
		fail("zeroing kmalloc(%zu) at %p is not zeroed", size, p);
	if (ksize(p) < size)
		fail("ksize(%p) = %zu < %zu", p, ksize(p), size);
	if ((size & (size - 1)) == 0 && size <= PAGE_SIZE && ((unsigned long)p & (size - 1)))
		fail("kmalloc(%zu) = %p is not naturally aligned", size, p);
	if ((gfp & __GFP_DMA) && __pa(p) + size > (16UL << 20))
		fail("kmalloc(GFP_DMA) = %p is not below 16 MiB", p);
	o = obj_new(K_KMALLOC);
	o->ptr = p;
	o->size = size;
	obj_commit(o);
}

/* The string/duplicate helpers: their contents are checked, then the pattern takes over. */
static void op_kdup(void)
{
	static unsigned char src[8192];
	unsigned int how = get8();
	size_t len = get_size(sizeof(src) - 1), i;
	gfp_t gfp = get_gfp(G_KMALLOC) & ~__GFP_ZERO;
	size_t size = len;
	struct obj *o;
	size_t pos;
	void *p;

	if (!budget_ok(len + 1))
		return;
	for (i = 0; i < len; i++)
		src[i] = (unsigned char)('a' + (i * 7 + len) % 26);
	src[len] = 0;
	pos = out_pos();
	switch (how % 6) {
	case 0:
		p = kmemdup(src, len, gfp);
		break;
	case 1:
		p = kmemdup_nul((const char *)src, len, gfp);
		size = len + 1;
		break;
	case 2:
		p = kstrdup((const char *)src, gfp);
		size = len + 1;
		break;
	case 3:
		size = len / 2 + 1;
		p = kstrndup((const char *)src, len / 2, gfp);
		break;
	case 4:
		p = kasprintf(gfp, "%s", (const char *)src);
		size = len + 1;
		break;
	default:
		/* a string literal: kstrdup_const() keeps it, kfree_const() leaves it */
		p = (void *)kstrdup_const("a literal", gfp);
		logop("kstrdup_const = %p", p);
		expect_quiet(pos, p == NULL, "kstrdup_const");
		if (p && strcmp(p, "a literal"))
			fail("kstrdup_const changed the string");
		kfree_const(p);
		expect_quiet(pos, false, "kfree_const");
		return;
	}
	logop("kdup#%u(%zu, %#x) = %p", how % 6, len, gfp, p);
	expect_quiet(pos, p == NULL, "kdup");
	if (!p)
		return;
	/* kmemdup copies len bytes; the others size - 1 characters and a NUL */
	if (memcmp(p, src, (how % 6) == 0 ? len : size - 1) ||
	    ((how % 6) != 0 && ((unsigned char *)p)[size - 1] != 0))
		fail("kdup#%u(%zu) copied the wrong bytes", how % 6, len);
	o = obj_new(K_KMALLOC);
	o->ptr = p;
	o->size = size;
	obj_commit(o);
}

static void op_vmalloc(void)
{
	unsigned int how = get8();
	size_t size = get_size(4 << 20);
	gfp_t gfp = get_gfp(G_VMALLOC);
	struct obj *o;
	bool zero = false;
	size_t pos;
	void *p;

	if (!budget_ok(size))
		return;
	pos = out_pos();
	switch (how % 8) {
	case 0:
		p = vmalloc(size);
		break;
	case 1:
		p = vzalloc(size);
		zero = true;
		break;
	case 2:
		p = __vmalloc(size, gfp);
		zero = gfp & __GFP_ZERO;
		break;
	case 3:
		p = vmalloc_32(size);
		break;
	case 4:
		p = vcalloc(size, 1);
		zero = true;
		break;
	case 5:
		p = vmalloc_node(size, (how & 8) ? 0 : NUMA_NO_NODE);
		break;
	case 6:
		if (how & 0x80) {
			/* 2 MiB leaves: expensive on a small machine, so rarely */
			size = (2 << 20) + (size & ((1 << 20) - 1));
			if (!budget_ok(size))
				return;
			p = vmalloc_huge(size, gfp & ~__GFP_HIGHMEM);
		} else {
			p = __vmalloc_node(size, (unsigned long)PAGE_SIZE << (how >> 4 & 3), gfp,
					   NUMA_NO_NODE, __builtin_return_address(0));
		}
		zero = gfp & __GFP_ZERO;
		break;
	default:
		p = vmalloc_array(size, 1);
		break;
	}
	logop("vmalloc#%u(%zu, %#x) = %p", how % 8, size, gfp, p);
	/* non-sleeping flags may fail, and vmalloc(0) never happens here */
	expect_quiet(pos, p == NULL, "vmalloc");
	if (!p)
		return;
	if (!is_vmalloc_addr(p) || ((unsigned long)p & ~PAGE_MASK))
		fail("vmalloc returned %p", p);
	if (zero && !all_bytes(p, size, 0))
		fail("zeroing vmalloc(%zu) at %p is not zeroed", size, p);
	{
		struct vm_struct *vm = find_vm_area(p);

		if (!vm || vm->addr != p || get_vm_area_size(vm) < size)
			fail("find_vm_area(%p) does not describe the area", p);
	}
	o = obj_new(K_VMALLOC);
	o->ptr = p;
	o->size = size;
	obj_commit(o);
}

static void op_kvmalloc(void)
{
	unsigned int how = get8();
	size_t size = get_size(4 << 20);
	gfp_t gfp = get_gfp(G_KMALLOC);
	struct obj *o;
	size_t pos;
	void *p;

	if (!budget_ok(size))
		return;
	pos = out_pos();
	switch (how % 3) {
	case 0:
		p = kvmalloc(size, gfp);
		break;
	case 1:
		p = kvzalloc(size, gfp);
		gfp |= __GFP_ZERO;
		break;
	default:
		p = kvcalloc(1, size, gfp);
		gfp |= __GFP_ZERO;
		break;
	}
	logop("kvmalloc#%u(%zu, %#x) = %p", how % 3, size, gfp, p);
	expect_quiet(pos, p == NULL, "kvmalloc");
	if (!p)
		return;
	if ((gfp & __GFP_ZERO) && !all_bytes(p, size, 0))
		fail("zeroing kvmalloc(%zu) at %p is not zeroed", size, p);
	o = obj_new(K_KVMALLOC);
	o->ptr = p;
	o->size = size;
	obj_commit(o);
}

/* krealloc, vrealloc, kvrealloc: the kept bytes must be the old pattern. */
static void op_realloc(void)
{
	unsigned int how = get8();
	struct obj *o = pick_obj(1u << K_KMALLOC | 1u << K_VMALLOC | 1u << K_KVMALLOC);
	size_t size = get_size(4 << 20), keep;
	gfp_t gfp = get_gfp(G_KMALLOC);
	size_t pos;
	void *p;

	if (!o || !budget_ok(size))
		return;
	if (o->kind == K_KMALLOC && (how & 1) == 0) {
		if (size > KMALLOC_MAX_SIZE)
			size = KMALLOC_MAX_SIZE;
		gfp &= ~__GFP_ZERO;
	}
	obj_pattern(o, true, SIZE_MAX, "before realloc");
	pos = out_pos();
	if (o->kind == K_KMALLOC && (how & 1) == 0)
		p = krealloc(o->ptr, size, gfp);
	else if (o->kind == K_VMALLOC && (how & 1) == 0)
		p = vrealloc(o->ptr, size, gfp & ~__GFP_DMA);
	else
		p = kvrealloc(o->ptr, size, gfp);
	logop("realloc#%d(%p, %zu -> %zu, %#x) = %p", o->kind, (void *)o->ptr, o->size, size, gfp,
	      p);
	expect_quiet(pos, p == NULL, "realloc");
	if (!p) {
		obj_pattern(o, true, SIZE_MAX, "after a failed realloc");
		return;
	}
	keep = o->size < size ? o->size : size;
	o->ptr = p;
	o->size = size;
	if (pattern_bad(o->ptr, o->id, o->pat_off, keep, true))
		pattern_fail(o, o->ptr, o->pat_off, keep, "by realloc");
	if (is_vmalloc_addr(p))
		o->kind = o->kind == K_KMALLOC ? K_KVMALLOC : o->kind;
	else if (o->kind == K_VMALLOC)
		fail("vrealloc returned %p outside the vmalloc area", p);
	pattern(o->ptr + keep, o->id, o->pat_off + keep, size - keep, false);
}

/* Pages for a vmap: order-0, lowmem or highmem. */
static unsigned int alloc_page_array(struct page **pages, unsigned int nr, gfp_t gfp)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		pages[i] = alloc_page(gfp | __GFP_NOWARN);
		if (!pages[i])
			break;
	}
	return i;
}

static void op_vmap(bool ram)
{
	unsigned int how = get8(), nr = 1 + get8() % MAX_PAGES, got;
	gfp_t gfp = (how & 1) ? GFP_HIGHUSER : GFP_KERNEL;
	bool put = !ram && (how & 2);
	struct page *buf[MAX_PAGES], **pages = buf;
	struct obj *o;
	size_t pos;
	void *p;

	if (!budget_ok((size_t)nr * PAGE_SIZE))
		return;
	if (put) {
		pages = kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL | __GFP_NOWARN);
		if (!pages)
			return;
	}
	got = alloc_page_array(pages, nr, gfp);
	if (got < nr) {
		while (got)
			__free_page(pages[--got]);
		if (put)
			kvfree(pages);
		return;
	}
	pos = out_pos();
	if (ram)
		p = vm_map_ram(pages, nr, NUMA_NO_NODE);
	else
		p = vmap(pages, nr, put ? VM_MAP | VM_MAP_PUT_PAGES : VM_MAP, PAGE_KERNEL);
	logop("%s(%u pages, %#x%s) = %p", ram ? "vm_map_ram" : "vmap", nr, gfp,
	      put ? ", VM_MAP_PUT_PAGES" : "", p);
	expect_quiet(pos, p == NULL, "vmap");
	if (!p) {
		while (nr)
			__free_page(pages[--nr]);
		if (put)
			kvfree(pages);
		return;
	}
	o = obj_new(ram ? K_VMRAM : K_VMAP);
	o->ptr = p;
	o->size = (size_t)nr * PAGE_SIZE;
	o->nr_pages = nr;
	o->put_pages = put;
	if (put) {
		o->pages = pages;
	} else {
		memcpy(o->pagebuf, buf, sizeof(buf[0]) * nr);
		o->pages = o->pagebuf;
	}
	obj_commit(o);
}

static void op_kmap(void)
{
	struct obj *o = pick_obj(1u << K_PAGES);
	unsigned int pg;
	struct page *page;
	unsigned char *k;
	size_t pos;

	if (!o || F.nr_kmaps == MAX_KMAPS)
		return;
	pg = get8() % (1u << o->order);
	page = o->page + pg;
	pos = out_pos();
	k = kmap(page);
	logop("kmap(pfn %#lx) = %p", page_to_pfn(page), (void *)k);
	expect_quiet(pos, false, "kmap");
	if (!k)
		fail("kmap returned NULL");
	if (pattern_bad(k, o->id, o->pat_off + pg * PAGE_SIZE, PAGE_SIZE, true))
		pattern_fail(o, k, o->pat_off + pg * PAGE_SIZE, PAGE_SIZE, "seen through kmap");
	if (kmap_to_page(k) != page)
		fail("kmap_to_page(%p) is not the page kmapped", (void *)k);
	if (PageHighMem(page) && page_address(page) != k)
		fail("page_address of a kmapped highmem page is %p, not %p", page_address(page),
		     (void *)k);
	F.kmaps[F.nr_kmaps++] = page;
}

/* Is a page of the block @o kmap()ed?  Its index in F.kmaps, or -1. */
static int obj_kmapped(const struct obj *o)
{
	int i;

	for (i = 0; i < F.nr_kmaps; i++)
		if (F.kmaps[i] >= o->page && F.kmaps[i] < o->page + (1UL << o->order))
			return i;
	return -1;
}

static void kunmap_one(int i)
{
	size_t pos = out_pos();

	kunmap(F.kmaps[i]);
	logop("kunmap(pfn %#lx)", page_to_pfn(F.kmaps[i]));
	expect_quiet(pos, false, "kunmap");
	F.kmaps[i] = F.kmaps[--F.nr_kmaps];
}

static void op_kunmap(void)
{
	if (F.nr_kmaps)
		kunmap_one((int)(get8() % (unsigned int)F.nr_kmaps));
}

/* Nested kmap_local_page()s of pages of live blocks, checked, unmapped in reverse. */
static void op_kmap_local(void)
{
	struct {
		struct obj *o;
		unsigned int pg;
		unsigned char *k;
	} m[4];
	unsigned int n = 1 + get8() % 3, i;
	size_t pos = out_pos();

	for (i = 0; i < n; i++) {
		m[i].o = pick_obj(1u << K_PAGES | 1u << K_VMAP | 1u << K_VMRAM);
		if (!m[i].o)
			break;
		m[i].pg = m[i].o->kind == K_PAGES ? get8() % (1u << m[i].o->order)
						  : get8() % m[i].o->nr_pages;
		obj_fix_pages(m[i].o);
		m[i].k = kmap_local_page(m[i].o->kind == K_PAGES ? m[i].o->page + m[i].pg
								 : m[i].o->pages[m[i].pg]);
		if (!m[i].k)
			fail("kmap_local_page returned NULL at depth %u", i);
	}
	n = i;
	logop("kmap_local_page x%u", n);
	for (i = 0; i < n; i++)
		if (pattern_bad(m[i].k, m[i].o->id, m[i].o->pat_off + m[i].pg * PAGE_SIZE,
				PAGE_SIZE, true))
			pattern_fail(m[i].o, m[i].k, m[i].o->pat_off + m[i].pg * PAGE_SIZE,
				     PAGE_SIZE, "seen through kmap_local_page");
	while (n--)
		kunmap_local(m[n].k + m[n].pg * 8); /* any address inside the page */
	expect_quiet(pos, false, "kmap_local_page");
}

static void op_split_page(void)
{
	struct obj *o = pick_obj(1u << K_PAGES);
	unsigned int i, nr;
	size_t pos;

	if (!o || o->compound || !o->order || o->extra_refs || obj_kmapped(o) >= 0 ||
	    F.nr_live + (1 << o->order) > MAX_LIVE)
		return;
	obj_pattern(o, true, SIZE_MAX, "before split_page");
	pos = out_pos();
	split_page(o->page, o->order);
	logop("split_page(pfn %#lx, %u)", page_to_pfn(o->page), o->order);
	expect_quiet(pos, false, "split_page");
	nr = 1u << o->order;
	o->order = 0;
	o->size = PAGE_SIZE;
	for (i = 1; i < nr; i++) {
		struct obj *n = &F.live[F.nr_live++];

		*n = *o;
		n->page = o->page + i;
		n->ptr = o->ptr ? o->ptr + i * PAGE_SIZE : NULL;
		n->pat_off = o->pat_off + i * PAGE_SIZE;
		if (page_count(n->page) != 1)
			fail("split_page: page %u has refcount %d", i, page_count(n->page));
	}
}

static void op_get_page(void)
{
	struct obj *o = pick_obj(1u << K_PAGES);

	if (!o || (o->order && !o->compound) || o->extra_refs > 3)
		return;
	get_page(o->page);
	o->extra_refs++;
	logop("get_page(pfn %#lx) -> %d", page_to_pfn(o->page), page_count(o->page));
	if (page_count(o->page) != 1 + o->extra_refs)
		fail("page_count %d, expected %d", page_count(o->page), 1 + o->extra_refs);
}

/* ---- frees ---- */

/* Free @o with one of the calls that may free it; false if it was deferred (RCU). */
static void obj_free(struct obj *o, unsigned int how)
{
	size_t pos;
	bool rcu = false, slab = false;
	struct cache *c = o->cache >= 0 ? &F.caches[o->cache] : NULL;
	void *ptr = o->ptr;

	obj_fix_pages(o);
	obj_pattern(o, true, SIZE_MAX, "before its free");
	while (o->kind == K_PAGES && obj_kmapped(o) >= 0)
		kunmap_one(obj_kmapped(o));
	pos = out_pos();
	switch (o->kind) {
	case K_PAGES:
		if (o->extra_refs && (how & 1)) {
			/* the holders let go first, then the owner */
			while (o->extra_refs--)
				put_page(o->page);
			o->extra_refs = 0;
		}
		if (how & 2 && !o->order && !o->extra_refs)
			put_page(o->page);
		else
			__free_pages(o->page, o->order);
		while (o->extra_refs-- > 0)
			put_page(o->page);
		logop("free pages pfn %#lx order %u", page_to_pfn(o->page), o->order);
		break;
	case K_ADDR:
		free_pages((unsigned long)o->ptr, o->order);
		logop("free_pages(%p, %u)", (void *)o->ptr, o->order);
		break;
	case K_EXACT:
		free_pages_exact(o->ptr, o->size);
		logop("free_pages_exact(%p, %zu)", (void *)o->ptr, o->size);
		break;
	case K_CACHE:
		slab = true;
		if (c->ctor)
			memset(o->ptr, CTOR_BYTE(o->cache), c->size);
		if ((how & 3) == 1) {
			kfree(o->ptr);
		} else if ((how & 3) == 2 && c->size >= sizeof(struct rcu_head) && !c->ctor) {
			kvfree_call_rcu((struct rcu_head *)o->ptr, o->ptr);
			c->rcu_pending++;
			F.rcu_objs++;
			rcu = true;
		} else {
			kmem_cache_free(c->s, o->ptr);
		}
		logop("free object %p of %s%s", (void *)o->ptr, c->name, rcu ? " (rcu)" : "");
		break;
	case K_KMALLOC:
	case K_KVMALLOC:
	case K_VMALLOC:
		slab = o->kind != K_VMALLOC && !is_vmalloc_addr(o->ptr) &&
		       !PageLargeKmalloc(virt_to_page(o->ptr));
		if ((how & 3) == 2 && o->size >= sizeof(struct rcu_head)) {
			size_t off = ((how >> 2) * 8) % (o->size - sizeof(struct rcu_head) + 1);

			off &= ~7UL;
			if (how & 0x40)
				kvfree_call_rcu(NULL, o->ptr); /* kfree_rcu_mightsleep */
			else
				kvfree_call_rcu((struct rcu_head *)(o->ptr + off), o->ptr);
			rcu = !(how & 0x40);
			/* an area keeps the slab objects vmalloc holds for it until the callback */
			if (rcu)
				F.rcu_objs += slab ? 1 : is_vmalloc_addr(o->ptr) ? VMALLOC_OBJS : 0;
		} else if ((how & 3) == 1) {
			kvfree(o->ptr);
		} else if (is_vmalloc_addr(o->ptr)) {
			if (how & 4)
				vfree_atomic(o->ptr);
			else
				vfree(o->ptr);
		} else if (how & 4) {
			kfree_sensitive(o->ptr);
		} else {
			kfree(o->ptr);
		}
		logop("free %p (%zu bytes, how %#x)", (void *)o->ptr, o->size, how);
		break;
	case K_VMAP:
		if (o->put_pages) {
			vfree(o->ptr);
		} else {
			unsigned int i;

			vunmap(o->ptr);
			for (i = 0; i < o->nr_pages; i++)
				__free_page(o->pagebuf[i]);
		}
		logop("vunmap(%p)%s", (void *)o->ptr, o->put_pages ? " by vfree" : "");
		break;
	case K_VMRAM: {
		unsigned int i;

		vm_unmap_ram(o->ptr, o->nr_pages);
		for (i = 0; i < o->nr_pages; i++)
			__free_page(o->pagebuf[i]);
		logop("vm_unmap_ram(%p, %u)", (void *)o->ptr, o->nr_pages);
		break;
	}
	default:
		fail("bad kind");
	}
	expect_quiet(pos, false, F.log[(F.nr_log - 1) % 16]);
	if (!rcu) {
		if (o->kind == K_PAGES && !o->compound && o->order == 0)
			freed_add(K_PAGES, NULL, o->page, 0, -1, false);
		else if (o->kind == K_PAGES)
			freed_add(K_PAGES, NULL, o->page, o->order, -1, false);
		else if (o->kind == K_ADDR)
			freed_add(K_ADDR, ptr, NULL, o->order, -1, false);
		else if (o->kind != K_EXACT && o->kind != K_VMRAM)
			freed_add(o->kind, ptr, NULL, 0, o->cache, slab);
		F.last_op_was_slab_free = slab;
	}
	obj_drop(o);
}

static void op_free(void)
{
	unsigned int how = get8();
	struct obj *o = pick_obj(~0u);

	if (o)
		obj_free(o, how);
}

static void op_cache_free_bulk(void)
{
	void *objs[MAX_PAGES];
	int slot, i;
	struct cache *c = pick_cache(&slot);
	size_t nr = 0, want = 1 + get8() % MAX_PAGES;
	size_t pos;

	if (!c)
		return;
	for (i = F.nr_live - 1; i >= 0 && nr < want; i--) {
		struct obj *o = &F.live[i];

		if (o->kind != K_CACHE || o->cache != slot)
			continue;
		obj_pattern(o, true, SIZE_MAX, "before kmem_cache_free_bulk");
		if (c->ctor)
			memset(o->ptr, CTOR_BYTE(slot), c->size);
		objs[nr++] = o->ptr;
		obj_drop(o);
	}
	for (i = 0; i < (int)nr; i++)
		freed_add(K_CACHE, objs[i], NULL, 0, slot, true);
	F.last_op_was_slab_free = nr > 0;
	pos = out_pos();
	kmem_cache_free_bulk(c->s, nr, objs);
	logop("kmem_cache_free_bulk(%s, %zu)", c->name, nr);
	expect_quiet(pos, false, "kmem_cache_free_bulk");
}

/*
 * The live objects of @c must be the shadow's, and those given to kfree_rcu()
 * that its callback may not have freed yet: between the two counts.
 */
static void check_cache_live(struct cache *c, const char *when)
{
	unsigned long live = kmem_cache_live_objects(c->s);

	if (live < (unsigned long)c->live || live > (unsigned long)(c->live + c->rcu_pending))
		fail("%s: kmem_cache_live_objects(%s) = %lu, the shadow has %ld live and %ld "
		     "given to kfree_rcu",
		     when, c->name, live, c->live, c->rcu_pending);
}

/* Every kfree_rcu() so far has run (after rcu_barrier()). */
static void rcu_done(void)
{
	int slot;

	for (slot = 0; slot < MAX_CACHES; slot++)
		F.caches[slot].rcu_pending = 0;
	F.rcu_objs = 0;
}

/*
 * kmem_cache_shrink, then the cache's live objects must be the shadow's; at the
 * end of a window (after the RCU frees) slabinfo's active objects too.
 */
static void op_cache_shrink(void)
{
	int slot;
	struct cache *c = pick_cache(&slot);
	long active;
	size_t pos;

	if (!c)
		return;
	if (F.full && c->rcu_pending) {
		rcu_barrier();
		rcu_done();
	}
	pos = out_pos();
	kmem_cache_shrink(c->s);
	expect_quiet(pos, false, "kmem_cache_shrink");
	check_cache_live(c, "kmem_cache_shrink");
	if (!F.full || c->rcu_pending) {
		logop("kmem_cache_shrink(%s): %ld live", c->name, c->live);
		return;
	}
	active = slab_active(show("slabinfo"), c->name);
	logop("kmem_cache_shrink(%s): %ld active, %ld live", c->name, active, c->live);
	if (active != c->live)
		fail("slabinfo: %s has %ld active objects, the shadow %ld", c->name, active,
		     c->live);
}

static void *destroy_thread(void *s)
{
	rcu_register_thread();
	kmem_cache_destroy(s);
	rcu_unregister_thread();
	return NULL;
}

/*
 * Destroy the parked caches, after a barrier for their kfree_rcu() objects.
 * kmem_cache_destroy() of a SLAB_TYPESAFE_BY_RCU cache waits for a barrier of
 * its own: those are destroyed at once, a thread each, so that their waits
 * overlap.
 */
static void grave_flush(void)
{
	pthread_t threads[MAX_GRAVE];
	int i, nr_threads = 0;
	size_t pos;

	rcu_barrier();
	rcu_done();
	pos = out_pos();
	for (i = 0; i < F.nr_grave; i++) {
		struct kmem_cache *s = F.grave[i];

		if (kmem_cache_live_objects(s))
			fail("kmem_cache_live_objects(%s) = %lu after rcu_barrier, the shadow has "
			     "none",
			     kmem_cache_name(s), kmem_cache_live_objects(s));
		if (!(s->flags & SLAB_TYPESAFE_BY_RCU))
			kmem_cache_destroy(s);
		else if (pthread_create(&threads[nr_threads], NULL, destroy_thread, s) == 0)
			nr_threads++;
		else
			destroy_thread(s);
	}
	while (nr_threads)
		pthread_join(threads[--nr_threads], NULL);
	logop("rcu_barrier, the %d caches that waited for one destroyed", F.nr_grave);
	F.nr_grave = 0;
	expect_quiet(pos, false, "kmem_cache_destroy after rcu_barrier");
}

/*
 * Destroy the cache of @slot.  One that needs a grace period first (with
 * kfree_rcu() objects pending, or SLAB_TYPESAFE_BY_RCU, whose destroy waits
 * for one) is parked, emptied, until the next barrier (one rcu_barrier()
 * costs 10 ms: liburcu's call_rcu thread sleeps that long after it wakes);
 * its slot is free at once.
 */
static void cache_destroy(int slot)
{
	struct cache *c = &F.caches[slot];
	size_t pos;

	if (!c->live && (c->rcu_pending || (c->s->flags & SLAB_TYPESAFE_BY_RCU))) {
		check_cache_live(c, "kmem_cache_destroy");
		if (F.nr_grave == MAX_GRAVE)
			grave_flush();
		pos = out_pos();
		kmem_cache_shrink(c->s);
		expect_quiet(pos, false, "kmem_cache_shrink");
		F.grave[F.nr_grave++] = c->s;
		logop("kmem_cache_destroy(%s) after the next rcu_barrier", c->name);
		c->s = NULL;
		return;
	}
	pos = out_pos();
	kmem_cache_destroy(c->s);
	logop("kmem_cache_destroy(%s) with %ld live", c->name, c->live);
	if (c->live) {
		/* an invalid destroy: reported, and the cache is kept */
		expect_report(pos, "kmem_cache_destroy with live objects");
		return;
	}
	expect_quiet(pos, false, "kmem_cache_destroy");
	c->s = NULL;
}

static void op_cache_destroy(void)
{
	int slot;
	struct cache *c = pick_cache(&slot);

	if (!c)
		return;
	/* usually free the objects first; sometimes try with objects left (reported) */
	if (get8() & 3) {
		int i;

		for (i = F.nr_live - 1; i >= 0; i--)
			if (F.live[i].kind == K_CACHE && F.live[i].cache == slot)
				obj_free(&F.live[i], 0);
	}
	cache_destroy(slot);
}

/* ---- machine-wide operations ---- */

static void op_machine(void)
{
	unsigned int how = get8();
	size_t pos = out_pos();
	static const char *const files[] = {"buddyinfo", "zoneinfo", "pagetypeinfo",
					    "meminfo",	 "slabinfo", "vmallocinfo"};

	switch (how % 8) {
	case 0:
		kmm_drain_all();
		logop("kmm_drain_all");
		break;
	case 1:
		kmm_slab_reap();
		logop("kmm_slab_reap");
		break;
	case 2:
		/* a barrier only where the window ends (each costs 10 ms, see cache_destroy()) */
		if (F.full) {
			rcu_barrier();
			rcu_done();
		} else {
			synchronize_rcu();
		}
		logop(F.full ? "rcu_barrier" : "synchronize_rcu");
		break;
	case 3:
		vm_unmap_aliases();
		logop("vm_unmap_aliases");
		break;
	case 4:
		kmm_reclaim(NUMA_NO_NODE, 1 + (how >> 3), GFP_KERNEL);
		logop("kmm_reclaim");
		break;
	case 5:
		show(files[(how >> 3) % 6]);
		logop("kmm_show(%s)", files[(how >> 3) % 6]);
		break;
	default: {
		/* ksize of a live kmalloc, vmalloc_to_page of a live area */
		struct obj *o = pick_obj(1u << K_KMALLOC | 1u << K_KVMALLOC);

		if (o && !is_vmalloc_addr(o->ptr) && ksize(o->ptr) < o->size)
			fail("ksize(%p) = %zu < %zu", (void *)o->ptr, ksize(o->ptr), o->size);
		logop("ksize");
		break;
	}
	}
	expect_quiet(pos, false, F.log[(F.nr_log - 1) % 16]);
	F.nr_freed = 0; /* reaping and draining move freed objects; a double free then corrupts */
}

static void check_all(size_t limit)
{
	int i;

	for (i = 0; i < F.nr_live; i++) {
		obj_fix_pages(&F.live[i]);
		obj_pattern(&F.live[i], true, limit, "(periodic check)");
	}
}

/* ---- invalid operations: each must be reported and refused ---- */

static int a_global;

static void op_bad_kfree(void)
{
	unsigned int how = get8(), r = get16();
	struct obj *o;
	int local;
	void *bad = NULL;
	char what[96];
	size_t pos;

	switch (how % 6) {
	case 0: /* inside a live kmalloc object or large kmalloc */
		o = pick_obj(1u << K_KMALLOC | 1u << K_CACHE);
		if (!o || o->size < 2 || is_vmalloc_addr(o->ptr))
			return;
		bad = o->ptr + 1 + r % (o->size - 1);
		break;
	case 1:
		bad = (how & 8) ? (void *)&local : (void *)&a_global;
		break;
	case 2:
		bad = (void *)(0x1000UL + r * 8UL);
		break;
	case 3: /* a page that is not a kmalloc */
		o = pick_obj(1u << K_PAGES | 1u << K_ADDR | 1u << K_EXACT);
		if (!o || !o->ptr)
			return;
		bad = o->ptr + (how & 8 ? 0 : r % o->size);
		break;
	case 4: /* vmalloc memory to kfree */
		o = pick_obj(1u << K_VMALLOC | 1u << K_VMAP | 1u << K_VMRAM);
		if (!o || o->size < 2)
			return;
		bad = o->ptr + (how & 8 ? 0 : 1 + r % (o->size - 1));
		/* kfree_rcu of an area's start is valid (kvfree_rcu) */
		if (bad == o->ptr && (how >> 4) % 5 == 4)
			return;
		break;
	default: /* nothing mapped in the vmalloc area, or the PKMAP area */
		bad = (void *)(VMALLOC_END - PAGE_SIZE * (1 + r));
		break;
	}
	snprintf(what, sizeof(what), "bad free#%u of %p", (how >> 4) % 5, bad);
	logop("%s", what);
	pos = out_pos();
	switch ((how >> 4) % 5) {
	case 0:
		kfree(bad);
		break;
	case 1:
		if (ksize(bad) != 0)
			fail("ksize(%p) of a bad pointer is not 0", bad);
		break;
	case 2:
		if (krealloc(bad, 1 + r % 300, GFP_KERNEL) != NULL)
			fail("krealloc(%p) of a bad pointer is not NULL", bad);
		break;
	case 3:
		kfree_sensitive(bad);
		break;
	default:
		/* kfree_rcu of a bad pointer; or a good object with its rcu_head outside */
		o = pick_obj(1u << K_KMALLOC | 1u << K_CACHE);
		if ((how & 8) && o && !(o->cache >= 0 && F.caches[o->cache].ctor))
			kvfree_call_rcu((struct rcu_head *)&local, o->ptr);
		else
			kvfree_call_rcu((struct rcu_head *)bad, bad);
		break;
	}
	expect_report(pos, what);
}

/* A double free of something freed since the last operation that could reuse it. */
static void op_bad_double_free(void)
{
	unsigned int how = get8();
	struct freed *f;
	char what[96];
	size_t pos;

	if (!F.nr_freed)
		return;
	f = &F.freed[F.full_double_free_checks ? (int)(how % (unsigned int)F.nr_freed)
					       : F.nr_freed - 1];
	/* without slub_debug=F only the object freed just before on this CPU is caught */
	if (f->slab && !F.full_double_free_checks &&
	    (f != &F.freed[F.nr_freed - 1] || !F.last_op_was_slab_free || nr_free_pages() < 2048))
		return;
	if (f->cache >= 0 && !F.caches[f->cache].s)
		return;
	snprintf(what, sizeof(what), "double free (kind %d) of %p", f->kind,
		 f->page ? (void *)f->page : f->ptr);
	logop("%s", what);
	pos = out_pos();
	switch (f->kind) {
	case K_PAGES:
		__free_pages(f->page, f->order);
		break;
	case K_ADDR:
		free_pages((unsigned long)f->ptr, f->order);
		break;
	case K_CACHE:
		if (how & 0x10)
			kfree(f->ptr);
		else
			kmem_cache_free(F.caches[f->cache].s, f->ptr);
		break;
	case K_KMALLOC:
	case K_KVMALLOC:
	case K_VMALLOC:
		if ((how & 0x10) || !is_vmalloc_addr(f->ptr))
			kvfree(f->ptr);
		else
			vfree(f->ptr);
		break;
	case K_VMAP:
		vunmap(f->ptr);
		break;
	default:
		return;
	}
	expect_report(pos, what);
}

static void op_bad_cache_free(void)
{
	unsigned int how = get8(), r = get16();
	int slot;
	struct cache *c = pick_cache(&slot);
	struct obj *o;
	void *bad;
	char what[96];
	size_t pos;

	if (!c)
		return;
	switch (how % 4) {
	case 0: /* an object of another cache, or a kmalloc object */
		o = pick_obj(1u << K_CACHE | 1u << K_KMALLOC);
		if (!o || is_vmalloc_addr(o->ptr) || o->cache == slot)
			return;
		if (o->cache >= 0 && F.caches[o->cache].s == c->s)
			return; /* merged caches: the same cache */
		bad = o->ptr;
		break;
	case 1: /* inside an object of this cache */
		o = pick_obj(1u << K_CACHE);
		if (!o || o->cache != slot || o->size < 2)
			return;
		bad = o->ptr + 1 + r % (o->size - 1);
		break;
	case 2: /* a page */
		o = pick_obj(1u << K_PAGES | 1u << K_ADDR);
		if (!o || !o->ptr)
			return;
		bad = o->ptr;
		break;
	default: /* NULL cache */
		o = pick_obj(1u << K_CACHE);
		if (!o)
			return;
		snprintf(what, sizeof(what), "kmem_cache_free(NULL, %p)", (void *)o->ptr);
		logop("%s", what);
		pos = out_pos();
		kmem_cache_free(NULL, o->ptr);
		expect_report(pos, what);
		return;
	}
	snprintf(what, sizeof(what), "kmem_cache_free(%s, %p)", c->name, bad);
	logop("%s", what);
	pos = out_pos();
	if (how & 4) {
		void *objs[1] = {bad};

		kmem_cache_free_bulk(c->s, 1, objs);
	} else {
		kmem_cache_free(c->s, bad);
	}
	expect_report(pos, what);
}

static void op_bad_page_free(void)
{
	unsigned int how = get8(), order;
	struct obj *o;
	char what[96];
	size_t pos;

	switch (how % 5) {
	case 0: /* the wrong order */
		o = pick_obj(1u << K_PAGES | 1u << K_ADDR);
		if (!o || o->extra_refs)
			return;
		order = (o->order + 1 + (how >> 4) % 10) % 11;
		snprintf(what, sizeof(what), "free of an order-%u block with order %u", o->order,
			 order);
		logop("%s", what);
		pos = out_pos();
		if (o->kind == K_PAGES)
			__free_pages(o->page, order);
		else
			free_pages((unsigned long)o->ptr, order);
		break;
	case 1: /* a tail page of a block */
		o = pick_obj(1u << K_PAGES);
		if (!o || !o->order)
			return;
		snprintf(what, sizeof(what), "free of a tail page of pfn %#lx order %u",
			 page_to_pfn(o->page), o->order);
		logop("%s", what);
		pos = out_pos();
		__free_pages(o->page + 1 + (how >> 3) % ((1u << o->order) - 1), 0);
		break;
	case 2: /* a slab page */
		o = pick_obj(1u << K_CACHE | 1u << K_KMALLOC);
		if (!o || is_vmalloc_addr(o->ptr) || PageLargeKmalloc(virt_to_page(o->ptr)))
			return;
		snprintf(what, sizeof(what), "free_pages of slab object %p", (void *)o->ptr);
		logop("%s", what);
		pos = out_pos();
		if (how & 8)
			__free_pages(virt_to_page(o->ptr), 0);
		else
			free_pages((unsigned long)o->ptr & PAGE_MASK, 0);
		break;
	case 3: /* an unaligned address, or one outside the direct map */
		o = pick_obj(1u << K_ADDR);
		snprintf(what, sizeof(what), "free_pages of a bad address");
		logop("%s", what);
		pos = out_pos();
		if (o && (how & 8))
			free_pages((unsigned long)o->ptr + 8 + (how >> 4) * 8, o->order);
		else
			free_pages((unsigned long)&what, 0);
		break;
	default: /* order above MAX_PAGE_ORDER */
		o = pick_obj(1u << K_ADDR);
		if (!o)
			return;
		snprintf(what, sizeof(what), "free_pages(%p, 11)", (void *)o->ptr);
		logop("%s", what);
		pos = out_pos();
		free_pages((unsigned long)o->ptr, 11);
		break;
	}
	expect_report(pos, what);
}

static void op_bad_vfree(void)
{
	unsigned int how = get8(), r = get16();
	struct obj *o;
	void *bad;
	char what[96];
	size_t pos;

	switch (how % 4) {
	case 0: /* inside an area */
		o = pick_obj(1u << K_VMALLOC | 1u << K_VMAP | 1u << K_VMRAM);
		if (!o || o->size < 2)
			return;
		bad = o->ptr + 1 + r % (o->size - 1);
		break;
	case 1: /* kmalloc memory */
		o = pick_obj(1u << K_KMALLOC | 1u << K_CACHE | 1u << K_ADDR);
		if (!o || is_vmalloc_addr(o->ptr))
			return;
		bad = o->ptr;
		break;
	case 2: /* never mapped */
		bad = (void *)(VMALLOC_END - PAGE_SIZE * (1 + r));
		break;
	default: /* the wrong call: vunmap of a vmalloc area, vm_unmap_ram of a vmap */
		o = pick_obj(1u << K_VMALLOC | 1u << K_VMAP);
		if (!o || (o->kind == K_VMALLOC && !(how & 4)))
			return;
		bad = o->ptr;
		snprintf(what, sizeof(what), "%s of %p",
			 o->kind == K_VMALLOC ? "vunmap" : "vm_unmap_ram", bad);
		logop("%s", what);
		pos = out_pos();
		if (o->kind == K_VMALLOC)
			vunmap(bad);
		else
			vm_unmap_ram(bad, o->nr_pages);
		expect_report(pos, what);
		return;
	}
	snprintf(what, sizeof(what), "vfree#%u of %p", (how >> 4) % 4, bad);
	logop("%s", what);
	pos = out_pos();
	switch ((how >> 4) % 4) {
	case 0:
		vfree(bad);
		break;
	case 1:
		vunmap(bad);
		break;
	case 2:
		vm_unmap_ram(bad, 1);
		break;
	default:
		if (vrealloc(bad, 100, GFP_KERNEL))
			fail("vrealloc of a bad pointer succeeded");
		break;
	}
	expect_report(pos, what);
}

static void op_bad_kmap(void)
{
	unsigned int how = get8();
	struct obj *o, *p;
	char what[96];
	size_t pos;

	switch (how % 2) {
	case 0: { /* kunmap of a highmem page that is not kmapped */
		int i;

		o = pick_obj(1u << K_PAGES);
		if (!o || !PageHighMem(o->page))
			return;
		for (i = 0; i < F.nr_kmaps; i++)
			if (F.kmaps[i] == o->page)
				return;
		snprintf(what, sizeof(what), "kunmap of pfn %#lx, not kmapped",
			 page_to_pfn(o->page));
		logop("%s", what);
		pos = out_pos();
		kunmap(o->page);
		expect_report(pos, what);
		return;
	}
	default: { /* kunmap_local out of order */
		unsigned char *a, *b;

		o = pick_obj(1u << K_PAGES);
		p = pick_obj(1u << K_PAGES);
		if (!o || !p || !PageHighMem(o->page) || !PageHighMem(p->page))
			return;
		a = kmap_local_page(o->page);
		b = kmap_local_page(p->page);
		snprintf(what, sizeof(what), "kunmap_local(%p) under %p", (void *)a, (void *)b);
		logop("%s", what);
		pos = out_pos();
		kunmap_local(a);
		expect_report(pos, what);
		pos = out_pos();
		kunmap_local(b);
		kunmap_local(a);
		expect_quiet(pos, false, "kunmap_local in order");
		return;
	}
	}
}

static void op_bad_create(void)
{
	static const char *const bad_names[] = {"", "two\nlines", "with space", "tab\there",
						"bell\a"};
	unsigned int how = get8(), r = get16();
	struct kmem_cache *s;
	char what[64];
	size_t pos;

	snprintf(what, sizeof(what), "bad kmem_cache_create#%u", how % 8);
	logop("%s", what);
	pos = out_pos();
	switch (how % 8) {
	case 0:
		s = kmem_cache_create("bad", 0, 0, 0, NULL);
		break;
	case 1:
		s = kmem_cache_create("bad", 64, 3u * (8u << (how >> 3 & 3)), 0, NULL);
		break;
	case 2:
		s = kmem_cache_create(NULL, 64, 0, 0, NULL);
		break;
	case 3:
		s = kmem_cache_create("bad", (unsigned int)KMALLOC_MAX_SIZE + 1 + (how >> 3), 0, 0,
				      NULL);
		break;
	case 4: { /* a flag outside SLAB_FLAGS_PERMITTED, maybe with a good one */
		slab_flags_t bad = (1u << (r % 32)) & ~SLAB_FLAGS_PERMITTED;

		s = kmem_cache_create(
			"bad", 64, 0,
			(bad ? bad : SLAB_FAILSLAB) | (r & 0x100 ? SLAB_HWCACHE_ALIGN : 0), NULL);
		break;
	}
	case 5: /* an alignment that takes the size above KMALLOC_MAX_SIZE */
		s = kmem_cache_create("bad", 64, 1u << (23 + r % 9), 0, NULL);
		break;
	case 6:
		s = kmem_cache_create(bad_names[r % 5], 64, 0, 0, NULL);
		break;
	default: /* a usercopy window outside the object */
		s = kmem_cache_create_usercopy("bad", 64, 0, 0, 1 + r % 64, 64, NULL);
		break;
	}
	if (s)
		fail("%s succeeded", what);
	expect_report(pos, what);
}

static void op_bad_alloc(void)
{
	unsigned int how = get8();
	char what[64];
	size_t pos;
	void *p;

	snprintf(what, sizeof(what), "bad alloc#%u", how % 3);
	logop("%s", what);
	pos = out_pos();
	switch (how % 3) {
	case 0:
		p = alloc_pages(GFP_KERNEL, 11 + (how >> 2) % 8);
		break;
	case 1:
		p = kmalloc(KMALLOC_MAX_SIZE + 1 + (how >> 2), GFP_KERNEL);
		break;
	default:
		p = kvmalloc((size_t)INT32_MAX + 1 + (how >> 2), GFP_KERNEL);
		break;
	}
	if (p)
		fail("%s succeeded", what);
	expect_report(pos, what);
}

/* ---- almost-right pointers, the library's own pages, dead caches ---- */

/*
 * Is @p where a live allocation of the shadow starts, or the page array it
 * gave vmap() to keep (so that kfree() would rightly free it)?
 */
static bool shadow_has(const void *p)
{
	int i;

	for (i = 0; i < F.nr_live; i++)
		if (F.live[i].ptr == p ||
		    (F.live[i].kind == K_VMAP && F.live[i].put_pages && F.live[i].pages == p))
			return true;
	return false;
}

/* The slot of the shadow's cache @s if none of its objects waits for kfree_rcu(), else -1. */
static int shadow_cache(const void *s)
{
	int slot;

	for (slot = 0; slot < MAX_CACHES; slot++)
		if (s && F.caches[slot].s == s && !F.caches[slot].rcu_pending)
			return slot;
	return -1;
}

/*
 * May wild kfree()s be aimed at the slab pages of @s: does the shadow know
 * every object there that the program owns?  It knows every object of its
 * own caches and of kmalloc's (the library keeps none of its own there), but
 * not those kfree_rcu() has yet to free; the library's own caches (vmalloc's)
 * refuse every free but the library's.
 */
static bool cache_fair(const struct kmem_cache *s)
{
	int i;

	for (i = 0; i < MAX_CACHES; i++)
		if (F.caches[i].s == s)
			return !F.caches[i].rcu_pending;
	if (s->flags & SLAB_KMALLOC)
		return !F.rcu_objs;
	for (i = 0; i < F.nr_grave; i++)
		if (F.grave[i] == s)
			return false;
	return true;
}

/* A cache to hand a bad pointer to: one of the shadow's, or kmalloc-64. */
static struct kmem_cache *any_cache(void)
{
	int slot;
	struct cache *c = pick_cache(&slot);

	return c ? c->s : kmm_kmalloc_caches[KMALLOC_NORMAL][kmalloc_index(64)];
}

/* Free the bad pointer @p with the call @how picks: it must be reported and refused. */
static void bad_slab_free(void *p, struct kmem_cache *s, unsigned int how, const char *what)
{
	char line[128];
	size_t pos;

	snprintf(line, sizeof(line), "%s %p by %s", what, p,
		 how % 4 == 0	? "kfree"
		 : how % 4 == 1 ? "kmem_cache_free"
		 : how % 4 == 2 ? "kmem_cache_free_bulk"
				: "ksize");
	logop("%s", line);
	pos = out_pos();
	switch (how % 4) {
	case 0:
		kfree(p);
		break;
	case 1:
		kmem_cache_free(s, p);
		break;
	case 2:
		kmem_cache_free_bulk(s, 1, &p);
		break;
	default:
		if (ksize(p) != 0)
			fail("ksize(%p) of a bad pointer is not 0", p);
		break;
	}
	expect_report(pos, line);
}

/*
 * Almost-right pointers, as the slab allocator sees them: a page start
 * anywhere in the direct map, an object start on a slab page whose object is
 * free, and an object the shadow freed, after kmm_drain_all() put it back in
 * its slab.  Where an object the shadow does not know may start (see
 * cache_fair(); and large kmallocs, since one given to kfree_rcu() is not
 * counted), nothing is aimed at: kfree() would rightly free it.
 */
static void op_bad_almost_right(void)
{
	unsigned int how = get8(), r = get16() | get16() << 16;
	struct kmem_cache *s = any_cache();
	struct page *page;
	struct obj *o;
	struct freed *f;
	void *p;

	switch (how >> 2 & 3) {
	case 0:
	case 1: /* a page start in the direct map */
		page = pfn_to_page(1 + r % (kmm_max_low_pfn - 1));
		p = page_address(page);
		if (PageSlab(compound_head(page)) ? !cache_fair(page->mapping)
						  : page->mapping != NULL)
			return;
		/* a large kmalloc given to kfree_rcu() is not counted: none are aimed at */
		if (PageLargeKmalloc(compound_head(page)) || shadow_has(p))
			return;
		bad_slab_free(p, s, how, "a page start");
		return;
	case 2: /* an object start in a slab of a live object, the object there free */
		if (!F.full_double_free_checks)
			return;
		o = pick_obj(1u << K_CACHE | 1u << K_KMALLOC);
		if (!o || is_vmalloc_addr(o->ptr) || !PageSlab(compound_head(virt_to_page(o->ptr))))
			return;
		page = virt_to_page(o->ptr);
		s = page->mapping;
		if (!cache_fair(s))
			return;
		p = (char *)page->private + (size_t)(r % s->num) * s->size;
		if (shadow_has(p))
			return;
		if (how & 0x40)
			kmm_drain_all();
		/* (ksize() of a free object is not checked: it gives the size, no report) */
		bad_slab_free(p, s, how % 3, "a free object slot");
		return;
	default: /* an object the shadow freed, back in its slab */
		if (!F.full_double_free_checks || !F.nr_freed)
			return;
		f = &F.freed[r % (unsigned int)F.nr_freed];
		if (!f->slab || (f->cache >= 0 && shadow_cache(F.caches[f->cache].s) < 0))
			return;
		if (f->cache >= 0)
			s = F.caches[f->cache].s;
		kmm_drain_all();
		bad_slab_free(f->ptr, s, how % 3, "a freed object after kmm_drain_all");
		return;
	}
}

/*
 * Frees of the library's own pages: a cache's descriptor, a CPU array of a
 * cache, a page table of a live vmalloc area, the memmap; by kfree(),
 * kmem_cache_free(), free_pages() and __free_pages().  Each is reported and
 * refused (the cache, the area and the machine keep working, which the shadow
 * checks).
 */
static void op_bad_own_page(void)
{
	unsigned int how = get8(), r = get16();
	struct cache *c;
	struct obj *o;
	char what[128];
	void *p = NULL;
	const char *whose;
	size_t pos;
	int slot;

	switch (how & 3) {
	case 0:
		if (!(c = pick_cache(&slot)))
			return;
		p = c->s;
		whose = "the descriptor of a cache";
		break;
	case 1:
		if (!(c = pick_cache(&slot)))
			return;
		p = c->s->cpu_array[smp_processor_id()].entry;
		if (!p)
			p = &c->s->cpu_array[smp_processor_id()];
		whose = "a CPU array of a cache";
		break;
	case 2: {
		unsigned long v;
		pmd_t *pmd;

		o = pick_obj(1u << K_VMALLOC);
		if (!o)
			return;
		v = (unsigned long)o->ptr +
		    (r % ((o->size + PAGE_SIZE - 1) >> PAGE_SHIFT)) * PAGE_SIZE;
		pmd = pmd_offset(pud_offset(p4d_offset(pgd_offset_k(v), v), v), v);
		if (pmd_none(*pmd) || pmd_leaf(*pmd))
			return;
		p = (void *)((unsigned long)pte_offset_kernel(pmd, v) & PAGE_MASK);
		whose = "a page table of a vmalloc area";
		break;
	}
	default:
		p = (void *)((unsigned long)(kmm_vmemmap + r % kmm_max_pfn) & PAGE_MASK);
		whose = "the memmap";
		break;
	}
	/* kfree() rightly frees a slab object or a large kmalloc, were one of them here */
	if (virt_addr_valid(p) && (PageSlab(compound_head(virt_to_page(p))) ||
				   PageLargeKmalloc(compound_head(virt_to_page(p)))))
		return;
	if (how & 8) {
		bad_slab_free(p, any_cache(), how >> 4, whose);
		return;
	}
	snprintf(what, sizeof(what), "%s %p by %s", whose, p,
		 (how & 0x10) && virt_addr_valid(p) ? "__free_pages" : "free_pages");
	logop("%s", what);
	pos = out_pos();
	if ((how & 0x10) && virt_addr_valid(p))
		__free_pages(virt_to_page(p), 0);
	else
		free_pages((unsigned long)p, 0);
	expect_report(pos, what);
}

/*
 * A cache that is no live cache: one destroyed already (destroyed again,
 * allocated from, freed to, shrunk), or a kmalloc cache (a boot cache, which
 * kmem_cache_destroy() ignores).  The destroyed cache's descriptor is kept for
 * the next kmem_cache_create(), so it is used at once.
 */
static void op_bad_dead_cache(void)
{
	unsigned int how = get8(), idx = get8();
	struct kmem_cache *s;
	struct obj *o;
	char what[96];
	size_t pos;

	if (how % 5 == 0) {
		s = kmm_kmalloc_caches[(how >> 3) % NR_KMALLOC_TYPES]
				      [idx % (KMALLOC_SHIFT_HIGH + 1)];
		/* a size with no cache holds a stand-in, which is NULL to kmem_cache_destroy() */
		if (!strcmp(s->name, "kmalloc-unmade"))
			return;
		snprintf(what, sizeof(what), "kmem_cache_destroy(%s)", s->name);
		logop("%s", what);
		pos = out_pos();
		kmem_cache_destroy(s);
		expect_report(pos, what);
		return;
	}
	pos = out_pos();
	s = kmem_cache_create("fuzz-dead", 8u << (idx % 8), 0, 0, NULL);
	if (!s)
		return;
	kmem_cache_destroy(s);
	expect_quiet(pos, false, "kmem_cache_create and destroy");
	snprintf(what, sizeof(what), "call#%u on destroyed cache %p", how % 5, (void *)s);
	logop("%s", what);
	pos = out_pos();
	switch (how % 5) {
	case 1:
		kmem_cache_destroy(s);
		break;
	case 2:
		if (kmem_cache_alloc(s, GFP_KERNEL))
			fail("%s: kmem_cache_alloc succeeded", what);
		break;
	case 3:
		/* a live object: refused, it stays live (and is freed rightly later) */
		o = pick_obj(1u << K_KMALLOC | 1u << K_CACHE);
		if (o && !is_vmalloc_addr(o->ptr))
			kmem_cache_free(s, o->ptr);
		else
			kmem_cache_free(s, &what);
		break;
	default:
		if (kmem_cache_shrink(s) != 0)
			fail("%s: kmem_cache_shrink did not return 0", what);
		break;
	}
	expect_report(pos, what);
}

/* ---- booting, the baseline, the end of an input, the end of a window ---- */

static void measure(long *free_kb, long *slab_kb, long *pt_kb,
		    long active[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1])
{
	const char *slabinfo;
	int t, i;

	kmm_drop_caches(); /* every cached page given back: a grace period, every CPU drained */
	show("meminfo");
	*free_kb = meminfo_field(show_buf, "MemFree");
	*slab_kb = meminfo_field(show_buf, "Slab");
	*pt_kb = meminfo_field(show_buf, "PageTables");
	if ((long)nr_free_pages() * 4 != *free_kb)
		fail("meminfo MemFree %ld kB, nr_free_pages() %lu pages", *free_kb,
		     nr_free_pages());
	slabinfo = show("slabinfo");
	for (t = 0; t < NR_KMALLOC_TYPES; t++)
		for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++)
			active[t][i] = slab_active(slabinfo, kmm_kmalloc_caches[t][i]->name);
}

/* Touch every kmalloc cache of every family and the vmalloc paths once. */
static void warm_up(void)
{
	gfp_t families[] = {GFP_KERNEL, GFP_KERNEL | __GFP_RECLAIMABLE, GFP_KERNEL | GFP_DMA};
	unsigned int f;
	size_t size;

	for (f = 0; f < 3; f++) {
		for (size = 8; size <= KMALLOC_MAX_CACHE_SIZE; size *= 2)
			kfree(kmalloc(size, families[f]));
		kfree(kmalloc(96, families[f]));
		kfree(kmalloc(192, families[f]));
	}
	vfree(vmalloc(PAGE_SIZE));
}

static void machine_boot(void)
{
	int ret = kmm_init(FUZZ_CMDLINE);

	if (ret)
		fail("kmm_init(%s) = %d", FUZZ_CMDLINE, ret);
	F.booted = true;
	F.inputs_on_machine = 0;
	warm_up();
	measure(&F.base_free_kb, &F.base_slab_kb, &F.base_pt_kb, F.base_kmalloc_active);
	F.base_free_pages = nr_free_pages();
	F.base_live_objects = kmm_live_objects();
	rcu_done();
}

static void machine_down(void)
{
	kmm_exit();
	F.booted = false;
}

/*
 * The cheap checks of every input, with everything it left freed: exact counts
 * of live slab objects (those kfree_rcu() has not freed yet aside), and no more
 * free pages than at boot (pages sitting on per-CPU lists and in free slabs
 * are not free, which only the full check settles).
 */
static void input_end(void)
{
	unsigned long live, free;
	int slot;

	while (F.nr_kmaps)
		kunmap_one(F.nr_kmaps - 1);
	while (F.nr_live)
		obj_free(&F.live[F.nr_live - 1], 0); /* each checked whole first */
	for (slot = 0; slot < MAX_CACHES; slot++)
		if (F.caches[slot].s) {
			check_cache_live(&F.caches[slot], "the end of the input");
			cache_destroy(slot);
			if (F.caches[slot].s)
				fail("kmem_cache_destroy(%s) of an empty cache failed",
				     F.caches[slot].name);
		}
	vm_unmap_aliases(); /* lazily freed vmalloc areas keep their vmap_area objects */
	live = kmm_live_objects();
	free = nr_free_pages();
	logop("end: %lu live objects (boot %lu, %ld given to kfree_rcu), %lu free pages (boot "
	      "%lu)",
	      live, F.base_live_objects, F.rcu_objs, free, F.base_free_pages);
	if (live < F.base_live_objects || live > F.base_live_objects + (unsigned long)F.rcu_objs)
		fail("kmm_live_objects() = %lu, %lu at boot and %ld given to kfree_rcu since: "
		     "objects lost or freed twice",
		     live, F.base_live_objects, F.rcu_objs);
	if (free > F.base_free_pages)
		fail("nr_free_pages() = %lu, more than the %lu at boot: a page freed twice", free,
		     F.base_free_pages);
}

/*
 * The full check at the end of a window: every RCU free done, every cache
 * settled (kmm_drop_caches()), then each kmalloc cache's active objects in
 * slabinfo, MemFree (with Slab and PageTables) and the live objects exactly as
 * measured at boot, and every slab valid.
 */
static void window_end(void)
{
	long free_kb, slab_kb, pt_kb, active[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];
	int t, i;
	size_t pos = out_pos();

	if (F.nr_grave)
		grave_flush();
	measure(&free_kb, &slab_kb, &pt_kb, active); /* its barrier runs every kfree_rcu() */
	rcu_done();
	logop("window end: MemFree %ld (boot %ld) Slab %ld (%ld) PageTables %ld (%ld)", free_kb,
	      F.base_free_kb, slab_kb, F.base_slab_kb, pt_kb, F.base_pt_kb);
	for (t = 0; t < NR_KMALLOC_TYPES; t++)
		for (i = 0; i <= KMALLOC_SHIFT_HIGH; i++)
			if (active[t][i] != F.base_kmalloc_active[t][i])
				fail("slabinfo: %s has %ld active objects, %ld at boot",
				     kmm_kmalloc_caches[t][i]->name, active[t][i],
				     F.base_kmalloc_active[t][i]);
	/* Every page not free is in a slab or a page table, as at boot. */
	if (free_kb + (slab_kb - F.base_slab_kb) + (pt_kb - F.base_pt_kb) != F.base_free_kb)
		fail("MemFree %ld kB + Slab growth %ld kB + PageTables growth %ld kB != MemFree "
		     "at boot %ld kB: pages lost",
		     free_kb, slab_kb - F.base_slab_kb, pt_kb - F.base_pt_kb, F.base_free_kb);
	if (kmm_live_objects() != F.base_live_objects)
		fail("kmm_live_objects() = %lu after rcu_barrier, %lu at boot", kmm_live_objects(),
		     F.base_live_objects);
	if (kmm_validate_all() != 0)
		fail("kmm_validate_all() found problems");
	expect_quiet(pos, false, "the end of the window");
}

/* The window's inputs to files, to replay them in order on a fresh machine. */
static void window_dump(void)
{
	const char *dir = getenv("FUZZ_WINDOW_DIR") ? getenv("FUZZ_WINDOW_DIR") : "fuzz-window";
	unsigned long i, n = F.inputs_on_machine;
	char path[4096];

	if (!F.win || n < 2 || n > WINDOW_MAX)
		return;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return;
	for (i = 0; i < n; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/input-%04lu", dir, i);
		f = fopen(path, "wb");
		if (!f)
			return;
		fwrite(F.win[i], 1, F.win_len[i], f);
		fclose(f);
	}
	fprintf(stderr,
		"==== the %lu inputs of this machine so far are in %s/ (the failure may need "
		"them all): replay them in order with\n"
		"  FUZZ_WINDOW=%lu <build>/tests/fuzz/fuzz_corpus %s   (or fuzz_api %s/*)\n",
		n, dir, F.window, dir, dir);
}

/*
 * Does this build catch a double free that is not the last free of the CPU
 * (slub_debug=F)?  Tried in a child, on a machine of its own.
 */
static bool probe_full_double_free_checks(void)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY), fd = memfd_create("probe", 0);
		struct kmem_cache *s;
		void *a, *b;
		off_t before;

		dup2(fd >= 0 ? fd : null, STDERR_FILENO);
		if (kmm_init(FUZZ_CMDLINE))
			_exit(2);
		s = kmem_cache_create("probe", 64, 0, 0, NULL);
		a = kmem_cache_alloc(s, GFP_KERNEL);
		b = kmem_cache_alloc(s, GFP_KERNEL);
		kmem_cache_free(s, a);
		kmem_cache_free(s, b);
		fflush(stderr);
		before = lseek(STDERR_FILENO, 0, SEEK_END);
		kmem_cache_free(s, a);
		fflush(stderr);
		_exit(lseek(STDERR_FILENO, 0, SEEK_END) != before ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * The capture stream's write: libkmm's output appended to cap_buf (a stream
 * in memory, with no system call per report line or per position asked for;
 * sanitizer reports still go to file descriptor 2).
 */
static ssize_t capture_write(void *cookie, const char *buf, size_t len)
{
	(void)cookie;
	if (F.cap_len + len > F.cap_size) {
		size_t size = 2 * (F.cap_len + len);
		char *p = realloc(F.cap_buf, size);

		if (!p)
			return -1;
		F.cap_buf = p;
		F.cap_size = size;
	}
	memcpy(F.cap_buf + F.cap_len, buf, len);
	F.cap_len += len;
	return (ssize_t)len;
}

/* libkmm's output (which goes to stderr) to cap_buf from now on, emptied first. */
static void capture_begin(void)
{
	if (!F.capture)
		return;
	fflush(stderr);
	F.cap_len = 0;
	F.real_stderr = stderr;
	stderr = F.capture;
}

static void capture_end(void)
{
	stderr_restore();
}

/* At exit (libFuzzer's -max_total_time, the end of a replay): the window's full check. */
static void window_end_at_exit(void)
{
	if (!F.booted || !F.inputs_on_machine)
		return;
	F.nr_log = 0;
	capture_begin();
	window_end();
	capture_end();
	machine_down();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *window = getenv("FUZZ_WINDOW");

	(void)argc;
	(void)argv;
	F.verbose = getenv("FUZZ_VERBOSE") && atoi(getenv("FUZZ_VERBOSE"));
	F.window = window && atol(window) > 0 ? (unsigned long)atol(window) : FUZZ_WINDOW;
	if (F.window > WINDOW_MAX)
		F.window = WINDOW_MAX;
	F.win = calloc(F.window, sizeof(*F.win));
	F.win_len = calloc(F.window, sizeof(*F.win_len));
	F.full_double_free_checks = probe_full_double_free_checks();
	if (!F.full_double_free_checks)
		fprintf(stderr, "fuzz_api: slub_debug=F does not catch every double free in this "
				"build: only adjacent slab double frees are tried\n");
	rcu_register_thread();
	if (!F.verbose) {
		F.capture = fopencookie(NULL, "w", (cookie_io_functions_t){.write = capture_write});
		if (F.capture)
			setvbuf(F.capture, NULL, _IONBF, 0);
	}
	atexit(window_end_at_exit);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long nops = 0;
	const uint8_t *rec;

	F.nr_log = 0;
	F.nr_freed = 0;
	F.last_op_was_slab_free = false;
	F.input_bytes = 0;
	if (size > MAX_OPS * RECORD)
		size = MAX_OPS * RECORD;
	capture_begin();
	if (!F.booted)
		machine_boot();
	if (F.win) {
		memcpy(F.win[F.inputs_on_machine], data, size);
		F.win_len[F.inputs_on_machine] = size;
	}
	F.full = ++F.inputs_on_machine == F.window;

	for (rec = data; rec < data + size; rec += RECORD) {
		unsigned int op = *rec;
		bool was_free = false;

		F.p = rec + 1;
		F.end = rec + RECORD <= data + size ? rec + RECORD : data + size;
		switch (op % NR_OPS) {
		case 0:
		case 1:
			op_alloc_pages();
			break;
		case 2:
		case 3:
		case 4:
			op_free();
			was_free = true;
			break;
		case 5:
			op_cache_create();
			break;
		case 6:
		case 7:
			op_cache_alloc();
			break;
		case 8:
			op_cache_alloc_bulk();
			break;
		case 9:
			op_cache_free_bulk();
			was_free = true;
			break;
		case 10:
			op_cache_shrink();
			break;
		case 11:
			op_cache_destroy();
			break;
		case 12:
		case 13:
			op_kmalloc();
			break;
		case 14:
			op_kdup();
			break;
		case 15:
			op_realloc();
			break;
		case 16:
			op_vmalloc();
			break;
		case 17:
			op_kvmalloc();
			break;
		case 18:
			op_vmap(false);
			break;
		case 19:
			op_vmap(true);
			break;
		case 20:
			op_kmap();
			break;
		case 21:
			op_kunmap();
			break;
		case 22:
			op_kmap_local();
			break;
		case 23:
			op_split_page();
			break;
		case 24:
			op_get_page();
			break;
		case 25:
			op_machine();
			break;
		case 26:
			check_all(SIZE_MAX);
			break;
		case 27:
		case 28:
			op_bad_kfree();
			was_free = true;
			break;
		case 29:
		case 30:
			op_bad_double_free();
			was_free = true;
			break;
		case 31:
			op_bad_cache_free();
			was_free = true;
			break;
		case 32:
			op_bad_page_free();
			was_free = true;
			break;
		case 33:
			op_bad_vfree();
			was_free = true;
			break;
		case 34:
			op_bad_kmap();
			was_free = true;
			break;
		case 36:
			op_bad_almost_right();
			was_free = true;
			break;
		case 37:
			op_bad_own_page();
			was_free = true;
			break;
		case 38:
			op_bad_dead_cache();
			break;
		case 35:
			if (op & 0x80)
				op_bad_create();
			else
				op_bad_alloc();
			break;
		}
		/* anything but a free may reuse what was freed: no double free of it then */
		if (!was_free) {
			F.nr_freed = 0;
			F.last_op_was_slab_free = false;
		}
		if (++nops % CHECK_EVERY == 0)
			check_all(CHECK_PARTIAL);
	}
	input_end();
	if (F.full) {
		window_end();
		machine_down();
	}
	capture_end();
	return 0;
}
