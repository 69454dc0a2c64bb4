# SPDX-License-Identifier: MIT
# scripts/bench-report.py - run by scripts/bench-report: writes the benchmark report.
#   python3 scripts/bench-report.py <results> <instr.md or ""> <docs> <commit>
# Reads Google Benchmark's <allocator>.<rep>.json files and summary.md in <results>
# (build/release/results, written by scripts/bench) and, when summary.md does not hold it
# already, the instruction-count table <instr.md> (scripts/bench-instr's), and
# programs.md (scripts/bench-programs') when it is there.  Writes <docs>/benchmarks.md
# (host, date, commit, summary.md's tables as they are, the real programs, the
# instruction counts, the plots with a paragraph each) and the plots, SVG drawn by gnuplot,
# to <docs>/bench/.  The plots take the medians the same way as scripts/bench's table (ns
# per operation from items_per_second, else the real time); a benchmark missing from an
# allocator leaves a gap, an allocator without any of a plot's benchmarks is left out of
# it, and a plot without any data is replaced by a line saying so.
import glob
import json
import os
import platform
import statistics
import subprocess
import sys

results, instr_md, docs, commit = sys.argv[1:5]
plots = os.path.join(docs, "bench")

# One colour per allocator; libkmm's is drawn thicker and first, the peers' after it.
ORDER = ["kmm", "glibc", "jemalloc", "mimalloc", "tcmalloc"]
COLOUR = {"kmm": "#d62728", "glibc": "#1f77b4", "jemalloc": "#2ca02c",
          "mimalloc": "#9467bd", "tcmalloc": "#ff7f0e"}
SPARE = ["#8c564b", "#17becf", "#7f7f7f", "#bcbd22", "#e377c2"]
LABEL = {"kmm": "libkmm"}

# --- The medians, as scripts/bench computes them ---------------------------------------
scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
runs = {}      # (allocator, benchmark) -> [ns per operation, one per repetition]
reps = {}      # allocator -> set of repetitions found
contexts = []  # Google Benchmark's context of each file (host, date)
for path in sorted(glob.glob(os.path.join(results, "*.json"))):
    base = os.path.basename(path).split(".")
    alloc = base[0].split("-")[0]  # kmm-page, kmm-slab, ...: kmm
    if os.path.getsize(path) == 0:
        continue  # --benchmark_filter matched nothing in that executable
    with open(path) as f:
        doc = json.load(f)
    if doc.get("context"):
        contexts.append(doc["context"])
    reps.setdefault(alloc, set()).add(base[1] if len(base) > 2 else "1")
    for b in doc.get("benchmarks", []):
        if b.get("run_type") == "aggregate" or b.get("error_occurred"):
            continue
        if "items_per_second" in b:
            ns = 1e9 / b["items_per_second"]
        else:
            ns = b["real_time"] * scale[b.get("time_unit", "ns")]
        runs.setdefault((alloc, b["name"]), []).append(ns)
        for c in ("peak_mib", "final_mib"):  # the footprint's counters, as name:counter
            if c in b:
                runs.setdefault((alloc, b["name"] + ":" + c), []).append(b[c])

allocs = [a for a in ORDER if a in reps] + sorted(a for a in reps if a not in ORDER)
for i, a in enumerate(a for a in allocs if a not in COLOUR):
    COLOUR[a] = SPARE[i % len(SPARE)]
nreps = max((len(v) for v in runs.values()), default=0)
nreps_text = "%d repetition%s" % (nreps, "" if nreps == 1 else "s")


def median(alloc, name):
    v = runs.get((alloc, name))
    return statistics.median(v) if v else None


def label(alloc):
    return LABEL.get(alloc, alloc)


def fmt(ns):
    return "%.2f" % ns if ns < 100 else "%.0f" % ns


# --- Plots -----------------------------------------------------------------------------
# Every plot is one gnuplot script fed on stdin, its data in inline data blocks.
HEAD = """set terminal svg size %d,%d dynamic noenhanced font "sans,12" background "white"
set output "%s"
set grid ytics lc rgb "#dddddd" lw 1 dt solid
set border 3
set xtics nomirror
set ytics nomirror
set key outside right top vertical Left reverse noautotitle
"""


