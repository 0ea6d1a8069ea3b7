// The `masks:` kind through the whole runner on the PyTorch-exported shapes_cnn: a spec entry
// becomes the attribution probe's parameters, its checks pass or fail on what was measured, the
// report carries the heatmaps and the seed; a bad target, image or metric is a spec error at
// file:line:col before anything runs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpecs, validateSpecs } from '../../src/run/index.ts';
import { SpecError } from '../../src/suite/issues.ts';
import { DEFAULT_LIMITS } from '../../src/probe/limits.ts';
import { asyncErrorOf } from '../helpers.ts';
import { openGoldenStore } from '../../src/golden/index.ts';
import { PNG } from 'pngjs';

// The specs are written to a temp folder but name the repository's fixtures: outside their root.
const limits = { ...DEFAULT_LIMITS, allowOutside: true };

const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-run-masks-'));

function specFile(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text.replaceAll('SHAPES', shapes));
  return f;
}

// shape_0_disk.png: the disk's ground-truth box from shapes_cnn.json.
const SPEC = `suite: shapes-masks
model: SHAPES/shapes_cnn.onnx
engine: { device: cpu }
seed: 11
masks:
  - id: gradient-points-at-the-disk
    image: SHAPES/shape_0_disk.png
    target: { class: 0 }
    method: { gradient: {} }
    measure: { pointing: { box: [125, 85, 171, 130] }, deletion: { steps: 20 }, random_baseline: true }
    expect:
      pointing_hit: { min: 1 }
      deletion_auc_vs_random: { max: 0 }
  - id: smoothgrad-seeded
    image: SHAPES/shape_0_disk.png
    target: top
    method: { smoothgrad: { samples: 4 } }
    measure: { determinism: true }
    expect:
      deterministic: { min: 1 }
  - id: gradient-wrong-box
    image: SHAPES/shape_0_disk.png
    target: { class: 0 }
    method: { gradient: {} }
    measure: { pointing: { box: [0, 0, 20, 20], tolerance: 0 } }
    expect:
      pointing_hit: { min: 1 }
`;

test('a masks suite runs: checks judged on measured values, heatmaps and the seed in the report', async () => {
  const { report } = await runSpecs({ paths: [specFile('ok.yaml', SPEC)], limits });
  const entries = report.suites[0].entries;
  assert.equal(entries.map((e) => e.kind), ['masks', 'masks', 'masks']);
  const [hit, smooth, miss] = entries;
  assert.ok(hit.checks.every((c) => c.passed), JSON.stringify(hit.checks));
  assert.is(hit.measurements.pointing_hit, 1);
  assert.ok((hit.measurements.deletion_auc_vs_random as number) < 0);
  assert.ok(hit.artifacts.some((a) => a.type === 'image'), 'a heatmap overlay');
  assert.is(hit.params.method, 'gradient');
  // The entry's seed reaches the stochastic method when the method block sets none.
  assert.is(smooth.params.seed, 11);
  assert.is(smooth.measurements.deterministic, 1);
  // A box in the corner, far from the disk: the gate fails, it does not error.
  assert.is(miss.checks[0].passed, false);
  assert.is(miss.error, undefined);
  assert.is(report.exitCode, 1);
});

test('bad masks entries are spec errors at file:line:col: class out of range, unknown layer, missing image, unknown metric', async () => {
  const f = specFile('bad.yaml', `suite: bad-masks
model: SHAPES/shapes_cnn.onnx
engine: { device: cpu }
masks:
  - id: class-out-of-range
    image: SHAPES/shape_0_disk.png
    target: { class: 7 }
    method: { gradient: {} }
    expect: { score: { min: 0 } }
  - id: unknown-layer
    image: SHAPES/shape_0_disk.png
    target: { channel: { layer: no_such_layer, unit: 0 } }
    method: { gradient: {} }
    expect: { score: { min: 0 } }
  - id: unit-out-of-range
    image: SHAPES/shape_0_disk.png
    target: { channel: { layer: logits, unit: 99 } }
    method: { gradient: {} }
    expect: { score: { min: 0 } }
`);
  const e = await asyncErrorOf(() => validateSpecs([f], { limits }));
  assert.instance(e, SpecError);
  const text = (e as SpecError).issues.map((i) => `${i.where} ${i.message}`).join('\n');
  assert.match(text, /bad\.yaml:7:\d+ .*class 7 does not exist.*3 classes/);
  assert.match(text, /bad\.yaml:12:\d+ .*no_such_layer/);
  assert.match(text, /bad\.yaml:17:\d+ .*unit 99 does not exist/);

  // Files are checked when the spec loads, metric names when the run is planned: two stages.
  const g = specFile('bad2.yaml', `suite: bad-masks-2
model: SHAPES/shapes_cnn.onnx
masks:
  - id: missing-image
    images: [SHAPES/shape_0_disk.png, SHAPES/nope.png]
    method: { gradient: {} }
    expect: { pointing_hit: { min: 1 } }
`);
  const e2 = await asyncErrorOf(() => validateSpecs([g], { limits }));
  assert.match((e2 as SpecError).issues.map((i) => `${i.where} ${i.message}`).join('\n'), /bad2\.yaml:5:\d+ image file not found: .*nope\.png/);
  const h = specFile('bad3.yaml', `suite: bad-masks-3
model: SHAPES/shapes_cnn.onnx
masks:
  - id: misspelt-metric
    image: SHAPES/shape_0_disk.png
    method: { gradient: {} }
    expect: { pointing_hti: { min: 1 } }
`);
  const e3 = await asyncErrorOf(() => validateSpecs([h], { limits }));
  const text3 = (e3 as SpecError).issues.map((i) => `${i.where} ${i.message} ${i.hint ?? ''}`).join('\n');
  assert.match(text3, /bad3\.yaml:7:\d+ .*does not produce `pointing_hti`.*did you mean `pointing_hit`/);
});

test('a heatmap golden: bless records the map as a PNG, the same run then matches, another image does not', async () => {
  const spec = (image: string) => specFile('heat.yaml', `suite: heat
model: SHAPES/shapes_cnn.onnx
engine: { device: cpu }
masks:
  - id: gradient-map
    image: SHAPES/${image}
    target: { class: 0 }
    method: { gradient: {} }
    expect:
      heatmap: { golden: { threshold: 0.1, max_diff_ratio: 0.02 } }
`);
  const root = path.join(dir, 'golden');
  const run = async (image: string, mode: 'bless' | 'compare') =>
    (await runSpecs({ paths: [spec(image)], limits, golden: { store: openGoldenStore({ root, outDir: path.join(dir, 'out'), ci: false }), mode } })).report.suites[0].entries[0].checks[0];
  assert.ok((await run('shape_0_disk.png', 'bless')).passed);
  const png = PNG.sync.read(fs.readFileSync(path.join(root, 'heat', 'gradient-map', 'heatmap.cpu.png')));
  assert.equal([png.width, png.height], [224, 224]);
  assert.ok((await run('shape_0_disk.png', 'compare')).passed);
  const other = await run('shape_1_square.png', 'compare');
  assert.is(other.passed, false, JSON.stringify(other));
});

test.run();
