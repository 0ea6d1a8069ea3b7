// Dissection: the quantile threshold, the geometry-aligned upsampling, and IoU on a detector that
// is its concept (IoU 1) or another concept (IoU ≈ 0); scenes are seeded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { topQuantile, upsampledMask, dissectMaps, renderScene, CONCEPTS } from '../../../src/probes/neuron/dissection.ts';
import { makeRng } from '../../../src/util/rng.ts';
import { FC_SEED } from '../../seed.ts';

const identity = { y: { jump: 1, start: 0.5, size: 1 }, x: { jump: 1, start: 0.5, size: 1 } };

test('about a fraction q of the values lie at or above the top-q quantile', () => {
  fc.assert(fc.property(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 10, maxLength: 400 }), fc.double({ min: 0.001, max: 0.5, noNaN: true }), (xs, q) => {
    const v = Float32Array.from(xs);
    const t = topQuantile(v, q);
    const above = v.filter((x) => x >= t).length;
    const strictly = v.filter((x) => x > t).length;
    assert.ok(strictly <= Math.ceil(q * (v.length - 1)) + 1 && above >= Math.floor(q * (v.length - 1)), `${above} ≥ t, ${strictly} > t of ${v.length}, q ${q}`);
  }), { seed: FC_SEED, numRuns: 200 });
});

test('with identity geometry the upsampled mask is exactly map ≥ threshold', () => {
  const map = Float32Array.from({ length: 30 }, (_, i) => Math.sin(i));
  const { mask, count } = upsampledMask(map, 5, 6, identity, 6, 5, 0.5);
  for (let i = 0; i < 30; i++) assert.is(mask[i], map[i] >= 0.5 ? 1 : 0);
  assert.is(count, [...map].filter((v) => v >= 0.5).length);
});

test('a unit whose map is a concept mask has IoU 1 with it and little with the others; scenes are seeded', () => {
  const scenes = Array.from({ length: 6 }, (_, i) => renderScene(48, 40, makeRng(100 + i), 6));
  const again = renderScene(48, 40, makeRng(100), 6);
  assert.equal([...again.image.data], [...scenes[0].image.data]);
  const maps = scenes.map((s) => {
    const data = new Float32Array(2 * 48 * 40);
    s.masks.curve.forEach((v, i) => (data[i] = v));
    s.masks.line.forEach((v, i) => (data[48 * 40 + i] = v * 0.5));
    return { dims: [1, 2, 40, 48], data };
  });
  const curveFraction = scenes.reduce((a, s) => a + s.masks.curve.reduce((b, v) => b + v, 0), 0) / (6 * 48 * 40);
  assert.ok(curveFraction > 0.01, 'scenes hold curves');
  const res = dissectMaps(maps, scenes, identity, 48, 40, [0, 1], 0.005);
  assert.ok(Math.abs(res[0].iou.curve - 1) < 1e-12);
  assert.is(res[0].best.concept, 'curve');
  assert.is(res[1].best.concept, 'line');
  for (const c of CONCEPTS) if (c !== 'curve') assert.ok(res[0].iou[c] < 0.2, `${c} ${res[0].iou[c]}`);
});

test.run();
