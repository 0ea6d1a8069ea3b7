// The clean-room generator chained into shapes_cnn: its planted disk unit removes and adds a disk
// as the trained classifier's disk-detector unit sees it, and the change stays in the region.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildGenerator } from '../../src/generators/network.ts';
import { chainModels } from '../../src/generators/chain.ts';
import { loadGenerator } from '../../src/generators/load.ts';
import { resolveJudge } from '../../src/generators/judge.ts';
import { intervene } from '../../src/generators/intervention.ts';
import { noiseFeeds, runItems, sampleLatents } from '../../src/generators/sample.ts';
import { encodeModel } from '../../src/engine/onnx.ts';
import { loadModel } from '../../src/models/load.ts';
import { makeRng } from '../../src/util/rng.ts';

const gen = buildGenerator();
const judge = await loadModel(path.resolve('test/fixtures/shapes_cnn/shapes_cnn.onnx'));
const chain = chainModels(gen, judge);
const ctx = { device: 'cpu' as const, batch: 8 };
// Unit 5 of shapes_cnn's /Relu_1_output_0 answers a disk in any cell (≥ 4.8) and bars or arcs hardly (≤ 0.26):
// found by forcing each part into six cells of an empty scene (the other units there are position- or blob-tuned).
const disk = await resolveJudge(chain, { neuron: { layer: '/Relu_1_output_0', unit: 5 } }, 'test');
const concepts = await Promise.all([0, 1, 2, 3].map((u) => resolveJudge(chain, { concept: { layer: 'parts', unit: u } }, 'test')));

test('the generator draws the disk slot exactly when its latent direction is positive', async () => {
  const z = sampleLatents(makeRng(1), 16, 8);
  const out = await runItems(gen.net, { z, ...noiseFeeds(gen, 16) }, ['layout'], ctx);
  for (let i = 0; i < 16; i++) {
    const q = gen.directions[0].reduce((s, v, d) => s + v * z.data[i * 8 + d], 0);
    const on = out.layout.data[i * 64];
    assert.ok((q > 0.3 && on > 0.75) || (q < -0.3 && on < 0.25) || Math.abs(q) <= 0.3, `item ${i}: q·z = ${q}, unit ${on}`);
  }
});

test('turning the disk unit off in the upper left removes the disk for the judge and leaves the other parts', async () => {
  const r = await intervene(chain, [disk, ...concepts], { layer: 'layout', units: [0], region: [0, 0, 0.25, 0.25], set: 'off', samples: 16 }, makeRng(2), ctx, 'test');
  assert.ok(r.before[0] > 1, `disk detector before: ${r.before[0]}`);
  assert.ok(r.after[0] <= 0.2 * r.before[0], `disk detector ${r.before[0]} → ${r.after[0]}: must drop ≥ 80%`);
  assert.ok(r.locality > 0.99, `locality ${r.locality}`);
  // Bars and arcs (concept masks 1..3) keep their area exactly.
  for (let k = 2; k < 5; k++) assert.ok(Math.abs(r.effect[k]) < 1e-6, `part ${k - 1} changed by ${r.effect[k]}`);
});

test('turning it on in the empty lower right adds a disk there', async () => {
  const r = await intervene(chain, [disk, concepts[0]], { layer: 'layout', units: [0], region: [0.75, 0.75, 1, 1], set: 'on', value: 1, samples: 16 }, makeRng(3), ctx, 'test');
  assert.ok(r.effect[0] > 2, `disk detector rises by ${r.effect[0]}`);
  // One disk of radius 0.36·28 px more in each image: π·10.08² / 112² ≈ 0.0254 of the area.
  assert.ok(Math.abs(r.effect[1] - 0.0254) < 0.004, `disk area added ${r.effect[1]}`);
  assert.ok(r.locality > 0.99, `locality ${r.locality}`);
});

test('an exported clean-room generator loads as any ONNX generator and draws the same images', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-gen-'));
  const file = path.join(dir, 'gen.onnx');
  fs.writeFileSync(file, encodeModel(gen.net.model));
  const g = loadGenerator(file);
  assert.equal(g.latent, { name: 'z', size: 8 });
  assert.equal(g.noise.map((x) => x.name), ['noise_coarse', 'noise_fine']);
  assert.equal(g.image, { name: 'image', channels: 3, height: 112, width: 112 });
  assert.equal(g.range, [0, 1]);
  const z = sampleLatents(makeRng(4), 3, 8);
  const a = await runItems(gen.net, { z, ...noiseFeeds(gen, 3) }, ['image'], ctx);
  const b = await runItems(chainModels(g, judge).net, { z, ...noiseFeeds(g, 3) }, ['image'], ctx);
  assert.equal(Array.from(b.image.data), Array.from(a.image.data));
  fs.rmSync(dir, { recursive: true });
});

test('a graph without a vector input is refused with a clear error', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-gen-'));
  const file = path.join(dir, 'cnn.onnx');
  fs.copyFileSync(path.resolve('test/fixtures/shapes_cnn/shapes_cnn.onnx'), file);
  assert.throws(() => loadGenerator(file), (e: Error & { code?: string }) => e.code === 'E_GENERATOR_LATENT');
  fs.rmSync(dir, { recursive: true });
});

test.run();