def style(alloc, points=True):
    lw = 3 if alloc == "kmm" else 1.5
    s = 'lc rgb "%s" lw %s' % (COLOUR[alloc], lw)
    if points:
        s += " pt 7 ps %s" % (0.9 if alloc == "kmm" else 0.6)
    return s


def yaxis(values):
    """Logarithmic when the values span more than a factor of 8, else linear from 0."""
    lo, hi = min(values), max(values)
    if lo > 0 and hi / lo > 8:
        return "set logscale y 10\nset yrange [*:*]\n", True
    return "unset logscale y\nset yrange [0:*]\n", False


def gnuplot(script, name):
    out = os.path.join(plots, name)
    subprocess.run(["gnuplot"], input=HEAD % (script[0], script[1], out) + script[2],
                   text=True, check=True)
    return name


def line_panel(title, xlabel, xs, series, xlog, xticlabels=None):
    """One panel of lines: series is [(allocator, {x: benchmark})]; None without data."""
    blocks, plot, values = [], [], []
    for alloc, names in series:
        pts = [(x, median(alloc, names[x]) if x in names else None) for x in xs]
        if all(v is None for _, v in pts):
            continue
        values += [v for _, v in pts if v is not None]
        # A blank line where a benchmark is missing breaks the line there.
        rows = "\n".join("" if v is None else "%s %r" % (x, v) for x, v in pts)
        block = "$%s_%d" % (alloc.replace("-", "_"), len(blocks))
        blocks.append("%s << EOD\n%s\nEOD\n" % (block, rows.strip("\n")))
        plot.append('%s using 1:2 with linespoints %s title "%s"' % (block, style(alloc),
                                                                  label(alloc)))
    if not plot:
        return None, False
    ylog, log = yaxis(values)
    tics = ", ".join('"%s" %s' % ((xticlabels or {}).get(x, x), x) for x in xs)
    s = "".join(blocks)
    s += 'set title "%s"\nset xlabel "%s"\nset ylabel "ns per alloc+free pair (median CPU time)"\n' % (
        title, xlabel)
    s += "set logscale x 2\n" if xlog else "unset logscale x\n"
    lo, hi = min(xs), max(xs)
    s += "set xrange [%s:%s]\n" % ((lo / 1.4, hi * 1.4) if xlog else (lo - 0.3, hi + 0.3))
    s += "set xtics (%s)\n" % tics + ylog
    s += "plot " + ", \\\n     ".join(plot) + "\n"
    return s, log


def size_plot(name, title, kname, pname, sizes):
    """ns per pair by object size: libkmm's kname % size against each peer's pname % size."""
    series = [(a, {s: (kname if a == "kmm" else pname) % s for s in sizes}) for a in allocs]
    panel, log = line_panel(title, "object size (bytes, log scale)", sizes, series, True)
    if panel is None:
        return None, False
    return gnuplot((720, 400, panel), name), log


def thread_plot(name, panels):
    """ns per pair with 1 and 2 threads, one panel per pattern, side by side."""
    body, logs = [], []
    for short, title, kname, pname in panels:
        series = [(a, {1: base % 1, 2: base % 2} if "%d" in base else
                   {1: base, 2: base + "/threads:2"}) for a, base in
                  ((a, kname if a == "kmm" else pname) for a in allocs)]
        panel, log = line_panel(title, "threads", [1, 2], series, False)
        if panel:
            body.append(panel)
            logs += [short] if log else []
    if not body:
        return None, False
    s = "set multiplot layout 1,%d\n" % len(body) + "".join(body) + "unset multiplot\n"
    text = " and ".join(logs)
    if text:
        text = "The y axis of the %s panel%s is logarithmic." % (text, "s" if len(logs) > 1 else "")
    return gnuplot((520 * len(body), 400, s), name), text


