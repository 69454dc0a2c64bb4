/* SPDX-License-Identifier: MIT */
/*
 * slab/debug.c - slab debugging: slub_debug=, the SLAB_* debug flags, the
 * object layout they need, the checks and the reports, and validation.
 *
 * A debugging cache (any of F, Z, P, U, T) never has CPU arrays: its
 * cpu_array[] entries are never made (limit 0), so the inline fast paths always
 * fall through to the out-of-line paths, which take objects straight from the
 * slabs under the node's list_lock and run the checks here.  That is what
 * keeps the fast paths identical when debugging is off, and it makes every
 * free visible: a double free is found on the slab's freelist whichever
 * object was freed in between.  init_on_alloc=, init_on_free=, fault
 * injection and Valgrind route every cache the same way (bypass_arrays).
 *
 * Layout of one object slot of a debugging cache (size bytes; the object's
 * address is what callers see, page->private is the first object's):
 *
 *   [left red zone: red_left_pad][object: object_size][right red zone: to inuse]
 *   [alloc track][free track: SLAB_STORE_USER][padding: POISON_INUSE]
 *
 * Red zones hold SLUB_RED_ACTIVE while the object is in use and
 * SLUB_RED_INACTIVE while it is free; a free object of a cache without a
 * constructor or RCU readers holds POISON_FREE with POISON_END last.  Reports
 * follow SLUB's layout: a "BUG <cache> (<taint>): <what>" banner, the bad
 * bytes, the tracks, the slab and object, hex dumps, the call trace, and a
 * "FIX" line saying what was restored.  While a KUnit test counts slab
 * errors (a "slab_errors" resource, lib/slub_kunit.c), each report is counted
 * there instead of printed, as the kernel's slab_add_kunit_errors() does.
 *
 * Locking: the checks of an object run with its node's list_lock held (slab.c
 * takes it), so two frees of one object are serialised and the second finds
 * it on the freelist.  Reports take the report lock inside list_lock.  The
 * slub_debug= blocks are parsed at boot, before any cache exists, and only
 * read afterwards.
 */
#include <dlfcn.h>
#include <execinfo.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <kmm/poison.h>

#include "boot/subsys.h"
#include "report/report.h"
#include "slab/slab.h"

#define TRACK_ADDRS    8   /* frames of each recorded call stack */
#define DUMP_MAX       256 /* bytes of an object a report dumps */
#define SLUB_DEBUG_ALL (SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)
#define SLUB_DEBUG_MAX 8 /* blocks in slub_debug= */

/* SLAB_STORE_USER: who allocated or freed an object last. */
struct slab_track {
	unsigned long addrs[TRACK_ADDRS]; /* the call stack, the caller first (0: none) */
	unsigned long when_ns;		  /* CLOCK_MONOTONIC */
	int cpu;			  /* the CPU (thread slot), -1 for a thread without one */
	int pid;			  /* the thread id */
};

enum track_item { TRACK_ALLOC, TRACK_FREE };

/* slub_debug= / slab_debug=: flag letters and cache names; "" when off. */
static char param_slub_debug[200];

/* slub_debug= blocks: flags for every cache (names[0] == 0) or for the named ones. */
static struct {
	int nr;
	struct {
		slab_flags_t flags;
		char names[sizeof(param_slub_debug)];
	} block[SLUB_DEBUG_MAX];
} slub_debug;

/* After the first BUG, reports say the machine is tainted, as the kernel's 'B'. */
static bool tainted;

bool slab_under_memcheck;

static slab_flags_t parse_debug_letters(const char *s, size_t len)
{
	slab_flags_t flags = 0;
	size_t i;

	if (!len)
		return SLUB_DEBUG_ALL;
	for (i = 0; i < len; i++) {
		switch (s[i] | 0x20) {
		case 'f':
			flags |= SLAB_CONSISTENCY_CHECKS;
			break;
		case 'z':
			flags |= SLAB_RED_ZONE;
			break;
		case 'p':
			flags |= SLAB_POISON;
			break;
		case 'u':
			flags |= SLAB_STORE_USER;
			break;
		case 't':
			flags |= SLAB_TRACE;
			break;
		case '-':
			flags = 0;
			break;
		default:
			kmm_info("slub_debug option '%c' unknown. skipped", s[i]);
		}
	}
	return flags;
}

