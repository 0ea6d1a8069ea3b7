// The tuning probe end to end on a hand-made ONNX model with known oriented kernels: rendered
// stimuli → engine → readout → metrics. The measured peak must sit at the kernel's orientation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { resolveLayer } from '../../../src/models/catalog.ts';
import { createForwardEngine } from '../../../src/probe/forward.ts';
import { createActivationCache } from '../../../src/probe/cache.ts';
import { measureTuning } from '../../../src/probes/neuron/tuning-probe.ts';
import { circularDistance } from '../../../src/probes/neuron/angles.ts';
import { makeRng } from '../../../src/util/rng.ts';
import { orientedModel } from './oriented-model.ts';
import { FC_SEED } from '../../seed.ts';

const light = { polarity: 'light-on-dark' as const, width: 2 };
const sweep = { orientation: { from: 0, to: 360, step: 5 } };

async function tune(orientations: number[], kind: 'curve' | 'line') {
  const template = (o: number) => (kind === 'curve' ? { kind, orientation: o, radius: 9, span: 150, ...light } : { kind, orientation: o, length: 18, ...light });
  const model = orientedModel(orientations.map((o) => ({ template: template(o) as never })));
  const layer = await resolveLayer(model, 'units');
  const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache(), batchSize: 32 });
  const base = kind === 'curve' ? { kind, radius: 9, span: 150, ...light } : { kind, length: 18, ...light };
  return measureTuning({ layer, units: orientations.map((_, i) => i), stimulus: base as never, sweep, reference: { clutter: 2 } }, engine, makeRng(3));
}

test('curve-template units peak at their kernel orientation and echo far less than lines do', async () => {
  await fc.assert(fc.asyncProperty(fc.array(fc.double({ min: 0, max: 359.99, noNaN: true }), { minLength: 3, maxLength: 3 }), async (orients) => {
    const out = await tune(orients, 'curve');
    const peaks = out.measurements['tuning.peak_deg'] as number[];
    orients.forEach((o, i) => assert.ok(circularDistance(peaks[i], o) < 3, `unit ${i}: peak ${peaks[i]} vs kernel ${o}`));
    // A plain matched filter overlaps the opposite arc at its midpoint: some echo (≈ 0.17), far below a line's.
    for (const e of out.measurements['tuning.echo'] as number[]) assert.ok(e < 0.3, `echo ${e}`);
    for (const f of out.measurements['tuning.fwhm_deg'] as number[]) assert.ok(f > 10 && f < 180, `fwhm ${f}`);
  }), { seed: FC_SEED, numRuns: 4 });
});

test('line-template units peak at the kernel orientation or opposite it, and echo fully', async () => {
  const out = await tune([30, 120], 'line');
  const peaks = out.measurements['tuning.peak_deg'] as number[];
  [30, 120].forEach((o, i) => assert.ok(Math.min(circularDistance(peaks[i], o), circularDistance(peaks[i], o + 180)) < 3, `peak ${peaks[i]} vs ${o}`));
  for (const e of out.measurements['tuning.echo'] as number[]) assert.ok(e > 0.9, `echo ${e}`);
});

test('evenly rotated copies form a family with gap ratio near 1; scan ranks and plots come along', async () => {
  const orients = [0, 90, 180, 270];
  const out = await tune(orients, 'curve');
  assert.ok((out.measurements['family.gap_ratio'] as number) < 1.1);
  assert.ok((out.measurements['family.uniformity'] as number) > 0.95);
  const ranks = out.measurements['scan.rank'] as number[];
  assert.equal([...ranks].sort(), [1, 2, 3, 4]);
  const kinds = out.artifacts!.map((a) => a.type === 'plot' ? a.plot.kind : a.type);
  assert.ok(kinds.includes('polar') && kinds.includes('table'));
  assert.equal(out.cases, ['unit 0', 'unit 1', 'unit 2', 'unit 3']);
});

test('a unit index outside the layer is refused by name', async () => {
  const model = orientedModel([{ template: { kind: 'line' } }]);
  const layer = await resolveLayer(model, 'units');
  const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache() });
  try {
    await measureTuning({ layer, units: [3], stimulus: { kind: 'curve' }, sweep }, engine, makeRng(1));
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /unit 3 does not exist/);
  }
});

test.run();
