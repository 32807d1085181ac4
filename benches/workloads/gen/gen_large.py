#!/usr/bin/env python3
"""Generates `large.wasm`, the workload for load, validation, translation and startup.

    python3 gen_large.py OUT.wasm [--functions N] [--seed S]

The module is written directly in the binary format (no tools needed) and is the same
byte for byte on every run with the same arguments: it draws from its own xorshift64*
generator, never from Python's `random`.

What it contains (the defaults give 6.3 MB, 6.2 MB of it code):
- thousands of functions over a dozen signatures, of sizes from a few instructions to
  tens of kilobytes (a long tail, as in compiled programs), with i32/i64/f32/f64 locals,
  arithmetic, comparisons, conversions, sign extension, saturating truncation, select,
  loads and stores of every width, global traffic, if/else, blocks with br_if, br_table
  switches, counted loops (nested up to two deep), direct calls and call_indirect through
  a table, and occasionally memory.fill/memory.copy;
- a funcref table of 1024 entries (one signature) and its element segment, two pages of
  memory with 64 active data segments, mutable globals of every number type, a name
  section naming every function, and exports of every 64th function besides `run`.

Every function terminates and never traps: calls go only to functions of a lower *level*
(so there is no recursion and the call tree is bounded), calls inside loops go only to
leaves, loops count down from small constants, addresses are masked into the memory,
divisors are made non-zero, float-to-int uses the saturating forms, and floats stay
finite (so no NaN makes a result runtime-dependent).

`run(n)` calls 16 entry functions in turn, n calls in all, and returns a checksum of their
results: with the defaults, 75 of the 4801 functions ever execute; the rest are only loaded
(and translated by an eager translator).
"""

import argparse
import struct
import sys

I32, I64, F32, F64 = 0x7F, 0x7E, 0x7D, 0x7C
FUNCREF = 0x70

MEM_PAGES = 2
ADDR_MASK = 0xFFF8  # masked addresses plus offsets (< 64) stay below 2 pages
TABLE_SIZE = 1024  # power of two: an index masked with TABLE_SIZE - 1 is always in bounds
ENTRIES = 16

# Signatures. Index 0 is the table's (call_indirect) type; the last is run's.
SIGS = [
    ((I32, I32), (I32,)),
    ((I32,), (I32,)),
    ((I32, I32, I32), (I32,)),
    ((I64, I32), (I64,)),
    ((I64, I64), (I64,)),
    ((I32,), (I64,)),
    ((F64, I32), (F64,)),
    ((F64, F64), (F64,)),
    ((F32, I32), (F32,)),
    ((I32, I64, F64), (I32,)),
    ((I32, I32), ()),
    ((), (I32,)),
    ((I32,), ()),
    ((I32,), (I64,)),  # run
]
RUN_SIG = len(SIGS) - 1
TABLE_SIG = 0


