// The WebAssembly SIMD row kernels of the mask generator: they assemble and run here, and give
// bit-identical results to their plain-JS fallbacks and to direct loops, for any offsets, strides
// and row lengths (odd ones exercise the scalar tail); a grown memory keeps earlier views valid.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { ensureValues, expRange, kernelMemory, rowKernels } from '../../../../src/probes/attribution/extremal/simd-rows.ts';
import { FC_SEED } from '../../../seed.ts';

test('the SIMD module assembles and is used', () => {
  assert.ok(rowKernels(kernelMemory(16)).simd);
});

const SIZE = 4096;

/** Row geometry and non-overlapping regions for `dsts` destination-strided and `srcs` source-strided pointers. */
const layoutArb = fc.record({
  rows: fc.integer({ min: 0, max: 6 }),
  n: fc.integer({ min: 0, max: 9 }),
  gap: fc.integer({ min: 0, max: 12 }),
  srcGap: fc.integer({ min: 0, max: 12 }),
  pad: fc.integer({ min: 0, max: 41 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

function regions(l: { rows: number; n: number; gap: number; srcGap: number; pad: number }, dsts: number, srcs: number) {
  const ds = l.n + l.gap;
  const ss = l.n + l.srcGap;
  const span = (s: number) => l.rows * Math.max(s, 1) + l.n + 1;
  const at: number[] = [];
  let next = l.pad;
  for (let i = 0; i < dsts; i++, next += span(ds)) at.push(next);
  for (let i = 0; i < srcs; i++, next += span(ss) + 1) at.push(next);
  return { ds, ss, at, fits: next <= SIZE };
}

function filled(seed: number): Float64Array {
  let x = seed;
  return Float64Array.from({ length: SIZE }, () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5) * 1e3);
}

test('addRows: SIMD, plain-JS fallback and a direct loop agree bit for bit', () => {
  fc.assert(fc.property(layoutArb, (l) => {
    const { ds, ss, at, fits } = regions(l, 2, 2);
    if (!fits) return;
    const [dA, dB, sA, sB] = at;
    const init = filled(l.seed);
    const results = [false, true].map((forceJs) => {
      const k = rowKernels(kernelMemory(SIZE), forceJs);
      const f = new Float64Array(k.memory.buffer, 0, SIZE);
      f.set(init);
      k.addRows(dA, sA, dB, sB, l.rows, l.n, ds, ss);
      return Array.from(f);
    });
    const d = Array.from(init);
    for (let r = 0; r < l.rows; r++) {
      for (let i = 0; i < l.n; i++) {
        d[dA + r * ds + i] += d[sA + r * ss + i];
        d[dB + r * ds + i] += d[sB + r * ss + i];
      }
    }
    assert.equal(results[0], d);
    assert.equal(results[1], d);
  }), { seed: FC_SEED, numRuns: 200 });
});

test('macRows: SIMD, plain-JS fallback and a direct loop agree bit for bit', () => {
  fc.assert(fc.property(layoutArb, (l) => {
    const { ds, ss, at, fits } = regions(l, 3, 2);
    if (!fits) return;
    const [d0, t1, t2, sA, sB] = at;
    const init = filled(l.seed);
    const results = [false, true].map((forceJs) => {
      const k = rowKernels(kernelMemory(SIZE), forceJs);
      const f = new Float64Array(k.memory.buffer, 0, SIZE);
      f.set(init);
      k.macRows(d0, t1, t2, sA, sB, l.rows, l.n, ds, ss);
      return Array.from(f);
    });
    const d = Array.from(init);
    for (let r = 0; r < l.rows; r++) {
      for (let i = 0; i < l.n; i++) d[d0 + r * ds + i] += d[sA + r * ss + i] * d[t1 + r * ds + i] + d[sB + r * ss + i] * d[t2 + r * ds + i];
    }
    assert.equal(results[0], d);
    assert.equal(results[1], d);
  }), { seed: FC_SEED, numRuns: 200 });
});

test('expRange: relative error below 2e-14 against Math.exp over |x| < 700, exact at 0', () => {
  assert.is(expRange(0), 1);
  fc.assert(fc.property(fc.double({ min: -700, max: 700, noNaN: true }), (x) => {
    const e = Math.exp(x);
    assert.ok(Math.abs(expRange(x) - e) <= 2e-14 * e, `x ${x}: ${expRange(x)} vs ${e}`);
  }), { seed: FC_SEED, numRuns: 2000 });
});

test('planes and keep: SIMD, plain-JS fallback and direct formulas agree bit for bit', () => {
  fc.assert(fc.property(
    fc.array(fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 0, maxLength: 23 }),
    fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.5, max: 40, noNaN: true }), fc.integer({ min: 0, max: 5 }),
    (ps, w, c, off) => {
      const n = ps.length;
      const [p, a, b, t1, t2] = [off, off + 30, off + 60, off + 90, off + 120];
      const results = [false, true].map((forceJs) => {
        const k = rowKernels(kernelMemory(256), forceJs);
        const f = new Float64Array(k.memory.buffer, 0, 256);
        f.set(ps, p);
        k.planes(p, a, b, n, w, c);
        k.keep(p, a, t1, t2, n, w, c);
        return Array.from(f);
      });
      assert.equal(results[0], results[1]);
      const f = results[0];
      for (let i = 0; i < n; i++) {
        const v = ps[i] * w;
        const e = expRange(v * c);
        assert.is(f[a + i], e - 1);
        assert.is(f[b + i], e * v);
        assert.is(f[t1 + i], w * e);
        assert.is(f[t2 + i], c * w * v * e);
      }
    }), { seed: FC_SEED, numRuns: 300 });
});

test('a grown memory keeps earlier views valid and the kernels reach the new part', () => {
  for (const forceJs of [false, true]) {
    const memory = kernelMemory(8192, 65536);
    const k = rowKernels(memory, forceJs);
    const early = new Float64Array(memory.buffer, 0, 8);
    early.fill(2);
    ensureValues(memory, 40000);
    const late = new Float64Array(memory.buffer);
    assert.ok(late.length >= 40000);
    late.fill(1, 30000, 30008);
    k.addRows(30000, 0, 30004, 4, 1, 4, 0, 0);
    assert.equal(Array.from(late.subarray(30000, 30008)), [3, 3, 3, 3, 3, 3, 3, 3]);
    assert.equal(Array.from(early), [2, 2, 2, 2, 2, 2, 2, 2]);
  }
});

test.run();
