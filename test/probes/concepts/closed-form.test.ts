// The concept methods on hand-built layers whose answer is known: planted unit→concept maps,
// a concept spread over three channels or held by one, a planted concept direction for TCAV.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { dissectUnits } from '../../../src/probes/concepts/dissect.ts';
import { net2vec, filtersCarrying, averagePrecision } from '../../../src/probes/concepts/net2vec.ts';
import { tcav, type Rows } from '../../../src/probes/concepts/tcav.ts';
import { tTest, tTwoSided } from '../../../src/probes/concepts/stats.ts';
import { evenGeometry, type Frame, type LayerMaps } from '../../../src/probes/concepts/maps.ts';
import { makeRng, normal, randInt, type Rng } from '../../../src/util/rng.ts';
import { FC_SEED } from '../../seed.ts';

const S = 16;
const frame: Frame = { width: S, height: S, g: evenGeometry(S, S, S, S) };

/** A random rectangle mask (2–6 px sides) per scene, or none with probability ¼. */
function rectMask(rng: Rng): Uint8Array {
  const m = new Uint8Array(S * S);
  if (rng() < 0.25) return m;
  const w = 2 + randInt(rng, 5);
  const h = 2 + randInt(rng, 5);
  const x0 = randInt(rng, S - w);
  const y0 = randInt(rng, S - h);
  for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) m[y * S + x] = 1;
  return m;
}

/** Scenes × concepts masks, and a layer whose channel k is `make(masks of scene, k, rng)`. */
function layer(scenes: number, concepts: number, C: number, seed: number, make: (masks: Uint8Array[], k: number, rng: Rng) => Float32Array) {
  const rng = makeRng(seed);
  const masks = Array.from({ length: scenes }, () => Array.from({ length: concepts }, () => rectMask(rng)));
  const maps: LayerMaps = {
    C, h: S, w: S,
    data: masks.map((ms) => {
      const d = new Float32Array(C * S * S);
      for (let k = 0; k < C; k++) d.set(make(ms, k, rng), k * S * S);
      return d;
    }),
  };
  const byConcept = Array.from({ length: concepts }, (_, c) => masks.map((ms) => ms[c]));
  return { maps, byConcept };
}

test('Student t: textbook p-values', () => {
  assert.ok(Math.abs(tTwoSided(1, 1) - 0.5) < 1e-12);
  assert.ok(Math.abs(tTwoSided(2, 10) - 0.07338803) < 1e-7);
  assert.ok(Math.abs(tTwoSided(2.228138852, 10) - 0.05) < 1e-8);
  const r = tTest([1, 2, 3, 4], [2, 4, 6, 8]);
  // scipy.stats.ttest_ind([1,2,3,4],[2,4,6,8]): t = −1.7320508075688772, p = 0.1339745962155613
  assert.ok(Math.abs(r.t + 1.7320508) < 1e-6 && Math.abs(r.p - 0.1339745962155613) < 1e-12, JSON.stringify(r));
});

test('the p-value is symmetric in the samples and in [0, 1]', () => {
  fc.assert(fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 20 }), fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 20 }), (a, b) => {
    const x = tTest(a, b);
    const y = tTest(b, a);
    assert.ok(x.p >= 0 && x.p <= 1 && Math.abs(x.p - y.p) < 1e-9, `${x.p} ${y.p}`);
  }), { seed: FC_SEED, numRuns: 200 });
});

test('dissection recovers a planted unit→concept map exactly', () => {
  const perm = [2, 0, 3, 1, 2, 0];
  const { maps, byConcept } = layer(40, 4, perm.length, 7, (ms, k, rng) => Float32Array.from(ms[perm[k]], (v) => v + 0.05 * rng()));
  const r = dissectUnits(maps, frame, byConcept, perm.map((_, k) => k), 0.005);
  assert.equal(r.map((u) => u.best), perm);
  for (const u of r) assert.ok(u.iou[u.best] > 0 && u.iou.every((v, i) => i === u.best || v < u.iou[u.best]), JSON.stringify(u.iou));
});

const opts = { variant: 'segmentation' as const, l2: 1e-4, iterations: 300 };

