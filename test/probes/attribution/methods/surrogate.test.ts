// KernelSHAP and LIME on closed forms: a model additive over grid segments (f = b + Σ w_s · presence_s,
// with dyadic weights so float32 scores are exact) is recovered to float64 round-off by both; on a
// ReLU network KernelSHAP's exact mode equals the Shapley values by their definition, its sampled
// mode keeps efficiency (Σφ = f(x) − f(baseline)) exactly, and the seed fixes the map.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { biasFreeReluNet, linearModel } from '../groundtruth.ts';
import { kernelShap, kernelShapCoalitions, shapleyKernel } from '../../../../src/probes/attribution/methods/kernel-shap.ts';
import { lime } from '../../../../src/probes/attribution/methods/lime.ts';
import { gridSegments } from '../../../../src/probes/attribution/surrogate/segments.ts';
import { scoreCoalitions } from '../../../../src/probes/attribution/surrogate/coalitions.ts';
import { makeRng, normal } from '../../../../src/util/rng.ts';
import type { Tensor } from '../../../../src/engine/tensor.ts';
import { FC_SEED } from '../../../seed.ts';

const cls0 = { kind: 'class' as const, index: 0 };

/** [1, 16, 16] ones read by weights w_s / 16 on the 16 pixels of 4×4 segment s: f(z) = b + Σ w_s z_s exactly in float32. */
function segmentAdditive(ws: number[], b: number) {
  const seg = gridSegments(16, 16, 4, 4);
  const w = Float32Array.from(seg.labels, (s) => ws[s] / 16);
  const { subject } = linearModel([1, 16, 16], w, new Float32Array([b]));
  return { subject, input: { dims: [1, 1, 16, 16], data: new Float32Array(256).fill(1) } as Tensor, seg };
}

const segmentWeights = fc.array(fc.integer({ min: -8, max: 8 }), { minLength: 16, maxLength: 16 });

test('property: on a model additive over segments, KernelSHAP (sampled) and LIME (no ridge) recover every weight to round-off', async () => {
  await fc.assert(fc.asyncProperty(segmentWeights, fc.integer({ min: -4, max: 4 }), fc.integer({ min: 0, max: 2 ** 31 }), async (ws, b2, seed) => {
    const { subject, input, seg } = segmentAdditive(ws, b2 / 2);
    const k = await kernelShap(subject, input, cls0, { grid: [4, 4], samples: 120, seed });
    assert.match(String(k.params.sampling), /^coalition size/);
    const l = await lime(subject, input, cls0, { grid: [4, 4], samples: 120, seed, ridge: 0, baseline: 0 });
    for (let p = 0; p < 256; p++) {
      assert.ok(Math.abs(k.map.data[p] - ws[seg.labels[p]]) < 1e-9, `kernel_shap pixel ${p}: ${k.map.data[p]} vs ${ws[seg.labels[p]]}`);
      assert.ok(Math.abs(l.map.data[p] - ws[seg.labels[p]]) < 1e-9, `lime pixel ${p}: ${l.map.data[p]} vs ${ws[seg.labels[p]]}`);
    }
    assert.ok(Math.abs((l.params.intercept as number) - b2 / 2) < 1e-9);
    assert.ok(Math.abs((l.params.fitR2 as number) - 1) < 1e-9 || ws.every((w) => w === 0));
    assert.ok(Math.abs(k.completeness!.delta - ws.reduce((s, w) => s + w, 0)) < 1e-9);
  }), { seed: FC_SEED, numRuns: 8 });
});

test('LIME’s ridge shrinks: with λ > 0 the coefficients of the additive model are smaller in norm than the weights', async () => {
  const ws = Array.from({ length: 16 }, (_, i) => (i % 5) - 2);
  const { subject, input, seg } = segmentAdditive(ws, 0);
  const l = await lime(subject, input, cls0, { grid: [4, 4], samples: 200, seed: 3, ridge: 10, baseline: 0 });
  let a = 0;
  let b = 0;
  for (let s = 0; s < 16; s++) {
    const p = seg.labels.indexOf(s);
    a += l.map.data[p] ** 2;
    b += ws[s] ** 2;
  }
  assert.ok(a < b && a > 0, `${a} vs ${b}`);
});

/** Shapley values by their definition: φ_i = Σ_{S ∌ i} |S|!(M−|S|−1)!/M! · (v(S ∪ i) − v(S)), v from the model's scores. */
async function shapleyByDefinition(subject: Parameters<typeof kernelShap>[0], input: Tensor, M: number, rows: number, cols: number, baseline: number) {
  const [, H, W] = subject.inputDims;
  const seg = gridSegments(H, W, rows, cols);
  const n = 2 ** M;
  const z = new Uint8Array(n * M);
  for (let s = 0; s < n; s++) for (let j = 0; j < M; j++) z[s * M + j] = (s >> j) & 1;
  const v = await scoreCoalitions(subject, input, cls0, seg, baseline, z);
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Float64Array(M);
  for (let s = 0; s < n; s++) {
    let size = 0;
    for (let j = 0; j < M; j++) size += (s >> j) & 1;
    for (let i = 0; i < M; i++) {
      if ((s >> i) & 1) continue;
      phi[i] += (fact(size) * fact(M - size - 1) / fact(M)) * (v[s | (1 << i)] - v[s]);
    }
  }
  return { phi, seg, f0: v[0], f1: v[n - 1] };
}

