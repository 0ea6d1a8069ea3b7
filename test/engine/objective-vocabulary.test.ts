// One objective vocabulary: the engine's objectives, attribution targets and feature-visualization
// terms name the same things the same way (tensor, channel, y, x, index) and share one algebra
// (sum, scale), so a value written for one is read by the others.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';
import { channel, flattenSum, scale, sum, unit, type Objective } from '../../src/engine/autodiff/objective.ts';
import * as fv from '../../src/probes/neuron/featureviz/objectives.ts';
import { objectiveOf } from '../../src/probes/attribution/gradients.ts';
import type { Subject, Target } from '../../src/probes/attribution/types.ts';

const subject = { logits: 'logits' } as Subject;

test('a unit or channel target is the engine objective of the same name and fields, and feature visualization writes it alike', () => {
  fc.assert(fc.property(fc.string({ minLength: 1 }), fc.nat(512), fc.nat(64), fc.nat(64), (tensor, c, y, x) => {
    const u: Target = { kind: 'unit', tensor, channel: c, y, x };
    assert.equal(objectiveOf(subject, u), unit(tensor, c, y, x));
    assert.equal(fv.unit(tensor, c, y, x), unit(tensor, c, y, x));
    const ch: Target = { kind: 'channel', tensor, channel: c };
    assert.equal(objectiveOf(subject, ch), channel(tensor, c));
    assert.equal(fv.channel(tensor, c), channel(tensor, c));
    // The types agree too: an attribution target of these kinds is an engine objective as it stands.
    const asObjective: Objective = u;
    assert.is(asObjective.kind, 'unit');
  }), { seed: FC_SEED });
});

test('sum and scale nest in every vocabulary; flattening multiplies the factors out', () => {
  const leaf = fc.record({ tensor: fc.constantFrom('a', 'b', 'c'), channel: fc.nat(8) }).map(({ tensor, channel: c }) => fv.channel(tensor, c));
  const tree: fc.Arbitrary<{ o: fv.FvObjective; terms: { factor: number; key: string }[] }> = fc.letrec((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf.map((o) => ({ o, terms: [{ factor: 1, key: describe(o) }] })),
      fc.tuple(fc.integer({ min: -8, max: 8 }), tie('node') as fc.Arbitrary<{ o: fv.FvObjective; terms: { factor: number; key: string }[] }>)
        .map(([s, t]) => ({ o: fv.scale(s, t.o), terms: t.terms.map((x) => ({ factor: s * x.factor, key: x.key })) })),
      fc.array(tie('node') as fc.Arbitrary<{ o: fv.FvObjective; terms: { factor: number; key: string }[] }>, { minLength: 1, maxLength: 3 })
        .map((ts) => ({ o: fv.sum(...ts.map((t) => t.o)), terms: ts.flatMap((t) => t.terms) })),
    ),
  })).node;
  fc.assert(fc.property(tree, ({ o, terms }) => {
    assert.equal(fv.flatten(o).map((t) => ({ factor: t.factor, key: describe(t.term) })), terms);
    // The engine's sum and scale build the same values.
    assert.equal(sum(o), fv.sum(o));
    assert.equal(scale(2, o), fv.scale(2, o));
  }), { seed: FC_SEED });
  assert.equal(flattenSum(sum(unit('t', 1), scale(-0.5, channel('t', 2)))), [{ factor: 1, term: unit('t', 1) }, { factor: -0.5, term: channel('t', 2) }]);
});

function describe(o: fv.FvObjective): string {
  return fv.describeObjective(o).replace(/^−/, '');
}

test.run();
