// The mask generator's hot loops as WebAssembly SIMD kernels, two float64 lanes at a time: planes
// (e^{c·w·p} for a row of parameters, by range reduction and a degree-11 polynomial), keep (the
// adjoint's planes from them), addRows (dstA += srcA, dstB += srcB over strided 2-D rows, the forward
// sums) and macRows (dst += srcA·t1 + srcB·t2, the adjoint).
//
// The module (under 1 KB) is assembled below from named opcodes, so it needs no toolchain and no
// file. Lane-wise f64 arithmetic rounds exactly like scalar arithmetic and no fused multiply-add is
// used, so the plain-JS fallback (where WebAssembly SIMD is missing) gives bit-identical results.
// Offsets and strides count float64 values inside the kernel's memory.

export interface RowKernels {
  /** The memory every offset refers to (shared, so worker threads can run kernels on it too). */
  memory: WebAssembly.Memory;
  /** Whether the SIMD module runs (false: the plain-JS loops). */
  simd: boolean;
  /** For each of `rows` rows: dstA[i] += srcA[i], dstB[i] += srcB[i] for i < n; rows advance by the strides. */
  addRows(dstA: number, srcA: number, dstB: number, srcB: number, rows: number, n: number, dstStride: number, srcStride: number): void;
  /** For each of `rows` rows: dst[i] += srcA[i]·t1[i] + srcB[i]·t2[i] for i < n; dst, t1, t2 advance by dstStride, srcA, srcB by srcStride. */
  macRows(dst: number, t1: number, t2: number, srcA: number, srcB: number, rows: number, n: number, dstStride: number, srcStride: number): void;
  /** For i < n, with v = w·p[i] and E = exp(c·v) (see expRange): a[i] = E − 1, b[i] = E·v. */
  planes(p: number, a: number, b: number, n: number, w: number, c: number): void;
  /** For i < n, from a plane a of `planes` (E = a[i] + 1, exactly) and v = w·p[i]: t1[i] = w·E, t2[i] = c·w·v·E. */
  keep(p: number, a: number, t1: number, t2: number, n: number, w: number, c: number): void;
}

/** ln 2 split so that k·LN2_HI is exact for |k| < 2²⁰, 1/ln 2, and the Taylor coefficients 1/n! of e^r. */
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const LOG2E = 1.4426950408889634;
const DEGREE = 11;
const TAYLOR = Array.from({ length: DEGREE + 1 }, (_, n) => {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return 1 / f;
});

/** The exponentials the kernels use, for |x| < 700: relative error below 1e-14 (|r| ≤ ln2/2, r¹²/12! < 7e-15). */
export function expRange(x: number): number {
  const y = x * LOG2E;
  let k = Math.round(y);
  if (k - y === 0.5 && k % 2 !== 0) k -= 1; // round half to even, like f64x2.nearest
  const r = x - k * LN2_HI - k * LN2_LO;
  let e = TAYLOR[DEGREE];
  for (let i = DEGREE - 1; i >= 0; i--) e = e * r + TAYLOR[i];
  return e * pow2(k);
}

const bits = new BigInt64Array(1);
const asFloat = new Float64Array(bits.buffer);
/** 2^k from its exponent bits, as the kernel builds it. */
function pow2(k: number): number {
  bits[0] = BigInt(k + 1023) << 52n;
  return asFloat[0];
}

