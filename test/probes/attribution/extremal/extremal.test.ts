// Extremal perturbation's invariants on a scene whose evidence is known: a bright square that a
// "spot detector" (logit = Σ of x² over the square and its mirror image, so that TorchRay's flip
// jitter leaves the logit unchanged, as for a natural-image classifier) responds to. Masks lie in [0, 1], their area
// (what TorchRay's constraint sees: the full mask with margin) is near the requested one, the
// preserved score does not fall as the area grows, the mask points at the square, and runs repeat.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { additiveModel } from '../groundtruth.ts';
import { extremal, type ExtremalOptions } from '../../../../src/probes/attribution/extremal/extremal.ts';
import { pointingHit } from '../../../../src/probes/attribution/metrics/localisation/pointing.ts';
import type { Tensor } from '../../../../src/engine/tensor.ts';
import { FC_SEED } from '../../../seed.ts';

const S = 48;
const C = 3;
const SIDE = 12;

function spotScene(y0: number, x0: number) {
  const D = C * S * S;
  const q = new Float32Array(D);
  const x = new Float32Array(D);
  for (let c = 0; c < C; c++) {
    for (let y = y0; y < y0 + SIDE; y++) {
      for (let xx = x0; xx < x0 + SIDE; xx++) {
        // logit ≈ 10 on the intact image: TorchRay's area weight (300) is tuned for logit-sized rewards
        q[c * S * S + y * S + xx] = 10 / (C * SIDE * SIDE);
        q[c * S * S + y * S + (S - 1 - xx)] = 10 / (C * SIDE * SIDE);
        x[c * S * S + y * S + xx] = 1;
      }
    }
  }
  const m = additiveModel([C, S, S], new Float32Array(D), new Float32Array(D), q);
  return { subject: m.subject, input: { dims: [1, C, S, S], data: x } as Tensor, box: [x0, y0, x0 + SIDE - 1, y0 + SIDE - 1] as [number, number, number, number] };
}

// TorchRay's procedure at a scale that suits a 48² image and a test budget: generator step and σ,
// and the blur, shrunk with the image; fewer iterations with a faster-growing area weight.
const SMALL: Partial<ExtremalOptions> = { step: 4, sigma: 8, maxBlur: 8, iterations: 80, areaGrowth: 1.05 };

test('masks in [0, 1], area near the request, preserved score non-decreasing in area, pointing at the evidence', async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 4, max: S - SIDE - 4 }), fc.integer({ min: 4, max: S - SIDE - 4 }), async (y0, x0) => {
    const { subject, input, box } = spotScene(y0, x0);
    const areas = [0.05, 0.1, 0.2];
    const r = await extremal(subject, input, { kind: 'class', index: 0 }, { ...SMALL, areas });
    assert.is(r.masks!.length, 3);
    let previous = -Infinity;
    for (const m of r.masks!) {
      for (const v of m.mask.data) assert.ok(v >= 0 && v <= 1, `mask value ${v}`);
      const a = m.requestedArea!;
      assert.ok(Math.abs(m.areaFull! - a) <= 0.25 * a + 0.005, `area ${m.areaFull} for requested ${a}`);
      assert.ok(m.preserved >= previous - 0.02 * r.score, `preserved ${m.preserved} after ${previous} (areas ${areas})`);
      previous = m.preserved;
      assert.ok(pointingHit(m.mask, { box }, { tolerance: 2, smooth: 0.09 }).hit, `the ${a} mask does not point at the square ${box}`);
    }
    // The largest mask keeps nearly all of the score; deleting it removes most.
    const big = r.masks![2];
    assert.ok(big.preserved >= 0.85 * r.score, `kept ${big.preserved} of ${r.score}`);
    assert.ok(big.deleted <= 0.3 * r.score, `deleting left ${big.deleted} of ${r.score}`);
    assert.equal(r.params.iterations, 80);
    assert.is(r.masks![0].reward.length, 80);
  }), { seed: FC_SEED, numRuns: 2 });
});

test('delete and dual games find the same evidence; every hyperparameter is echoed', async () => {
  const { subject, input, box } = spotScene(20, 8);
  for (const variant of ['delete', 'dual'] as const) {
    const r = await extremal(subject, input, { kind: 'class', index: 0 }, { ...SMALL, variant, areas: [0.1] });
    const m = r.masks![0];
    for (const v of m.mask.data) assert.ok(v >= 0 && v <= 1);
    assert.ok(pointingHit(m.mask, { box }, { tolerance: 2, smooth: 0.09 }).hit, `${variant}: misses the square`);
    assert.ok(m.deleted < 0.5 * r.score, `${variant}: deleting the mask leaves ${m.deleted} of ${r.score}`);
    for (const k of ['areas', 'variant', 'perturbation', 'iterations', 'levels', 'maxBlur', 'step', 'sigma', 'coldness', 'jitter', 'learningRate', 'momentum', 'dampening', 'areaWeight', 'areaGrowth', 'smooth', 'reward']) {
      assert.ok(k in r.params, `param ${k} not echoed`);
    }
    assert.is(r.params.variant, variant);
  }
});

test('deterministic: two runs give identical masks and curves', async () => {
  const { subject, input } = spotScene(9, 30);
  const opts = { ...SMALL, iterations: 6, areas: [0.1, 0.2] };
  const a = await extremal(subject, input, { kind: 'class', index: 0 }, opts);
  const b = await extremal(subject, input, { kind: 'class', index: 0 }, opts);
  assert.equal(Array.from(a.map.data), Array.from(b.map.data));
  assert.equal(a.masks![1].reward, b.masks![1].reward);
});

test('bad options are refused with the option named', async () => {
  const { subject, input } = spotScene(9, 30);
  for (const bad of [{ areas: [] }, { areas: [1.2] }, { iterations: 0 }, { levels: 1 }, { momentum: 1 }]) {
    try {
      await extremal(subject, input, { kind: 'class', index: 0 }, { ...SMALL, ...bad } as Partial<ExtremalOptions>);
      assert.unreachable(`accepted ${JSON.stringify(bad)}`);
    } catch (e) {
      assert.is((e as { code?: string }).code, 'E_ATTR_OPTION', String(e));
    }
  }
});

test.run();
