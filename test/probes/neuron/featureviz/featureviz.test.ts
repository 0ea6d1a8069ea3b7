// Feature visualization on a hand-made oriented model: the pipeline's gradient against finite
// differences (transforms, colour, Fourier and the model together), determinism under a seed,
// and the probe's verdicts (objective rises, the image drives its own unit hardest).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prepareVisualization, visualize } from '../../../../src/probes/neuron/featureviz.ts';
import { unit, sum, scale, l1, tv, diversityAndGrad } from '../../../../src/probes/neuron/featureviz/objectives.ts';
import { measureFeatureViz } from '../../../../src/probes/neuron/featureviz-probe.ts';
import { resolveLayer } from '../../../../src/models/catalog.ts';
import { createForwardEngine } from '../../../../src/probe/forward.ts';
import { createActivationCache } from '../../../../src/probe/cache.ts';
import { makeRng, normal } from '../../../../src/util/rng.ts';
import { orientedModel } from '../oriented-model.ts';

const light = { polarity: 'light-on-dark' as const, width: 2, radius: 6, span: 150 };
const model = orientedModel([0, 90, 180, 270].map((o) => ({ template: { kind: 'curve', orientation: o, ...light } as never })), 40, 17);

async function directional(objective: Parameters<typeof prepareVisualization>[1], transforms: 'lucid' | 'none', eps: number) {
  const v = await prepareVisualization(model, objective, { seed: 3, size: 20, sd: 0.3, steps: 1, transforms });
  const { grad } = await v.valueAndGrad(makeRng(9));
  const r = makeRng(4);
  const dir = Float64Array.from(v.params, () => normal(r));
  const base = Float64Array.from(v.params);
  // The same transforms are drawn for every evaluation (same generator seed).
  const at = async (e: number) => {
    v.params.set(base.map((p, i) => p + e * dir[i]));
    return (await v.valueAndGrad(makeRng(9))).value;
  };
  const fd = ((await at(eps)) - (await at(-eps))) / (2 * eps);
  return { fd, analytic: grad.reduce((s, g, i) => s + g * dir[i], 0) };
}

test('the gradient through model, transforms, colour decorrelation and Fourier map matches finite differences', async () => {
  for (const transforms of ['lucid', 'none'] as const) {
    const { fd, analytic } = await directional(unit('conv', 0), transforms, 1e-2);
    assert.ok(Math.abs(fd - analytic) <= 5e-4 * Math.abs(analytic), `${transforms}: finite difference ${fd} vs gradient ${analytic}`);
  }
});

test('L1 and total-variation terms add their exact subgradients (small steps: they are piecewise linear)', async () => {
  const { fd, analytic } = await directional(sum(unit('conv', 0), scale(-0.01, l1(0.5)), scale(-0.02, tv())), 'lucid', 1e-4);
  assert.ok(Math.abs(fd - analytic) <= 2e-3 * Math.abs(analytic), `finite difference ${fd} vs gradient ${analytic}`);
});

test('diversity gradient matches finite differences', () => {
  const r = makeRng(2);
  const t = { dims: [3, 4, 2, 3], data: Float32Array.from({ length: 72 }, () => normal(r)) };
  const { grad } = diversityAndGrad(t);
  const dir = Float32Array.from({ length: 72 }, () => normal(r));
  const at = (e: number) => diversityAndGrad({ dims: t.dims, data: t.data.map((v, i) => v + e * dir[i]) }).value;
  const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
  const analytic = grad.reduce((s, g, i) => s + g * dir[i], 0);
  assert.ok(Math.abs(fd - analytic) < 1e-3 * (1 + Math.abs(analytic)), `${fd} vs ${analytic}`);
});

test('the same seed gives the same image twice; another seed a different one', async () => {
  const run = (seed: number) => visualize(model, unit('conv', 1), { seed, size: 24, steps: 12 });
  const [a, b, c] = [await run(5), await run(5), await run(6)];
  assert.equal([...a.images[0].data], [...b.images[0].data]);
  assert.equal(a.history, b.history);
  assert.not.equal([...a.images[0].data], [...c.images[0].data]);
});

test('the probe: the objective rises and each image drives its own unit harder than its rotated copies', async () => {
  const layer = await resolveLayer(model, 'units');
  const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache() });
  const out = await measureFeatureViz({ layer, units: [0, 1, 2, 3], targets: [0, 2], steps: 40, size: 24 }, engine, makeRng(1));
  const finals = out.measurements['featureviz.objective_final'] as number[];
  const initials = out.measurements['featureviz.objective_initial'] as number[];
  finals.forEach((f, i) => assert.ok(f > initials[i] + 1, `objective ${initials[i]} → ${f}`));
  assert.equal(out.measurements['featureviz.drives_unit'], [1, 1]);
  assert.ok((out.measurements['featureviz.margin'] as number[]).every((m) => m > 0));
  assert.ok(out.artifacts!.some((a) => a.type === 'image' && a.width === 24));
  assert.equal(out.cases, ['unit 0', 'unit 2']);
});

test.run();