/** Kernels working on `memory` (one module instance per thread; the memory may be shared). */
export function rowKernels(memory: WebAssembly.Memory, forceJs = false): RowKernels {
  const wasm = forceJs ? undefined : instantiate(memory);
  if (wasm) {
    const { addRows, macRows, planes, keep } = wasm;
    return {
      memory,
      simd: true,
      addRows: (dA, sA, dB, sB, rows, n, ds, ss) => addRows(dA * 8, sA * 8, dB * 8, sB * 8, rows, n, ds * 8, ss * 8),
      macRows: (d, t1, t2, sA, sB, rows, n, ds, ss) => macRows(d * 8, t1 * 8, t2 * 8, sA * 8, sB * 8, rows, n, ds * 8, ss * 8),
      planes: (p, a, b, n, w, c) => planes(p * 8, a * 8, b * 8, n, w, c),
      keep: (p, a, t1, t2, n, w, c) => keep(p * 8, a * 8, t1 * 8, t2 * 8, n, w, c),
    };
  }
  let f = new Float64Array(memory.buffer);
  // A grown shared memory keeps its old buffer valid but short: look again when an offset passes it.
  const reach = (end: number) => {
    if (end > f.length) f = new Float64Array(memory.buffer);
  };
  return {
    memory,
    simd: false,
    addRows(dA, sA, dB, sB, rows, n, ds, ss) {
      reach(Math.max(dA, dB) + rows * ds + n);
      reach(Math.max(sA, sB) + rows * ss + n);
      for (let r = 0; r < rows; r++, dA += ds, dB += ds, sA += ss, sB += ss) {
        for (let i = 0; i < n; i++) {
          f[dA + i] += f[sA + i];
          f[dB + i] += f[sB + i];
        }
      }
    },
    macRows(d, t1, t2, sA, sB, rows, n, ds, ss) {
      reach(Math.max(d, t1, t2) + rows * ds + n);
      reach(Math.max(sA, sB) + rows * ss + n);
      for (let r = 0; r < rows; r++, d += ds, t1 += ds, t2 += ds, sA += ss, sB += ss) {
        for (let i = 0; i < n; i++) f[d + i] += f[sA + i] * f[t1 + i] + f[sB + i] * f[t2 + i];
      }
    },
    planes(p, a, b, n, w, c) {
      reach(Math.max(p, a, b) + n);
      for (let i = 0; i < n; i++) {
        const v = f[p + i] * w;
        const e = expRange(v * c);
        f[a + i] = e - 1;
        f[b + i] = e * v;
      }
    },
    keep(p, a, t1, t2, n, w, c) {
      reach(Math.max(p, a, t1, t2) + n);
      for (let i = 0; i < n; i++) {
        const v = f[p + i] * w;
        const e = f[a + i] + 1;
        f[t1 + i] = w * e;
        f[t2 + i] = c * w * v * e;
      }
    },
  };
}

/**
 * A shared memory for `values` float64 values that can grow to `maxValues` (whole 64 KiB pages).
 * Growing keeps every earlier view valid (shared buffers are never detached).
 */
export function kernelMemory(values: number, maxValues = values): WebAssembly.Memory {
  const pages = (v: number) => Math.max(1, Math.ceil((v * 8) / 65536));
  return new WebAssembly.Memory({ initial: pages(values), maximum: Math.max(pages(values), pages(maxValues)), shared: true });
}

/** Grow `memory` so that it holds at least `values` float64 values. */
export function ensureValues(memory: WebAssembly.Memory, values: number): void {
  const need = Math.ceil((values * 8) / 65536) - memory.buffer.byteLength / 65536;
  if (need > 0) memory.grow(need);
}

interface Exports {
  addRows: (dA: number, sA: number, dB: number, sB: number, rows: number, n: number, ds: number, ss: number) => void;
  macRows: (d: number, t1: number, t2: number, sA: number, sB: number, rows: number, n: number, ds: number, ss: number) => void;
  planes: (p: number, a: number, b: number, n: number, w: number, c: number) => void;
  keep: (p: number, a: number, t1: number, t2: number, n: number, w: number, c: number) => void;
}

let compiled: WebAssembly.Module | null | undefined;

function instantiate(memory: WebAssembly.Memory): Exports | undefined {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(assemble());
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return undefined;
  const instance = new WebAssembly.Instance(compiled, { env: { memory } });
  return instance.exports as unknown as Exports;
}

// --- a minimal assembler: only what these two functions need -------------------------------------

const uleb = (v: number): number[] => {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
};
const sleb = (v: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s)];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const I32 = 0x7f;
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const i32 = (v: number) => [0x41, ...sleb(v)];
const ADD = [0x6a];
const SUB = [0x6b];
const AND = [0x71];
const SHL = [0x74];
const EQZ = [0x45];
const GE_U = [0x4f];
const block = (...body: number[][]) => [0x02, 0x40, ...body.flat(), 0x0b];
const loop = (...body: number[][]) => [0x03, 0x40, ...body.flat(), 0x0b];
const brIf = (depth: number) => [0x0d, ...uleb(depth)];
const br = (depth: number) => [0x0c, ...uleb(depth)];

const f64const = (v: number) => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)];
const I64_CONST = (v: number) => [0x42, ...sleb(v)];

