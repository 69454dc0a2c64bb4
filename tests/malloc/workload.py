# SPDX-License-Identifier: MIT
"""A Python workload that allocates heavily from threads and checks its own results.

Run by Debian's /usr/bin/python3 with PYTHONMALLOC=malloc, so that every object goes
through malloc(); tests/malloc/program.sh runs it on libkmm-malloc.so, and
scripts/bench-programs on each allocator.  Each task builds dicts, lists, sets,
strings, bytes and bytearrays of many sizes (a few bytes to several MiB) from its own
seeded random generator, mutates them (growth is realloc(), deletion free()), hands
objects to other threads through a shared dict, and returns a digest of what it built.
Every task runs twice, once alone on the main thread and once in a thread pool, and the
digests must agree; fixed sums check the arithmetic.  With KMM_EXPECT=1 the objects must
also lie in libkmm's memory (mappings of the "kmm-physmem" memfd): CPython's id() is the
object's address.  Exit status 0 when every check passed.
"""
import concurrent.futures
import hashlib
import json
import os
import random
import sys
import threading

TASKS = 24
THREADS = 6
STEPS = 400

shared = {}
shared_lock = threading.Lock()


def task(seed):
    """Builds and churns containers from seed; returns a digest of the survivors."""
    rng = random.Random(seed)
    table = {}
    log = []
    for step in range(STEPS):
        key = rng.randrange(400)
        kind = rng.randrange(10)
        if kind < 3:
            value = rng.randbytes(rng.choice((1, 7, 24, 100, 700, 4000, 9000, 70000)))
        elif kind < 5:
            value = "".join(chr(97 + rng.randrange(26)) for _ in range(rng.randrange(1, 300)))
        elif kind < 7:
            value = [rng.random() for _ in range(rng.randrange(50))]
        elif kind == 7:
            value = {str(i): i * seed for i in range(rng.randrange(80))}
        elif kind == 8:
            value = bytearray()
            for _ in range(rng.randrange(1, 40)):
                value += rng.randbytes(rng.randrange(1, 500))  # realloc growth
        else:
            value = set(rng.randrange(1000) for _ in range(rng.randrange(60)))
        if rng.randrange(150) == 0:
            value = bytes(rng.randrange(1, 6)) * (1 << 20)  # large: vmalloc
        old = table.pop(key, None)
        if old is not None and rng.randrange(4) == 0:
            # Hand it to whichever thread takes this slot next: freed over there.
            with shared_lock:
                shared[(seed + step) % 97] = old
        table[key] = value
        log.append((key, kind))
    h = hashlib.sha256()
    for key in sorted(table):
        v = table[key]
        if isinstance(v, (bytes, bytearray)):
            h.update(b"%d:%d:" % (key, len(v)) + v)
            continue
        if isinstance(v, (set, dict)):
            v = sorted(v.items()) if isinstance(v, dict) else sorted(v)
        h.update(repr((key, v)).encode())
    h.update(json.dumps(log).encode())
    return h.hexdigest()


def machine_ranges():
    """The address ranges mapping libkmm's physical memory (the kmm-physmem memfd)."""
    ranges = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            if "kmm-physmem" in line:
                lo, hi = line.split()[0].split("-")
                ranges.append((int(lo, 16), int(hi, 16)))
    return ranges


def check_on_libkmm():
    ranges = machine_ranges()
    if not ranges:
        sys.exit("workload.py: no kmm-physmem mapping: libkmm-malloc.so is not in use")
    objects = [object(), [1, 2, 3], {"a": 1}, "x" * 10, "y" * 5000, b"z" * 100000,
               bytes(3 << 20), bytearray(9 << 20)]
    for obj in objects:
        addr = id(obj)
        if not any(lo <= addr < hi for lo, hi in ranges):
            sys.exit("workload.py: %s object at %#x is not in libkmm's memory"
                     % (type(obj).__name__, addr))


def main():
    if os.environ.get("KMM_EXPECT") == "1":
        check_on_libkmm()
    seeds = [1000 + 17 * i for i in range(TASKS)]
    alone = [task(s) for s in seeds]
    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        together = list(pool.map(task, seeds))
    if alone != together:
        bad = [s for s, a, b in zip(seeds, alone, together) if a != b]
        sys.exit("workload.py: tasks %s gave different results in threads" % bad)
    # Big containers with sums known in closed form.
    n = 200000
    squares = {i: i * i for i in range(n)}
    if sum(squares.values()) != (n - 1) * n * (2 * n - 1) // 6:
        sys.exit("workload.py: sum of squares is wrong")
    words = ["w%d" % i for i in range(n)]
    text = " ".join(words)
    if len(text.split()) != n or sum(len(w) for w in words) + n - 1 != len(text):
        sys.exit("workload.py: the joined text is wrong")
    del squares, words, text
    print("workload.py: ok: %d tasks, alone and on %d threads, agree" % (TASKS, THREADS))


if __name__ == "__main__":
    main()