/*
 * slab_debug_setup - parse slub_debug= at boot: blocks separated by ';', each
 * "<letters>[,<cache>[,<cache>...]]"; a block without names sets the default
 * for every cache, empty letters mean FZPU, '-' means none; a name ending in
 * '*' matches by prefix.
 */
static int slab_debug_setup(void)
{
	const char *p = param_slub_debug;

	const char *preload = getenv("LD_PRELOAD");

	/* memcheck preloads its own library; other tools (callgrind) do not */
	slab_under_memcheck =
		RUNNING_ON_VALGRIND && preload && strstr(preload, "vgpreload_memcheck");
	slub_debug.nr = 0;
	tainted = false;
	while (*p && slub_debug.nr < SLUB_DEBUG_MAX) {
		size_t len = strcspn(p, ";"), letters = strcspn(p, ",;");
		int b = slub_debug.nr++;

		slub_debug.block[b].flags = parse_debug_letters(p, letters);
		if (letters < len) {
			memcpy(slub_debug.block[b].names, p + letters + 1, len - letters - 1);
			slub_debug.block[b].names[len - letters - 1] = '\0';
		} else {
			slub_debug.block[b].names[0] = '\0';
		}
		p += len;
		if (*p == ';')
			p++;
	}
	return 0;
}

#define SLUB_DEBUG_ACCEPTS "flags[,cache,...][;flags[,cache,...]] below 200 characters"
static const struct kmm_param slab_debug_params[] = {
	KMM_PARAM_STRING_VAR("slub_debug", param_slub_debug, "FZPU", SLUB_DEBUG_ACCEPTS,
			     "slab debugging: F checks, Z red zones, P poison, U owner "
			     "tracking, T tracing, on every cache or the named ones"),
	KMM_PARAM_STRING_VAR("slab_debug", param_slub_debug, "FZPU", SLUB_DEBUG_ACCEPTS,
			     "the same as slub_debug="),
};

/* After the slab layer, before any cache is made: slub_debug= is parsed. */
const struct kmm_subsys kmm_slab_debug_subsys = {
	.name = "slab_debug",
	KMM_SUBSYS_PARAMS(slab_debug_params),
	.init = slab_debug_setup,
};

/* Is @name in the comma-separated @list (an entry ending in '*' matches a prefix)? */
static bool name_listed(const char *list, const char *name)
{
	while (*list) {
		size_t len = strcspn(list, ",");

		if (len && list[len - 1] == '*' ? !strncmp(list, name, len - 1)
						: strlen(name) == len && !strncmp(list, name, len))
			return true;
		list += len;
		if (*list == ',')
			list++;
	}
	return false;
}

slab_flags_t slab_debug_flags(const char *name, slab_flags_t flags)
{
	slab_flags_t global = 0;
	int b;

	for (b = 0; b < slub_debug.nr; b++) {
		if (!slub_debug.block[b].names[0])
			global = slub_debug.block[b].flags;
		else if (name_listed(slub_debug.block[b].names, name))
			return flags | slub_debug.block[b].flags;
	}
	return flags | global;
}

/* Poisoning applies only where the free object's bytes are not needed (the kernel's __OBJECT_POISON). */
static bool object_poisoned(const struct kmem_cache *s)
{
	return (s->flags & SLAB_POISON) && !s->ctor && !(s->flags & SLAB_TYPESAFE_BY_RCU);
}

static unsigned int align_up(unsigned int n, unsigned int a)
{
	return (n + a - 1) & ~(a - 1);
}

void slab_debug_layout(struct kmem_cache *s)
{
	unsigned int size;

	s->inuse = s->object_size;
	s->red_left_pad = 0;
	if (!(s->flags & SLAB_DEBUG_FLAGS))
		return;
	s->inuse = align_up(s->object_size, sizeof(void *));
	/* at least a word of right red zone, even when the object ends on a word */
	if ((s->flags & SLAB_RED_ZONE) && s->inuse == s->object_size)
		s->inuse += sizeof(void *);
	size = s->inuse;
	if (s->flags & SLAB_STORE_USER)
		size += 2 * sizeof(struct slab_track);
	if (kmalloc_redzoned(s))
		size += sizeof(unsigned long);
	if (s->flags & SLAB_RED_ZONE) {
		s->red_left_pad = align_up(sizeof(void *), s->align);
		size += s->red_left_pad;
	}
	s->size = align_up(size, s->align);
}