def bar_plot(name, title, groups,
             ylabel="ns per object or block (median CPU time, log scale)", log=True):
    """Grouped bars: groups is [(label, kmm benchmark, peer benchmark)], one bar per
    allocator in each group, on a logarithmic axis (the batches span 1000x) unless
    @log is False."""
    groups = [g for g in groups if any(median(a, g[1] if a == "kmm" else g[2]) is not None
                                       for a in allocs)]
    cols = [a for a in allocs if any(median(a, g[1] if a == "kmm" else g[2]) is not None
                                     for g in groups)]
    if not groups or not cols:
        return None
    rows = []
    for text, kname, pname in groups:
        cells = [median(a, kname if a == "kmm" else pname) for a in cols]
        rows.append(" ".join("NaN" if v is None else repr(v) for v in cells))
    s = "$bars << EOD\n%s\nEOD\n" % "\n".join(rows)
    s += "set xtics (%s)\n" % ", ".join('"%s" %d' % (g[0], i) for i, g in enumerate(groups))
    s += "set xrange [-0.6:%s]\nset bmargin 5\n" % (len(groups) - 0.4)
    s += 'set title "%s"\nset ylabel "%s"\n' % (title, ylabel)
    s += "set style data histograms\nset style histogram clustered gap 1\n"
    s += "set style fill solid 0.9 border rgb \"#333333\"\nset boxwidth 0.9\n"
    s += ("set logscale y 10\nset yrange [1:*]\n" if log else "set yrange [0:*]\n")
    s += "set xtics scale 0\n"
    plot = []
    for i, a in enumerate(cols):
        fill = "fs solid 1 border rgb \"black\"" if a == "kmm" else ""
        plot.append('$bars using %d lc rgb "%s" %s title "%s"' % (
            i + 1, COLOUR[a], fill, label(a)))
    s += "plot " + ", \\\n     ".join(plot) + "\n"
    return gnuplot((820, 460, s), name)


# --- The report ------------------------------------------------------------------------
os.makedirs(plots, exist_ok=True)
for old in glob.glob(os.path.join(plots, "*.svg")):
    os.remove(old)  # plots of benchmarks no longer run do not linger

how = ("Each %%s is the median over %s of Google Benchmark's CPU time per "
       "operation; every allocator runs in its own process (libkmm's bench_* programs, and "
       "bench_peer under glibc or with the peer LD_PRELOADed), and the allocators are "
       "alternated round-robin within each repetition so that drift on the machine hits "
       "them alike." % nreps_text)
sections = []


def section(title, svg, text, log=False, alt="", what="point"):
    sections.append("### %s\n" % title)
    if svg is None:
        sections.append("No data: none of these benchmarks were run (see "
                        "`--benchmark_filter`).\n")
        return
    sections.append("![%s](bench/%s)\n" % (alt or title, svg))
    if log is True:
        log = "The y axis is logarithmic."
    sections.append(" ".join(t for t in (text, log, how % what if what else "") if t) + "\n")


slab_sizes = sorted({16, 64, 256, 1024})
kmalloc_sizes = sorted({8, 64, 192, 512, 4096})
svg, log = size_plot("slab-sizes.svg", "slab: kmem_cache_alloc + kmem_cache_free vs malloc + free",
                     "slab/alloc_free_pair/size:%d", "peer/malloc_free_pair/size:%d", slab_sizes)
section("Slab pairs by object size", svg,
        "Nanoseconds per kmem_cache_alloc + kmem_cache_free pair, the object untouched and "
        "freed at once, in a loop on one thread with a cache per size, against malloc + free "
        "of the same size under each peer (bench_slab.c, bench_peer.c).", log)
svg, log = size_plot("kmalloc-const-sizes.svg", "kmalloc + kfree, constant size vs malloc + free",
                     "kmalloc/pair_const/size:%d", "peer/malloc_pair_const/size:%d",
                     kmalloc_sizes)
section("kmalloc pairs by size, constant size", svg,
        "Nanoseconds per kmalloc(N, GFP_KERNEL) + kfree pair, N a compile-time constant (the "
        "cache is found at compile time), the object untouched, on one thread, against "
        "malloc(N) + free (bench_kmalloc.c, bench_peer.c).", log)
