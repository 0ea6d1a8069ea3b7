// The neuron probes on the real zoo:inception_v3: receptive-field crops give the full-image
// numbers, the mixed2 curve family keeps its measured tuning on a coarse sweep, and feature
// visualization is reproducible under a seed and climbs its objective.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadModel } from '../../../src/models/load.ts';
import { resolveLayer } from '../../../src/models/catalog.ts';
import { createForwardEngine } from '../../../src/probe/forward.ts';
import { createActivationCache } from '../../../src/probe/cache.ts';
import { expandSweep } from '../../../src/stimuli/index.ts';
import { placementFor, stimulusResponses } from '../../../src/probes/neuron/responses.ts';
import { measureTuning } from '../../../src/probes/neuron/tuning-probe.ts';
import { circularDistance } from '../../../src/probes/neuron/angles.ts';
import { visualize } from '../../../src/probes/neuron/featureviz.ts';
import { unit } from '../../../src/probes/neuron/featureviz/objectives.ts';
import { unitSource } from '../../../src/probes/neuron/unit-source.ts';
import { makeRng } from '../../../src/util/rng.ts';

const model = await loadModel('zoo:inception_v3');
const mixed2 = await resolveLayer(model, 'mixed2');
const engine = () => createForwardEngine(model, 'cpu', { cache: createActivationCache(), batchSize: 8 });

test('mixed2 is probed at [17, 17], whose 127-px receptive field is centred on the image', async () => {
  const p = await placementFor(model, mixed2);
  assert.equal(p.position, { x: 17, y: 17 });
  assert.equal(p.center, { x: 149.5, y: 149.5 });
  assert.equal(p.field, { jump: 8, size: 127 });
});

test('the receptive-field crop gives the full-image responses of all 288 units', async () => {
  const place = await placementFor(model, mixed2);
  const stimuli = expandSweep({ kind: 'curve', width: 5 }, { orientation: [0, 50, 150, 290], radius: [16, 40] }).items.map((i) => i.stimulus);
  const full = await stimulusResponses(engine(), mixed2.tensor, stimuli, place, { crop: false });
  const crop = await stimulusResponses(engine(), mixed2.tensor, stimuli, place, { crop: true, fresh: true });
  assert.ok(crop.cropped && crop.cropped.w < 150, `cropped to ${JSON.stringify(crop.cropped)}`);
  let worst = 0;
  let range = 0;
  full.data.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - crop.data[i])); range = Math.max(range, Math.abs(v)); });
  assert.ok(worst <= 1e-4 * (1 + range), `max difference ${worst} over range ${range}`);
});

test('curve detectors of mixed2 (5×5 branch): one bump at the measured orientation, no echo', async () => {
  // Measured with 5° steps and radii 12–48 (specs/inceptionv3-curves.yaml); here 10° steps, one radius.
  const expected: Record<number, number> = { 79: 50.5, 82: 153.3, 109: 218.8 };
  const units = Object.keys(expected).map(Number);
  const out = await measureTuning({ layer: mixed2, units, stimulus: { kind: 'curve', width: 5 }, sweep: { orientation: { from: 0, to: 360, step: 10 }, radius: [16] }, reference: { clutter: 2 } }, engine(), makeRng(7));
  const peaks = out.measurements['tuning.peak_deg'] as number[];
  units.forEach((u, i) => assert.ok(circularDistance(peaks[i], expected[u]) < 12, `unit ${u}: peak ${peaks[i]}`));
  for (const e of out.measurements['tuning.echo'] as number[]) assert.ok(e < 0.05, `echo ${e}`);
  for (const f of out.measurements['tuning.fwhm_deg'] as number[]) assert.ok(f > 30 && f < 75, `fwhm ${f}`);
  for (const r of out.measurements['scan.rank'] as number[]) assert.ok(r <= 15, `rank ${r}`);
});

test('feature visualization of unit 79: the same seed gives the same image on CPU, and the objective climbs', async () => {
  const src = await unitSource(model, mixed2, 79);
  assert.equal(src, { tensor: 'activation_22', channel: 15, preActivation: { tensor: 'batch_normalization_22', channel: 15 } });
  const objective = unit(src.preActivation!.tensor, src.preActivation!.channel);
  const a = await visualize(model, objective, { seed: 11, size: 64, steps: 3 });
  const b = await visualize(model, objective, { seed: 11, size: 64, steps: 3 });
  assert.equal([...a.images[0].data], [...b.images[0].data]);
  const c = await visualize(model, objective, { seed: 11, size: 96, steps: 24 });
  assert.ok(c.objective.final[0] > c.objective.initial[0] + 5, `objective ${c.objective.initial[0]} → ${c.objective.final[0]}`);
});

test.run();
