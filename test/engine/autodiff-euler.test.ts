// Property: a bias-free network of Conv, Relu, MaxPool and Gemm is positively homogeneous of
// degree 1 (f(a·x) = a·f(x) for a > 0), so Euler's identity holds for every logit:
// Σ x ⊙ ∇f(x) = f(x). Checked within 1e-4 relative to Σ|x ⊙ ∇f| (the scale float32 rounding
// works at; |f| alone can be tiny after cancellation). Depthwise/grouped convs, strides,
// dilations and overlapping pooling windows are all generated.
// Replay a failure: FC_SEED=<seed> FC_PATH=<path> npm test -- autodiff-euler
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createModel, node, floatTensorProto } from '../../src/engine/graph.ts';
import type { NodeProto, TensorProto } from '../../src/engine/onnx.ts';
import { makeNet } from '../../src/engine/net.ts';
import { gradient, logit } from '../../src/engine/autodiff/index.ts';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20261126; // fixed so CI is deterministic
const path = process.env.FC_PATH;
const numRuns = Number(process.env.FC_RUNS ?? 30);
console.log(`autodiff-euler: FC_SEED=${seed}${path ? ` FC_PATH=${path}` : ''} runs=${numRuns}`);

const blockArb = fc.record({
  k: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 2 }),
  dilation: fc.integer({ min: 1, max: 2 }),
  pad: fc.integer({ min: 0, max: 2 }),
  groups: fc.constantFrom('one', 'depthwise', 'two'),
  out: fc.integer({ min: 1, max: 6 }),
  pool: fc.option(fc.record({ k: fc.integer({ min: 2, max: 3 }), stride: fc.integer({ min: 1, max: 2 }), pad: fc.integer({ min: 0, max: 1 }) }), { nil: undefined }),
});

const netArb = fc.record({
  seed: fc.nat(),
  n: fc.integer({ min: 1, max: 3 }),
  c: fc.integer({ min: 1, max: 3 }),
  size: fc.integer({ min: 6, max: 12 }),
  blocks: fc.array(blockArb, { minLength: 1, maxLength: 3 }),
  hidden: fc.option(fc.integer({ min: 2, max: 8 }), { nil: undefined }),
  classes: fc.integer({ min: 2, max: 5 }),
  target: fc.nat(),
});

function rng(s: number): () => number {
  let a = s >>> 0;
  return () => {
    a = (Math.imul(a ^ (a >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    a ^= a >>> 13;
    return (a >>> 0) / 4294967296;
  };
}

test('Σ x ⊙ ∇f(x) = f(x) for bias-free Conv/Relu/MaxPool/Gemm networks', async () => {
  let checked = 0;
  await fc.assert(fc.asyncProperty(netArb, async (spec) => {
    const rand = rng(spec.seed);
    const nodes: NodeProto[] = [];
    const inits: TensorProto[] = [];
    let k = 0;
    const weight = (dims: number[], fan: number) => {
      const name = `w${k++}`;
      const n = dims.reduce((a, b) => a * b, 1);
      inits.push(floatTensorProto(name, { dims, data: Float32Array.from({ length: n }, () => (rand() * 2 - 1) * 1.7 / Math.sqrt(fan)) }));
      return name;
    };
    let cur = 'x', C = spec.c, H = spec.size, W = spec.size;
    for (const b of spec.blocks) {
      const g = b.groups === 'depthwise' ? C : b.groups === 'two' && C % 2 === 0 ? 2 : 1;
      const M = g === C ? C * (1 + (b.out % 2)) : g * Math.max(1, Math.ceil(b.out / g));
      const ext = (b.k - 1) * b.dilation + 1;
      const oh = Math.floor((H + 2 * b.pad - ext) / b.stride) + 1, ow = Math.floor((W + 2 * b.pad - ext) / b.stride) + 1;
      if (oh < 1 || ow < 1) continue;
      const out = `c${k}`;
      nodes.push(node('Conv', [cur, weight([M, C / g, b.k, b.k], (C / g) * b.k * b.k)], [out], {
        kernel_shape: { ints: [b.k, b.k] }, strides: { ints: [b.stride, b.stride] }, dilations: { ints: [b.dilation, b.dilation] },
        pads: { ints: [b.pad, b.pad, b.pad, b.pad] }, group: { i: g },
      }));
      nodes.push(node('Relu', [out], [`r${k}`]));
      cur = `r${k}`; C = M; H = oh; W = ow;
      if (b.pool && H >= b.pool.k && W >= b.pool.k) {
        const p = Math.min(b.pool.pad, b.pool.k - 1);
        nodes.push(node('MaxPool', [cur], [`p${k}`], { kernel_shape: { ints: [b.pool.k, b.pool.k] }, strides: { ints: [b.pool.stride, b.pool.stride] }, pads: { ints: [p, p, p, p] } }));
        cur = `p${k}`;
        H = Math.floor((H + 2 * p - b.pool.k) / b.pool.stride) + 1;
        W = Math.floor((W + 2 * p - b.pool.k) / b.pool.stride) + 1;
      }
    }
    nodes.push(node('Flatten', [cur], ['flat'], { axis: { i: 1 } }));
    let F = C * H * W;
    cur = 'flat';
    if (spec.hidden) {
      nodes.push(node('Gemm', [cur, weight([F, spec.hidden], F)], ['h']), node('Relu', ['h'], ['hr']));
      cur = 'hr';
      F = spec.hidden;
    }
    nodes.push(node('Gemm', [cur, weight([spec.classes, F], F)], ['logits'], { transB: { i: 1 } }));
    const model = createModel({ inputs: [{ name: 'x', dims: ['N', spec.c, spec.size, spec.size] }], outputs: [{ name: 'logits' }], nodes, initializers: inits });
    const per = spec.c * spec.size * spec.size;
    const x = { dims: [spec.n, spec.c, spec.size, spec.size], data: Float32Array.from({ length: spec.n * per }, () => rand() * 2 - 1) };
    const target = Array.from({ length: spec.n }, (_, i) => (spec.target + i) % spec.classes);
    const r = await gradient(makeNet(model, 'euler net'), { input: { x }, objective: logit('logits', target), wrt: ['x'] });
    for (let i = 0; i < spec.n; i++) {
      let dot = 0, mag = 0;
      for (let j = i * per; j < (i + 1) * per; j++) {
        dot += x.data[j] * r.grads.x.data[j];
        mag += Math.abs(x.data[j] * r.grads.x.data[j]);
      }
      const f = r.objective[i];
      if (Math.abs(dot - f) > 1e-4 * Math.max(mag, Math.abs(f), 1e-12)) {
        assert.unreachable(`item ${i}: Σ x·∇f = ${dot} but f = ${f} (scale ${mag})`);
      }
      checked++;
    }
  }), { seed, path, numRuns, includeErrorInReport: true });
  console.log(`  ${checked} items checked`);
});

test.run();
