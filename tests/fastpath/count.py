#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Instructions per iteration of a benchmark loop's hot path, from its disassembly.

    count.py BINARY FUNCTION [FUNCTION...]

Callgrind cannot run code in restartable sequences (Valgrind does not
implement rseq(2), so libkmm takes its locked path there), and single-stepping
aborts every sequence, so the rseq fast paths are counted here instead.  The
fast paths are straight-line code: the walk falls through every forward conditional branch (the slow paths are out of
line, behind kmm_likely()), follows unconditional jumps and takes a backward
conditional branch (the loop's), starting from the target of a backward
conditional branch; the instructions from there round to it again are one
iteration.  Prints "FUNCTION N" per function.
"""
import re
import subprocess
import sys


def disassemble(binary, function):
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", binary],
                         check=True, capture_output=True, text=True).stdout
    insns, inside = [], False
    for line in out.splitlines():
        # the compiler's clones (name.constprop.0, name.isra.0) count as the function
        if re.match(r"^[0-9a-f]+ <%s(\.[a-z]+\.[0-9]+)*>:$" % re.escape(function), line):
            inside = True
            continue
        if inside:
            m = re.match(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$", line)
            if not m:
                if insns:
                    break
                continue
            insns.append((int(m.group(1), 16), m.group(2), m.group(3)))
    if not insns:
        sys.exit("count.py: %s not found in %s" % (function, binary))
    return insns


def walk(insns, index, start):
    """The cycle's length from @start, or None if the walk leaves the loop."""
    seen, i = 0, index[start]
    while seen <= len(insns):
        addr, op, args = insns[i]
        if addr == start and seen:
            return seen
        seen += 1
        target = re.match(r"^([0-9a-f]+) <", args)
        if op.startswith("ret"):
            return None
        if target and (op == "jmp" or (op.startswith("j") and int(target.group(1), 16) <= addr)):
            t = int(target.group(1), 16)
            if t not in index:
                return None
            i = index[t]
            continue
        i += 1
    return None


def iteration(insns):
    index = {addr: i for i, (addr, _, _) in enumerate(insns)}
    for addr, op, args in insns:
        target = re.match(r"^([0-9a-f]+) <", args)
        if op.startswith("j") and op != "jmp" and target and int(target.group(1), 16) <= addr:
            n = walk(insns, index, int(target.group(1), 16))
            if n:
                return n
    sys.exit("count.py: no loop whose hot path is straight-line code")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    for function in sys.argv[2:]:
        print(function, iteration(disassemble(sys.argv[1], function)))


main()
