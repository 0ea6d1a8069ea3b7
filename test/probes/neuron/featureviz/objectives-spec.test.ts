// The feature-visualization objectives a spec can ask for, on the real shapes CNN (its last conv
// block, /Relu_2_output_0, 64 channels on a 14×14 grid): each objective moves the quantity it
// names, negative goes below grey, diversity spreads a batch, a one-hot direction is the channel
// objective exactly; spec errors point at their key, and the same seed gives the same report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importOnnxFile } from '../../../../src/models/onnx-file.ts';
import { resolveLayer } from '../../../../src/models/catalog.ts';
import { createForwardEngine } from '../../../../src/probe/forward.ts';
import { createActivationCache } from '../../../../src/probe/cache.ts';
import { measureFeatureViz, type FeatureVizParams } from '../../../../src/probes/neuron/featureviz-probe.ts';
import { makeRng } from '../../../../src/util/rng.ts';
import { runSpecs, validateSpecs } from '../../../../src/run/index.ts';
import { stableJson } from '../../../../src/report/index.ts';
import { SpecError } from '../../../../src/suite/issues.ts';
import { DEFAULT_LIMITS } from '../../../../src/probe/limits.ts';
import { asyncErrorOf } from '../../../helpers.ts';
import { NeuronEntrySchema } from '../../../../src/probes/neuron/entry-schema.ts';

const fixtures = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'fixtures');
const shapes = path.join(fixtures, 'shapes_cnn');
const model = importOnnxFile(path.join(shapes, 'shapes_cnn.onnx'), { labels: ['disk', 'square', 'triangle'] });
const layer = await resolveLayer(model, '/Relu_2_output_0');
const engine = createForwardEngine(model, 'cpu', { cache: createActivationCache() });

// Short runs at 64²: enough for every objective to move by a wide margin.
const base: FeatureVizParams = { layer, units: [0, 1, 2, 3, 4, 5], targets: [3], steps: 24, size: 64 };
const measure = async (extra: Partial<FeatureVizParams>) => (await measureFeatureViz({ ...base, ...extra }, engine, makeRng(1))).measurements as Record<string, number | null>;

test('negative: the image drives the unit below its value on the grey start, and far below the positive image', async () => {
  const pos = await measure({});
  const neg = await measure({ negative: true });
  const r = (m: Record<string, number | null>, k: string) => m[`featureviz.${k}`]!;
  assert.is(r(neg, 'response_initial'), r(pos, 'response_initial'), 'same seed, same start');
  assert.ok(r(neg, 'response') < r(neg, 'response_initial') - 1, `unit 3 (pre-ReLU) ${r(neg, 'response_initial')} on grey → ${r(neg, 'response')}`);
  assert.ok(r(neg, 'response') < r(pos, 'response') - 2, `negative ${r(neg, 'response')} vs positive ${r(pos, 'response')}`);
  assert.ok(r(pos, 'response') > r(pos, 'response_initial') + 1);
  // Minimized, the objective still rises; the unit is the lowest of the family before the ReLU.
  assert.ok(r(neg, 'objective_final') > r(neg, 'objective_initial'));
  assert.is(r(neg, 'drives_unit'), 1);
});

test('diversity: with weight > 0 the batch is less alike (higher mean pairwise Gram cosine distance) than with weight 0 at the same seed', async () => {
  const plain = await measure({ batch: 3, diversity: 0 });
  const diverse = await measure({ batch: 3, diversity: 2 });
  const d0 = plain['featureviz.diversity']!;
  const d1 = diverse['featureviz.diversity']!;
  assert.ok(d0 >= 0 && d1 <= 1, `${d0}, ${d1}`);
  assert.ok(d1 > d0 + 0.2, `diversity ${d0} (weight 0) → ${d1} (weight 2)`);
  // The unit is still driven: diversity spreads the batch, it does not replace the objective.
  assert.ok(diverse['featureviz.response']! > diverse['featureviz.response_initial']! + 1);
  assert.is((await measure({}))['featureviz.diversity'], null, 'one image has no diversity');
});

test('direction: the projection onto the vector rises; a one-hot direction is the channel objective exactly', async () => {
  const v = Array.from({ length: 64 }, (_, c) => (c % 5 === 0 ? 1 : c % 7 === 0 ? -0.5 : 0));
  for (const objective of ['neuron', 'channel'] as const) {
    const m = await measure({ direction: v, objective, steps: 48 });
    // Measured 0.11 → 53.8 (neuron) and 0.34 → 70.5 (channel); the 24-step default rises too slowly through the ReLU's zeros.
    assert.ok(m['featureviz.response']! > m['featureviz.response_initial']! + 5, `${objective}: ${m['featureviz.response_initial']} → ${m['featureviz.response']}`);
    assert.is(m['featureviz.drives_unit'], null, 'a direction has no single unit to drive');
  }
  const oneHot = Array.from({ length: 64 }, (_, c) => (c === 3 ? 1 : 0));
  const dir = await measureFeatureViz({ ...base, direction: oneHot, objective: 'channel' }, engine, makeRng(1));
  const chan = await measureFeatureViz({ ...base, objective: 'channel', preActivation: false }, engine, makeRng(1));
  for (const k of ['featureviz.objective_initial', 'featureviz.objective_final', 'featureviz.response']) {
    const a = dir.measurements[k] as number;
    const b = chan.measurements[k] as number;
    assert.ok(Math.abs(a - b) <= 1e-5 * (1 + Math.abs(b)), `${k}: direction ${a} vs channel ${b}`);
  }
});

