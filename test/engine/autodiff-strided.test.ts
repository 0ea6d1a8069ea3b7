// Property: the input gradient of a strided 2-D Conv (strides 2–3, asymmetric pads, dense or
// depthwise, odd and even sizes, kernels at least the stride) equals the transposed
// convolution of the upstream gradient computed directly in float64. The random-graph FD
// property draws strides up to 2 only.
// Replay a failure: FC_SEED=<seed> FC_PATH=<path> npm test -- autodiff-strided
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createModel, node, floatTensorProto } from '../../src/engine/graph.ts';
import { makeNet } from '../../src/engine/net.ts';
import { gradient, upstream } from '../../src/engine/autodiff/index.ts';
import { makeRng } from '../../src/util/rng.ts';
import { FC_SEED } from '../seed.ts';

const seed = FC_SEED;
const path = process.env.FC_PATH;
const numRuns = Number(process.env.FC_RUNS ?? 40);
console.log(`autodiff-strided: FC_SEED=${seed}${path ? ` FC_PATH=${path}` : ''} runs=${numRuns}`);

const caseArb = fc.record({
  n: fc.integer({ min: 1, max: 2 }),
  c: fc.integer({ min: 1, max: 4 }),
  m: fc.integer({ min: 1, max: 4 }),
  depthwise: fc.boolean(),
  s: fc.integer({ min: 2, max: 3 }),
  k: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
  h: fc.integer({ min: 4, max: 11 }),
  w: fc.integer({ min: 4, max: 11 }),
  pads: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.nat(3)),
  values: fc.nat(),
});

test('strided Conv input gradients equal the float64 transposed convolution', async () => {
  await fc.assert(fc.asyncProperty(caseArb, async (p) => {
    const C = p.c, M = p.depthwise ? p.c : p.m, group = p.depthwise ? C : 1, Cg = C / group;
    const K = p.k.map((d) => p.s + d); // kernel ≥ stride, as in the zoo models' strided convs
    const pads = p.pads.map((v, i) => v % K[i % 2]);
    const [H, W] = [p.h, p.w];
    const O = [H, W].map((x, i) => Math.floor((x + pads[i] + pads[i + 2] - K[i]) / p.s) + 1);
    if (O.some((o) => o < 1)) return;
    const rand = makeRng(p.values);
    const wData = Float32Array.from({ length: M * Cg * K[0] * K[1] }, () => rand() * 2 - 1);
    const model = createModel({
      inputs: [{ name: 'x', dims: [p.n, C, H, W] }],
      outputs: [{ name: 'y', dims: [p.n, M, ...O] }],
      nodes: [node('Conv', ['x', 'W'], ['y'], { strides: { ints: [p.s, p.s] }, pads: { ints: pads }, group: { i: group }, kernel_shape: { ints: K } })],
      initializers: [floatTensorProto('W', { dims: [M, Cg, ...K], data: wData })],
    });
    const net = makeNet(model, 'strided conv');
    const x = { dims: [p.n, C, H, W], data: Float32Array.from({ length: p.n * C * H * W }, () => rand()) };
    const g = { dims: [p.n, M, ...O], data: Float32Array.from({ length: p.n * M * O[0] * O[1] }, () => rand() * 2 - 1) };
    const r = await gradient(net, { input: { x }, objective: upstream('y', g), wrt: ['x'] });

    // gx[n, c, i, j] = Σ g[n, m, o, q]·W[m, c mod Cg, i + pad − o·s, j + pad − q·s] over the group's m.
    const ref = new Float64Array(p.n * C * H * W);
    const Mg = M / group;
    for (let n = 0; n < p.n; n++) for (let m = 0; m < M; m++) for (let o = 0; o < O[0]; o++) for (let q = 0; q < O[1]; q++) {
      const gv = g.data[((n * M + m) * O[0] + o) * O[1] + q];
      const gi = Math.floor(m / Mg);
      for (let cl = 0; cl < Cg; cl++) for (let a = 0; a < K[0]; a++) for (let b = 0; b < K[1]; b++) {
        const i = o * p.s + a - pads[0], j = q * p.s + b - pads[1];
        if (i < 0 || i >= H || j < 0 || j >= W) continue;
        ref[((n * C + gi * Cg + cl) * H + i) * W + j] += gv * wData[((m * Cg + cl) * K[0] + a) * K[1] + b];
      }
    }
    const got = r.grads.x.data;
    let err = 0, scale = 0;
    for (let i = 0; i < ref.length; i++) { err = Math.max(err, Math.abs(got[i] - ref[i])); scale = Math.max(scale, Math.abs(ref[i])); }
    assert.ok(err <= 1e-5 * scale + 1e-6, `max |Δ| ${err} at scale ${scale}`);

  }), { seed, path, numRuns, includeErrorInReport: true });
});

test.run();
