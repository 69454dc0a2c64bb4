#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""make_corpus.py - writes the hand-made seed inputs of tests/fuzz/corpus/.

Each seed is a short program for fuzz_api.c: 8-byte records, an operation byte
(its value modulo NR_OPS, 39, picks the operation, see LLVMFuzzerTestOneInput())
followed by the bytes that operation reads, zero-padded.  One seed per area, so
that every call of the API and every bad input the harness makes is reached
from the corpus:  python3 tests/fuzz/make_corpus.py
"""
import os
import struct

OPS = dict(alloc_pages=0, free=2, cache_create=5, cache_alloc=6, cache_bulk_alloc=8,
           cache_bulk_free=9, cache_shrink=10, cache_destroy=11, kmalloc=12, kdup=14,
           realloc=15, vmalloc=16, kvmalloc=17, vmap=18, vm_map_ram=19, kmap=20, kunmap=21,
           kmap_local=22, split_page=23, get_page=24, machine=25, check_all=26, bad_kfree=27,
           double_free=29, bad_cache_free=31, bad_page_free=32, bad_vfree=33, bad_kmap=34,
           bad_create=35 + 3 * 39, bad_alloc=35, almost_right=36, own_page=37, dead_cache=38)


def op(name, *args):
    """The operation byte, then each argument: an int is one byte, a tuple (v,) two."""
    out = bytes([OPS[name]])
    for a in args:
        out += struct.pack('<H', a[0]) if isinstance(a, tuple) else bytes([a & 0xff])
    assert len(out) <= 8, name
    return out.ljust(8, b'\0')


def size(cls, v):
    """get_size(): a class (0-1: up to 64, 2-3: 512, 4: 4K, 5: 16K, 6: 256K, 7: 2M), as the
    class byte that picks it (its low 5 bits: 0-11, 12-21, 22-26, 27-29, 30, 31)."""
    return [[0, 1, 12, 13, 22, 27, 30, 31][cls], (v,)]


def order(k):
    """op_alloc_pages()'s order byte: the count of its trailing zero bits."""
    return 1 << k if k < 8 else 0


def gfp(base=0, zero=False, nowarn=False, zone=None, comp=False, reclaimable=False):
    """get_gfp(): base 0 GFP_KERNEL, 2 GFP_ATOMIC, 3 GFP_NOWAIT...; zone 'dma', 'dma32', 'high'."""
    a = base | (0x08 if zero else 0) | (0x10 if nowarn else 0) | (0x40 if reclaimable else 0)
    b = 0x80 if comp else 0
    if zone:
        a |= 0x80
        b |= {'dma': 0x00, 'dma32': 0x10, 'high': 0x20}[zone] | (0x02 if zone == 'dma' else 0)
    return [a, b]


def almost_right(shape, call, r):
    """op_bad_almost_right(): shape 0 a page start, 2 a free object slot, 3 a freed object
    after kmm_drain_all() (| 0x10 for shape 2: drain first); call 0 kfree, 1 kmem_cache_free,
    2 kmem_cache_free_bulk, 3 ksize; r the random 32 bits (pfn, slot, freed entry)."""
    return op('almost_right', (shape & 3) << 2 | (0x40 if shape & 0x10 else 0) | call,
              (r & 0xffff,), (r >> 16,))


def own_page(what, how):
    """op_bad_own_page(): what 0 a cache descriptor, 1 a CPU array, 2 a page table, 3 the
    memmap; how 'free_pages', '__free_pages', or a slab call 0-3 as almost_right()."""
    b = what | {'free_pages': 0, '__free_pages': 0x10}.get(how, 0)
    if isinstance(how, int):
        b |= 0x08 | how << 4
    return op('own_page', b, (0x1234,))


