// Your own maps on the PyTorch-exported shapes_cnn: a file holding exactly the gradient map scores
// exactly what the gradient method scores under every map-reading metric, its checks can fail, and
// every problem with a file (shape, NaN, missing, unknown placeholder, a metric that re-runs the
// method) stops preparation with exit 2, naming the file and the spec line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importOnnxFile } from '../../../../src/models/onnx-file.ts';
import { readImage, toModelInput } from '../../../../src/stimuli/image.ts';
import { subjectOf } from '../../../../src/probes/attribution/subject.ts';
import { gradientMethod } from '../../../../src/probes/attribution/methods/gradient.ts';
import { encodeNpy } from '../../../../src/probes/attribution/file-maps/npy.ts';
import { mapPath } from '../../../../src/probes/attribution/file-maps/file-method.ts';
import { runSpecs, validateSpecs } from '../../../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../../../src/probe/limits.ts';
import { SpecError } from '../../../../src/suite/issues.ts';
import { EXIT, exitCodeFor } from '../../../../src/errors.ts';
import { asyncErrorOf } from '../../../helpers.ts';
import { maskMetrics } from '../../../../src/probes/attribution/metrics/index.ts';
import { MAXPOOL_TIES_DEFAULT } from '../../../../src/probes/attribution/schema.ts';

const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const shapes = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'fixtures', 'shapes_cnn');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-file-maps-'));
fs.mkdirSync(path.join(dir, 'maps'));
const write = (name: string, bytes: Uint8Array | string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, bytes);
  return f;
};

const model = importOnnxFile(path.join(shapes, 'shapes_cnn.onnx'), { labels: ['disk', 'square', 'triangle'] });
// The map a masks entry would compute: with the entry's max-pool tie rule.
const subject = subjectOf(model, { maxPoolTies: MAXPOOL_TIES_DEFAULT });
const input = toModelInput(readImage(path.join(shapes, 'shape_0_disk.png')), model.preprocess);

const entry = (id: string, method: string, measure = '{ deletion: { steps: 8 }, pointing: { box: [125, 85, 171, 130] } }', expect = 'deletion_auc: { max: 2 }') => `
  - id: ${id}
    image: SHAPES/shape_0_disk.png
    target: { class: 0 }
    method: ${method}
    measure: ${measure}
    expect: { ${expect} }`;
const spec = (name: string, ...entries: string[]) => write(name, `suite: file-maps\nmodel: SHAPES/shapes_cnn.onnx\nengine: { device: cpu }\nmasks:${entries.join('')}\n`.replaceAll('SHAPES', shapes));

test('the map template: {image} is the file stem, {name} the entry path without extension, {index} the position', () => {
  assert.is(mapPath('maps/{image}.npy', 'images/cat.png', 3), 'maps/cat.npy');
  assert.is(mapPath('{name}-{index}.npy', 'images/cat.png', 3), 'images/cat-3.npy');
  assert.throws(() => mapPath('maps/{img}.npy', 'cat.png', 0), /unknown placeholder \{img\}/);
});

test('a file holding the gradient map measures exactly what the gradient method measures; its checks pass and fail', async () => {
  const g = await gradientMethod(subject, input, { kind: 'class', index: 0 });
  write('maps/shape_0_disk.npy', encodeNpy({ dims: [1, ...g.map.dims], data: g.map.data as Float32Array }));
  const f = spec('same.yaml',
    entry('gradient', '{ gradient: {} }'),
    entry('file', '{ file: "maps/{image}.npy" }'),
    entry('file-block', '{ file: { path: "maps/{image}.npy" } }', undefined, 'pointing_hit: { min: 1 }, deletion_auc: { max: 1e-9 }'));
  const { report } = await runSpecs({ paths: [f], limits });
  const [grad, file, block] = report.suites[0].entries;
  for (const e of [grad, file, block]) assert.is(e.error, undefined, JSON.stringify(e.error));
  for (const k of ['score', 'deletion_auc', 'pointing_hit', 'pointing_distance', 'total_variation']) {
    assert.ok(typeof grad.measurements[k] === 'number', k);
    assert.is(file.measurements[k], grad.measurements[k], k);
    assert.is(block.measurements[k], grad.measurements[k], k);
  }
  assert.ok(file.checks.every((c) => c.passed));
  // The same map held to an impossible deletion AUC fails (the pointing check still passes).
  assert.equal(block.checks.map((c) => c.passed), [true, false]);
  assert.is(report.exitCode, 1);
});

