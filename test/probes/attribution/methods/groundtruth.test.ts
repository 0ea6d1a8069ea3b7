// Methods against models whose correct attribution is known in closed form: linear (gradient = w,
// IG = (x − x′) ⊙ w), additive (occlusion exact, IG completeness within the quadrature bound),
// bias-free ReLU networks (Euler's identity), a model ignoring inputs (dummy), and model sums
// (linearity). Models are generated per fast-check case.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { linearModel, additiveModel, biasFreeReluNet, ignoringModel, weightedSum } from '../groundtruth.ts';
import { gradientMethod } from '../../../../src/probes/attribution/methods/gradient.ts';
import { gradientXInput } from '../../../../src/probes/attribution/methods/gradient-x-input.ts';
import { integratedGradients, gaussLegendre, type IgRule } from '../../../../src/probes/attribution/methods/integrated-gradients.ts';
import { occlusion } from '../../../../src/probes/attribution/methods/occlusion.ts';
import { smoothGrad } from '../../../../src/probes/attribution/methods/smoothgrad.ts';
import type { Attribution, Subject } from '../../../../src/probes/attribution/types.ts';
import { makeRng, normal } from '../../../../src/util/rng.ts';
import type { Tensor } from '../../../../src/engine/tensor.ts';
import { FC_SEED } from '../../../seed.ts';

const DIMS: [number, number, number] = [2, 5, 6];
const D = 60;
const floats = (n: number, lim = 2) => fc.array(fc.float({ min: -lim, max: lim, noNaN: true }), { minLength: n, maxLength: n }).map((a) => Float32Array.from(a));
const input = (data: Float32Array): Tensor => ({ dims: [1, ...DIMS], data });
const cls = (index: number) => ({ kind: 'class' as const, index });
const opts = { seed: FC_SEED, numRuns: 8 };
const maxErr = (a: ArrayLike<number>, b: (i: number) => number) => {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b(i)));
  return e;
};

test('Gauss–Legendre nodes integrate polynomials of degree 2n−1 exactly on [0, 1]', () => {
  for (const n of [1, 2, 5, 17, 50]) {
    const { nodes, weights } = gaussLegendre(n);
    for (let d = 0; d <= 2 * n - 1; d += Math.max(1, Math.floor(n / 3))) {
      let s = 0;
      for (let i = 0; i < n; i++) s += weights[i] * nodes[i] ** d;
      assert.ok(Math.abs(s - 1 / (d + 1)) < 1e-12, `n ${n} degree ${d}: ${s}`);
    }
  }
});

test('linear model: gradient = w and IG = (x − x′) ⊙ w for every rule and baseline', async () => {
  await fc.assert(fc.asyncProperty(floats(3 * D), floats(3), floats(D), fc.integer({ min: 0, max: 2 }),
    fc.constantFrom<IgRule>('gausslegendre', 'riemann_left', 'riemann_right', 'riemann_middle', 'riemann_trapezoid'), fc.float({ min: -1, max: 1, noNaN: true }),
    async (w, b, x, k, rule, base) => {
      const m = linearModel(DIMS, w, b);
      const g = await gradientMethod(m.subject, input(x), cls(k));
      assert.ok(maxErr(g.map.data, (i) => w[k * D + i]) < 1e-6, 'gradient ≠ w');
      const ig = await integratedGradients(m.subject, input(x), cls(k), { steps: 5, rule, baseline: base });
      const scale = 1 + Math.max(...Array.from(x, Math.abs)) * Math.max(...Array.from(w, Math.abs));
      assert.ok(maxErr(ig.map.data, (i) => (x[i] - Math.fround(base)) * w[k * D + i]) < 2e-6 * scale, 'IG ≠ (x − x′) ⊙ w');
      assert.ok(Math.abs(ig.completeness!.gap) < 1e-4 * scale * D, `completeness gap ${ig.completeness!.gap}`);
    }), opts);
});

test('IG completeness gap → 0: within the midpoint bound Σ|a_i (x_i − x′_i)|/(2n) on additive models, as n grows', async () => {
  await fc.assert(fc.asyncProperty(floats(D), floats(D, 1), floats(D), floats(D), async (a, t, q, x) => {
    const m = additiveModel(DIMS, a, t, q);
    let bound0 = 0;
    for (let i = 0; i < D; i++) bound0 += Math.abs(a[i] * x[i]) / 2;
    let previousBound = Infinity;
    for (const steps of [4, 32, 256]) {
      const r = await integratedGradients(m.subject, input(x), cls(0), { steps, rule: 'riemann_middle', baseline: 0 });
      const bound = bound0 / steps + 1e-4;
      assert.ok(Math.abs(r.completeness!.gap) <= bound, `steps ${steps}: gap ${r.completeness!.gap} > bound ${bound}`);
      assert.ok(bound < previousBound);
      previousBound = bound;
    }
  }), { ...opts, numRuns: 5 });
});

test('Euler identity on bias-free ReLU networks: Σ x ⊙ ∇F(x) = F(x) and F(0) = 0', async () => {
  await fc.assert(fc.asyncProperty(fc.integer(), floats(D, 3), fc.integer({ min: 0, max: 2 }), async (seed, x, k) => {
    const net = biasFreeReluNet(DIMS, 3, makeRng(seed));
    const r = await gradientXInput(net.subject, input(x), cls(k));
    const c = r.completeness!;
    assert.ok(Math.abs(c.sum - r.score) <= 1e-5 * (1 + Math.abs(r.score)), `Σ x∇F = ${c.sum}, F = ${r.score}`);
    assert.ok(Math.abs(c.gap) <= 1e-5 * (1 + Math.abs(r.score)));
  }), opts);
});

