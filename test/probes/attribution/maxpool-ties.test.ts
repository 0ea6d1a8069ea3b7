// `maxpool_ties` on the PyTorch-exported shapes CNN (one 2×2/2 MaxPool after its first conv): the
// flat backgrounds of the synthetic shapes make most of that pool's windows tie, so the tie rule
// moves the gradient map a lot (measured: relative L2 0.42 on the disk, 0.41 on the square) while
// the score stays bit-identical. The entry's choice reaches every gradient and is echoed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importOnnxFile } from '../../../src/models/onnx-file.ts';
import { readImage, toModelInput } from '../../../src/stimuli/image.ts';
import { subjectOf } from '../../../src/probes/attribution/subject.ts';
import { gradientMethod } from '../../../src/probes/attribution/methods/gradient.ts';
import { MaskEntrySchema } from '../../../src/probes/attribution/schema.ts';
import { runSpecs } from '../../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../../src/probe/limits.ts';

const dir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'fixtures', 'shapes_cnn');
const model = importOnnxFile(path.join(dir, 'shapes_cnn.onnx'));

test('shapes CNN: first and split ties give the same score and different maps; a bare subject splits (the engine default)', async () => {
  const x = toModelInput(readImage(path.join(dir, 'shape_0_disk.png')), model.preprocess);
  const t = { kind: 'class' as const, index: 0 };
  const split = await gradientMethod(subjectOf(model), x, t);
  const first = await gradientMethod(subjectOf(model, { maxPoolTies: 'first' }), x, t);
  const explicit = await gradientMethod(subjectOf(model, { maxPoolTies: 'split' }), x, t);
  assert.is(first.score, split.score);
  assert.equal(explicit.map.data, split.map.data);
  let d = 0, n = 0;
  for (let i = 0; i < split.map.data.length; i++) {
    d += (split.map.data[i] - first.map.data[i]) ** 2;
    n += split.map.data[i] ** 2;
  }
  const rel = Math.sqrt(d / n);
  assert.ok(rel > 0.1 && rel < 1, `relative L2 ${rel}`);
});

test('the spec: maxpool_ties is first or split, first when omitted (as PyTorch), and a run echoes it', async () => {
  const base = { id: 'x', image: 'x.png', method: { gradient: {} }, expect: { score: { min: 0 } } };
  assert.ok(MaskEntrySchema.safeParse({ ...base, maxpool_ties: 'first' }).success);
  assert.not.ok(MaskEntrySchema.safeParse({ ...base, maxpool_ties: 'last' }).success);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-ties-'));
  const f = path.join(tmp, 'ties.yaml');
  fs.writeFileSync(f, `suite: ties
model: ${dir}/shapes_cnn.onnx
engine: { device: cpu }
masks:
  - id: first
    image: ${dir}/shape_0_disk.png
    target: { class: 0 }
    maxpool_ties: first
    method: { gradient: {} }
    expect: { score: { min: 0 } }
  - id: omitted
    image: ${dir}/shape_0_disk.png
    target: { class: 0 }
    method: { gradient: {} }
    expect: { score: { min: 0 } }
  - id: split
    image: ${dir}/shape_0_disk.png
    target: { class: 0 }
    maxpool_ties: split
    method: { gradient: {} }
    expect: { score: { min: 0 } }
`);
  const { report } = await runSpecs({ paths: [f], limits: { ...DEFAULT_LIMITS, allowOutside: true } });
  const [first, omitted, split] = report.suites[0].entries as unknown as { params: Record<string, unknown>; measurements: Record<string, number> }[];
  assert.is(first.params.maxpool_ties, 'first');
  assert.is(omitted.params.maxpool_ties, 'first');
  assert.is(split.params.maxpool_ties, 'split');
  // The map's total variation sees the tie rule: the omitted entry's map is the first-tie map.
  assert.is(omitted.measurements.total_variation, first.measurements.total_variation);
  assert.is.not(split.measurements.total_variation, first.measurements.total_variation);
});

test.run();