test('a low-resolution map is upsampled with resize: true, and refused without it', async () => {
  write('maps/small.npy', encodeNpy({ dims: [7, 7], data: Float32Array.from({ length: 49 }, (_, i) => (i === 24 ? 1 : 0)) }));
  const ok = spec('small.yaml', entry('small', '{ file: { path: maps/small.npy, resize: true } }'));
  await validateSpecs([ok], { limits });
  const bad = spec('small-bad.yaml', entry('small', '{ file: maps/small.npy }'));
  const e = await asyncErrorOf(() => validateSpecs([bad], { limits }));
  assert.match((e as SpecError).issues[0].message, /small\.npy: map is 7×7, the model input is 224×224/);
  assert.match((e as SpecError).issues[0].hint ?? '', /resize: true/);
});

test('shape, NaN, missing file, unknown placeholder and a method-rerunning metric: exit 2 at the file and the spec line', async () => {
  write('maps/wrong.npy', encodeNpy({ dims: [2, 224, 224], data: new Float32Array(2 * 224 * 224) }));
  const nan = new Float32Array(224 * 224);
  nan[5 * 224 + 7] = NaN;
  write('maps/nan.npy', encodeNpy({ dims: [224, 224], data: nan }));
  write('maps/text.npy', 'not numpy at all');
  const cases: [string, string, RegExp, number?][] = [
    ['{ file: maps/wrong.npy }', '', /wrong\.npy: map has shape \[2, 224, 224\], the model input needs \[224, 224\] or \[3, 224, 224\]/],
    ['{ file: maps/nan.npy }', '', /nan\.npy: map holds NaN at \[5, 7\]/],
    ['{ file: maps/text.npy }', '', /text\.npy: not a \.npy file/],
    ['{ file: maps/none.npy }', '', /none\.npy: map none\.npy not found/],
    ['{ file: "maps/{img}.npy" }', '', /unknown placeholder \{img\}/],
    ['{ file: maps/shape_0_disk.npy }', '{ sensitivity: {} }', /`sensitivity` re-runs the method/, 9],
  ];
  for (const [i, [method, measure, re, line = 8]] of cases.entries()) {
    const f = spec(`bad-${i}.yaml`, entry('bad', method, measure || undefined));
    const e = await asyncErrorOf(() => runSpecs({ paths: [f], limits }));
    assert.instance(e, SpecError, method);
    assert.is(exitCodeFor(e), EXIT.badInput);
    const text = (e as SpecError).issues.map((x) => `${x.where} ${x.message}`).join('\n');
    assert.match(text, re);
    assert.is((e as SpecError).issues.length, 1, text);
    assert.match(text, new RegExp(`bad-${i}\\.yaml:${line}:\\d+`), text);
  }
});

test('every metric that reads the map measures a file map (cheap options), and every metric that re-runs the method is refused', async () => {
  // Cheap settings for the metrics whose defaults cost many passes; any other metric runs with its defaults.
  const cheap: Record<string, string> = {
    deletion: '{ steps: 4 }', insertion: '{ steps: 4 }', preserve: '{ areas: [0.1] }', pointing: '{ box: [125, 85, 171, 130] }',
    infidelity: '{ samples: 2 }', localisation: '{ box: [125, 85, 171, 130] }', faithfulness_correlation: '{ samples: 4 }', monotonicity: '{ steps: 4 }',
  };
  const block = (keys: string[]) => `{ ${keys.map((k) => `${k}: ${maskMetrics().find((d) => d.key === k)!.form === 'flag' ? 'true' : cheap[k] ?? '{}'}`).join(', ')} }`;
  const reading = maskMetrics().filter((d) => !d.needs.includes('method')).map((d) => d.key);
  const rerunning = maskMetrics().filter((d) => d.needs.includes('method')).map((d) => d.key);
  assert.ok(reading.length >= 10 && rerunning.length >= 4, `${reading} | ${rerunning}`);
  const f = spec('every.yaml', entry('every', '{ file: maps/shape_0_disk.npy }', block(reading), 'score: { min: 0 }'));
  const { report } = await runSpecs({ paths: [f], limits });
  const e = report.suites[0].entries[0];
  assert.is(e.error, undefined, JSON.stringify(e.error));
  for (const d of maskMetrics().filter((m) => reading.includes(m.key))) {
    for (const name of d.metrics) assert.ok(name in e.measurements, `${d.key}: ${name} missing`);
  }
  const bad = spec('every-bad.yaml', entry('every', '{ file: maps/shape_0_disk.npy }', block(rerunning)));
  const err = await asyncErrorOf(() => validateSpecs([bad], { limits }));
  assert.equal((err as SpecError).issues.map((i) => /`(\w+)` re-runs the method/.exec(i.message)?.[1]).sort(), [...rerunning].sort());
});

test.run();
