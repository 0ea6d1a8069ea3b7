// `properties:` through a whole run on the PyTorch-exported shapes_cnn. Permuting a hidden layer's
// channels (with its BatchNorm and the next layer's inputs) keeps the function, so gradient-based
// maps move by float round-off only: measured 2.8e-7 (gradient × input) and 9.4e-8 (IG) of max |a|,
// hence the bound 1e-5. A re-exported copy is the same network: exactly 0. Sensitivity-n is seeded:
// the same seed gives the same value, another seed other subsets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MaskEntrySchema } from '../../../../../src/probes/attribution/schema.ts';
import { runShapes as run, shapes } from './shapes-run.ts';

const entry = (id: string, method: string, properties: string, expect = '{ score: { min: 0 } }', seed = '') => `  - id: ${id}
    image: ${shapes}/shape_0_disk.png
    target: { class: 0 }
${seed}    method: { ${method}: {} }
    properties: ${properties}
    expect: ${expect}
`;

test('implementation invariance on the shapes CNN: round-off under a channel permutation, 0 for a re-export', async () => {
  const m = await run(
    entry('gxi', 'gradient_x_input', '{ implementation_invariance: { mutant: permute-channels } }')
    + entry('grad', 'gradient', '{ implementation_invariance: { mutant: reexport } }'),
  );
  assert.ok(m.gxi.implementation_invariance > 0, 'a permuted network sums in another order: some round-off is expected');
  assert.ok(m.gxi.implementation_invariance < 1e-5, String(m.gxi.implementation_invariance));
  assert.ok(m.gxi.implementation_invariance_score_change < 1e-4 * Math.abs(m.gxi.score));
  assert.is(m.grad.implementation_invariance, 0);
  assert.is(m.grad.implementation_invariance_score_change, 0);
});

test('sensitivity-n on the shapes CNN: a correlation, the same for the same seed, other subsets for another', async () => {
  const p = '{ sensitivity_n: { fractions: [0.01, 0.2], samples: 8 } }';
  const m = await run(entry('a', 'gradient_x_input', p, undefined, '    seed: 3\n') + entry('b', 'gradient_x_input', p, undefined, '    seed: 3\n') + entry('c', 'gradient_x_input', p, undefined, '    seed: 4\n'));
  for (const k of ['sensitivity_n', 'sensitivity_n_mean']) {
    assert.ok(Number.isFinite(m.a[k]) && Math.abs(m.a[k]) <= 1, `${k} ${m.a[k]}`);
    assert.is(m.a[k], m.b[k]);
  }
  assert.ok(m.a.sensitivity_n <= m.a.sensitivity_n_mean);
  assert.is.not(m.a.sensitivity_n_mean, m.c.sensitivity_n_mean);
});

test('properties: only axioms are accepted there, and not twice', () => {
  const base = { id: 'x', image: 'x.png', method: { gradient: {} }, expect: { score: { min: 0 } } };
  assert.ok(MaskEntrySchema.safeParse({ ...base, properties: { sensitivity_n: {}, implementation_invariance: { mutant: 'reexport' } } }).success);
  assert.not.ok(MaskEntrySchema.safeParse({ ...base, properties: { deletion: {} } }).success);
  assert.not.ok(MaskEntrySchema.safeParse({ ...base, properties: { implementation_invariance: { mutant: 'noise' } } }).success);
  const twice = MaskEntrySchema.safeParse({ ...base, measure: { sensitivity_n: {} }, properties: { sensitivity_n: {} } });
  assert.not.ok(twice.success);
  assert.match(JSON.stringify(twice.error?.issues), /both/);
});

test.run();