/* Where a red-zoned kmalloc object records the size asked for: after the tracks. */
static unsigned int orig_size_offset(const struct kmem_cache *s)
{
	return s->inuse +
	       ((s->flags & SLAB_STORE_USER) ? 2 * (unsigned int)sizeof(struct slab_track) : 0);
}

/* The end of the metadata; padding from there to the slot's end. */
static unsigned int info_end(const struct kmem_cache *s)
{
	return orig_size_offset(s) +
	       (kmalloc_redzoned(s) ? (unsigned int)sizeof(unsigned long) : 0);
}

static unsigned long *orig_size_of(const struct kmem_cache *s, void *obj)
{
	return (unsigned long *)((char *)obj + orig_size_offset(s));
}

static struct slab_track *get_track(const struct kmem_cache *s, void *obj, enum track_item item)
{
	return (struct slab_track *)((char *)obj + s->inuse) + item;
}

static unsigned long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long)ts.tv_sec * 1000000000UL + (unsigned long)ts.tv_nsec;
}

/* Record the current call stack, starting at @caller (frames inside this file are skipped). */
static void set_track(const struct kmem_cache *s, void *obj, enum track_item item,
		      unsigned long caller)
{
	struct slab_track *t = get_track(s, obj, item);
	void *frames[TRACK_ADDRS + 8];
	int n, i, first = 0, k = 0;

	kmm_asan_unpoison(t, sizeof(*t));
	memset(t, 0, sizeof(*t));
	n = backtrace(frames, TRACK_ADDRS + 8);
	for (i = 0; i < n; i++)
		if ((unsigned long)frames[i] == caller) {
			first = i;
			break;
		}
	if (i == n)
		t->addrs[k++] = caller;
	for (i = first; i < n && k < TRACK_ADDRS; i++)
		t->addrs[k++] = (unsigned long)frames[i];
	t->when_ns = now_ns();
	t->cpu = smp_processor_id();
	t->pid = (int)gettid();
}

/* An address as the kernel's %pS: symbol+offset, else module+offset, else the number. */
static void print_symbol(const char *prefix, unsigned long addr, const char *suffix)
{
	Dl_info info;

	if (dladdr((void *)addr, &info) && info.dli_sname)
		kmm_pr("%s%s+0x%lx%s", prefix, info.dli_sname, addr - (unsigned long)info.dli_saddr,
		       suffix);
	else if (info.dli_fname)
		kmm_pr("%s%s+0x%lx%s", prefix,
		       strrchr(info.dli_fname, '/') ? strrchr(info.dli_fname, '/') + 1
						    : info.dli_fname,
		       addr - (unsigned long)info.dli_fbase, suffix);
	else
		kmm_pr("%s0x%lx%s", prefix, addr, suffix);
}

static void print_track(const char *what, const struct slab_track *t, unsigned long now)
{
	int i;

	if (!t->addrs[0])
		return;
	print_symbol(what, t->addrs[0], "");
	kmm_pr(" age=%lums cpu=%d pid=%d\n", (now - t->when_ns) / 1000000, t->cpu, t->pid);
	for (i = 0; i < TRACK_ADDRS && t->addrs[i]; i++)
		print_symbol(" ", t->addrs[i], "\n");
}

/* The kernel's print_hex_dump(DUMP_PREFIX_ADDRESS, 16 bytes a row, with ASCII). */
static void print_section(const char *text, const void *addr, unsigned int len)
{
	const unsigned char *p = addr;
	unsigned int row, i;

	for (row = 0; row < len; row += 16) {
		char hex[16 * 3 + 1] = "", ascii[17] = "";
		unsigned int n = len - row < 16 ? len - row : 16;

		for (i = 0; i < n; i++) {
			snprintf(hex + 3 * i, 4, "%02x ", p[row + i]);
			ascii[i] = p[row + i] >= 0x20 && p[row + i] < 0x7f ? (char)p[row + i] : '.';
		}
		ascii[n] = '\0';
		hex[3 * n - 1] = '\0';
		kmm_pr("%s%016lx: %-47s  %s\n", text, (unsigned long)(p + row), hex, ascii);
	}
}

