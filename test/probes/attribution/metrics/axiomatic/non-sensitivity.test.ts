// Non-sensitivity on a model that reads only the left half of its input: the gradient is exactly 0
// on the right and noise there changes nothing, so the gradient scores 0; a map crediting every
// patch scores the ignored share; a map crediting only the ignored half scores 1.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { nonSensitivity, patchGrid } from '../../../../../src/probes/attribution/metrics/axiomatic/non-sensitivity.ts';
import { gradientMethod } from '../../../../../src/probes/attribution/methods/gradient.ts';
import { ignoringModel } from '../../groundtruth.ts';
import { makeRng, normal } from '../../../../../src/util/rng.ts';

test('patch grid: squares of the given side, the last row and column cut at the border', () => {
  const g = patchGrid(5, 7, 3);
  assert.is(g.count, 2 * 3);
  assert.is(g.of[0], 0);
  assert.is(g.of[6], 2);
  assert.is(g.of[4 * 7 + 6], 5);
});

test('a model ignoring the right half: gradient 0, a map crediting everything ½, a map crediting only the right 1', async () => {
  const dims: [number, number, number] = [2, 8, 8];
  const m = ignoringModel(dims, 4, makeRng(12));
  const rng = makeRng(3);
  const input = { dims: [1, ...dims], data: Float32Array.from({ length: 128 }, () => normal(rng)) };
  const t = { kind: 'class' as const, index: 0 };
  const o = { patch: 4, samples: 2, eps: 1e-5, threshold: 0 };
  const g = await gradientMethod(m.subject, input, t);
  const r = await nonSensitivity(m.subject, input, t, g.map, o, makeRng(1));
  assert.equal(r, { value: 0, zeroButSensitive: 0, creditedButInsensitive: 0, patches: 4 });
  const everywhere = await nonSensitivity(m.subject, input, t, { dims: [8, 8], data: new Float32Array(64).fill(1) }, o, makeRng(1));
  assert.equal([everywhere.value, everywhere.creditedButInsensitive], [0.5, 2]);
  const right = await nonSensitivity(m.subject, input, t, { dims: [8, 8], data: Float32Array.from({ length: 64 }, (_, p) => (p % 8 >= 4 ? 1 : 0)) }, o, makeRng(1));
  assert.equal([right.value, right.zeroButSensitive, right.creditedButInsensitive], [1, 2, 2]);
});

test.run();