/** One lane width: f64 (scalar) or f64x2 (SIMD) loads, stores, arithmetic, constants and 2^k. */
interface Lanes {
  load: number[]; store: number[]; add: number[]; sub: number[]; mul: number[]; nearest: number[];
  /** Push a constant, or an f64 local, in every lane. */
  constant(v: number): number[];
  broadcast(local: number): number[];
  /** Replace integral k (as f64) on the stack by 2^k, built from its exponent bits. */
  pow2: number[];
  /** Type of this width's temporaries. */
  temp: number;
}
const simd = (op: number) => [0xfd, ...uleb(op)];
const SCALAR: Lanes = {
  load: [0x2b, 3, 0], store: [0x39, 3, 0], add: [0xa0], sub: [0xa1], mul: [0xa2], nearest: [0x9e], // align 2³, offset 0
  constant: f64const,
  broadcast: (local) => get(local),
  // i64.trunc_f64_s, + 1023, << 52, f64.reinterpret_i64
  pow2: [0xb0, ...I64_CONST(1023), 0x7c, ...I64_CONST(52), 0x86, 0xbf],
  temp: 0x7c,
};
const PAIR: Lanes = {
  load: [...simd(0x00), 3, 0], store: [...simd(0x0b), 3, 0], add: simd(0xf0), sub: simd(0xf1), mul: simd(0xf2), nearest: simd(0x94),
  constant: (v) => [...f64const(v), ...simd(0x14)], // f64x2.splat
  broadcast: (local) => [...get(local), ...simd(0x14)],
  // i32x4.trunc_sat_f64x2_s_zero, i64x2.extend_low_i32x4_s, + splat 1023, << 52 (the v128 is then read as f64x2)
  pow2: [...simd(0xfc), ...simd(0xc7), ...I64_CONST(1023), ...simd(0x12), ...simd(0xce), ...i32(52), ...simd(0xcb)],
  temp: 0x7b,
};

/**
 * A function over `rows` rows of `n` values. `step(lanes, at)` emits the work on the values at byte
 * `at` (given as code pushing it) of every pointer; `pointers` lists the parameters that advance by
 * the destination stride and by the source stride after each row. Parameters: the pointers (byte
 * offsets), then rows, n, dstStride, srcStride (bytes); three locals follow.
 */
function rowsFunction(nPointers: number, dstPointers: number[], srcPointers: number[], step: (l: Lanes, at: number[]) => number[]): number[] {
  const [ROWS, N, DS, SS, I, BYTES, PAIRED] = [0, 1, 2, 3, 4, 5, 6].map((k) => nPointers + k);
  const body = [
    ...get(N), ...i32(3), ...SHL, ...set(BYTES),
    ...get(BYTES), ...i32(-16), ...AND, ...set(PAIRED),
    ...block(loop(
      get(ROWS), EQZ, brIf(1),
      i32(0), set(I),
      // two values per step while a full pair is left
      block(loop(
        get(I), get(PAIRED), GE_U, brIf(1),
        step(PAIR, get(I)),
        get(I), i32(16), ADD, set(I), br(0),
      )),
      // the odd last value
      block(get(PAIRED), get(BYTES), GE_U, brIf(0), step(SCALAR, get(PAIRED))),
      ...dstPointers.map((p) => [...get(p), ...get(DS), ...ADD, ...set(p)]),
      ...srcPointers.map((p) => [...get(p), ...get(SS), ...ADD, ...set(p)]),
      get(ROWS), i32(1), SUB, set(ROWS), br(0),
    )),
  ];
  return [...vec([[3, I32]]), ...body, 0x0b];
}

/**
 * A function over n values at byte offsets 0, 8, …: `step(lanes, at, tmp)` emits the work on the
 * value(s) at `at` (code pushing it); tmp(i) is the i-th temporary of the lane width. Parameters: the
 * pointers (byte offsets), n, then `floats` f64 parameters; locals: i, bytes, paired, then
 * TEMPS v128 and TEMPS f64 temporaries.
 */
const TEMPS = 4;
function lineFunction(nPointers: number, floats: number, step: (l: Lanes, at: number[], tmp: (i: number) => number) => number[]): number[] {
  const N = nPointers;
  const [I, BYTES, PAIRED] = [1, 2, 3].map((k) => nPointers + floats + k);
  const tmp = (l: Lanes) => (i: number) => PAIRED + 1 + (l === PAIR ? 0 : TEMPS) + i;
  const body = [
    ...get(N), ...i32(3), ...SHL, ...set(BYTES),
    ...get(BYTES), ...i32(-16), ...AND, ...set(PAIRED),
    ...i32(0), ...set(I),
    ...block(loop(
      get(I), get(PAIRED), GE_U, brIf(1),
      step(PAIR, get(I), tmp(PAIR)),
      get(I), i32(16), ADD, set(I), br(0),
    )),
    ...block(get(PAIRED), get(BYTES), GE_U, brIf(0), step(SCALAR, get(PAIRED), tmp(SCALAR))),
  ];
  return [...vec([[3, I32], [TEMPS, 0x7b], [TEMPS, 0x7c]]), ...body, 0x0b];
}