svg, log = size_plot("kmalloc-var-sizes.svg", "kmalloc + kfree, variable size vs malloc + free",
                     "kmalloc/pair_var/size:%d", "peer/malloc_pair_var/size:%d", kmalloc_sizes)
section("kmalloc pairs by size, variable size", svg,
        "The same pairs with N read through a volatile at every pair, so kmalloc finds the "
        "cache at run time (the size-index table, or fls() above 192 bytes), as malloc "
        "always does (bench_kmalloc.c, bench_peer.c).", log)
svg, log = thread_plot("threads.svg", [
    ("page pair", "page pair, order 0 (vs posix_memalign 4096)", "page/alloc_free_pair/order:0",
     "peer/posix_memalign_free_pair/4096"),
    ("slab pair", "slab pair, 64 bytes (vs malloc 64)", "slab/alloc_free_pair/size:64",
     "peer/malloc_free_pair/size:64")])
section("Pairs by thread count", svg,
        "Nanoseconds of CPU per alloc+free pair per thread with one thread and with two "
        "threads running the same loop at once (Google Benchmark's threads:2), for the page "
        "pair (alloc_page + __free_page against posix_memalign(4096, 4096) + a write of its "
        "first byte + free) and "
        "the 64-byte slab pair (against malloc(64) + free).  A flat line means the second "
        "thread costs nothing; the machine's CPU count bounds what two threads can show.", log)
svg = bar_plot("batches.svg", "batches: ns per object or block", [
    ("page batch\\norder %d" % k, "page/alloc_free_batch/order:%d" % k,
     "peer/posix_memalign_free_batch/%d" % (4096 << k)) for k in range(4)] + [
    ("slab batch\\n1000 x 64 B", "slab/alloc_free_batch/size:64",
     "peer/malloc_free_batch/size:64"),
    ("slab bulk\\n64 x 64 B", "slab/alloc_free_bulk/size:64", "peer/malloc_free_bulk/size:64")])
section("Batches", svg,
        "Nanoseconds per object or block when many are allocated and then all freed: 256 "
        "blocks of order 0 to 3 from the page allocator, first byte written, freed in "
        "allocation order, against 256 posix_memalign of 4, 8, 16 and 32 KiB aligned to "
        "4096 (bench_page.c, bench_peer.c); 1000 objects of 64 bytes with kmem_cache_alloc "
        "then 1000 kmem_cache_free, and 64 with kmem_cache_alloc_bulk + "
        "kmem_cache_free_bulk, against as many malloc(64) then frees (bench_slab.c).  A "
        "missing bar is a benchmark that allocator did not run.", True, what="bar")

svg, log = thread_plot("larson.svg", [
    ("larson", "larson server pattern, 8..1024 bytes (vs malloc)", "kmalloc/larson/threads:%d",
     "peer/malloc_larson/threads:%d")])
section("The larson server pattern by thread count", svg,
        "Nanoseconds of CPU per free + allocation in larson.h's server pattern: each thread "
        "keeps a window of live objects of random sizes from 8 to 1024 bytes and replaces a "
        "random one at each step, and every so often hands its window to a new thread, so "
        "objects are freed by threads that did not allocate them (kmalloc and kfree against "
        "malloc and free; bench_server.c, bench_peer.c).", log)
svg = bar_plot("footprint.svg", "memory footprint of a 256 MiB burst, then idle", [
    ("peak", "kmalloc/footprint/real_time:peak_mib", "peer/malloc_footprint/real_time:peak_mib"),
    ("final, after idle", "kmalloc/footprint/real_time:final_mib",
     "peer/malloc_footprint/real_time:final_mib")],
    ylabel="MiB of RSS above the start (median)", log=False)
section("Memory footprint", svg,
        "MiB of resident memory above the process's RSS before the burst: at the peak of a "
        "256 MiB burst of objects (8 to 4096 bytes) and 4 to 32 KiB blocks, and after all "
        "of it is freed and the process has idled until its RSS stops falling (libkmm: the "
        "kmalloc caches shrunk, and free page reporting gives free 2 MiB blocks back; "
        "footprint.h, bench_server.c, bench_peer.c); medians over %s, each allocator in its "
        "own process." % nreps_text, what=None)