test('property: with every coalition scored (2^M − 2 ≤ samples), KernelSHAP is the Shapley value by its definition', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 }), fc.constantFrom<[number, number]>([2, 3], [3, 2], [2, 4]), async (seed, [rows, cols]) => {
    const dims: [number, number, number] = [3, 12, 12];
    const { subject } = biasFreeReluNet(dims, 2, makeRng(seed));
    const rng = makeRng(seed + 1);
    const input = { dims: [1, ...dims], data: Float32Array.from({ length: 432 }, () => normal(rng)) };
    const M = rows * cols;
    const k = await kernelShap(subject, input, cls0, { grid: [rows, cols], samples: 2 ** M, baseline: 0.25 });
    assert.match(String(k.params.sampling), /^exact/);
    assert.is(k.evaluations.forward, 2 ** M);
    const want = await shapleyByDefinition(subject, input, M, rows, cols, 0.25);
    let scale = 1e-6;
    for (const p of want.phi) scale = Math.max(scale, Math.abs(p));
    for (let p = 0; p < 144; p++) assert.ok(Math.abs(k.map.data[p] - want.phi[want.seg.labels[p]]) < 1e-5 * scale, `pixel ${p}: ${k.map.data[p]} vs ${want.phi[want.seg.labels[p]]}`);
    assert.ok(Math.abs(k.completeness!.delta - (want.f1 - want.f0)) < 1e-12);
  }), { seed: FC_SEED, numRuns: 4 });
});

test('property: sampled KernelSHAP is efficient (Σφ = f(x) − f(baseline) to round-off) and its seed fixes the map', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 }), fc.constantFrom<number | 'mean'>(0, -0.5, 'mean'), async (seed, baseline) => {
    const dims: [number, number, number] = [3, 12, 12];
    const { subject } = biasFreeReluNet(dims, 2, makeRng(seed));
    const rng = makeRng(seed + 7);
    const input = { dims: [1, ...dims], data: Float32Array.from({ length: 432 }, () => normal(rng)) };
    const opts = { grid: [4, 4] as [number, number], samples: 60, baseline, seed };
    const a = await kernelShap(subject, input, cls0, opts);
    const b = await kernelShap(subject, input, cls0, opts);
    const c = await kernelShap(subject, input, cls0, { ...opts, seed: seed + 1 });
    assert.equal(a.map.data, b.map.data);
    assert.not.equal(a.map.data, c.map.data);
    const scale = Math.abs(a.completeness!.delta) + 1;
    assert.ok(Math.abs(a.completeness!.gap) < 1e-9 * scale, `gap ${a.completeness!.gap}`);
    // The painted map holds each φ once per pixel of its 3×3 segment.
    let s = 0;
    for (const v of a.map.data) s += v / 9;
    assert.ok(Math.abs(s - a.completeness!.delta) < 1e-4 * scale);
    const l1 = await lime(subject, input, cls0, { grid: [4, 4], samples: 60, baseline, seed });
    const l2 = await lime(subject, input, cls0, { grid: [4, 4], samples: 60, baseline, seed });
    assert.equal(l1.map.data, l2.map.data);
  }), { seed: FC_SEED, numRuns: 4 });
});

test('coalition sampling: sizes follow the Shapley kernel’s mass 1/(s(M−s)), every second row is the complement of the one before', () => {
  const M = 20; // 2^20 − 2 coalitions exceed the budget: sampled, not enumerated
  const n = 40_000;
  const { z, w, exact } = kernelShapCoalitions(M, n, makeRng(5));
  assert.is(exact, false);
  assert.ok(w.every((e) => e === 1));
  const counts = new Float64Array(M + 1);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < M; j++) s += z[i * M + j];
    counts[s]++;
    if (i % 2 === 1) for (let j = 0; j < M; j++) assert.is(z[i * M + j], 1 - z[(i - 1) * M + j]);
  }
  let total = 0;
  for (let s = 1; s < M; s++) total += 1 / (s * (M - s));
  assert.is(counts[0] + counts[M], 0);
  for (let s = 1; s < M; s++) {
    const want = n / (s * (M - s)) / total;
    assert.ok(Math.abs(counts[s] - want) < 5 * Math.sqrt(want), `size ${s}: ${counts[s]} vs ${want}`);
  }
  // The kernel summed over the C(M, s) coalitions of a size is (M − 1)/(s(M − s)).
  for (let s = 1; s < M; s++) {
    let c = 1;
    for (let i = 1; i <= s; i++) c = (c * (M - s + i)) / i;
    assert.ok(Math.abs(c * shapleyKernel(M, s) - (M - 1) / (s * (M - s))) < 1e-12);
  }
});

test('bad options are clear errors: too few samples, a grid finer than the input', async () => {
  const { subject, input } = segmentAdditive(Array(16).fill(1), 0);
  const message = async (f: () => Promise<unknown>) => {
    try {
      await f();
    } catch (e) {
      return String((e as Error).message);
    }
    return 'no error';
  };
  assert.match(await message(() => kernelShap(subject, input, cls0, { grid: [4, 4], samples: 8 })), /samples must be an integer ≥ the 16 segments/);
  assert.match(await message(() => lime(subject, input, cls0, { grid: [32, 4] })), /grid \[32, 4\] must be whole cells, at most \[16, 16\]/);
});

test.run();