test('dummy inputs get zero from gradient, gradient × input, IG, SmoothGrad and occlusion', async () => {
  await fc.assert(fc.asyncProperty(fc.integer(), floats(D), fc.integer({ min: 1, max: 5 }), async (seed, x, from) => {
    const m = ignoringModel(DIMS, from, makeRng(seed));
    const [C, H, W] = DIMS;
    const results: Attribution[] = [
      await gradientMethod(m.subject, input(x), cls(1)),
      await gradientXInput(m.subject, input(x), cls(1)),
      await integratedGradients(m.subject, input(x), cls(1), { steps: 8 }),
      await smoothGrad(m.subject, input(x), cls(1), { samples: 4, seed }),
      await occlusion(m.subject, input(x), cls(1), { window: [1, 1], stride: [1, 1], perChannel: true, baseline: 0.5 }),
    ];
    for (const r of results) {
      for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let xx = from; xx < W; xx++) {
        assert.is(r.map.data[(c * H + y) * W + xx], 0, `${r.method} gives ${r.map.data[(c * H + y) * W + xx]} to ignored input (${c},${y},${xx})`);
      }
    }
  }), { ...opts, numRuns: 5 });
});

test('sensitivity: changing one used input changes the output and gets non-zero IG', async () => {
  const m = ignoringModel(DIMS, 3, makeRng(11));
  const x = new Float32Array(D);
  const x2 = Float32Array.from(x);
  x2[0] = 1.5;
  const r = await integratedGradients(m.subject, input(x2), cls(0), { steps: 32, baseline: { dims: [1, ...DIMS], data: x } });
  const delta = r.completeness!.delta;
  assert.ok(Math.abs(delta) > 1e-4, 'the chosen change must move the output');
  assert.ok(Math.abs(r.map.data[0]) > 0);
  for (let i = 1; i < D; i++) assert.is(r.map.data[i], 0);
});

test('linearity in the model: a(αF + βG) = α·a(F) + β·a(G) for gradient, IG and occlusion', async () => {
  await fc.assert(fc.asyncProperty(fc.integer(), floats(3 * D), floats(3), floats(D), fc.float({ min: -2, max: 2, noNaN: true }), fc.float({ min: -2, max: 2, noNaN: true }),
    async (seed, w, b, x, alpha, beta) => {
      const f = linearModel(DIMS, w, b).subject;
      const g = biasFreeReluNet(DIMS, 3, makeRng(seed)).subject;
      const h = weightedSum(f, g, alpha, beta, 3);
      const methods: ((s: Subject) => Promise<Attribution>)[] = [
        (s) => gradientMethod(s, input(x), cls(2)),
        (s) => integratedGradients(s, input(x), cls(2), { steps: 6 }),
        (s) => occlusion(s, input(x), cls(2), { window: [2, 3], stride: [1, 2], baseline: 0 }),
      ];
      for (const run of methods) {
        const [af, ag, ah] = [await run(f), await run(g), await run(h)];
        const scale = 1 + Math.max(...Array.from(af.map.data, Math.abs), ...Array.from(ag.map.data, Math.abs));
        const err = maxErr(ah.map.data, (i) => Math.fround(alpha) * af.map.data[i] + Math.fround(beta) * ag.map.data[i]);
        assert.ok(err < 2e-5 * scale * (1 + Math.abs(alpha) + Math.abs(beta)), `${ah.method}: error ${err}`);
      }
    }), { ...opts, numRuns: 5 });
});

test('occlusion is exact on additive models: a_i = f_i(x_i) − f_i(baseline) (1×1 window per channel)', async () => {
  await fc.assert(fc.asyncProperty(floats(D), floats(D, 1), floats(D), floats(D), fc.float({ min: -1, max: 1, noNaN: true }), async (a, t, q, x, base) => {
    const m = additiveModel(DIMS, a, t, q);
    const r = await occlusion(m.subject, input(x), cls(0), { window: [1, 1], stride: [1, 1], perChannel: true, baseline: base });
    const b = Math.fround(base);
    const err = maxErr(r.map.data, (i) => m.term(i, x[i]) - m.term(i, b));
    assert.ok(err < 2e-5 * (1 + Math.abs(r.score)), `max error ${err}`);
    // All channels at once: the map is the sum of the per-channel terms.
    const all = await occlusion(m.subject, input(x), cls(0), { window: [1, 1], stride: [1, 1], baseline: base });
    const HW = DIMS[1] * DIMS[2];
    const errAll = maxErr(all.map.data, (p) => m.term(p, x[p]) - m.term(p, b) + m.term(HW + p, x[HW + p]) - m.term(HW + p, b));
    assert.ok(errAll < 2e-5 * (1 + Math.abs(all.score)), `all channels: max error ${errAll}`);
  }), opts);
});

test('SmoothGrad with zero noise is the gradient; draws are seeded (same seed, same map)', async () => {
  const net = biasFreeReluNet(DIMS, 3, makeRng(3));
  const rng = makeRng(4);
  const x = input(Float32Array.from({ length: D }, () => normal(rng)));
  const g = await gradientMethod(net.subject, x, cls(0));
  const s0 = await smoothGrad(net.subject, x, cls(0), { noise: 0, samples: 3 });
  assert.ok(maxErr(s0.map.data, (i) => g.map.data[i]) < 1e-6);
  const a = await smoothGrad(net.subject, x, cls(0), { samples: 5, seed: 9 });
  const b = await smoothGrad(net.subject, x, cls(0), { samples: 5, seed: 9 });
  const c = await smoothGrad(net.subject, x, cls(0), { samples: 5, seed: 10 });
  assert.equal(Array.from(a.map.data), Array.from(b.map.data));
  assert.not.equal(Array.from(a.map.data), Array.from(c.map.data));
});

test.run();
