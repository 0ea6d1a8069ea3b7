import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadModel } from '../../src/models/load.ts';
import { createForwardEngine } from '../../src/probe/forward.ts';
import { createActivationCache } from '../../src/probe/cache.ts';
import { buildCurveNet } from '../../src/reimpl/network.ts';
import { sweepLayer, sweepModel, type SweepRequest } from '../../src/reimpl/measure.ts';
import { compareTunings, type Comparison, type TuningSurface } from '../../src/reimpl/compare.ts';

// The real claim: hand-written curve detectors resemble InceptionV3's mixed2 curve family (the 14
// units a curve scan ranks first), and clearly more than they resemble other responsive mixed2
// units. One sweep of mixed2 serves both comparisons. Coarser than the shipped spec (10° × 2 radii)
// to keep the test short; measured on this sweep: family mean aligned r 0.904, worst 0.686, mean
// similarity 0.889; the other units 0.732 and 0.726.
const FAMILY = [79, 82, 109, 110, 104, 95, 105, 111, 90, 122, 114, 102, 103, 99];
const OTHERS = [0, 25, 46, 68, 85, 108, 128, 146, 161, 176, 193, 209, 228, 259];
const REQ: SweepRequest = { stimulus: { kind: 'curve', width: 5 }, sweep: { orientation: { from: 0, to: 360, step: 10 }, radius: [16, 32] } };

let family: Comparison;
let others: Comparison;

test('sweep zoo:inception_v3 mixed2 and the hand-built curves with the same stimuli', async () => {
  const inception = await loadModel('zoo:inception_v3');
  const engine = createForwardEngine(inception, 'cpu', { cache: createActivationCache(), batchSize: 16 });
  const trained = await sweepLayer(engine, 'mixed2', REQ);
  const net = buildCurveNet();
  const hand = await sweepModel(net.model, 'curves', REQ);
  assert.equal(hand.angles, trained.angles);
  assert.equal(hand.radii, trained.radii);
  const handUnits: TuningSurface[] = net.families.curves.orientations.map((d, u) => ({ label: `curves ${u}`, unit: u, designedDeg: d, responses: hand.curves[u] }));
  const of = (units: number[]) => units.map((u) => ({ label: `mixed2 ${u}`, unit: u, responses: trained.curves[u] }));
  family = compareTunings(handUnits, of(FAMILY), trained.angles, trained.radii);
  others = compareTunings(handUnits, of(OTHERS), trained.angles, trained.radii);
});

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

test('every family unit gets a distinct hand-built partner of similar shape and orientation', () => {
  assert.is(family.pairs.length, FAMILY.length);
  assert.is(new Set(family.pairs.map((p) => p.hand)).size, FAMILY.length);
  const aligned = family.pairs.map((p) => p.alignedCorrelation);
  console.log(`family: aligned r mean ${mean(aligned).toFixed(3)}, worst ${Math.min(...aligned).toFixed(3)}; peak distance worst ${Math.max(...family.pairs.map((p) => p.peakDistanceDeg)).toFixed(1)}°`);
  assert.ok(Math.min(...aligned) >= 0.6);
  assert.ok(mean(aligned) >= 0.85);
  for (const p of family.pairs) {
    assert.ok(p.peakDistanceDeg <= 20, `${p.handLabel} ↔ ${p.trainedLabel}: ${p.peakDistanceDeg}°`);
    assert.ok(p.echoHand !== null && p.echoHand <= 0.03);
  }
});

test('the comparison discriminates: other responsive mixed2 units match the hand-built curves worse', () => {
  const a = mean(family.pairs.map((p) => p.alignedCorrelation));
  const b = mean(others.pairs.map((p) => p.alignedCorrelation));
  const s = mean(family.pairs.map((p) => p.similarity));
  const t = mean(others.pairs.map((p) => p.similarity));
  console.log(`aligned r: family ${a.toFixed(3)} vs others ${b.toFixed(3)}; similarity ${s.toFixed(3)} vs ${t.toFixed(3)}`);
  assert.ok(a - b >= 0.1 && s - t >= 0.1);
  assert.ok(Math.min(...others.pairs.map((p) => p.alignedCorrelation)) < 0.6, 'some other unit fails the per-pair bound');
});

test.run();
