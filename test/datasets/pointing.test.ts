// A masks entry over a manifest of labelled images with per-image boxes and masks, through the
// whole runner on the PyTorch-exported shapes_cnn: its pointing accuracy is the same as running the
// images one entry each; a manifest's bad rows are spec errors at the manifest's file:line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpecs, validateSpecs } from '../../src/run/index.ts';
import { SpecError } from '../../src/suite/issues.ts';
import { DEFAULT_LIMITS } from '../../src/probe/limits.ts';
import { asyncErrorOf } from '../helpers.ts';
import { encodePng } from '../../src/stimuli/image.ts';
import { SHAPE_CLASSES, shapeScene } from '../../src/stimuli/scenes.ts';
import { makeRng } from '../../src/util/rng.ts';
import { pointingAccuracy } from '../../src/probes/attribution/metrics/localisation/pointing.ts';

const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const model = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn', 'shapes_cnn.onnx');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-datasets-'));
fs.writeFileSync(path.join(dir, 'package.json'), '{}');

// Eight scenes written as PNGs, with their boxes and masks, at the model's own 224 px.
const N = 8;
const rows: { file: string; label: string; box: number[] }[] = [];
fs.mkdirSync(path.join(dir, 'img'));
for (let i = 0; i < N; i++) {
  const s = shapeScene(makeRng(500 + i), 224);
  const hw = 224 * 224;
  const data = new Float32Array(hw * 3);
  for (let c = 0; c < 3; c++) for (let k = 0; k < hw; k++) data[k * 3 + c] = s.input.data[c * hw + k] * 255;
  const file = `img/s${i}.png`;
  fs.writeFileSync(path.join(dir, file), encodePng({ width: 224, height: 224, data }));
  const m = new Float32Array(hw * 3);
  for (let k = 0; k < hw; k++) m[k * 3] = m[k * 3 + 1] = m[k * 3 + 2] = s.mask.data[k] * 255;
  fs.writeFileSync(path.join(dir, `img/s${i}_mask.png`), encodePng({ width: 224, height: 224, data: m }));
  rows.push({ file, label: SHAPE_CLASSES[s.label], box: [...s.box] });
}
const csv = ['path,label,boxes,mask,tags', ...rows.map((r, i) => `${r.file},${r.label},${r.box.join(' ')},img/s${i}_mask.png,${i % 2 ? 'odd' : 'even'}`)].join('\n');
fs.writeFileSync(path.join(dir, 'manifest.csv'), csv);

const head = `suite: ds\nmodel: ${model}\nengine: { device: cpu }\nlabels: [disk, square, triangle]\n`;
function spec(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, head + text);
  return f;
}

test('pointing accuracy over a manifest equals the images run one entry each', async () => {
  const one = spec('one.yaml', `masks:
  - id: all
    images: { manifest: manifest.csv }
    target: label
    method: { gradient: {} }
    measure: { pointing: {} }
    aggregate:
      hits: { of: pointing_hit, by: mean, slice: label }
      far: { of: pointing_distance, by: { quantile: 0.9 }, slice: tag }
    expect:
      pointing_accuracy: { min: 0 }
      hits: { min: 0 }
`);
  const each = spec('each.yaml', `masks:\n${rows.map((r, i) => `  - id: img${i}
    image: ${r.file}
    target: { class: ${r.label} }
    method: { gradient: {} }
    measure: { pointing: { box: [${r.box.join(', ')}] } }
    expect: { pointing_hit: { min: 0 } }
`).join('')}`);
  const a = (await runSpecs({ paths: [one], limits })).report.suites[0].entries[0];
  const b = (await runSpecs({ paths: [each], limits })).report.suites[0].entries;
  const hits = b.map((e) => e.measurements.pointing_hit as number);
  assert.equal(a.measurements.pointing_hit, hits);
  const ref = pointingAccuracy(rows.map((r, i) => ({ label: r.label, hit: hits[i] === 1 })));
  assert.is(a.measurements.pointing_accuracy, ref.accuracy);
  assert.is(a.measurements.pointing_hit_rate, ref.hitRate);
  // The mean of hits over all images is the hit rate; each label is a slice, each slice a check line.
  assert.is(a.measurements.hits, ref.hitRate);
  for (const c of new Set(rows.map((r) => r.label))) assert.is(a.measurements[`hits[${c}]`], ref.perClass[c]);
  const lines = a.checks.filter((c) => c.metric.startsWith('hits')).map((c) => c.metric).sort();
  assert.equal(lines, ['hits', ...[...new Set(rows.map((r) => r.label))].map((c) => `hits[${c}]`)].sort());
  assert.ok(typeof a.measurements['far[odd]'] === 'number' && typeof a.measurements['far[even]'] === 'number');
  // A trained shape classifier's gradient points at the shape in most scenes: the gate can fail the other way.
  assert.ok(ref.hitRate >= 0.5, `hit rate ${ref.hitRate}`);
});

