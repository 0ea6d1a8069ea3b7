// Grad-CAM++ and KernelSHAP on the real MobileNetV2 (zoo): the maps are finite and not constant, and
// deleting what they rank first lowers the target more than deleting as much chosen at random —
// the deletion sanity check (Petsiuk et al. 2018) in its smallest form, with the random draws seeded.
// KernelSHAP's efficiency Σφ = f(x) − f(baseline) holds on a deep model too. Not every image and
// class passes this for a CAM: on rocket.jpg's Drawing, Grad-CAM and Grad-CAM++ alike rank cells
// whose removal raises the logit (8.4 → 10.1, random cells → 9.3) — the check is a sanity bound, not a law.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { loadModel } from '../../../../src/models/load.ts';
import { readImage, toModelInput } from '../../../../src/stimuli/image.ts';
import { subjectOf } from '../../../../src/probes/attribution/subject.ts';
import { gradCamPlusPlus } from '../../../../src/probes/attribution/methods/grad-cam-pp.ts';
import { kernelShap } from '../../../../src/probes/attribution/methods/kernel-shap.ts';
import { gridSegments } from '../../../../src/probes/attribution/surrogate/segments.ts';
import { randomSubset, scoreCoalitions } from '../../../../src/probes/attribution/surrogate/coalitions.ts';
import { makeRng } from '../../../../src/util/rng.ts';

const images = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', '..', 'fixtures', 'images');
const model = await loadModel('zoo:mobilenet_v2');
const subject = subjectOf(model, { batchSize: 32 });
const x = toModelInput(readImage(path.join(images, 'coffee.png')), model.preprocess);
const target = { kind: 'class' as const, index: model.labels!.indexOf('Neutral') };
const [, H, W] = subject.inputDims;
const ROWS = 4;
const M = ROWS * ROWS;
const K = 4;
const seg = gridSegments(H, W, ROWS, ROWS);

/** Mean evidence of each 4×4 grid cell, for ranking a pixel map by the segments KernelSHAP uses. */
function cellMeans(map: Float32Array): Float64Array {
  const s = new Float64Array(M);
  for (let p = 0; p < map.length; p++) s[seg.labels[p]] += map[p];
  return s;
}

/** Scores with the K cells ranked first removed (set to 0), and with 30 seeded random K-sets removed. */
async function deletion(rank: Float64Array) {
  const order = [...rank.keys()].sort((a, b) => rank[b] - rank[a]);
  const rows = 31;
  const z = new Uint8Array(rows * M).fill(1);
  for (const s of order.slice(0, K)) z[s] = 0;
  const rng = makeRng(4);
  const tmp = new Uint8Array(M);
  const idx = new Int32Array(M);
  for (let r = 1; r < rows; r++) {
    randomSubset(tmp, K, rng, idx);
    for (let s = 0; s < M; s++) z[r * M + s] = 1 - tmp[s];
  }
  const f = await scoreCoalitions(subject, x, target, seg, 0, z);
  let random = 0;
  for (let r = 1; r < rows; r++) random += f[r] / (rows - 1);
  return { top: f[0], random };
}

test('zoo:mobilenet_v2 (coffee.png, Neutral): removing the cells Grad-CAM++ and KernelSHAP rank first lowers the score more than random cells', async () => {
  const full = (await scoreCoalitions(subject, x, target, seg, 0, new Uint8Array(M).fill(1)))[0];
  const pp = await gradCamPlusPlus(subject, x, target);
  assert.ok(pp.map.data.every(Number.isFinite) && pp.map.data.some((v) => v !== pp.map.data[0]));
  const ks = await kernelShap(subject, x, target, { grid: [ROWS, ROWS], samples: 160, seed: 1 });
  assert.ok(ks.map.data.every(Number.isFinite) && ks.map.data.some((v) => v !== ks.map.data[0]));
  assert.ok(Math.abs(ks.completeness!.gap) < 1e-9 * (1 + Math.abs(ks.completeness!.delta)), `efficiency gap ${ks.completeness!.gap}`);
  const phi = new Float64Array(M);
  for (let p = 0; p < ks.map.data.length; p++) phi[seg.labels[p]] = ks.map.data[p];
  const dp = await deletion(cellMeans(pp.map.data));
  const dk = await deletion(phi);
  console.log(`score ${full.toFixed(3)}; top-${K} cells removed → grad_cam_pp ${dp.top.toFixed(3)}, kernel_shap ${dk.top.toFixed(3)}; ${K} random cells → ${dp.random.toFixed(3)} (mean of 30)`);
  assert.ok(dp.top < dp.random, `grad_cam_pp: ${dp.top} vs random ${dp.random}`);
  assert.ok(dk.top < dk.random, `kernel_shap: ${dk.top} vs random ${dk.random}`);
});

test.run();
