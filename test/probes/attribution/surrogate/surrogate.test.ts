// The pieces under KernelSHAP and LIME: the QR least-squares solver against the normal equations
// (weights and ridge included, the intercept left free), its refusal of a rank-deficient design,
// and the grid's segments (every pixel in one, cells within a pixel of equal size).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { weightedLeastSquares } from '../../../../src/probes/attribution/surrogate/least-squares.ts';
import { gridSegments } from '../../../../src/probes/attribution/surrogate/segments.ts';
import { FC_SEED } from '../../../seed.ts';

/** (XᵀWX + λD)β = XᵀWy by Gaussian elimination with partial pivoting (D: 1 on penalised columns). */
function normalEquations(x: Float64Array, y: Float64Array, w: Float64Array, p: number, ridge: number, free: number[]): Float64Array {
  const n = y.length;
  const a = Array.from({ length: p }, () => new Float64Array(p + 1));
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) {
    for (let k = 0; k < p; k++) a[j][k] += w[i] * x[i * p + j] * x[i * p + k];
    a[j][p] += w[i] * x[i * p + j] * y[i];
  }
  for (let j = 0; j < p; j++) if (!free.includes(j)) a[j][j] += ridge;
  for (let c = 0; c < p; c++) {
    let best = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(a[r][c]) > Math.abs(a[best][c])) best = r;
    [a[c], a[best]] = [a[best], a[c]];
    for (let r = c + 1; r < p; r++) {
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= p; k++) a[r][k] -= f * a[c][k];
    }
  }
  const b = new Float64Array(p);
  for (let j = p - 1; j >= 0; j--) {
    let s = a[j][p];
    for (let k = j + 1; k < p; k++) s -= a[j][k] * b[k];
    b[j] = s / a[j][j];
  }
  return b;
}

const vec = (n: number, lo: number, hi: number) => fc.array(fc.double({ min: lo, max: hi, noNaN: true }), { minLength: n, maxLength: n }).map((a) => Float64Array.from(a));

test('property: weighted ridge least squares by QR = the normal equations’ solution', () => {
  const n = 14;
  const p = 4;
  fc.assert(fc.property(vec(n * p, -2, 2), vec(n, -3, 3), vec(n, 0.05, 2), fc.constantFrom(0, 0.3, 5), (x, y, w, ridge) => {
    for (let i = 0; i < n; i++) x[i * p] = 1; // an intercept column, left unpenalised
    // Rows 1 … p − 1 are the intercept plus a unit vector: the design has full rank whatever else is drawn.
    for (let i = 1; i < p; i++) for (let j = 1; j < p; j++) x[i * p + j] = i === j ? 1 : 0;
    const got = weightedLeastSquares({ x, y, w, p, ridge, unpenalised: [0] });
    const want = normalEquations(x, y, w, p, ridge, [0]);
    for (let j = 0; j < p; j++) assert.ok(Math.abs(got[j] - want[j]) < 1e-8 * (1 + Math.abs(want[j])), `β${j}: ${got[j]} vs ${want[j]}`);
  }), { seed: FC_SEED, numRuns: 60 });
});

test('a design whose rows do not determine every coefficient is refused with a hint, not solved into noise', () => {
  // Column 2 = column 0 + column 1 on every row.
  const rows = [[1, 0], [0, 1], [1, 1], [2, 1]];
  const x = Float64Array.from(rows.flatMap(([a, b]) => [a, b, a + b]));
  let err: unknown;
  try {
    weightedLeastSquares({ x, y: new Float64Array([1, 2, 3, 4]), w: new Float64Array(4).fill(1), p: 3 });
  } catch (e) {
    err = e;
  }
  assert.match(String((err as Error)?.message), /do not determine feature 2 of 3/);
  assert.is((err as { code?: string }).code, 'E_ATTR_SAMPLES');
});

test('property: grid segments cover every pixel once, with cells within one row or column of equal', () => {
  fc.assert(fc.property(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 2, max: 60 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), (H, W, r, c) => {
    fc.pre(r <= H && c <= W && r * c >= 2);
    const s = gridSegments(H, W, r, c);
    assert.is(s.count, r * c);
    const size = new Array<number>(s.count).fill(0);
    for (const l of s.labels) size[l]++;
    assert.ok(size.every((v) => v > 0));
    const lo = Math.floor(H / r) * Math.floor(W / c);
    const hi = Math.ceil(H / r) * Math.ceil(W / c);
    assert.ok(size.every((v) => v >= lo && v <= hi), `${size}`);
  }), { seed: FC_SEED, numRuns: 100 });
});

test.run();
