/* SPDX-License-Identifier: MIT */
/*
 * bench/shim.h - Google Benchmark from C: a benchmark is a C function that
 * takes a struct kmm_bench_state, registered at load time by a constructor.
 *
 * This header owns the C API; shim.cc implements it over benchmark::State and
 * owns main() (Google Benchmark's flags: --benchmark_filter, --benchmark_out,
 * --benchmark_min_time, ...).
 *
 *	static void pair(struct kmm_bench_state *st)
 *	{
 *		for (long n; (n = kmm_bench_iterations(st)) != 0;)
 *			while (n--)
 *				...one operation...
 *		kmm_bench_set_items_processed(st, kmm_bench_iterations_run(st));
 *	}
 *	KMM_BENCHMARK(pair, .name = "page/pair", KMM_BENCH_ARGS(0, 1), .arg_name = "order",
 *		      .threads = 2, .setup = boot);
 *
 * The timed loop: kmm_bench_iterations() hands the whole run's iteration count
 * to C at once, so the loop costs what a native `for (auto _ : state)` loop
 * costs (measured: an empty iteration 0.29 ns either way; libkmm's order-0 pair
 * 6.57 ns vs 6.59 ns native).  kmm_bench_keep_running() is KeepRunning(), one
 * call into the shim per iteration: 1.43 ns per empty iteration, 6.80 ns per pair.
 *
 * Hooks: .setup and .teardown run on the main thread before and after every
 * run of the benchmark (Google Benchmark makes several runs while it finds the
 * iteration count), never concurrently with the benchmark's threads; make them
 * idempotent ("boot the machine unless it is booted").
 */
#ifndef KMM_BENCH_SHIM_H
#define KMM_BENCH_SHIM_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A running benchmark: a benchmark::State. */
struct kmm_bench_state;

typedef void (*kmm_bench_fn)(struct kmm_bench_state *st);
typedef void (*kmm_bench_hook)(const struct kmm_bench_state *st);

/* A benchmark definition; KMM_BENCHMARK() fills one in and registers it. */
struct kmm_bench_def {
	kmm_bench_fn fn;	 /* the benchmark */
	const char *fn_name;	 /* its C name: the benchmark's name unless .name is set */
	const char *name;	 /* the benchmark's name (Google Benchmark adds /args/threads:N) */
	const long *args;	 /* one run per value, read with kmm_bench_range(st, 0) */
	int nr_args;		 /* 0: no argument */
	const char *arg_name;	 /* the argument's name in the benchmark's name, or NULL */
	int threads;		 /* threads running fn at once (0: 1) */
	bool real_time;		 /* measure wall time (default: the threads' CPU time) */
	kmm_bench_hook setup;	 /* before each run, on the main thread, or NULL */
	kmm_bench_hook teardown; /* after each run, on the main thread, or NULL */
	struct kmm_bench_def *next; /* the shim's registration list */
};

/* kmm_bench_register - add @def to the benchmarks main() runs, in registration order. */
void kmm_bench_register(struct kmm_bench_def *def);

#define KMM_BENCH_CAT2(a, b) a##b
#define KMM_BENCH_CAT(a, b)  KMM_BENCH_CAT2(a, b)
/* KMM_BENCH_ID(prefix) - prefix##__LINE__: the names of one KMM_BENCHMARK(). */
#define KMM_BENCH_ID(prefix) KMM_BENCH_CAT(prefix, __LINE__)

/*
 * KMM_BENCHMARK(fn, designated initializers...) - define and register a benchmark
 * running @fn; the initializers set the other fields of struct kmm_bench_def.
 * One function may be registered several times (on different lines).  Ends with `;`.
 */
#define KMM_BENCHMARK(fn_, ...)                                                                    \
	static struct kmm_bench_def KMM_BENCH_ID(kmm_bench_def_);                                  \
	__attribute__((constructor)) static void KMM_BENCH_ID(kmm_bench_register_)(void)           \
	{                                                                                          \
		kmm_bench_register(&KMM_BENCH_ID(kmm_bench_def_));                                 \
	}                                                                                          \
	static struct kmm_bench_def KMM_BENCH_ID(kmm_bench_def_) = {                               \
		.fn = (fn_), .fn_name = #fn_, __VA_ARGS__}

/* KMM_BENCH_ARGS(values...) - the .args and .nr_args initializers for a list of values. */
#define KMM_BENCH_ARGS(...)                                                                        \
	.args = (const long[]){__VA_ARGS__},                                                       \
	.nr_args = (int)(sizeof((const long[]){__VA_ARGS__}) / sizeof(long))

/*
 * kmm_bench_iterations - the number of iterations to run now; 0 when the run is
 * over.  The timer runs from the first call to the last.  Use as
 * `for (long n; (n = kmm_bench_iterations(st)) != 0;) while (n--) ...`.
 */
long kmm_bench_iterations(struct kmm_bench_state *st);
/* kmm_bench_keep_running - true while another iteration is due (KeepRunning()). */
bool kmm_bench_keep_running(struct kmm_bench_state *st);
/* kmm_bench_iterations_run - iterations this thread has run (after the loop: all of them). */
long kmm_bench_iterations_run(const struct kmm_bench_state *st);

/* kmm_bench_range - the run's argument @i (0: the value from .args). */
long kmm_bench_range(const struct kmm_bench_state *st, int i);
/* kmm_bench_thread_index - this thread's index, 0 .. kmm_bench_threads() - 1. */
int kmm_bench_thread_index(const struct kmm_bench_state *st);
int kmm_bench_threads(const struct kmm_bench_state *st);

/* kmm_bench_set_items_processed - report items/s (e.g. blocks, summed over the run). */
void kmm_bench_set_items_processed(struct kmm_bench_state *st, long items);
/* kmm_bench_counter - a user counter, reported as is (summed over threads). */
void kmm_bench_counter(struct kmm_bench_state *st, const char *name, double value);
/* kmm_bench_pause / kmm_bench_resume - stop and restart this thread's timer (costly). */
void kmm_bench_pause(struct kmm_bench_state *st);
void kmm_bench_resume(struct kmm_bench_state *st);
/*
 * kmm_bench_skip - end the run with an error (reported instead of a time);
 * the next kmm_bench_iterations()/kmm_bench_keep_running() says the run is over.
 */
void kmm_bench_skip(struct kmm_bench_state *st, const char *why);

/* kmm_bench_do_not_optimize - make the compiler believe @p is used (and memory read). */
static inline void kmm_bench_do_not_optimize(const void *p)
{
	__asm__ volatile("" : : "r,m"(p) : "memory");
}

/* kmm_bench_clobber_memory - make the compiler believe all memory was read and written. */
static inline void kmm_bench_clobber_memory(void)
{
	__asm__ volatile("" : : : "memory");
}

#ifdef __cplusplus
}
#endif

#endif /* KMM_BENCH_SHIM_H */
