import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';
import { errorOf } from '../helpers.ts';
import { bestAlignment, circularCrossCorrelation, compareTunings, comparisonArtifacts, type TuningSurface } from '../../src/reimpl/compare.ts';
import { circularDistance } from '../../src/probes/neuron/angles.ts';

const STEP = 5;
const ANGLES = Array.from({ length: 72 }, (_, i) => i * STEP);
const RADII = [16, 24, 32];

/** A rectified von Mises bump at mu (degrees) of concentration kappa, scaled by `gain` per radius. */
function bump(mu: number, kappa: number, gains: number[] = [0.5, 1, 0.7]): number[][] {
  return gains.map((g) => ANGLES.map((a) => g * Math.max(0, Math.exp(kappa * (Math.cos(((a - mu) * Math.PI) / 180) - 1)) - 0.05)));
}

test('circular cross-correlation: a curve turned by k steps is found at lag k·step with correlation 1', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 71 }), fc.double({ min: 0, max: 359, noNaN: true }), fc.double({ min: 2, max: 20, noNaN: true }), (k, mu, kappa) => {
    const a = bump(mu, kappa)[1];
    const b = ANGLES.map((_, i) => a[(i - k + 72) % 72]);
    const r = circularCrossCorrelation(a, b);
    assert.ok(Math.abs(r[k] - 1) < 1e-9);
    const al = bestAlignment(a, b, STEP);
    assert.ok(circularDistance(al.lagDeg, k * STEP) < 1e-9, `lag ${al.lagDeg} vs ${k * STEP}`);
    assert.ok(al.lagDeg > -180 && al.lagDeg <= 180);
  }), { seed: FC_SEED, numRuns: 200 });
});

test('compareTunings recovers a hidden permutation of turned copies, with their offsets, peaks and widths', () => {
  fc.assert(fc.property(
    fc.integer({ min: 2, max: 10 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }), fc.array(fc.integer({ min: -2, max: 2 }), { minLength: n, maxLength: n }))),
    ([n, perm, jitter]) => {
      // Hand-built units tile the circle; trained unit j is hand-built unit perm[j] turned by jitter[j] steps and scaled.
      const hand: TuningSurface[] = Array.from({ length: n }, (_, i) => ({ label: `h${i}`, unit: i, designedDeg: (360 * i) / n, responses: bump((360 * i) / n, 8) }));
      const trained: TuningSurface[] = perm.map((i, j) => ({ label: `t${j}`, unit: 100 + j, responses: bump((360 * i) / n + jitter[j] * STEP, 8, [1.5, 3, 2.1]) }));
      const c = compareTunings(hand, trained, ANGLES, RADII);
      assert.is(c.pairs.length, n);
      for (const p of c.pairs) {
        const j = p.trained - 100;
        assert.is(p.hand, perm[j], `hand ${p.hand} matched to trained ${j}`);
        assert.ok(p.alignedCorrelation > 1 - 1e-9);
        assert.ok(circularDistance(p.lagDeg, jitter[j] * STEP) < 1e-9);
        assert.ok(Math.abs(p.peakDistanceDeg - Math.abs(jitter[j] * STEP)) < 0.5);
        assert.ok(p.fwhmRatio !== null && Math.abs(p.fwhmRatio - 1) < 1e-6);
        assert.ok(p.radiusCorrelation !== null && Math.abs(p.radiusCorrelation - 1) < 1e-9);
      }
    },
  ), { seed: FC_SEED, numRuns: 50 });
});

test('more hand-built than trained units: every trained unit gets a distinct partner and the rest are listed', () => {
  const hand = Array.from({ length: 8 }, (_, i) => ({ label: `h${i}`, unit: i, responses: bump(45 * i, 6) }));
  const trained = [{ label: 'a', unit: 0, responses: bump(92, 6) }, { label: 'b', unit: 1, responses: bump(268, 6) }];
  const c = compareTunings(hand, trained, ANGLES, RADII);
  assert.equal(c.pairs.map((p) => [p.hand, p.trained]), [[2, 0], [6, 1]]);
  assert.is(c.unmatchedHand.length, 6);
  assert.equal(c.unmatchedTrained, []);
});

test('echo: a trained curve with a lobe at +180° reports it; the opposite hand-built one does not', () => {
  const withEcho = bump(0, 8).map((row) => row.map((v, i) => v + 0.3 * row[(i + 36) % 72]));
  const c = compareTunings([{ label: 'h', unit: 0, responses: bump(0, 8) }], [{ label: 't', unit: 0, responses: withEcho }], ANGLES, RADII);
  assert.ok(c.pairs[0].echoHand! < 1e-9);
  assert.ok(Math.abs(c.pairs[0].echoTrained! - 0.3) < 0.02, `echo ${c.pairs[0].echoTrained}`);
});

test('a sweep that does not tile the circle evenly is bad input', () => {
  const angles = ANGLES.slice(0, 36);
  const s = { label: 'x', unit: 0, responses: RADII.map(() => angles.map((a) => a)) };
  const e = errorOf(() => compareTunings([s], [s], angles, RADII));
  assert.is(e.code, 'E_REIMPL_SWEEP');
});

test('artifacts: one table row and one polar plot with both curves per matched pair', () => {
  const hand = [0, 90, 180, 270].map((d, i) => ({ label: `h${i}`, unit: i, designedDeg: d, responses: bump(d, 6) }));
  const trained = [10, 100, 190].map((d, i) => ({ label: `t${i}`, unit: i, responses: bump(d, 9) }));
  const c = compareTunings(hand, trained, ANGLES, RADII);
  const arts = comparisonArtifacts(c);
  const table = arts.find((a) => a.type === 'table');
  assert.ok(table && table.type === 'table' && table.rows.length === 3);
  const plots = arts.filter((a) => a.type === 'plot');
  assert.is(plots.length, 3);
  for (const p of plots) {
    assert.ok(p.type === 'plot' && p.plot.kind === 'polar' && p.plot.series.length === 2);
    if (p.type === 'plot') for (const s of p.plot.series) assert.ok(Math.abs(Math.max(...s.y) - 1) < 1e-3, 'each curve is divided by its peak');
  }
  assert.ok(JSON.parse(JSON.stringify(c)).pairs.length === 3, 'the comparison is plain JSON');
});

test.run();