test('pointing against the ground-truth masks of generated scenes', async () => {
  const f = spec('scenes.yaml', `masks:
  - id: scenes
    images: { scenes: { n: 4, seed: 3 } }
    target: label
    method: { gradient: {} }
    measure: { pointing: { tolerance: 0 } }
    expect:
      pointing_accuracy: { min: 1.5 }
`);
  const e = (await runSpecs({ paths: [f], limits })).report.suites[0].entries[0];
  assert.is((e.measurements.pointing_hit as number[]).length, 4);
  // No accuracy can reach 1.5: the check fails, so the gate is live.
  assert.is(e.checks.find((c) => c.metric === 'pointing_accuracy')!.passed, false);
});

test('class names from the suite: target { class: square } on a model without labels; top-1 accuracy; the difficult subset', async () => {
  const named = spec('named.yaml', `masks:
  - id: named
    image: ${rows[1].file}
    target: { class: square }
    method: { gradient: {} }
    expect: { score: { min: -1000 } }
  - id: acc
    images: { manifest: manifest.csv }
    target: label
    method: { gradient: {} }
    measure: { pointing: { subset: difficult } }
    expect: { top1_accuracy: { min: 0 }, pointing_accuracy: { min: 0 } }
`);
  fs.writeFileSync(path.join(dir, 'manifest.csv'), csv.replace('\n', '\n').split('\n').map((l, i) => (i === 0 ? `${l},difficult` : `${l},${i <= 2 ? 1 : 0}`)).join('\n'));
  const [a, b] = (await runSpecs({ paths: [named], limits })).report.suites[0].entries;
  fs.writeFileSync(path.join(dir, 'manifest.csv'), csv);
  assert.is(a.params.target, 'class 1 (square)');
  const top1 = b.measurements.top1_accuracy as number;
  assert.ok(top1 >= 0 && top1 <= 1 && Math.round(top1 * N) === top1 * N, String(top1));
  // Only the two difficult images are scored; the others' hits are null.
  const hits = b.measurements.pointing_hit as (number | null)[];
  assert.is(hits.filter((h) => h !== null).length, 2);
  assert.is(hits.slice(2).every((h) => h === null), true);
});

async function manifestError(lines: string, extra = ''): Promise<SpecError> {
  fs.writeFileSync(path.join(dir, 'bad.csv'), lines);
  const f = spec('bad.yaml', `${extra}masks:
  - id: bad
    images: { manifest: bad.csv }
    target: label
    method: { gradient: {} }
    measure: { pointing: {} }
    expect: { pointing_accuracy: { min: 0 } }
`);
  const err = await asyncErrorOf(() => validateSpecs([f], { schemaOnly: true, limits }));
  assert.instance(err, SpecError);
  return err as SpecError;
}

test('a manifest row with a missing file, a bad box, an unknown label or a mask of the wrong size: error at its line', async () => {
  const ok = `${rows[0].file},${rows[0].label},${rows[0].box.join(' ')},img/s0_mask.png`;
  const cases: [string, RegExp][] = [
    [`img/nope.png,disk,1 1 5 5,`, /image file not found: img\/nope\.png/],
    [`${rows[1].file},disk,10 10 5 5,`, /bad box \[10, 10, 5, 5\]/],
    [`${rows[1].file},disk,0 0 224 10,`, /bad box/],
    [`${rows[1].file},dsik,1 1 5 5,`, /label "dsik" is not in `labels:`.*|did you mean "disk"/],
    [`${rows[1].file},7,1 1 5 5,`, /label 7 is not a class/],
    [`${rows[1].file},disk,1 1 5 5,small.png`, /mask small\.png is 8×8 but its image is 224×224/],
    [`${rows[1].file},disk,1 1 5 x,`, /bad box/],
  ];
  fs.writeFileSync(path.join(dir, 'small.png'), encodePng({ width: 8, height: 8, data: new Float32Array(8 * 8 * 3) }));
  for (const [row, re] of cases) {
    const err = await manifestError(`path,label,boxes,mask\n${ok}\n${row}\n`);
    assert.is(err.issues.length, 1, row);
    assert.match(err.issues[0].where, /bad\.csv:3:1$/);
    assert.match(`${err.issues[0].message} ${err.issues[0].hint ?? ''}`, re);
  }
});

test('a box-less pointing game over images without boxes, and target: label without labels, are spec errors', async () => {
  const f = spec('nobox.yaml', `masks:
  - id: folder
    images: { folder: img }
    target: label
    method: { gradient: {} }
    measure: { pointing: {} }
    expect: { pointing_accuracy: { min: 0 } }
`);
  const err = (await asyncErrorOf(() => validateSpecs([f], { schemaOnly: true, limits }))) as SpecError;
  assert.ok(err.issues.some((i) => /`target: label` needs every image's class label/.test(i.message)));
  assert.ok(err.issues.some((i) => /pointing game needs a box/.test(i.message)));
});

test.run();