# summary.md holds scripts/bench's tables and, when scripts/bench ran it, bench-instr's.
summary = ""
if os.path.exists(os.path.join(results, "summary.md")):
    with open(os.path.join(results, "summary.md")) as f:
        summary = f.read()
instr, instr_note = "", ""
if instr_md and os.path.exists(instr_md):
    with open(instr_md) as f:
        instr = f.read()
    if instr.strip() and instr.strip() in summary:
        summary = summary.replace(instr.strip(), "")
    if os.path.getmtime(instr_md) < min((os.path.getmtime(p) for p in glob.glob(
            os.path.join(results, "*.json"))), default=0):
        instr_note = ("\n\nThese counts come from an earlier scripts/bench-instr run than "
                      "the timings above.")

ctx = contexts[0] if contexts else {}
dates = sorted(c["date"] for c in contexts if c.get("date"))
cpu = ""
try:
    with open("/proc/cpuinfo") as f:
        cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
except OSError:
    pass


def version(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True,
                       text=True)
    return r.stdout.strip() if r.returncode == 0 and r.stdout.strip() else None


pkgs = [("glibc", "libc6"), ("jemalloc", "libjemalloc-dev"), ("mimalloc", "libmimalloc-dev"),
        ("tcmalloc", "libgoogle-perftools-dev"), ("Google Benchmark", "libbenchmark-dev")]
vers = ", ".join("%s %s" % (n, v) for n, v in ((n, version(p)) for n, p in pkgs) if v)

out = ["<!-- SPDX-License-Identifier: MIT -->",
       "<!-- Written by scripts/bench-report from build/release/results (sh scripts/bench); "
       "do not edit by hand. -->",
       "# Benchmarks: libkmm against glibc, jemalloc, mimalloc and tcmalloc", "",
       "`sh scripts/bench` wrote this report (tables, then plots); see the README's "
       "Benchmarks section to run it again.  [performance.md](performance.md) reads it: the "
       "goals, where the time goes, the gap to the hardware and the next goals.", "",
       "- Host: %s, %s CPUs at %s MHz%s; %s %s." % (
           ctx.get("host_name", "?"), ctx.get("num_cpus", "?"), ctx.get("mhz_per_cpu", "?"),
           " (%s)" % cpu if cpu else "", platform.system(), platform.release()),
       "- Date: %s%s." % (dates[0] if dates else "?",
                          " to %s" % dates[-1] if len(dates) > 1 and dates[-1] != dates[0]
                          else ""),
       "- Commit: %s." % commit,
       "- Allocators: %s; %s, medians." % (", ".join(label(a) for a in allocs), nreps_text)]
if vers:
    out.append("- Packages: %s." % vers)
out += ["", "## Medians and ratios", "", summary.strip() or "summary.md not found.", ""]
programs = os.path.join(results, "programs.md")
if os.path.exists(programs):
    with open(programs) as f:
        out += ["## Real programs on libkmm-malloc.so", "",
                "Unmodified Debian programs, and the allocation patterns of "
                "tests/malloc/workloads.c, with libkmm-malloc.so preloaded (docs/malloc.md) "
                "against the system's glibc malloc and the peers preloaded, timed by "
                "/usr/bin/time (scripts/bench-programs; the workloads are tests/malloc/'s).  "
                "\"best peer\": the fastest, or the smallest, of the four in that row.",
                "", f.read().strip(), ""]
out += ["## Instructions per pair", ""]
out.append((instr.strip() + instr_note if instr.strip() else
            "Not counted (`KMM_BENCH_INSTR=0`, or run `sh scripts/bench-instr`).") + "\n")
out += ["## Plots", ""] + sections
with open(os.path.join(docs, "benchmarks.md"), "w") as f:
    f.write("\n".join(out).rstrip() + "\n")
