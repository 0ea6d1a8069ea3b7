// The masks probe as the runner calls it, on the PyTorch-exported shapes_cnn and its fixture scene
// with a ground-truth box; and the spec schema of a masks entry.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { PNG } from 'pngjs';
import { importOnnxFile } from '../../../src/models/onnx-file.ts';
import { readImage } from '../../../src/stimuli/image.ts';
import { masksProbe, methodFromSpec, targetFromSpec } from '../../../src/probes/attribution/probe.ts';
import fs from 'node:fs';
import { entriesOfKind, loadSpecFile } from '../../../src/kinds/load.ts';
import { masksKind } from '../../../src/probes/attribution/kind.ts';
import { MaskEntrySchema } from '../../../src/probes/attribution/schema.ts';
import { maskMetricNames } from '../../../src/probes/attribution/metrics/index.ts';
import type { ForwardEngine } from '../../../src/probe/forward.ts';
import { makeRng } from '../../../src/util/rng.ts';

const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'fixtures', 'shapes_cnn');
const model = importOnnxFile(path.join(dir, 'shapes_cnn.onnx'), { labels: ['disk', 'square', 'triangle'] });
const engine: ForwardEngine = { model, device: 'cpu', batchSize: 16, forward: () => Promise.reject(new Error('the masks probe runs its own passes')) };
const disk = { label: 'shape_0_disk.png', image: readImage(path.join(dir, 'shape_0_disk.png')) };
const BOX: [number, number, number, number] = [125, 85, 171, 130];

test('schema: a full masks entry parses; a missing image, two methods or an unknown option are refused', () => {
  const ok = MaskEntrySchema.safeParse({
    id: 'disk-extremal',
    image: 'shape_0_disk.png',
    target: { class: 'disk' },
    method: { extremal: { areas: [0.05, 0.1], iterations: 800, learning_rate: 0.01 } },
    measure: { deletion: { steps: 20 }, random_baseline: true, pointing: { box: BOX, tolerance: 15, smooth: 0.09 } },
    expect: { preserved_fraction: { min: 0.8 } },
  });
  assert.ok(ok.success, JSON.stringify(ok.error?.issues));
  const bad = [
    { id: 'a', method: { gradient: {} }, expect: { score: { min: 0 } } },
    { id: 'b', image: 'x.png', method: { gradient: {}, rise: {} }, expect: { score: { min: 0 } } },
    { id: 'c', image: 'x.png', method: { extremal: { area: 0.1 } }, expect: { score: { min: 0 } } },
    { id: 'd', image: 'x.png', method: { extremal: { areas: [1.5] } }, expect: { score: { min: 0 } } },
  ];
  for (const b of bad) assert.not.ok(MaskEntrySchema.safeParse(b).success, JSON.stringify(b));
});

test('the shipped mobilenet_v2 masks suite loads: every entry valid, every image present', () => {
  const file = path.join(dir, '..', '..', '..', 'specs', 'mobilenet_v2-masks.yaml');
  const spec = loadSpecFile(file);
  const masks = entriesOfKind(spec.suite, masksKind);
  assert.ok(masks.length >= 8);
  for (const e of masks) {
    for (const m of Object.keys(e.expect)) assert.ok(maskMetricNames().includes(m), `${e.id}: unknown metric ${m}`);
    for (const img of Array.isArray(e.images) ? e.images : [e.image!]) assert.ok(fs.existsSync(path.join(path.dirname(file), img)), img);
  }
});

test('spec blocks become method options (camelCase) and targets (labels → indices)', async () => {
  assert.equal(methodFromSpec({ extremal: { learning_rate: 0.02, max_blur: 10 } }), { name: 'extremal', options: { learningRate: 0.02, maxBlur: 10 } });
  assert.equal(methodFromSpec({ integrated_gradients: { internal_batch: 8, steps: 64 } }), { name: 'integrated_gradients', options: { internalBatchSize: 8, steps: 64 } });
  assert.equal(await targetFromSpec(model, { class: 'square' }), { kind: 'class', index: 1 });
  assert.equal(await targetFromSpec(model, { contrastive: 2 }), { kind: 'contrastive', index: 2 });
  assert.is(await targetFromSpec(model, undefined), 'top');
  try {
    await targetFromSpec(model, { class: 'hexagon' });
    assert.unreachable();
  } catch (e) {
    assert.is((e as { code: string }).code, 'E_ATTR_TARGET');
  }
});

test('gradient on the disk scene: measurements per case, random-map baseline, pointing, determinism, heatmap PNG', async () => {
  const out = await masksProbe.run({
    images: [disk],
    target: 'top',
    method: { name: 'gradient', options: {} },
    measure: { deletion: { steps: 50 }, insertion: { steps: 50 }, random_baseline: true, pointing: { box: BOX, tolerance: 15 }, determinism: true, preserve: { areas: [0.05, 0.2] } },
  }, engine, makeRng(1));
  assert.equal(out.cases, ['shape_0_disk.png · top 0.05', 'shape_0_disk.png · top 0.2']);
  const m = out.measurements;
  for (const k of ['score', 'deletion_auc', 'deletion_auc_random', 'insertion_auc', 'pointing_hit', 'deterministic', 'preserved_fraction', 'area', 'total_variation']) {
    assert.ok(Array.isArray(m[k]) && (m[k] as number[]).length === 2, `${k}: ${JSON.stringify(m[k])}`);
  }
  assert.equal(m.pointing_hit, [1, 1]);
  assert.equal(m.deterministic, [1, 1]);
  assert.ok((m.area as number[])[0] > 0.049 && (m.area as number[])[0] < 0.051);
  // The gradient's order deletes the evidence faster than a random order.
  assert.ok((m.deletion_auc as number[])[0] < (m.deletion_auc_random as number[])[0], JSON.stringify(m));
  assert.is(out.params.target, 'class 0 (disk)');
  const img = out.artifacts!.find((a) => a.type === 'image');
  assert.ok(img && img.type === 'image');
  const png = PNG.sync.read(Buffer.from(img.pngBase64, 'base64'));
  assert.equal([png.width, png.height], [224, 224]);
  assert.ok(out.artifacts!.some((a) => a.type === 'plot' && a.plot.series.length === 2));
  // The map an image golden compares: the colour map at the map's resolution.
  assert.equal([out.images?.heatmap.width, out.images?.heatmap.height], [224, 224]);
});

test('extremal through the probe: one case per area with area, kept and removed fractions', async () => {
  const out = await masksProbe.run({
    images: [disk],
    target: { kind: 'class', index: 0 },
    method: { name: 'extremal', options: { areas: [0.05, 0.1], iterations: 4 } },
    measure: {},
  }, engine, makeRng(2));
  assert.equal(out.cases, ['shape_0_disk.png · area 0.05', 'shape_0_disk.png · area 0.1']);
  for (const k of ['area', 'area_full', 'preserved_fraction', 'deleted_fraction', 'score']) assert.is((out.measurements[k] as number[]).length, 2, k);
  assert.equal(out.params.areas, [0.05, 0.1]);
  assert.is(out.params.iterations, 4);
  assert.is(out.artifacts!.filter((a) => a.type === 'image').length, 3);
});

test.run();
