// The pieces under KernelSHAP and LIME: the QR least-squares solver against the normal equations
// (weights and ridge included, the intercept left free), its refusal of a rank-deficient design,
// and the grid's segments (every pixel in one, cells within a pixel of equal size).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { weightedLeastSquares } from '../../../../src/probes/attribution/surrogate/least-squares.ts';
import { gridSegments } from '../../../../src/probes/attribution/surrogate/segments.ts';
import { slicSegments } from '../../../../src/probes/attribution/surrogate/slic.ts';
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

/** Is every segment one 4-connected piece? */
function allConnected(labels: Int32Array, H: number, W: number, count: number): boolean {
  const seen = new Uint8Array(labels.length);
  let pieces = 0;
  for (let s = 0; s < labels.length; s++) {
    if (seen[s]) continue;
    pieces++;
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      const y = Math.floor(p / W);
      const x = p % W;
      for (const q of [x > 0 ? p - 1 : -1, x < W - 1 ? p + 1 : -1, y > 0 ? p - W : -1, y < H - 1 ? p + W : -1]) {
        if (q >= 0 && !seen[q] && labels[q] === labels[p]) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
  }
  return pieces === count;
}

test('SLIC on a planted image of four flat quadrants (plus noise): every superpixel is connected, lies within one quadrant, and the labels are 0 … count − 1', () => {
  const H = 48;
  const W = 64;
  const colours = [[0, 0, 0], [1, 0, 0], [0, 1, 1], [1, 1, 0]];
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 0.04;
  const data = new Float32Array(3 * H * W);
  const quadrant = (p: number) => (Math.floor(p / W) < H / 2 ? 0 : 2) + ((p % W) < W / 2 ? 0 : 1);
  for (let c = 0; c < 3; c++) for (let p = 0; p < H * W; p++) data[c * H * W + p] = colours[quadrant(p)][c] + noise();
  const s = slicSegments({ dims: [1, 3, H, W], data }, H, W, { n: 24 });
  assert.ok(s.count >= 12 && s.count <= 48, `count ${s.count}`);
  assert.equal([...new Set(s.labels)].sort((a, b) => a - b), [...Array(s.count).keys()]);
  assert.ok(allConnected(s.labels, H, W, s.count));
  const home = new Map<number, number>();
  for (let p = 0; p < H * W; p++) {
    const q = home.get(s.labels[p]);
    if (q === undefined) home.set(s.labels[p], quadrant(p));
    else assert.is(q, quadrant(p), `superpixel ${s.labels[p]} crosses a quadrant edge at pixel ${p}`);
  }
  // Deterministic: no draws.
  assert.equal(slicSegments({ dims: [1, 3, H, W], data }, H, W, { n: 24 }).labels, s.labels);
});

test.run();