test('Net2Vec: a concept spread over three noisy channels beats the best single filter by far', () => {
  // Channel k < 3 holds the concept plus its own random blobs; three more channels are noise.
  const { maps, byConcept } = layer(40, 4, 6, 11, (ms, k, rng) => {
    const blobs = rectMask(rng);
    const extra = rectMask(rng);
    return Float32Array.from(ms[0], (v, i) => (k < 3 ? v + blobs[i] + extra[i] : ms[1 + (k % 3)][i]) + 0.05 * normal(rng));
  });
  const present = byConcept[0].map((m) => m.some((v) => v === 1));
  const r = net2vec(maps, frame, byConcept[0], present, opts);
  assert.ok(r.score > r.singleScore + 0.2, `net2vec ${r.score}, single ${r.singleScore}`);
  assert.ok(r.singleFilter < 3);
  assert.ok(r.filters90 >= 3, `filters90 ${r.filters90}`);
});

test('Net2Vec: one concept per channel gains nothing over its filter', () => {
  const { maps, byConcept } = layer(40, 4, 4, 13, (ms, k, rng) => Float32Array.from(ms[k], (v) => v + 0.05 * normal(rng)));
  const present = byConcept[2].map((m) => m.some((v) => v === 1));
  const r = net2vec(maps, frame, byConcept[2], present, opts);
  assert.is(r.singleFilter, 2);
  assert.ok(r.singleScore > 0.9, `single ${r.singleScore}`);
  assert.ok(Math.abs(r.score - r.singleScore) < 0.03, `gain ${r.score - r.singleScore}`);
  assert.ok(r.filters90 <= 2, `filters90 ${r.filters90}`);
});

test('Net2Vec classification: presence from pooled channels', () => {
  const { maps, byConcept } = layer(60, 2, 3, 17, (ms, k, rng) => Float32Array.from(ms[k % 2], (v) => v + 0.3 * normal(rng)));
  const present = byConcept[0].map((m) => m.some((v) => v === 1));
  const r = net2vec(maps, frame, byConcept[0], present, { ...opts, variant: 'classification' });
  assert.ok(r.score > 0.9, `ap ${r.score}`);
});

test('filtersCarrying and average precision on known vectors', () => {
  assert.is(filtersCarrying([0, 0, 5, 0]), 1);
  assert.is(filtersCarrying([1, 1, 1, 1]), 4);
  assert.is(filtersCarrying([0.5, -0.3, 0.1, 0.1]), 3);
  assert.is(filtersCarrying([0, 0]), 0);
  assert.is(averagePrecision([3, 2, 1], [1, 1, 0]), 1);
  assert.ok(Math.abs(averagePrecision([3, 2, 1], [0, 1, 1]) - (1 / 2 + 2 / 3) / 2) < 1e-12);
});

/** Gaussian rows, shifted by `shift` along `dir`. */
function rows(n: number, d: number, rng: Rng, dir?: Float64Array, shift = 0): Rows {
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) data[i * d + k] = normal(rng) + (dir ? shift * dir[k] : 0);
  return { n, d, data };
}

function tcavCase(seed: number, planted: boolean) {
  const rng = makeRng(seed);
  const d = 200;
  const dir = new Float64Array(d);
  for (let k = 0; k < d; k++) dir[k] = normal(rng);
  const norm = Math.hypot(...dir);
  dir.forEach((v, k) => (dir[k] = v / norm));
  // The target's gradients lean along the planted direction: its logit grows with the concept.
  const grads = rows(40, d, rng, dir, 3);
  const concept = planted ? rows(20, d, rng, dir, 3) : rows(20, d, rng);
  const randoms = Array.from({ length: 10 }, () => rows(20, d, rng));
  return tcav(concept, randoms, grads, { l2: 1e-2, iterations: 200, alpha: 0.05, tests: 1 });
}

test('TCAV: a planted concept direction is significant, a random "concept" is not (α 0.05, 12 seeds)', () => {
  let falsePositives = 0;
  for (let seed = 0; seed < 12; seed++) {
    const p = tcavCase(1000 + seed, true);
    assert.ok(p.significant && p.score > 0.7, `seed ${seed}: planted score ${p.score}, p ${p.p}`);
    const r = tcavCase(2000 + seed, false);
    if (r.significant) falsePositives++;
  }
  // Under the null the test errs at rate α: 12 seeds make 0.6 expected; 3 is P < 2%.
  assert.ok(falsePositives <= 2, `${falsePositives} of 12 random concepts significant`);
});

test('same seed, byte-identical results', () => {
  assert.is(JSON.stringify(tcavCase(5, true)), JSON.stringify(tcavCase(5, true)));
});

test.run();