test('channel: the unit’s mean over its map rises; a spatial neuron reads the place it was given', async () => {
  const m = await measure({ objective: 'channel' });
  assert.ok(m['featureviz.response']! > m['featureviz.response_initial']! + 0.5, `${m['featureviz.response_initial']} → ${m['featureviz.response']}`);
  assert.is(m['featureviz.drives_unit'], 1);
  const at = await measureFeatureViz({ ...base, position: [3, 10] }, engine, makeRng(1));
  const run = (at.params.runs as { place?: { y: number; x: number } }[])[0];
  assert.equal(run.place, { y: 3.5 / 14, x: 10.5 / 14 });
  assert.ok((at.measurements['featureviz.response'] as number) > (at.measurements['featureviz.response_initial'] as number) + 0.5);
});

// Spec files in a temp folder name the repository's fixtures: outside their root.
const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-featureviz-objectives-'));
const SPEC = `suite: s
model: ${shapes}/shapes_cnn.onnx
engine: { device: cpu }
neurons:
  - id: d
    layer: /Relu_2_output_0
    unit: 3
    featureviz: { direction: DIRECTION, steps: 2, size: 32 }
    expect:
      featureviz.gain: { min: 0 }
`;

async function issuesOf(direction: string, extra = ''): Promise<string[]> {
  const f = path.join(dir, 'bad.yaml');
  fs.writeFileSync(f, SPEC.replace('DIRECTION', direction).replace('size: 32', `size: 32${extra}`));
  const e = await asyncErrorOf(() => validateSpecs([f], { limits }));
  assert.instance(e, SpecError);
  return (e as SpecError).issues.map((i) => `${i.where.replace(/.*bad\.yaml/, '')} ${i.message}`);
}

test('a direction of the wrong length, an unreadable file or a direction with targets is a spec error at its key', async () => {
  assert.equal(await issuesOf('[1, 0, 2]'), [':8:30 the direction has 3 values, layer "/Relu_2_output_0" has 64 channels']);
  fs.writeFileSync(path.join(dir, 'short.json'), JSON.stringify({ vector: [1, 2] }));
  assert.equal(await issuesOf('short.json'), [':8:30 the direction has 2 values, layer "/Relu_2_output_0" has 64 channels']);
  const missing = await issuesOf('nowhere.json');
  assert.match(missing[0], /^:8:30 cannot read the direction file "nowhere\.json"/);
  fs.writeFileSync(path.join(dir, 'text.json'), 'not json');
  assert.match((await issuesOf('text.json'))[0], /^:8:30 the direction file "text\.json" is not JSON/);
  assert.match((await issuesOf(`[${Array(64).fill(0).join(', ')}]`))[0], /all zeros/);
  assert.match((await issuesOf('direction.json', ', targets: [3]')).join('\n'), /with `direction:` the entry visualizes one direction/);
});

test('the entry refuses `position:` with a channel objective, and a diversity batch of one', () => {
  const entry = (featureviz: object, extra: object = {}) => NeuronEntrySchema.safeParse({ id: 'x', layer: 'l', units: [0], featureviz, expect: { 'featureviz.gain': { min: 0 } }, ...extra });
  const bad = entry({ objective: 'channel' }, { position: [1, 2] });
  assert.not.ok(bad.success);
  assert.equal(bad.error!.issues.map((i) => [i.path.join('.'), i.message.slice(0, 40)]), [['position', '`objective: channel` averages the whole ']]);
  assert.not.ok(entry({ diversity: { batch: 1 } }).success);
  assert.ok(entry({ objective: 'neuron', negative: true, diversity: { batch: 2, weight: 1 } }, { position: [1, 2] }).success);
});

test('the objectives suite: every check passes, and the same seed gives a byte-identical JSON report', async () => {
  const spec = path.join(fixtures, 'specs', 'featureviz');
  const first = await runSpecs({ paths: [spec] });
  const second = await runSpecs({ paths: [spec] });
  const entries = first.report.suites[0].entries;
  const failed = entries.flatMap((e) => e.checks.filter((c) => !c.passed).map((c) => `${e.id} ${c.metric} ${c.observed}`));
  assert.equal(failed, []);
  assert.is(first.report.exitCode, 0);
  assert.ok(stableJson(first.report) === stableJson(second.report), 'reports differ');
});

test.run();