def seeds():
    s = {}
    s['01-pages'] = b''.join([
        op('alloc_pages', 0, order(0), *gfp()),
        op('alloc_pages', 1, order(3), *gfp(zero=True, comp=True)),
        op('alloc_pages', 0, order(2), *gfp(zone='high')),
        op('alloc_pages', 0, order(1), *gfp(zone='dma')),
        op('alloc_pages', 0x20, order(4), *gfp(base=2, zone='dma32')),
        op('alloc_pages', 2, order(2), *gfp()),
        op('alloc_pages', 0x42, order(0), *gfp()),
        op('alloc_pages', 3, order(2), *gfp(), *size(4, 9000)),
        op('kmap', 2, 1), op('kmap_local', 2, 2, 0, 0, 1, 3, 0),
        op('split_page', 3), op('get_page', 0), op('kunmap', 0),
        op('bad_page_free', 0, 0), op('bad_page_free', 1, 1), op('bad_page_free', 3, 2),
        op('bad_page_free', 4, 0), op('bad_kmap', 0, 2), op('bad_kmap', 1, 2, 2),
        op('free', 1, 0), op('free', 2, 1), op('free', 0, 2), op('double_free', 0),
        op('free', 0, 3), op('free', 0, 4), op('double_free', 0), op('check_all'),
    ])
    s['02-slab'] = b''.join([
        op('cache_create', 0, (0x0001,), *size(2, 100), 1),
        op('cache_create', 1, (0x1000 | 0x0020,), *size(0, 24), 0),
        op('cache_alloc', 0, 0, *gfp()), op('cache_alloc', 1, 1, *gfp(zero=True)),
        op('cache_bulk_alloc', 7, 0, *gfp()), op('cache_bulk_alloc', 3, 1, *gfp(base=2)),
        op('cache_shrink', 0), op('cache_shrink', 1),
        op('bad_cache_free', 0, (5,), 0), op('bad_cache_free', 1, (3,), 1),
        op('bad_cache_free', 2, (0,), 0), op('bad_cache_free', 3, (0,), 0),
        op('cache_bulk_free', 0, 3), op('double_free', 0),
        op('cache_destroy', 1, 0), op('free', 0, 0), op('free', 1, 1),
        op('cache_shrink', 0), op('cache_destroy', 0, 1), op('cache_destroy', 1, 1),
        op('bad_create', 0), op('bad_create', 1), op('bad_create', 2), op('bad_create', 3),
        op('bad_create', 4, (5,)), op('bad_create', 4, (0x100,)), op('bad_create', 5, (8,)),
        op('bad_create', 6, (1,)), op('bad_create', 6, (2,)), op('bad_create', 6, (3,)),
        op('bad_create', 6, (4,)), op('bad_create', 6, (0,)), op('bad_create', 7, (5,)),
    ])
    # kfree_rcu of cache objects (the cache's destroy waits for the end of the window) and
    # a SLAB_TYPESAFE_BY_RCU cache (its destroy waits for a grace period itself)
    s['05-rcu'] = b''.join([
        op('cache_create', 0, (0x0000,), *size(2, 200), 0),
        op('cache_create', 1, (0x0020,), *size(2, 64), 0x7e),
        op('cache_alloc', 0, 0, *gfp()), op('cache_alloc', 0, 0, *gfp()),
        op('cache_alloc', 0, 1, *gfp()), op('cache_bulk_alloc', 4, 1, *gfp()),
        op('free', 2, 0), op('free', 2, 1), op('cache_shrink', 0), op('cache_shrink', 1),
        op('kmalloc', 0, *size(2, 100), *gfp()), op('free', 2, 0),
        op('cache_destroy', 0, 1), op('machine', 2), op('cache_destroy', 1, 1),
    ])
    # almost-right pointers, the library's own pages, destroyed and boot caches
    s['06-hostile'] = b''.join([
        op('cache_create', 0, (0x0000,), *size(2, 100), 0),
        op('cache_create', 1, (0x0000,), *size(0, 40), 1),
        op('cache_alloc', 0, 0, *gfp()), op('cache_alloc', 0, 0, *gfp()),
        op('cache_alloc', 0, 1, *gfp()), op('kmalloc', 0, *size(2, 100), *gfp()),
        op('kmalloc', 0, *size(2, 300), *gfp()), op('vmalloc', 0, *size(4, 9000), *gfp()),
        almost_right(0, 0, 0x1000), almost_right(0, 1, 0x2345), almost_right(0, 2, 0x0777),
        almost_right(0, 3, 0x3000), almost_right(0, 0, 0x0100), almost_right(0, 0, 0x3f00),
        almost_right(2, 0, 7), almost_right(2, 1, 5), almost_right(0x12, 2, 3),
        almost_right(2, 3, 1),
        op('free', 5, 0), almost_right(3, 0, 0), op('free', 4, 1), almost_right(3, 2, 0),
        own_page(0, 'free_pages'), own_page(0, '__free_pages'), own_page(0, 0),
        own_page(0, 1), own_page(1, 'free_pages'), own_page(1, '__free_pages'),
        own_page(1, 0), own_page(2, 'free_pages'), own_page(2, '__free_pages'),
        own_page(2, 0), own_page(2, 2), own_page(3, 'free_pages'),
        own_page(3, '__free_pages'), own_page(3, 0), own_page(3, 3),
        op('dead_cache', 0, 6), op('dead_cache', 0x08, 3), op('dead_cache', 0x10, 1),
        op('dead_cache', 1, 3), op('dead_cache', 2, 4), op('dead_cache', 3, 2),
        op('dead_cache', 4, 1), op('check_all'),
    ])
    s['03-kmalloc'] = b''.join([
        op('kmalloc', 0, *size(0, 8), *gfp()), op('kmalloc', 1, *size(2, 95), *gfp()),
        op('kmalloc', 2, *size(4, 3000), *gfp(zone='dma')),
        op('kmalloc', 3, *size(6, 30000), *gfp(reclaimable=True)),
        op('kmalloc', 4, *size(5, 8191), *gfp(base=2)),
        op('kdup', 0, *size(2, 40), *gfp()), op('kdup', 1, *size(2, 41), *gfp()),
        op('kdup', 2, *size(2, 42), *gfp()), op('kdup', 3, *size(2, 43), *gfp()),
        op('kdup', 4, *size(2, 44), *gfp()), op('kdup', 5, *size(2, 45), *gfp()),
        op('realloc', 0, 0, *size(4, 2000), *gfp()), op('realloc', 1, 1, *size(6, 9000), *gfp()),
        op('bad_kfree', 0, (7,), 0), op('bad_kfree', 0x11, (3,), 2), op('bad_kfree', 0x22, (5,)),
        op('bad_kfree', 0x33, (1,), 3), op('bad_kfree', 0x48, (2,), 4),
        op('bad_kfree', 0x45, (9,), 0), op('bad_alloc', 1), op('bad_alloc', 2),
        op('free', 0, 0), op('free', 1, 1), op('free', 2, 2), op('free', 4, 3),
        op('free', 0x42, 4), op('double_free', 0), op('machine', 2), op('machine', 6, 0),
    ])
    s['04-vmalloc'] = b''.join([
        op('vmalloc', 0, *size(4, 5000), *gfp()), op('vmalloc', 1, *size(5, 12000), *gfp()),
        op('vmalloc', 2, *size(6, 20000), *gfp(zero=True, zone='high')),
        op('vmalloc', 3, *size(2, 100), *gfp()), op('vmalloc', 4, *size(4, 4096), *gfp()),
        op('vmalloc', 5, *size(4, 100), *gfp()), op('vmalloc', 0x16, *size(4, 7000), *gfp()),
        op('vmalloc', 7, *size(3, 3), *gfp()),
        op('kvmalloc', 0, *size(7, 30000), *gfp()), op('kvmalloc', 1, *size(2, 300), *gfp()),
        op('kvmalloc', 2, *size(5, 9000), *gfp()),
        op('vmap', 1, 5), op('vmap', 2, 3), op('vm_map_ram', 1, 4),
        op('realloc', 0, 1, *size(6, 40000), *gfp()), op('realloc', 1, 2, *size(2, 9), *gfp()),
        op('kmap_local', 2, 11, 1, 12, 2, 0),
        op('bad_vfree', 0, (100,), 0), op('bad_vfree', 0x11, (3,)), op('bad_vfree', 0x22, (4,)),
        op('bad_vfree', 0x33, (4,), 1), op('bad_vfree', 0x07, (0,), 0),
        op('bad_kfree', 0x04, (5,), 2), op('bad_kfree', 0x05, (5,)),
        op('machine', 3), op('machine', 0), op('machine', 1), op('machine', 4),
        op('machine', 5), op('machine', 13), op('machine', 21), op('machine', 29),
        op('machine', 37), op('machine', 45), op('check_all'),
        op('free', 0, 0), op('free', 1, 1), op('free', 2, 2), op('free', 4, 3), op('free', 0, 4),
        op('double_free', 0), op('free', 0x42, 5), op('free', 0, 6), op('double_free', 0),
    ])
    return s


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
    os.makedirs(here, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(here, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
