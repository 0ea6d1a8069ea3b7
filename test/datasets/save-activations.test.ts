// `--save-activations DIR` on the real shapes CNN: every image of a neuron entry over a folder gets
// a float32 .npy of its layer activations and a manifest line; read back with the project's .npy
// reader they give exactly the activations the report measured; the run's byte limit stops the
// writing with a clear error (exit 2) instead of filling a disk.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSpecs } from '../../src/run/index.ts';
import { DEFAULT_LIMITS } from '../../src/probe/limits.ts';
import { parseNpy } from '../../src/probes/attribution/file-maps/npy.ts';
import { encodePng } from '../../src/stimuli/image.ts';
import { makeRng } from '../../src/util/rng.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const model = path.join(root, 'test', 'fixtures', 'shapes_cnn', 'shapes_cnn.onnx');
const limits = { ...DEFAULT_LIMITS, allowOutside: true };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-save-act-'));
fs.writeFileSync(path.join(dir, 'package.json'), '{}');
fs.mkdirSync(path.join(dir, 'images'));
// Seeded noise images: every one different, so a file mixed up with another would show.
const N = 6;
const rng = makeRng(3);
for (let i = 0; i < N; i++) {
  const data = Float32Array.from({ length: 40 * 40 * 3 }, () => Math.floor(rng() * 256));
  fs.writeFileSync(path.join(dir, 'images', `im${i}.png`), encodePng({ width: 40, height: 40, data }));
}
const LAYER = '/Relu_output_0';
const spec = path.join(dir, 'neurons.yaml');
fs.writeFileSync(spec, `suite: save-act
model: ${model}
engine: { device: cpu, batch: 4 }
neurons:
  - id: relu-max
    layer: ${LAYER}
    units: [0, 3, 5]
    reduce: max
    images: { folder: images }
    expect: { activation.mean: { min: 0 } }
`);

test('every image’s activations are saved, listed, and read back to the values the report measured', async () => {
  const out = path.join(dir, 'acts');
  const { report } = await runSpecs({ paths: [spec], limits, saveActivations: out });
  const entry = report.suites[0].entries[0];
  assert.is(entry.error, undefined);
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { activations: { file: string; entry: string; image: string; layer: string; shape: number[] }[] };
  assert.is(manifest.activations.length, N);
  assert.equal(fs.readdirSync(out).filter((f) => f.endsWith('.tmp')), [], 'no half-written file left');
  const measured = entry.measurements.activation as number[];
  const units = [0, 3, 5];
  manifest.activations.forEach((a, i) => {
    assert.is(a.layer, LAYER);
    assert.is(a.entry, 'relu-max');
    assert.match(a.file, /^relu-max__im\d\.png__Relu_output_0\.npy$/);
    const t = parseNpy(fs.readFileSync(path.join(out, a.file)), a.file);
    assert.equal(t.dims, a.shape);
    assert.is(t.dims.length, 3, '[C, H, W] of one image');
    const hw = t.dims[1] * t.dims[2];
    units.forEach((u, k) => {
      let max = -Infinity;
      for (let j = 0; j < hw; j++) max = Math.max(max, t.data[u * hw + j]);
      assert.is(max, measured[i * units.length + k], `${a.image} unit ${u}: the saved map's max is the measured activation`);
    });
  });
});

test('past --max-save-bytes the entry fails with E_SAVE_LIMIT (exit 2) and names the flag', async () => {
  const out = path.join(dir, 'small');
  const { report } = await runSpecs({ paths: [spec], limits: { ...limits, maxSaveBytes: 100_000 }, saveActivations: out });
  const entry = report.suites[0].entries[0];
  assert.is(entry.error?.code, 'E_SAVE_LIMIT');
  assert.match(entry.error!.hint ?? '', /--max-save-bytes/);
  assert.is(report.exitCode, 2);
  const total = fs.readdirSync(out).filter((f) => f.endsWith('.npy')).reduce((s, f) => s + fs.statSync(path.join(out, f)).size, 0);
  assert.ok(total <= 100_000, `${total} bytes written`);
});

test('a tuning sweep saves the whole layer for each swept stimulus, and the tuning curve is read from those maps', async () => {
  const file = path.join(dir, 'tuning.yaml');
  const units = [0, 5];
  fs.writeFileSync(file, `suite: save-act-tuning
model: ${model}
engine: { device: cpu, batch: 3 }
neurons:
  - id: relu-tuning
    layer: ${LAYER}
    units: [${units.join(', ')}]
    stimulus: { line: { orientation: { from: 0, to: 360, step: 45 }, width: 3, length: 30 } }
    tuning: { reference: { clutter: 2 } }
    expect: { tuning.peak_response: { min: -1000 } }
`);
  const out = path.join(dir, 'acts-tuning');
  const { report } = await runSpecs({ paths: [file], limits, saveActivations: out });
  const entry = report.suites[0].entries[0];
  assert.is(entry.error, undefined);
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { activations: { file: string; entry: string; image: string; shape: number[] }[] };
  const angles = entry.params.angles as number[];
  assert.is(angles.length, 8);
  assert.is(manifest.activations.length, angles.length, 'one file per swept stimulus (no clutter references)');
  const { position } = entry.params.placement as { position: { x: number; y: number } };
  const curves = entry.params.curves as Record<string, number[][]>;
  const read: number[] = [];
  manifest.activations.forEach((a, i) => {
    assert.is(a.entry, 'relu-tuning');
    assert.match(a.image, new RegExp(`^line orientation=${angles[i]}°$`));
    const t = parseNpy(fs.readFileSync(path.join(out, a.file)), a.file);
    assert.equal(t.dims, a.shape);
    assert.is(t.dims.length, 3, 'the full layer of one stimulus, [C, H, W]');
    const [, h, w] = t.dims;
    for (const u of units) {
      // The scan may run a receptive-field crop; the full map agrees with it within its guard (1e-4).
      const v = t.data[u * h * w + position.y * w + position.x];
      const c = curves[String(u)][0][i];
      read.push(v);
      assert.ok(Math.abs(v - c) <= 1e-4 * (1 + Math.abs(v)), `unit ${u} at ${a.image}: saved ${v}, curve ${c}`);
    }
  });
  assert.ok(new Set(manifest.activations.map((a) => a.file)).size === angles.length, 'every stimulus its own file');
  assert.ok(new Set(read).size > 2, `the units respond differently across the sweep: ${read}`);
});

test.run();
