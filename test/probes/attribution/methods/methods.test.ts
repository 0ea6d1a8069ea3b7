// RISE, Grad-CAM and meaningful perturbation on models with known answers: RISE's normalisation
// (a constant score gives a flat map of that value) and seeding, Grad-CAM's stated ReLU and
// upsampling, and both perturbation methods finding the evidence of the spot scene.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { additiveModel, biasFreeReluNet, linearModel } from '../groundtruth.ts';
import { rise, riseMasks } from '../../../../src/probes/attribution/methods/rise.ts';
import { gradCam } from '../../../../src/probes/attribution/methods/grad-cam.ts';
import { meaningfulPerturbation } from '../../../../src/probes/attribution/methods/meaningful-perturbation.ts';
import { pointingHit } from '../../../../src/probes/attribution/metrics/localisation/pointing.ts';
import { makeRng, normal } from '../../../../src/util/rng.ts';
import type { Tensor } from '../../../../src/engine/tensor.ts';
import { FC_SEED } from '../../../seed.ts';

const S = 48;
const C = 3;

function spotScene(y0: number, x0: number, side = 12) {
  const D = C * S * S;
  const q = new Float32Array(D);
  const x = new Float32Array(D);
  for (let c = 0; c < C; c++) for (let y = y0; y < y0 + side; y++) for (let xx = x0; xx < x0 + side; xx++) {
    q[c * S * S + y * S + xx] = 10 / (C * side * side);
    x[c * S * S + y * S + xx] = 1;
  }
  return { subject: additiveModel([C, S, S], new Float32Array(D), new Float32Array(D), q).subject, input: { dims: [1, C, S, S], data: x } as Tensor, box: [x0, y0, x0 + side - 1, y0 + side - 1] as [number, number, number, number] };
}

test('RISE masks: values in [0, 1], mean ≈ p, the stream is seeded', () => {
  const a = riseMasks(40, 30, 5, 0.3, makeRng(FC_SEED));
  const b = riseMasks(40, 30, 5, 0.3, makeRng(FC_SEED));
  const m = new Float32Array(1200);
  const n = new Float32Array(1200);
  let mean = 0;
  for (let i = 0; i < 400; i++) {
    a.next(m);
    b.next(n);
    assert.equal(Array.from(m), Array.from(n));
    for (const v of m) {
      assert.ok(v >= 0 && v <= 1);
      mean += v;
    }
  }
  mean /= 400 * 1200;
  assert.ok(Math.abs(mean - 0.3) < 0.03, `mean ${mean}`);
});

test('RISE normalisation: a model whose score ignores the input gets a flat map equal to the score', async () => {
  const dims: [number, number, number] = [2, 12, 12];
  const m = linearModel(dims, new Float32Array(288), new Float32Array([1.7]));
  const x = { dims: [1, ...dims], data: Float32Array.from({ length: 288 }, (_, i) => Math.sin(i)) };
  const r = await rise(m.subject, x, { kind: 'class', index: 0 }, { masks: 800, cells: 4, p: 0.5, score: 'raw', seed: 3 });
  let mean = 0;
  for (const v of r.map.data) mean += v;
  mean /= r.map.data.length;
  assert.ok(Math.abs(mean - 1.7) < 0.05, `mean ${mean}`);
  for (const v of r.map.data) assert.ok(Math.abs(v - 1.7) < 0.35, `value ${v}`);
  assert.equal(r.params.normalisation, 'N·p');
});

test('RISE points at the evidence of the spot scene and repeats exactly with its seed', async () => {
  const { subject, input, box } = spotScene(8, 26);
  const a = await rise(subject, input, { kind: 'class', index: 0 }, { masks: 300, cells: 6, seed: 1, score: 'raw' });
  const b = await rise(subject, input, { kind: 'class', index: 0 }, { masks: 300, cells: 6, seed: 1, score: 'raw' });
  assert.equal(Array.from(a.map.data), Array.from(b.map.data));
  assert.ok(pointingHit(a.map, { box }, { tolerance: 3 }).hit);
  assert.is(a.evaluations.forward, 301);
});

test('Grad-CAM: default layer is the last feature map, ReLU and upsampling as stated', async () => {
  const dims: [number, number, number] = [3, 16, 16];
  const net = biasFreeReluNet(dims, 3, makeRng(FC_SEED));
  const rng = makeRng(FC_SEED + 1);
  const x = { dims: [1, ...dims], data: Float32Array.from({ length: 768 }, () => normal(rng)) };
  const on = await gradCam(net.subject, x, { kind: 'class', index: 1 });
  assert.is(on.params.layer, 'r2');
  assert.equal(on.map.dims, [16, 16]);
  for (const v of on.map.data) assert.ok(v >= 0);
  const signed = await gradCam(net.subject, x, { kind: 'class', index: 1 }, { relu: false, upsample: 'none' });
  assert.equal(signed.map.dims, [8, 8]);
  assert.is(signed.params.upsample, 'none');
  // ReLU(upsample(cam)) = upsample(ReLU(cam)) only where signs agree; both are checked against their definition:
  const pos = await gradCam(net.subject, x, { kind: 'class', index: 1 }, { upsample: 'none' });
  for (let i = 0; i < 64; i++) assert.ok(Math.abs(pos.map.data[i] - Math.max(0, signed.map.data[i])) < 1e-6);
});

test('meaningful perturbation deletes the evidence of the spot scene with a small mask', async () => {
  const { subject, input, box } = spotScene(20, 10);
  const r = await meaningfulPerturbation(subject, input, { kind: 'class', index: 0 }, { iterations: 60, maskScale: 4, maskBlur: 2, blurSigma: 6, jitter: 2, l1: 0.01, tv: 0.01, score: 'raw' });
  const m = r.masks![0];
  for (const v of m.mask.data) assert.ok(v >= 0 && v <= 1);
  assert.ok(m.deleted < 0.3 * r.score, `deleting the mask leaves ${m.deleted} of ${r.score}`);
  assert.ok(m.area < 0.35, `area ${m.area}`);
  assert.ok(pointingHit(m.mask, { box }, { tolerance: 2, smooth: 0.05 }).hit);
  for (const k of ['iterations', 'optimizer', 'learningRate', 'l1', 'tv', 'tvBeta', 'maskSize', 'maskBlur', 'jitter', 'blurSigma', 'seed', 'score']) assert.ok(k in r.params, k);
  assert.is(r.masks![0].reward.length, 60);
});

test.run();