/* The current call stack, as the kernel's dump_stack(). */
static void dump_stack(void)
{
	void *frames[16];
	char comm[16];
	int n = backtrace(frames, 16), i;

	kmm_pr("CPU: %d PID: %d Comm: %s\n", smp_processor_id(), (int)gettid(),
	       kmm_current_comm(comm));
	kmm_pr("Call Trace:\n");
	for (i = 1; i < n; i++)
		print_symbol(" ", (unsigned long)frames[i], "\n");
}

/*
 * KUnit's count of slab errors, as the kernel's slab_add_kunit_errors():
 * while a KUnit test that holds a resource named "slab_errors" (an int) runs
 * on the calling thread, each report is counted there instead of printed:
 * its BUG banner one, its FIX line one more, as SLUB counts a check and its
 * repair (lib/slub_kunit.c expects 2 for one overwritten red zone).  A
 * counted report is no warning: panic_on_warn= ignores it and it taints
 * nothing.  The three calls are KUnit's (<kunit/test-bug.h>,
 * <kunit/resource.h>), referenced weakly: in a program without KUnit they are
 * null, and a report costs one test more.  A struct kunit_resource begins
 * with its data pointer, as the kernel's does.
 */
struct kunit;
struct kunit_resource;
extern struct kunit *kunit_get_current_test(void) __attribute__((weak));
extern struct kunit_resource *kunit_find_named_resource(struct kunit *test, const char *name)
	__attribute__((weak));
extern void kunit_put_resource(struct kunit_resource *res) __attribute__((weak));

static bool slab_add_kunit_errors(void)
{
	struct kunit_resource *res;
	struct kunit *test;

	if (!kunit_get_current_test || !kunit_find_named_resource || !kunit_put_resource)
		return false;
	test = kunit_get_current_test();
	if (!test)
		return false;
	res = kunit_find_named_resource(test, "slab_errors");
	if (!res)
		return false;
	__atomic_add_fetch(*(int **)res, 1, __ATOMIC_RELAXED);
	kunit_put_resource(res);
	return true;
}

static void slab_bug(const struct kmem_cache *s, const char *fmt, ...) kmm_format(2, 3);

/*
 * The banner of a report; the report lock is held until slab_fix() or
 * report_done().  A report a KUnit test counts is quiet (kmm_pr() drops it).
 */
