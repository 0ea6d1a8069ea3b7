// Model mutants on the PyTorch-exported shapes CNN: equivalent mutants keep the logits (within
// float rounding) for any permutation, harmful ones move them, every mutant is seeded and
// deterministic, and the weight arithmetic (pruning, int8 rounding) holds for any tensor.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import path from 'node:path';
import { FC_SEED } from '../seed.ts';
import { loadModel } from '../../src/models/load.ts';
import { run } from '../../src/engine/session.ts';
import { readWeight } from '../../src/engine/graph.ts';
import { cloneModel } from '../../src/engine/onnx.ts';
import { readImage, toModelInput } from '../../src/stimuli/image.ts';
import type { ImportedModel } from '../../src/models/types.ts';
import { mutantsFor, OPERATORS, selectMutants, type MutantContext } from '../../src/audit/mutants/index.ts';
import { permutableChains, permuteChain } from '../../src/audit/mutants/permute-channels.ts';
import { derived } from '../../src/audit/mutants/model.ts';
import { pruneMagnitude } from '../../src/audit/mutants/prune.ts';
import { fakeQuantize } from '../../src/audit/mutants/quantize.ts';

const fixtures = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn');
const images = ['shape_0_disk.png', 'shape_1_square.png', 'shape_3_triangle.png'].map((f) => readImage(path.join(fixtures, f)));
const torchscript = await loadModel(path.join(fixtures, 'shapes_cnn.onnx'));
const dynamo = await loadModel(path.join(fixtures, 'shapes_cnn_dynamo.onnx'));

/** Logits of the three scenes, one row each (the mutant's own preprocessing and thread count apply). */
async function logits(m: ImportedModel): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const img of images) out.push((await run(m.net, { [m.input.name]: toModelInput(img, m.preprocess) }, ['logits'])).logits.data);
  return out;
}

function maxDiff(a: Float32Array[], b: Float32Array[]): number {
  let d = 0;
  a.forEach((row, i) => row.forEach((v, j) => (d = Math.max(d, Math.abs(v - b[i][j])))));
  return d;
}

const CONV_UNIT = { entry: 'c3-unit', layer: '/c3/Conv_output_0', tensor: '/c3/Conv_output_0', units: [3, 17] };
const LOGIT = { entry: 'disk-logit', layer: 'logits', tensor: 'logits', units: [0] };
/** A unit made by a depthwise Conv (groups = channels), which circuit edits refuse: the mutants handle it themselves. */
const DEPTHWISE = { entry: 'dw-unit', layer: '/b1/Relu_output_0', tensor: '/b1/Relu_output_0', units: [0] };
const ctx: MutantContext = { seed: 7, targets: [CONV_UNIT, LOGIT, DEPTHWISE], protectedTensors: new Set(['logits']), batch: 16 };
const original = await logits(torchscript);

test('every operator is documented and every mutant id is unique and says what it does', () => {
  const all = mutantsFor(ctx);
  assert.is(new Set(all.map((m) => m.id)).size, all.length);
  for (const op of OPERATORS) assert.ok(op.doc.length > 40, op.name);
  for (const m of all) assert.ok(m.description.length > 10, m.id);
  assert.ok(all.some((m) => m.kind === 'equivalent') && all.some((m) => m.kind === 'harmful'));
  // Targeted operators make one mutant per target.
  assert.equal(all.filter((m) => m.operator === 'ablate').map((m) => m.id), ['ablate@c3-unit', 'ablate@disk-logit', 'ablate@dw-unit']);
});

test('permuting a Conv\'s channels with the next layer\'s inputs keeps the logits, for any permutation (both exports)', async () => {
  for (const model of [torchscript, dynamo]) {
    const chains = permutableChains(model.net.model);
    assert.ok(chains.length >= 1, `${model.net.where}: a permutable chain`);
    const base = model === torchscript ? original : await logits(model);
    const c = chains[0];
    await fc.assert(fc.asyncProperty(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: c.channels, maxLength: c.channels }), async (keys) => {
      const perm = keys.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i);
      const m = cloneModel(model.net.model);
      permuteChain(m, c, perm);
      const mutated = derived(model, `perm-${perm.join('.')}`, m);
      const moved = perm.some((p, i) => p !== i);
      // The weights really moved (unless the permutation is the identity) and the function did not.
      if (moved) assert.not.equal(readWeight(m, c.conv.input[1]).data, readWeight(model.net.model, c.conv.input[1]).data);
      assert.ok(maxDiff(await logits(mutated), base) < 1e-4);
    }), { seed: FC_SEED, numRuns: 12 });
  }
});

test('equivalent mutants keep the logits within float rounding', async () => {
  const eq = mutantsFor(ctx).filter((m) => m.kind === 'equivalent');
  assert.equal(eq.map((m) => m.operator).sort(), ['batch-size', 'permute-channels', 'reexport', 'threads']);
  for (const mu of eq) {
    const m = mu.apply(torchscript);
    assert.is.not(m.net.hash, torchscript.net.hash, `${mu.id} has its own identity`);
    assert.ok(maxDiff(await logits(m), original) < 1e-4, mu.id);
  }
});

