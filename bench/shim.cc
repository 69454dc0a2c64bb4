// SPDX-License-Identifier: MIT
//
// bench/shim.cc - the C API of shim.h over Google Benchmark, and main().
//
// This file owns the registration list the C constructors fill (plain pointers,
// statically initialised, so the constructors may run before any C++ static
// initialisation), its hand-over to benchmark::RegisterBenchmark() in main(),
// and the accessors: a struct kmm_bench_state * is a benchmark::State *.
// Nothing else: the benchmarks are C files.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <utility>

#include "shim.h"

namespace
{

benchmark::State &S(kmm_bench_state *st)
{
	return *reinterpret_cast<benchmark::State *>(st);
}

const benchmark::State &S(const kmm_bench_state *st)
{
	return *reinterpret_cast<const benchmark::State *>(st);
}

// The registration list, in registration order.
kmm_bench_def *defs_head, *defs_tail;

// Setup()/Teardown() take plain function pointers, so each benchmark with hooks
// gets trampoline number N, which calls the hooks of hooked[N].
constexpr int kMaxHooked = 64;
kmm_bench_def *hooked[kMaxHooked];
using Hook = void (*)(const benchmark::State &);

template <int N> void setup_trampoline(const benchmark::State &s)
{
	hooked[N]->setup(reinterpret_cast<const kmm_bench_state *>(&s));
}

template <int N> void teardown_trampoline(const benchmark::State &s)
{
	hooked[N]->teardown(reinterpret_cast<const kmm_bench_state *>(&s));
}

template <int... N> struct Trampolines {
	static constexpr Hook setup[] = {setup_trampoline<N>...};
	static constexpr Hook teardown[] = {teardown_trampoline<N>...};
};

template <int... N> Trampolines<N...> make_trampolines(std::integer_sequence<int, N...>);
using AllTrampolines = decltype(make_trampolines(std::make_integer_sequence<int, kMaxHooked>()));

int register_all()
{
	int nr_hooked = 0;

	for (kmm_bench_def *d = defs_head; d; d = d->next) {
		auto *b = benchmark::RegisterBenchmark(
			d->name ? d->name : d->fn_name, [d](benchmark::State &s) {
				d->fn(reinterpret_cast<kmm_bench_state *>(&s));
			});

		if (d->arg_name)
			b->ArgName(d->arg_name);
		for (int i = 0; i < d->nr_args; i++)
			b->Arg(d->args[i]);
		if (d->threads > 0)
			b->Threads(d->threads);
		if (d->real_time)
			b->UseRealTime();
		if (!d->setup && !d->teardown)
			continue;
		if (nr_hooked == kMaxHooked) {
			std::fprintf(stderr, "shim: more than %d benchmarks with hooks\n",
				     kMaxHooked);
			return -1;
		}
		hooked[nr_hooked] = d;
		if (d->setup)
			b->Setup(AllTrampolines::setup[nr_hooked]);
		if (d->teardown)
			b->Teardown(AllTrampolines::teardown[nr_hooked]);
		nr_hooked++;
	}
	return 0;
}

} // namespace

extern "C" {

void kmm_bench_register(kmm_bench_def *def)
{
	def->next = nullptr;
	if (defs_tail)
		defs_tail->next = def;
	else
		defs_head = def;
	defs_tail = def;
}

long kmm_bench_iterations(kmm_bench_state *st)
{
	benchmark::State &s = S(st);

	// The whole run as one batch: true once (starting the timer), then false
	// (stopping it), so the run's iteration count is exact.
	return s.KeepRunningBatch(s.max_iterations) ? (long)s.max_iterations : 0;
}

bool kmm_bench_keep_running(kmm_bench_state *st)
{
	return S(st).KeepRunning();
}

long kmm_bench_iterations_run(const kmm_bench_state *st)
{
	return (long)S(st).iterations();
}

long kmm_bench_range(const kmm_bench_state *st, int i)
{
	return (long)S(st).range((std::size_t)i);
}

int kmm_bench_thread_index(const kmm_bench_state *st)
{
	return S(st).thread_index();
}

int kmm_bench_threads(const kmm_bench_state *st)
{
	return S(st).threads();
}

void kmm_bench_set_items_processed(kmm_bench_state *st, long items)
{
	S(st).SetItemsProcessed(items);
}

void kmm_bench_counter(kmm_bench_state *st, const char *name, double value)
{
	S(st).counters[name] = value;
}

void kmm_bench_pause(kmm_bench_state *st)
{
	S(st).PauseTiming();
}

void kmm_bench_resume(kmm_bench_state *st)
{
	S(st).ResumeTiming();
}

void kmm_bench_skip(kmm_bench_state *st, const char *why)
{
	S(st).SkipWithError(why);
}

} // extern "C"

// BENCHMARK_MAIN(), after handing the C registrations to Google Benchmark.
int main(int argc, char **argv)
{
	if (register_all() != 0)
		return 1;
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