static void slab_bug(const struct kmem_cache *s, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	if (slab_add_kunit_errors()) {
		kmm_report_begin_quiet();
		return;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	kmm_report_begin();
	kmm_pr("=============================================================================\n");
	kmm_pr("BUG %s (%s): %s\n", s->name, tainted ? "Tainted: B" : "Not tainted", what);
	kmm_pr("-----------------------------------------------------------------------------\n\n");
	tainted = true;
}

static void report_done(void)
{
	kmm_pr("\n");
	kmm_report_end(true);
}

static void slab_fix(const struct kmem_cache *s, const char *fmt, ...) kmm_format(2, 3);

/* The closing "FIX" line of a report. */
static void slab_fix(const struct kmem_cache *s, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	slab_add_kunit_errors();
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	kmm_pr("FIX %s: %s\n", s->name, what);
	report_done();
}

static void print_slab_info(const struct kmem_cache *s, const struct page *page)
{
	kmm_pr("Slab %p objects=%lu used=%u fp=%p flags=0x%lx(slab%s)\n", (void *)page, s->num,
	       slab_active(page), (void *)slab_freelist(page), page->flags,
	       s->gfporder ? "|head" : "");
}

/* Tracks, slab, object and the bytes around it, then the call trace (SLUB's print_trailer()). */
static void print_trailer(const struct kmem_cache *s, const struct page *page, void *obj)
{
	char *p = obj, *base = page_address(page);
	unsigned int off = info_end(s), slot = s->size - s->red_left_pad;
	unsigned long now = now_ns();

	kmm_asan_unpoison(p - s->red_left_pad, s->size);
	if (s->flags & SLAB_STORE_USER) {
		print_track("Allocated in ", get_track(s, obj, TRACK_ALLOC), now);
		print_track("Freed in ", get_track(s, obj, TRACK_FREE), now);
	}
	print_slab_info(s, page);
	kmm_pr("Object %p @offset=%lu\n\n", obj, (unsigned long)(p - base));
	if (s->flags & SLAB_RED_ZONE)
		print_section("Redzone  ", p - s->red_left_pad, s->red_left_pad);
	else if (p >= base + 16)
		print_section("Bytes b4 ", p - 16, 16);
	print_section("Object   ", p, s->object_size < DUMP_MAX ? s->object_size : DUMP_MAX);
	if (s->flags & SLAB_RED_ZONE)
		print_section("Redzone  ", p + s->object_size, s->inuse - s->object_size);
	if (off < slot)
		print_section("Padding  ", p + off, slot - off);
	dump_stack();
}

/* Every byte of [start, start + len) is @value; else report "<what> overwritten" and restore. */
static bool check_bytes(const struct kmem_cache *s, const struct page *page, void *obj,
			const char *what, unsigned char *start, unsigned char value,
			unsigned int len)
{
	unsigned char *fault = NULL, *end = start + len;
	unsigned int i;

	for (i = 0; i < len; i++)
		if (start[i] != value) {
			fault = start + i;
			break;
		}
	if (!fault)
		return true;
	while (end > fault && end[-1] == value)
		end--;
	slab_bug(s, "%s overwritten", what);
	kmm_pr("%p-%p @offset=%lu. First byte 0x%x instead of 0x%x\n", (void *)fault,
	       (void *)(end - 1), (unsigned long)(fault - (unsigned char *)obj), *fault, value);
	print_trailer(s, page, obj);
	memset(fault, value, (size_t)(end - fault));
	slab_fix(s, "Restoring %s %p-%p=0x%x", what, (void *)fault, (void *)(end - 1), value);
	return false;
}

/*
 * check_object - the red zones hold @val, a free object its poison, the
 * padding POISON_INUSE.  Bad bytes are reported and restored.  The object's
 * bytes are addressable (ASan) on entry.
 */
static bool check_object(const struct kmem_cache *s, const struct page *page, void *obj,
			 unsigned char val)
{
	unsigned char *p = obj;
	unsigned int off = info_end(s), slot = s->size - s->red_left_pad;
	bool ok = true;

	if (s->flags & SLAB_RED_ZONE) {
		ok &= check_bytes(s, page, obj, "Left Redzone", p - s->red_left_pad, val,
				  s->red_left_pad);
		ok &= check_bytes(s, page, obj, "Redzone", p + s->object_size, val,
				  s->inuse - s->object_size);
		if (val == SLUB_RED_ACTIVE && kmalloc_redzoned(s)) {
			unsigned long orig = *orig_size_of(s, obj);

			if (orig < s->object_size)
				ok &= check_bytes(s, page, obj, "kmalloc Redzone", p + orig, val,
						  s->object_size - (unsigned int)orig);
		}
	} else if ((s->flags & SLAB_POISON) && s->inuse > s->object_size) {
		ok &= check_bytes(s, page, obj, "Alignment padding", p + s->object_size,
				  POISON_INUSE, s->inuse - s->object_size);
	}
	if (s->flags & SLAB_POISON) {
		if (val == SLUB_RED_INACTIVE && object_poisoned(s)) {
			ok &= check_bytes(s, page, obj, "Poison", p, POISON_FREE,
					  s->object_size - 1);
			ok &= check_bytes(s, page, obj, "End Poison", p + s->object_size - 1,
					  POISON_END, 1);
		}
		if (off < slot)
			ok &= check_bytes(s, page, obj, "Object padding", p + off, POISON_INUSE,
					  slot - off);
	}
	return ok;
}

/* init_object - red zones to @val, a free object's poison, the padding. */
static void init_object(const struct kmem_cache *s, void *obj, unsigned char val)
{
	unsigned char *p = obj;
	unsigned int off = info_end(s), slot = s->size - s->red_left_pad;

	if (s->flags & SLAB_RED_ZONE) {
		memset(p - s->red_left_pad, val, s->red_left_pad);
		memset(p + s->object_size, val, s->inuse - s->object_size);
	} else if (s->flags & SLAB_POISON) {
		memset(p + s->object_size, POISON_INUSE, s->inuse - s->object_size);
	}
	if (val == SLUB_RED_INACTIVE && object_poisoned(s)) {
		memset(p, POISON_FREE, s->object_size - 1);
		p[s->object_size - 1] = POISON_END;
	}
	if ((s->flags & SLAB_POISON) && off < slot)
		memset(p + off, POISON_INUSE, slot - off);
}

/* A new slab's object, before its constructor runs. */
void slab_debug_init_object(struct kmem_cache *s, void *obj)
{
	memset((char *)obj + s->inuse, 0, info_end(s) - s->inuse);
	init_object(s, obj, SLUB_RED_INACTIVE);
}

void slab_kmalloc_whole(struct kmem_cache *s, void *obj)
{
	if (kmalloc_redzoned(s))
		*orig_size_of(s, obj) = s->object_size;
	kmm_asan_unpoison(obj, s->object_size);
}

static void trace(const struct kmem_cache *s, const struct page *page, void *obj, bool alloc)
{
	kmm_report_begin();
	kmm_pr("TRACE %s %s %p inuse=%u fp=%p\n", s->name, alloc ? "alloc" : "free", obj,
	       slab_active(page), (void *)slab_freelist(page));
	if (!alloc)
		print_section("Object ", obj,
			      s->object_size < DUMP_MAX ? s->object_size : DUMP_MAX);
	dump_stack();
	kmm_report_end(false);
}

void slab_report_freelist_corrupt(const struct kmem_cache *s, const struct page *page,
				  unsigned int pos, unsigned int idx)
{
	slab_bug(s, "Freelist corrupt: entry %u is %u, %s", pos, idx,
		 idx >= s->num ? "beyond the slab" : "an object not free");
	print_slab_info(s, page);
	dump_stack();
	slab_fix(s, "Marking all objects used");
}

void slab_report_destroy_busy(const struct kmem_cache *s, unsigned long objects)
{
	if (slab_add_kunit_errors()) {
		while (objects--)
			slab_add_kunit_errors();
		return;
	}
	kmm_report("kmem_cache_destroy %s: Slab cache still has objects", s->name);
}

/* The slab's own state: a slab page of @s with a sane count of objects in use. */
static bool check_slab(const struct kmem_cache *s, const struct page *page, const char *call)
{
	if (!PageSlab(page) || page->mapping != (void *)s) {
		slab_bug(s, "%s: Not a valid slab page", call);
		print_slab_info(s, page);
		dump_stack();
		report_done();
		return false;
	}
	if (slab_active(page) > s->num) {
		slab_bug(s, "%s: inuse %u > max %lu", call, slab_active(page), s->num);
		print_slab_info(s, page);
		dump_stack();
		report_done();
		return false;
	}
	return true;
}

void slab_debug_alloc(struct kmem_cache *s, struct page *page, void *obj, unsigned long caller,
		      unsigned int orig_size)
{
	kmm_asan_unpoison((char *)obj - s->red_left_pad, s->size);
	if (s->flags & SLAB_CONSISTENCY_CHECKS)
		check_slab(s, page, "alloc");
	check_object(s, page, obj, SLUB_RED_INACTIVE);
	if (s->flags & SLAB_STORE_USER)
		set_track(s, obj, TRACK_ALLOC, caller);
	init_object(s, obj, SLUB_RED_ACTIVE);
	if (kmalloc_redzoned(s)) {
		*orig_size_of(s, obj) = orig_size;
		memset((char *)obj + orig_size, SLUB_RED_ACTIVE, s->object_size - orig_size);
	}
	if (s->flags & SLAB_TRACE)
		trace(s, page, obj, true);
}

bool slab_debug_free(struct kmem_cache *s, struct page *page, void *obj, const char *call,
		     unsigned long caller)
{
	if (!check_slab(s, page, call))
		return false;
	if (slab_on_freelist(s, page, obj)) {
		kmm_asan_unpoison((char *)obj - s->red_left_pad, s->size);
		slab_bug(s, "Object already free");
		print_trailer(s, page, obj);
		slab_fix(s, "%s(%p) refused: Object at %p not freed", call, obj, obj);
		return false;
	}
	kmm_asan_unpoison((char *)obj - s->red_left_pad, s->size);
	check_object(s, page, obj, SLUB_RED_ACTIVE);
	if (s->flags & SLAB_STORE_USER)
		set_track(s, obj, TRACK_FREE, caller);
	if (s->flags & SLAB_TRACE)
		trace(s, page, obj, false);
	init_object(s, obj, SLUB_RED_INACTIVE);
	return true;
}

/* The objects of one slab against what its list says.  list_lock held. */
static int validate_slab(struct kmem_cache *s, struct page *page, const char *list, unsigned int lo,
			 unsigned int hi)
{
	unsigned char seen[SLAB_OBJ_MAX_NUM / 8 + 1] = {0};
	unsigned short *freelist = slab_freelist(page);
	unsigned int i, active = slab_active(page);
	int errors = 0;

	if (!check_slab(s, page, "validate"))
		return 1;
	if (active < lo || active > hi) {
		slab_bug(s, "Slab on the %s list with %u of %lu objects in use", list, active,
			 s->num);
		print_slab_info(s, page);
		report_done();
		errors++;
	}
	for (i = active; i < s->num; i++) {
		unsigned int idx = freelist[i];

		if (idx >= s->num || (seen[idx / 8] & (1u << (idx % 8)))) {
			slab_bug(s, "Freelist entry %u is %u (%s)", i, idx,
				 idx >= s->num ? "beyond the slab" : "twice on the freelist");
			print_slab_info(s, page);
			report_done();
			return errors + 1;
		}
		seen[idx / 8] |= (unsigned char)(1u << (idx % 8));
	}
	/* the free bits say the same as the freelist */
	for (i = 0; active < s->num && i < s->num; i++) {
		if (slab_obj_free(slab_free_bits(s, page), i) != slab_obj_free(seen, i)) {
			slab_bug(s, "Free bit of object %u says %s but the freelist says %s", i,
				 slab_obj_free(slab_free_bits(s, page), i) ? "free" : "in use",
				 slab_obj_free(seen, i) ? "free" : "in use");
			print_slab_info(s, page);
			report_done();
			return errors + 1;
		}
	}
	if (!(s->flags & SLAB_DEBUG_FLAGS))
		return errors;
	for (i = 0; i < s->num; i++) {
		void *obj = index_to_obj(s, page, i);
		bool is_free = seen[i / 8] & (1u << (i % 8));

		kmm_asan_unpoison((char *)obj - s->red_left_pad, s->size);
		if (!check_object(s, page, obj, is_free ? SLUB_RED_INACTIVE : SLUB_RED_ACTIVE))
			errors++;
		if (is_free)
			kmm_asan_poison(obj, s->object_size);
	}
	return errors;
}

/* Validate the slabs of one list; count them and their free objects. */
static int validate_list(struct kmem_cache *s, struct list_head *head, const char *list,
			 unsigned int lo, unsigned int hi, unsigned long *count,
			 unsigned long *free_objects)
{
	struct page *page;
	int errors = 0;

	list_for_each_entry(page, head, lru) {
		errors += validate_slab(s, page, list, lo, hi);
		(*count)++;
		*free_objects += s->num - slab_active(page);
	}
	return errors;
}

int kmem_cache_validate(struct kmem_cache *s)
{
	int nid, errors = 0;

	if (no_cache(s) || !slab_cache_check("kmem_cache_validate", s))
		return 0;
	for (nid = 0; nid < kmm_nr_online_nodes; nid++) {
		struct kmem_cache_node *n = &s->node[nid];
		unsigned long full = 0, partial = 0, free = 0, objs = 0;

		node_lock(n);
		errors += validate_list(s, &n->slabs_full, "full", s->num, s->num, &full, &objs);
		errors += validate_list(s, &n->slabs_partial, "partial", 1, s->num - 1, &partial,
					&objs);
		errors += validate_list(s, &n->slabs_free, "free", 0, 0, &free, &objs);
		if (full + partial + free != n->total_slabs || free != n->free_slabs ||
		    objs != n->free_objects) {
			slab_bug(s,
				 "node %d: %lu slabs, %lu free, %lu free objects counted but the "
				 "counters say %lu, %lu, %lu",
				 nid, full + partial + free, free, objs, n->total_slabs,
				 n->free_slabs, n->free_objects);
			report_done();
			errors++;
		}
		node_unlock(n);
	}
	return errors;
}

int kmm_validate_all(void)
{
	struct kmem_cache *s;
	int errors = 0;

	kmm_mutex_lock(&slab_mutex);
	list_for_each_entry(s, &slab_caches, list) {
		errors += kmem_cache_validate(s);
	}
	pthread_mutex_unlock(&slab_mutex);
	return errors;
}