test('harmful generic mutants change the logits; targeted ones change their target', async () => {
  for (const mu of mutantsFor(ctx).filter((m) => m.kind === 'harmful')) {
    let m: ImportedModel;
    try {
      m = mu.apply(torchscript);
    } catch (e) {
      // Only rotation of a Gemm unit has nothing to act on.
      assert.ok(mu.id.startsWith('rotate-') && mu.id.endsWith('@disk-logit'), `${mu.id}: ${(e as Error).message}`);
      continue;
    }
    const target = [CONV_UNIT, DEPTHWISE].find((t) => mu.id.endsWith(`@${t.entry}`));
    if (target) {
      const x = toModelInput(images[0], m.preprocess);
      const tap = target.tensor;
      const a = (await run(torchscript.net, { [torchscript.input.name]: x }, [tap]))[tap];
      const b = (await run(m.net, { [m.input.name]: x }, [tap]))[tap];
      const per = a.data.length / a.dims[1];
      let d = 0;
      for (const u of target.units) for (let i = u * per; i < (u + 1) * per; i++) d = Math.max(d, Math.abs(a.data[i] - b.data[i]));
      assert.ok(d > 1e-3, `${mu.id} moves units ${target.units}: max |Δ| ${d}`);
    } else {
      const d = maxDiff(await logits(m), original);
      assert.ok(d > 1e-3, `${mu.id} moves the logits: max |Δ| ${d}`);
    }
  }
});

test('mutants are seeded: the same seed gives the same weights, another seed other weights', () => {
  const pick = (seed: number) => mutantsFor({ ...ctx, seed }).find((m) => m.id === 'noise-5%')!.apply(torchscript);
  const w = (m: ImportedModel) => readWeight(m.net.model, 'fc.weight').data;
  assert.equal(w(pick(7)), w(pick(7)));
  assert.not.equal(w(pick(7)), w(pick(8)));
  // The original is never touched.
  assert.ok(maxDiff([w(torchscript)], [readWeight(cloneModel(torchscript.net.model), 'fc.weight').data]) === 0);
});

test('--mutants selects by id, operator, kind and wildcard', () => {
  const all = mutantsFor(ctx);
  assert.equal(selectMutants(all, ['noise-*']).map((m) => m.id), ['noise-1%', 'noise-5%', 'noise-20%']);
  assert.equal(selectMutants(all, ['swap-classes', 'reexport']).map((m) => m.id), ['swap-classes', 'reexport']);
  assert.ok(selectMutants(all, ['equivalent']).every((m) => m.kind === 'equivalent'));
  assert.equal(selectMutants(all, ['*@disk-logit']).map((m) => m.operator), ['ablate', 'permute-units', 'rotate', 'rotate', 'sign', 'sign']);
  assert.equal(selectMutants(all, ['nothing-like-this']), []);
});

test('magnitude pruning zeroes exactly the smallest fraction', () => {
  fc.assert(fc.property(fc.array(fc.float({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 200 }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, f) => {
    const data = Float32Array.from(xs);
    const out = pruneMagnitude(data, f);
    const pruned = [...out.keys()].filter((i) => out[i] === 0 && data[i] !== 0);
    const alreadyZero = [...data].filter((v) => v === 0).length;
    const n = Math.floor(f * data.length);
    assert.ok(pruned.length + alreadyZero >= n);
    assert.ok(pruned.length <= n);
    const keptMin = Math.min(...[...out.keys()].filter((i) => out[i] !== 0).map((i) => Math.abs(data[i])));
    for (const i of pruned) assert.ok(Math.abs(data[i]) <= keptMin);
  }), { seed: FC_SEED, numRuns: 200 });
});

test('int8 fake quantization: at most 255 levels per scale, error at most half a step', () => {
  fc.assert(fc.property(fc.array(fc.float({ min: -5, max: 5, noNaN: true, noDefaultInfinity: true }), { minLength: 6, maxLength: 60 }).filter((a) => a.length % 3 === 0), fc.boolean(), (xs, perChannel) => {
    const data = Float32Array.from(xs);
    const dims = [3, data.length / 3];
    const out = fakeQuantize(data, dims, perChannel ? 0 : undefined);
    const groups = perChannel ? [0, 1, 2].map((c) => [...data.keys()].filter((i) => Math.floor(i / dims[1]) === c)) : [[...data.keys()]];
    for (const g of groups) {
      const max = Math.max(...g.map((i) => Math.abs(data[i])));
      const step = max / 127;
      assert.ok(new Set(g.map((i) => out[i])).size <= 255);
      for (const i of g) assert.ok(Math.abs(out[i] - data[i]) <= step / 2 + 1e-6 * max + 1e-12);
    }
  }), { seed: FC_SEED, numRuns: 200 });
});

test.run();