/** Code replacing x (in temporary X) by e^x on the stack: k = nearest(x·log₂e), r = x − k·ln 2, Taylor in r, times 2^k. */
function exp(l: Lanes, x: number, k: number, r: number): number[] {
  const horner: number[] = [...l.constant(TAYLOR[DEGREE])];
  for (let i = DEGREE - 1; i >= 0; i--) horner.push(...get(r), ...l.mul, ...l.constant(TAYLOR[i]), ...l.add);
  return [
    ...get(x), ...l.constant(LOG2E), ...l.mul, ...l.nearest, ...set(k),
    ...get(x), ...get(k), ...l.constant(LN2_HI), ...l.mul, ...l.sub, ...get(k), ...l.constant(LN2_LO), ...l.mul, ...l.sub, ...set(r),
    ...horner,
    ...get(k), ...l.pow2, ...l.mul,
  ];
}

/** Code pushing pointer p + at. */
const addr = (p: number, at: number[]) => [...get(p), ...at, ...ADD];
/** Code pushing the value at pointer p + at. */
const load = (l: Lanes, p: number, at: number[]) => [...addr(p, at), ...l.load];

function assemble(): Uint8Array<ArrayBuffer> {
  // addRows(dstA 0, srcA 1, dstB 2, srcB 3, …): dstA += srcA; dstB += srcB.
  const addRows = rowsFunction(4, [0, 2], [1, 3], (l, at) => [
    ...addr(0, at), ...load(l, 0, at), ...load(l, 1, at), ...l.add, ...l.store,
    ...addr(2, at), ...load(l, 2, at), ...load(l, 3, at), ...l.add, ...l.store,
  ]);
  // macRows(dst 0, t1 1, t2 2, srcA 3, srcB 4, …): dst += srcA·t1 + srcB·t2 (the sum of products first).
  const macRows = rowsFunction(5, [0, 1, 2], [3, 4], (l, at) => [
    ...addr(0, at), ...load(l, 0, at),
    ...load(l, 3, at), ...load(l, 1, at), ...l.mul,
    ...load(l, 4, at), ...load(l, 2, at), ...l.mul,
    ...l.add, ...l.add, ...l.store,
  ]);
  // planes(p 0, a 1, b 2, n 3, w 4, c 5): v = p·w, E = e^{v·c}; a = E − 1, b = E·v.
  const planes = lineFunction(3, 2, (l, at, t) => {
    const [V, X, K, R] = [t(0), t(1), t(2), t(3)];
    return [
      ...load(l, 0, at), ...l.broadcast(4), ...l.mul, ...set(V),
      ...get(V), ...l.broadcast(5), ...l.mul, ...set(X),
      ...exp(l, X, K, R), ...set(X), // X now holds E
      ...addr(1, at), ...get(X), ...l.constant(1), ...l.sub, ...l.store,
      ...addr(2, at), ...get(X), ...get(V), ...l.mul, ...l.store,
    ];
  });
  // keep(p 0, a 1, t1 2, t2 3, n 4, w 5, c 6): v = p·w, E = a + 1; t1 = w·E, t2 = c·w·v·E.
  const keep = lineFunction(4, 2, (l, at, t) => {
    const [V, E] = [t(0), t(1)];
    return [
      ...load(l, 0, at), ...l.broadcast(5), ...l.mul, ...set(V),
      ...load(l, 1, at), ...l.constant(1), ...l.add, ...set(E),
      ...addr(2, at), ...l.broadcast(5), ...get(E), ...l.mul, ...l.store,
      ...addr(3, at), ...l.broadcast(6), ...l.broadcast(5), ...l.mul, ...get(V), ...l.mul, ...get(E), ...l.mul, ...l.store,
    ];
  });
  const F64 = 0x7c;
  const type = (i32s: number, f64s = 0) => [0x60, ...vec([...new Array(i32s).fill([I32]), ...new Array(f64s).fill([F64])]), 0]; // → ()
  const fns = [['addRows', addRows], ['macRows', macRows], ['planes', planes], ['keep', keep]] as const;
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
    ...section(1, vec([type(8), type(9), type(4, 2), type(5, 2)])),
    // import env.memory: shared, at least 1 page, at most 65536 (any shared memory satisfies it)
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(1), ...uleb(65536)]])),
    ...section(3, vec(fns.map((_, i) => [i]))), // function i has type i
    ...section(7, vec(fns.map(([n], i) => [...name(n), 0x00, i]))),
    ...section(10, vec(fns.map(([, code]) => [...uleb(code.length), ...code]))),
  ]);
}
