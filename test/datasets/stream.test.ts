// A dataset entry streams: over a folder of many images made here, the masks probe never holds more
// decoded images than one engine batch, reports every image, reports images/s and ETA to the
// progress, and gives the same values as the same images listed one by one (decoded up front).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpecs } from '../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../src/probe/limits.ts';
import { encodePng } from '../../src/stimuli/image.ts';
import { inBatches, resetStreamGauge, streamGauge, type ImageStream } from '../../src/datasets/stream.ts';
import type { Progress } from '../../src/run/progress.ts';
import { keepTop } from '../../src/probes/neuron/activation.ts';
import { npyBytes } from '../../src/datasets/save-maps.ts';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';

const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const model = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'shapes_cnn', 'shapes_cnn.onnx');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-stream-'));
fs.writeFileSync(path.join(dir, 'package.json'), '{}');

// 30 small images (a bright square on grey at a seeded place): decoding is cheap, the count is not.
const N = 30;
fs.mkdirSync(path.join(dir, 'many'));
const names: string[] = [];
for (let i = 0; i < N; i++) {
  const w = 32;
  const data = new Float32Array(w * w * 3).fill(90);
  const x0 = (i * 7) % 20;
  const y0 = (i * 11) % 20;
  for (let y = y0; y < y0 + 10; y++) for (let x = x0; x < x0 + 10; x++) data.fill(240, (y * w + x) * 3, (y * w + x) * 3 + 3);
  const name = `many/im${String(i).padStart(3, '0')}.png`;
  fs.writeFileSync(path.join(dir, name), encodePng({ width: w, height: w, data }));
  names.push(name);
}

const head = `suite: stream\nmodel: ${model}\nengine: { device: cpu, batch: 4 }\n`;
const body = (images: string) => `masks:
  - id: all
    images: ${images}
    target: { class: 0 }
    method: { gradient: {} }
    measure: { pointing: { box: [0, 0, 111, 111] } }
    expect: { pointing_hit_rate: { min: 0 } }
`;

test('a folder of images streams: at most one batch decoded at a time, every image measured, progress in images/s', async () => {
  const f = path.join(dir, 'folder.yaml');
  fs.writeFileSync(f, head + body('{ folder: many }'));
  const seen: [number, number][] = [];
  const progress: Progress = { start() {}, tick() {}, stop() {}, images: (_l, done, total) => seen.push([done, total]) };
  resetStreamGauge();
  const mapsDir = path.join(dir, 'maps');
  const streamed = (await runSpecs({ paths: [f], limits, progress, saveMaps: mapsDir })).report.suites[0].entries[0];
  assert.ok(streamGauge.peak > 0, 'the entry streamed');
  // --save-maps: one float32 .npy per image (named image__method__target) and a manifest listing them.
  const manifest = JSON.parse(fs.readFileSync(path.join(mapsDir, 'manifest.json'), 'utf8')) as { maps: { file: string; image: string; shape: number[] }[] };
  assert.is(manifest.maps.length, N);
  assert.is(manifest.maps[0].file, 'im000.png__gradient__class_0.npy');
  assert.equal(fs.readdirSync(mapsDir).filter((x) => x.endsWith('.npy')).length, N);
  assert.not.ok(fs.readdirSync(mapsDir).some((x) => x.endsWith('.tmp')), 'no temporary file left');
  const back = parseNpy(fs.readFileSync(path.join(mapsDir, manifest.maps[0].file)));
  assert.equal(back.shape, manifest.maps[0].shape);
  assert.ok(back.data.some((v) => v !== 0) && back.data.every(Number.isFinite));
  assert.ok(streamGauge.peak <= 4, `at most one batch (4) decoded at once, saw ${streamGauge.peak}`);
  assert.is(streamGauge.live, 0, 'every batch released');
  assert.is((streamed.measurements.pointing_hit as number[]).length, N);
  assert.equal(seen.map(([d]) => d), Array.from({ length: N }, (_, i) => i + 1));
  assert.ok(seen.every(([, t]) => t === N));

  // The same images listed: decoded up front, nothing streamed, the same numbers.
  const g = path.join(dir, 'list.yaml');
  fs.writeFileSync(g, head + body(`[${names.join(', ')}]`));
  resetStreamGauge();
  const listed = (await runSpecs({ paths: [g], limits })).report.suites[0].entries[0];
  assert.is(streamGauge.peak, 0);
  assert.equal(streamed.measurements.pointing_hit, listed.measurements.pointing_hit);
  assert.equal(streamed.measurements.score, listed.measurements.score);
});