class Rng:
    """xorshift64*, as in the Rust workloads' common crate."""

    def __init__(self, seed):
        self.s = (seed ^ 0x9E3779B97F4A7C15) | 1

    def u64(self):
        x = self.s
        x ^= x >> 12
        x ^= (x << 25) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 27
        self.s = x
        return (x * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF

    def below(self, n):
        return ((self.u64() >> 32) * n) >> 32

    def chance(self, num, den):
        return self.below(den) < num

    def pick(self, items):
        return items[self.below(len(items))]

    def i32(self):
        v = self.u64() >> 32
        return v - (1 << 32) if v >= 1 << 31 else v


def uleb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def sleb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if (v == 0 and not b & 0x40) or (v == -1 and b & 0x40):
            out.append(b)
            return bytes(out)
        out.append(b | 0x80)


def vec(items):
    return uleb(len(items)) + b"".join(items)


def name(s):
    b = s.encode()
    return uleb(len(b)) + b


def section(sid, payload):
    return bytes([sid]) + uleb(len(payload)) + payload


def i32c(v):
    return b"\x41" + sleb(v)


def i64c(v):
    return b"\x42" + sleb(v)


def f32c(v):
    return b"\x43" + struct.pack("<f", v)


def f64c(v):
    return b"\x44" + struct.pack("<d", v)


I32_BIN = [0x6A, 0x6B, 0x6C, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78]
I64_BIN = [0x7C, 0x7D, 0x7E, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A]
I32_CMP = list(range(0x46, 0x50))
I64_CMP = list(range(0x51, 0x5B))
F32_CMP = list(range(0x5B, 0x61))
F64_CMP = list(range(0x61, 0x67))
I32_LOADS = [(0x28, 2), (0x2C, 0), (0x2D, 0), (0x2E, 1), (0x2F, 1)]
I64_LOADS = [(0x29, 3), (0x30, 0), (0x31, 0), (0x32, 1), (0x33, 1), (0x34, 2), (0x35, 2)]
STORES = {I32: [(0x36, 2), (0x3A, 0), (0x3B, 1)], I64: [(0x37, 3), (0x3C, 0), (0x3D, 1), (0x3E, 2)],
          F32: [(0x38, 2)], F64: [(0x39, 3)]}
# Clamp bounds for float locals and globals.
FMAX = 1.0e6


class Func:
    def __init__(self, index, sig, level, size):
        self.index = index
        self.sig = sig
        self.level = level
        self.size = size  # statement budget


class Gen:
    def __init__(self, rng, funcs, by_level, globals_):
        self.rng = rng
        self.funcs = funcs
        self.by_level = by_level
        self.globals = globals_  # list of (type, index)

    # ---- a function's frame ---------------------------------------------------------
    def body(self, f):
        r = self.rng
        params, results = SIGS[f.sig]
        self.f = f
        self.locals = {I32: [], I64: [], F32: [], F64: []}
        for i, t in enumerate(params):
            self.locals[t].append(i)
        n = len(params)
        decls = []
        extra = [(I32, 2 + r.below(6)), (I64, 1 + r.below(3)), (F64, r.below(3)), (F32, r.below(2))]
        for t, count in extra:
            if count:
                decls.append(uleb(count) + bytes([t]))
                self.locals[t].extend(range(n, n + count))
                n += count
        # Loop counters: never assigned by ordinary statements.
        self.counters = list(range(n, n + 2))
        decls.append(uleb(2) + bytes([I32]))
        n += 2
        self.calls_left = 2 + min(6, f.size // 8)
        self.loop_depth = 0
        self.block_depth = 0
        code = bytearray()
        # Float locals start clamped-finite (zero); fold params into locals a little.
        for t in (I32, I64):
            for li in self.locals[t][len([p for p in params if p == t]):][:1]:
                code += self.expr(t, 1) + b"\x21" + uleb(li)
        code += self.stmts(f.size)
        for t in results:
            code += self.expr(t, 0, final=True)
        code += b"\x0B"
        return vec(decls) + bytes(code)

    # ---- expressions ----------------------------------------------------------------
    def local(self, t):
        return b"\x20" + uleb(self.rng.pick(self.locals[t]))

    def addr(self):
        return self.expr(I32, 2) + i32c(ADDR_MASK) + b"\x71"

    def memarg(self, align):
        return uleb(align) + uleb(self.rng.below(8) * (1 << align))

    def leaf(self, t):
        r = self.rng
        has_local = bool(self.locals[t])
        g = [gi for gt, gi in self.globals if gt == t]
        k = r.below(10)
        if has_local and k < 6:
            return self.local(t)
        if g and k < 7:
            return b"\x23" + uleb(r.pick(g))
        if t == I32:
            return i32c(r.i32() >> r.below(31))
        if t == I64:
            v = r.u64() >> r.below(64)
            return i64c(v - (1 << 64) if v >= 1 << 63 else v)
        if t == F32:
            return f32c((r.below(4001) - 2000) / 1000.0)
        return f64c((r.below(4001) - 2000) / 1000.0)

    def expr(self, t, depth, final=False):
        """An expression of type t; depth 0 is the most complex allowed."""
        if t in (F32, F64):
            return self.fexpr(t, 2 if depth < 2 else 3)
        r = self.rng
        if depth >= 3 or r.chance(depth, 4):
            return self.leaf(t)
        k = r.below(20)
        d = depth + 1
        if t == I32:
            if k < 7:
                return self.expr(I32, d) + self.expr(I32, d) + bytes([r.pick(I32_BIN)])
            if k == 7:
                return self.expr(I32, d) + self.expr(I32, d) + i32c(1) + b"\x72" + bytes([r.pick([0x6E, 0x70])])
            if k == 8:
                return self.expr(I32, d) + self.expr(I32, d) + i32c(0x7FFF) + b"\x71" + i32c(1) + b"\x72" + bytes([r.pick([0x6D, 0x6F])])
            if k == 9:
                return self.expr(I32, d) + self.expr(I32, d) + bytes([r.pick(I32_CMP)])
            if k == 10:
                return self.expr(I64, d) + self.expr(I64, d) + bytes([r.pick(I64_CMP)])
            if k == 11:
                op, align = r.pick(I32_LOADS)
                return self.addr() + bytes([op]) + self.memarg(align)
            if k == 12:
                return self.expr(I64, d) + b"\xA7"
            if k == 13:
                ft = r.pick([F32, F64])
                return self.fexpr(ft, 3) + b"\xFC" + uleb(r.pick([0, 1]) if ft == F32 else r.pick([2, 3]))
            if k == 14:
                return self.expr(I32, d) + bytes([r.pick([0x67, 0x68, 0x69, 0x45, 0xC0, 0xC1])])
            if k == 15:
                return self.expr(I32, d) + self.expr(I32, d) + self.expr(I32, d) + b"\x1B"
            if k == 16:
                ft = r.pick([F32, F64])
                return self.fexpr(ft, 3) + self.fexpr(ft, 3) + bytes([r.pick(F32_CMP if ft == F32 else F64_CMP)])
            if k == 17 and depth == 0:
                call = self.call_expr(I32)
                if call:
                    return call
            return self.expr(I32, d) + self.leaf(I32) + bytes([r.pick(I32_BIN)])
        # I64
        if k < 8:
            return self.expr(I64, d) + self.expr(I64, d) + bytes([r.pick(I64_BIN)])
        if k == 8:
            return self.expr(I64, d) + self.expr(I64, d) + i64c(1) + b"\x84" + bytes([r.pick([0x80, 0x82])])
        if k == 9:
            return self.expr(I64, d) + self.expr(I64, d) + i64c(0xFFFFFF) + b"\x83" + i64c(1) + b"\x84" + bytes([r.pick([0x7F, 0x81])])
        if k == 10:
            return self.expr(I32, d) + bytes([r.pick([0xAC, 0xAD])])
        if k == 11:
            op, align = r.pick(I64_LOADS)
            return self.addr() + bytes([op]) + self.memarg(align)
        if k == 12:
            ft = r.pick([F32, F64])
            return self.fexpr(ft, 3) + b"\xFC" + uleb(r.pick([4, 5]) if ft == F32 else r.pick([6, 7]))
        if k == 13:
            return self.expr(I64, d) + bytes([r.pick([0x79, 0x7A, 0x7B, 0xC2, 0xC3, 0xC4])])
        if k == 14:
            return self.expr(I64, d) + self.expr(I64, d) + self.expr(I32, d) + b"\x1B"
        if k == 15:
            return self.fexpr(F64, 3) + b"\xBD"
        if k == 16 and depth == 0:
            call = self.call_expr(I64)
            if call:
                return call
        return self.expr(I64, d) + self.leaf(I64) + bytes([r.pick(I64_BIN)])

    def fexpr(self, t, level):
        """A float expression that is finite: level 3 is a leaf, 2 an operation on leaves,
        1 an operation on level-2 expressions. Leaves are bounded by 2^31 (f32) or 2^63
        (f64) so that nothing overflows, let alone becomes NaN."""
        r = self.rng
        if level >= 3 or r.chance(1, 4):
            k = r.below(8)
            if k < 5 and self.locals[t]:
                return self.local(t)
            if k == 5:
                return self.expr(I32, 2) + (b"\xB2" if t == F32 else b"\xB7")
            if k == 6 and t == F64:
                return self.expr(I64, 2) + b"\xB9"
            if k == 6 and t == F32 and self.locals[F64]:
                return self.local(F64) + b"\xB6"  # clamped, so demotes finitely
            if k == 7 and t == F64 and self.locals[F32]:
                return self.local(F32) + b"\xBB"
            return self.leaf(t)
        a = self.fexpr(t, level + 1)
        b = self.fexpr(t, level + 1)
        base = 0x92 if t == F32 else 0xA0  # add
        k = r.below(10)
        if k < 4:
            return a + b + bytes([base + r.pick([0, 1, 2, 4, 5, 6])])  # add sub mul min max copysign
        if k == 4:  # a / (|b| + 1)
            return a + b + bytes([base - 7]) + (f32c(1.0) if t == F32 else f64c(1.0)) + bytes([base, base + 3])
        if k == 5:  # sqrt |a|
            return a + bytes([base - 7, base - 1])
        return a + bytes([base - 7 + r.below(6)])  # abs neg ceil floor trunc nearest

    def clamp(self, t):
        if t == F32:
            return f32c(-FMAX) + b"\x97" + f32c(FMAX) + b"\x96"
        return f64c(-FMAX) + b"\xA5" + f64c(FMAX) + b"\xA4"

    def value(self, t):
        e = self.expr(t, 0)
        return e + self.clamp(t) if t in (F32, F64) else e

    # ---- calls ------------------------------------------------------------------------
    def callee(self, want):
        """A function of a lower level (a leaf inside loops) whose first result is `want`
        (None: any)."""
        f = self.f
        if self.calls_left <= 0 or f.level == 0:
            return None
        level = 0 if self.loop_depth else self.rng.below(f.level)
        pool = self.by_level[level]
        for _ in range(8):
            g = self.rng.pick(pool)
            res = SIGS[g.sig][1]
            if want is None or (res and res[0] == want):
                self.calls_left -= 1
                return g
        return None

    def args(self, sig):
        return b"".join(self.value(t) if t in (F32, F64) else self.expr(t, 2) for t in SIGS[sig][0])

    def call_expr(self, want):
        g = self.callee(want)
        if g is None:
            return None
        code = self.args(g.sig) + b"\x10" + uleb(g.index)
        return code

    def call_stmt(self):
        r = self.rng
        if self.f.level > 0 and r.chance(1, 3) and self.calls_left > 0:
            # call_indirect through the table: every entry is a leaf of the table's type.
            self.calls_left -= 1
            dst = r.pick(self.locals[I32])
            return (self.args(TABLE_SIG) + self.expr(I32, 2) + i32c(TABLE_SIZE - 1) + b"\x71"
                    + b"\x11" + uleb(TABLE_SIG) + b"\x00" + b"\x21" + uleb(dst))
        g = self.callee(None)
        if g is None:
            return None
        code = self.args(g.sig) + b"\x10" + uleb(g.index)
        results = SIGS[g.sig][1]
        if not results:
            return code
        t = results[0]
        if t in (F32, F64):
            return code + self.clamp(t) + b"\x21" + uleb(r.pick(self.locals[t])) if self.locals[t] else code + b"\x1A"
        if r.chance(1, 4):
            return code + b"\x1A"
        return code + b"\x21" + uleb(r.pick(self.locals[t]))

    # ---- statements -------------------------------------------------------------------
    def stmts(self, budget):
        out = bytearray()
        while budget > 0:
            code, cost = self.stmt(budget)
            out += code
            budget -= cost
        return bytes(out)

    def stmt(self, budget):
        r = self.rng
        k = r.below(100)
        nest_ok = budget >= 4 and self.block_depth < 6
        if k < 34:
            t = r.pick([I32, I32, I32, I64, I64, F64, F32])
            if not self.locals[t]:
                t = I32
            li = r.pick(self.locals[t])
            if r.chance(1, 6) and t in (I32, I64):
                # local.tee into a second assignment
                lj = r.pick(self.locals[t])
                return self.value(t) + b"\x22" + uleb(li) + self.leaf(t) + bytes([I32_BIN[0] if t == I32 else I64_BIN[0]]) + b"\x21" + uleb(lj), 1
            return self.value(t) + b"\x21" + uleb(li), 1
        if k < 44:
            t = r.pick([I32, I64, I64, F32, F64])
            op, align = r.pick(STORES[t])
            return self.addr() + self.value(t) + bytes([op]) + self.memarg(align), 1
        if k < 50:
            gt, gi = r.pick(self.globals)
            return self.value(gt) + b"\x24" + uleb(gi), 1
        if k < 60:
            code = self.call_stmt()
            if code is not None:
                return code, 2
            return self.stmt(budget)
        if k < 72 and nest_ok:
            inner = min(budget - 1, 1 + r.below(max(1, budget // 3)))
            self.block_depth += 1
            then = self.stmts(max(1, inner // 2 + 1))
            els = self.stmts(inner // 2) if r.chance(1, 2) and inner >= 2 else b""
            self.block_depth -= 1
            code = self.expr(I32, 1) + b"\x04\x40" + then + (b"\x05" + els if els else b"") + b"\x0B"
            return code, inner + 1
        if k < 80 and nest_ok and self.loop_depth < 2:
            # A counted loop: counter = trips; loop { body; counter -= 1; br_if counter > 0 }
            trips = 2 + r.below(11)
            c = self.counters[self.loop_depth]
            inner = min(budget - 1, 1 + r.below(max(1, budget // 4)))
            self.loop_depth += 1
            self.block_depth += 2
            body = self.stmts(inner)
            # an early exit now and then
            if r.chance(1, 3):
                body += self.expr(I32, 2) + i32c(0x3F) + b"\x71" + i32c(0) + b"\x46" + b"\x0D\x01"
            self.block_depth -= 2
            self.loop_depth -= 1
            code = (i32c(trips) + b"\x21" + uleb(c)
                    + b"\x02\x40\x03\x40" + body
                    + b"\x20" + uleb(c) + i32c(1) + b"\x6B" + b"\x22" + uleb(c)
                    + i32c(0) + b"\x4A" + b"\x0D\x00" + b"\x0B\x0B")
            return code, inner * 2 + 1
        if k < 86 and nest_ok:
            # block { stmts; br_if 0 cond; stmts }
            inner = min(budget - 1, 1 + r.below(max(1, budget // 3)))
            self.block_depth += 1
            a = self.stmts(max(1, inner // 2))
            b = self.stmts(max(1, inner - inner // 2))
            self.block_depth -= 1
            return b"\x02\x40" + a + self.expr(I32, 1) + b"\x0D\x00" + b + b"\x0B", inner + 1
        if k < 92 and nest_ok:
            # A switch: cases in nested blocks, br_table on the low bits.
            cases = 2 + r.below(6)
            inner = min(budget - 1, cases + r.below(max(1, budget // 3)))
            per = max(1, inner // cases)
            self.block_depth += cases + 1
            code = b"\x02\x40" * (cases + 1)
            code += b"\x02\x40" + self.expr(I32, 1) + i32c(7) + b"\x71" + b"\x0E" + uleb(7)
            code += b"".join(uleb(min(i, cases)) for i in range(7)) + uleb(cases)
            code += b"\x0B"
            # Case i runs after block i ends and leaves for the outermost block, the join.
            for i in range(cases):
                code += self.stmts(per) + b"\x0C" + uleb(cases - i) + b"\x0B"
            code += b"\x0B"
            self.block_depth -= cases + 1
            return code, inner + 1
        if k < 94:
            # bulk memory: short fills and copies inside the memory
            if r.chance(1, 2):
                return self.addr() + self.expr(I32, 2) + i32c(r.below(64)) + b"\xFC\x0B\x00", 1
            return self.addr() + self.addr() + i32c(r.below(64)) + b"\xFC\x0A\x00\x00", 1
        t = r.pick([I32, I64])
        return self.value(t) + b"\x1A", 1


def build(nfuncs, seed):
    r = Rng(seed)
    # ---- functions: signature, level, size ----
    funcs = []
    by_level = {0: [], 1: [], 2: [], 3: []}
    for i in range(nfuncs):
        k = r.below(100)
        level = 0 if k < 50 else 1 if k < 75 else 2 if k < 90 else 3
        sig = TABLE_SIG if (level == 0 and r.chance(1, 3)) else r.below(RUN_SIG)
        # Sizes: a long tail, from a couple of statements to a few hundred.
        size = 2 + int(3 * (1.0 + r.below(1000) / 1000.0) ** (1 + r.below(9)))
        f = Func(i, sig, level, size)
        funcs.append(f)
        by_level[level].append(f)
    run_index = nfuncs
    table_funcs = [f for f in by_level[0] if f.sig == TABLE_SIG]
    entries = [f for f in by_level[3] if f.sig not in (RUN_SIG,)][:ENTRIES]

    # ---- globals: mutable, of every type, plus a few immutable ----
    globals_ = []
    gdefs = []
    for t, init in [(I32, i32c(17)), (I32, i32c(-3)), (I64, i64c(1 << 40)), (I64, i64c(-99)),
                    (F32, f32c(0.5)), (F64, f64c(0.25)), (I32, i32c(0)), (I64, i64c(7))]:
        globals_.append((t, len(gdefs)))
        gdefs.append(bytes([t, 1]) + init + b"\x0B")

    g = Gen(r, funcs, by_level, globals_)
    bodies = [g.body(f) for f in funcs]

    # ---- run(n): for i in 0..n: acc = acc * 31 + entries[i % 16](args of i) ----
    # locals: 0 = n, 1 = i, 2 = acc (i64)
    rc = bytearray()
    rc += b"\x02\x40\x03\x40"
    rc += b"\x20\x01\x20\x00\x4F\x0D\x01"  # br_if done (i >= n)
    rc += b"\x02\x40" * len(entries)
    rc += b"\x02\x40" + b"\x20\x01" + i32c(len(entries) - 1) + b"\x71" + b"\x0E" + uleb(len(entries) - 1)
    rc += b"".join(uleb(i) for i in range(len(entries) - 1)) + uleb(len(entries) - 1) + b"\x0B"
    for depth, f in enumerate(entries):
        params, results = SIGS[f.sig]
        for t in params:
            rc += {I32: b"\x20\x01", I64: b"\x20\x01\xAD", F32: b"\x20\x01\xB2", F64: b"\x20\x01\xB7"}[t]
        rc += b"\x10" + uleb(f.index)
        # fold results (in reverse) into acc
        for t in reversed(results):
            rc += {I32: b"\xAD", I64: b"", F32: b"\xBC\xAD", F64: b"\xBD"}[t]
            rc += b"\x20\x02" + i64c(31) + b"\x7E" + b"\x7C" + b"\x21\x02"
        if not results:
            rc += b"\x20\x02\x23\x00\xAD\x7C\x21\x02"  # acc += global 0
        rc += b"\x0C" + uleb(len(entries) - 1 - depth) + b"\x0B"
    rc += b"\x20\x01\x41\x01\x6A\x21\x01\x0C\x00"  # i += 1; br loop
    rc += b"\x0B\x0B"
    # acc ^ a hash of memory's first bytes, read through globals
    rc += b"\x20\x02\x23\x02\x85" + i32c(256) + b"\x29\x03\x00\x85\x0B"
    run_body = vec([uleb(1) + bytes([I32]), uleb(1) + bytes([I64])]) + bytes(rc)
    bodies.append(run_body)

    # ---- sections ----
    out = bytearray(b"\x00asm\x01\x00\x00\x00")
    out += section(1, vec([b"\x60" + vec([bytes([t]) for t in p]) + vec([bytes([t]) for t in res]) for p, res in SIGS]))
    out += section(3, vec([uleb(f.sig) for f in funcs] + [uleb(RUN_SIG)]))
    out += section(4, vec([bytes([FUNCREF, 0x01]) + uleb(TABLE_SIZE) + uleb(TABLE_SIZE)]))
    out += section(5, vec([b"\x00" + uleb(MEM_PAGES)]))
    out += section(6, vec(gdefs))
    exports = [name("memory") + b"\x02\x00", name("run") + b"\x00" + uleb(run_index)]
    exports += [name(f"f{f.index}") + b"\x00" + uleb(f.index) for f in funcs if f.index % 64 == 0]
    out += section(7, vec(exports))
    elems = [uleb(table_funcs[i % len(table_funcs)].index) for i in range(TABLE_SIZE)]
    out += section(9, vec([b"\x00" + i32c(0) + b"\x0B" + vec(elems)]))
    out += section(12, uleb(64))
    out += section(10, vec([uleb(len(b)) + b for b in bodies]))
    data = []
    for i in range(64):
        length = 16 + r.below(1000)
        payload = bytes(r.below(256) for _ in range(length))
        data.append(b"\x00" + i32c(i * 2048) + b"\x0B" + vec([bytes([x]) for x in payload]))
    out += section(11, vec(data))
    # name section: module name and function names
    names = [uleb(i) + name(f"large::m{i // 97}::f{i}_l{funcs[i].level}") for i in range(nfuncs)]
    names.append(uleb(run_index) + name("run"))
    sub_module = b"\x00" + uleb(len(name("large"))) + name("large")
    sub_funcs = b"\x01" + uleb(len(vec(names))) + vec(names)
    out += section(0, name("name") + sub_module + sub_funcs)
    return bytes(out), len(entries)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--functions", type=int, default=4800)
    ap.add_argument("--seed", type=int, default=0x1A26E)
    a = ap.parse_args()
    wasm, entries = build(a.functions, a.seed)
    if entries < ENTRIES:
        sys.exit(f"gen_large.py: only {entries} entry functions; use more --functions")
    with open(a.out, "wb") as f:
        f.write(wasm)
    print(f"gen_large.py: {a.out}: {len(wasm)} bytes, {a.functions + 1} functions")


if __name__ == "__main__":
    main()