test('a neurons entry over a folder streams one batch at a time and keeps each unit’s top images', async () => {
  const neurons = (images: string) => `neurons:
  - id: acts
    layer: /Relu_output_0
    units: [0, 5]
    reduce: max
    images: ${images}
    top: 3
    expect: { activation.mean: { min: -1000 } }
`;
  const f = path.join(dir, 'neurons-folder.yaml');
  fs.writeFileSync(f, head + neurons('{ folder: many }'));
  resetStreamGauge();
  const streamed = (await runSpecs({ paths: [f], limits })).report.suites[0].entries[0];
  assert.ok(streamGauge.peak > 0 && streamGauge.peak <= 4, `peak ${streamGauge.peak}`);
  const values = streamed.measurements.activation as number[];
  assert.is(values.length, 2 * N);
  const g = path.join(dir, 'neurons-list.yaml');
  fs.writeFileSync(g, head + neurons(`[${names.join(', ')}]`));
  const listed = (await runSpecs({ paths: [g], limits })).report.suites[0].entries[0];
  assert.equal(values, listed.measurements.activation);
  // The top table is each unit's three largest values, largest first, from the same numbers.
  const table = streamed.artifacts.find((a) => a.name === 'top-images') as { rows: (string | number)[][] } | undefined;
  assert.ok(table, 'a top-images table');
  for (const [k, unit] of [0, 5].entries()) {
    const mine = values.filter((_, i) => i % 2 === k).sort((a, b) => b - a).slice(0, 3);
    assert.equal(table.rows.filter((r) => r[0] === unit).map((r) => r[3]), mine);
  }
  // The same examples as atlas rows: one per unit, its three thumbnails in rank order.
  const atlas = streamed.artifacts.find((a) => a.type === 'atlas') as { rows: [string, { caption: string }[]][] } | undefined;
  assert.equal(atlas?.rows.map(([u, thumbs]) => [u, thumbs.map((t) => t.caption.slice(0, 3))]), [['unit 0', ['#1:', '#2:', '#3:']], ['unit 5', ['#1:', '#2:', '#3:']]]);
});

test('keepTop keeps the k largest finite values, largest first', () => {
  fc.assert(fc.property(fc.array(fc.double({ noNaN: false })), fc.integer({ min: 1, max: 6 }), (xs, k) => {
    const list: { value: number }[] = [];
    for (const value of xs) keepTop(list, k, { value });
    const want = xs.filter(Number.isFinite).sort((a, b) => b - a).slice(0, k);
    assert.equal(list.map((t) => t.value), want);
  }), { seed: FC_SEED, numRuns: 100 });
});

/** A .npy 1.0 file read back the way NumPy does: magic, header dict, little-endian float32. */
function parseNpy(b: Buffer): { shape: number[]; data: Float32Array } {
  assert.is(b.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  const len = b.readUInt16LE(8);
  assert.is((10 + len) % 64, 0, 'header padded to 64 bytes');
  const header = b.subarray(10, 10 + len).toString('latin1');
  assert.match(header, /'descr': '<f4', 'fortran_order': False/);
  const shape = header.match(/'shape': \(([^)]*)\)/)![1].split(',').map((x) => x.trim()).filter(Boolean).map(Number);
  const body = b.subarray(10 + len);
  const data = new Float32Array(body.length / 4);
  for (let i = 0; i < data.length; i++) data[i] = body.readFloatLE(i * 4);
  return { shape, data };
}

test('npy bytes read back to the same shape and float32 values', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }), fc.integer(), (dims, s) => {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i + s) * 1e3));
    const back = parseNpy(npyBytes({ dims, data }));
    assert.equal(back.shape, dims);
    assert.equal(Array.from(back.data), Array.from(data));
  }), { seed: FC_SEED, numRuns: 50 });
});

test('inBatches yields every item once, in order, never more than the batch alive', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 9 }), async (n, size) => {
    resetStreamGauge();
    const s: ImageStream<number> = { length: n, load: (i) => i };
    const got: number[] = [];
    for await (const b of inBatches(s, size)) {
      assert.ok(b.length <= size);
      got.push(...b);
    }
    assert.equal(got, Array.from({ length: n }, (_, i) => i));
    assert.ok(streamGauge.peak <= size);
    assert.is(streamGauge.live, 0);
  }), { seed: FC_SEED, numRuns: 50 });
});

test.run();
