import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { tuningMetrics, tuning2d, standardize, responseStats } from '../../../src/probes/neuron/tuning.ts';
import { circularDistance } from '../../../src/probes/neuron/angles.ts';
import { FC_SEED } from '../../seed.ts';

/**
 * A von Mises bump on a baseline, built so that its echo (response at μ+180° ÷ peak) is exactly
 * `echo`: r(θ) = b + A·exp(κ(cos(θ−μ) − 1)), b = A(echo − e^{−2κ}) / (1 − echo).
 * Its FWHM above the minimum is 2·acos(1 + ln((1 + e^{−2κ}) / 2) / κ).
 */
function vonMises(mu: number, kappa: number, echo: number, amp = 1) {
  const e2k = Math.exp(-2 * kappa);
  const b = (amp * (echo - e2k)) / (1 - echo);
  const f = (deg: number) => b + amp * Math.exp(kappa * (Math.cos(((deg - mu) * Math.PI) / 180) - 1));
  const fwhm = (2 * Math.acos(1 + Math.log((1 + e2k) / 2) / kappa) * 180) / Math.PI;
  return { f, fwhm, peak: b + amp };
}

const sweep = (step: number, from = 0, to = 360) => Array.from({ length: Math.round((to - from) / step) }, (_, i) => from + i * step);

const bump = fc.record({
  mu: fc.double({ min: 0, max: 359.999, noNaN: true }),
  // κ from 2 (FWHM ≈ 96°) to 30 (FWHM ≈ 25°): the published curve-detector range and beyond.
  kappa: fc.double({ min: 2, max: 30, noNaN: true }),
  echo: fc.double({ min: 0.02, max: 0.6, noNaN: true }),
  amp: fc.double({ min: 0.1, max: 50, noNaN: true }),
});

test('von Mises bump: peak, FWHM and echo are recovered from a 2° sweep', () => {
  fc.assert(fc.property(bump, ({ mu, kappa, echo, amp }) => {
    const vm = vonMises(mu, kappa, echo, amp);
    const angles = sweep(2);
    const m = tuningMetrics(angles, angles.map(vm.f));
    assert.ok(m.circular);
    assert.ok(circularDistance(m.peakDeg, mu) < 0.25, `peak ${m.peakDeg} vs ${mu}`);
    assert.ok(Math.abs(m.peak - vm.peak) < 2e-3 * amp, `peak response ${m.peak} vs ${vm.peak}`);
    assert.ok(m.fwhmDeg !== null && Math.abs(m.fwhmDeg - vm.fwhm) < 1 + 0.02 * vm.fwhm, `fwhm ${m.fwhmDeg} vs ${vm.fwhm}`);
    assert.ok(m.echo !== null && Math.abs(m.echo - echo) < 2e-3, `echo ${m.echo} vs ${echo}`);
    assert.ok(m.selectivity > 0 && m.selectivity < 1);
  }), { seed: FC_SEED, numRuns: 200 });
});

test('coarse 10° sweeps still place the peak within a quarter step', () => {
  fc.assert(fc.property(bump, ({ mu, kappa, echo }) => {
    const vm = vonMises(mu, Math.min(kappa, 12), echo);
    const angles = sweep(10);
    const m = tuningMetrics(angles, angles.map(vm.f));
    assert.ok(circularDistance(m.peakDeg, mu) < 2.5, `peak ${m.peakDeg} vs ${mu}`);
  }), { seed: FC_SEED, numRuns: 200 });
});

test('metrics ignore sample order, a shared offset of the angles wraps the peak, and 0°/360° duplicates collapse', () => {
  fc.assert(fc.property(bump, fc.integer({ min: -720, max: 720 }), fc.integer({ min: 0, max: 1e6 }), ({ mu, kappa, echo }, shift, perm) => {
    const vm = vonMises(mu, kappa, echo);
    const angles = sweep(5);
    const a = tuningMetrics(angles, angles.map(vm.f));
    const shuffled = angles.map((x, i) => ({ x, k: (i * 7919 + perm) % 9973 })).sort((p, q) => p.k - q.k).map((p) => p.x);
    const b = tuningMetrics(shuffled.map((x) => x + shift), shuffled.map(vm.f));
    assert.ok(circularDistance(a.peakDeg + shift, b.peakDeg) < 1e-6);
    assert.ok(Math.abs(a.fwhmDeg! - b.fwhmDeg!) < 1e-6 && Math.abs(a.echo! - b.echo!) < 1e-9);
    const c = tuningMetrics([...angles, 360], [...angles.map(vm.f), vm.f(0)]);
    assert.ok(Math.abs(c.fwhmDeg! - a.fwhmDeg!) < 1e-9);
  }), { seed: FC_SEED, numRuns: 100 });
});

test('selectivity and FWHM do not change when responses are scaled and shifted; echo does', () => {
  fc.assert(fc.property(bump, fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: -10, max: 10, noNaN: true }), ({ mu, kappa, echo }, s, o) => {
    const vm = vonMises(mu, kappa, echo);
    const angles = sweep(5);
    const r = angles.map(vm.f);
    const a = tuningMetrics(angles, r);
    const b = tuningMetrics(angles, r.map((v) => s * v + o));
    assert.ok(Math.abs(a.selectivity - b.selectivity) < 1e-9);
    assert.ok(Math.abs(a.fwhmDeg! - b.fwhmDeg!) < 1e-6);
    assert.ok(circularDistance(a.peakDeg, b.peakDeg) < 1e-6);
    assert.ok(Math.abs(a.resultant! - b.resultant!) < 1e-9);
  }), { seed: FC_SEED, numRuns: 100 });
});

test('a flat curve has no FWHM, selectivity 0; a narrower bump is more selective', () => {
  const angles = sweep(5);
  const flat = tuningMetrics(angles, angles.map(() => 3));
  assert.is(flat.fwhmDeg, null);
  assert.is(flat.selectivity, 0);
  assert.is(flat.echo, 1);
  const wide = tuningMetrics(angles, angles.map(vonMises(40, 2, 0.1).f));
  const narrow = tuningMetrics(angles, angles.map(vonMises(40, 20, 0.1).f));
  assert.ok(narrow.selectivity > wide.selectivity);
  assert.ok(narrow.resultant! < 1 && narrow.resultant! > wide.resultant!);
});

test('a curve that never drops to half on the circle is 360° wide; a non-positive peak has no echo', () => {
  const angles = sweep(10);
  // Two equal bumps 180° apart: the other bump's trough stays above half only if it is shallow.
  const m = tuningMetrics(angles, angles.map((a) => 10 + Math.cos((a * Math.PI) / 180)), { halfOf: 'zero' });
  assert.is(m.fwhmDeg, 360);
  const neg = tuningMetrics(angles, angles.map((a) => -5 + Math.cos((a * Math.PI) / 180)));
  assert.is(neg.echo, null);
  assert.ok(neg.fwhmDeg !== null && Math.abs(neg.fwhmDeg - 180) < 1);
});

test('a partial sweep that does not reach the half level clips the FWHM and has no echo past its end', () => {
  const vm = vonMises(100, 3, 0.1);
  const angles = sweep(5, 80, 125);
  const m = tuningMetrics(angles, angles.map(vm.f), { halfOf: 'zero' });
  assert.not.ok(m.circular);
  assert.ok(m.fwhmClipped);
  assert.is(m.echo, null);
  assert.ok(circularDistance(m.peakDeg, 100) < 0.5);
  // The same over a sweep that wraps through 0°.
  const w = sweep(5, 300, 420);
  const mw = tuningMetrics(w, w.map(vonMises(0, 8, 0.1).f));
  assert.ok(circularDistance(mw.peakDeg, 0) < 0.5, `wrapped peak ${mw.peakDeg}`);
  assert.not.ok(mw.fwhmClipped);
});

test('peakZ is the peak in standard deviations of the reference set; standardize inverts responseStats', () => {
  fc.assert(fc.property(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 2, maxLength: 50 }), (xs) => {
    const st = responseStats(xs);
    fc.pre(st.std > 1e-6);
    const z = standardize(xs, st);
    const zs = responseStats(z);
    assert.ok(Math.abs(zs.mean) < 1e-6 && Math.abs(zs.std - 1) < 1e-6);
  }), { seed: FC_SEED, numRuns: 100 });
  const angles = sweep(10);
  const m = tuningMetrics(angles, angles.map(vonMises(0, 5, 0.1, 4).f), { stats: { mean: 1, std: 2 } });
  assert.ok(Math.abs(m.peakZ! - (m.peak - 1) / 2) < 1e-12);
});

test('2-D sweep: the best radius is the one with the largest peak; the profile lists every radius', () => {
  const angles = sweep(5);
  const radii = [10, 20, 40];
  const amps = [1, 3, 2];
  const bumps = radii.map((_, r) => vonMises(30 * r, 6, 0.05, amps[r]));
  const m = tuning2d(angles, radii, bumps.map((b) => angles.map(b.f)));
  assert.is(m.bestRadiusIndex, 1);
  assert.is(m.best.radius, 20);
  assert.ok(circularDistance(m.best.peakDeg, 30) < 0.5);
  assert.equal(m.radiusProfile.map((p) => p.radius), radii);
  assert.ok(m.radiusProfile.every((p, r) => Math.abs(p.peak - bumps[r].peak) < 0.01 * amps[r]));
});

test('bad input names what is wrong', () => {
  assert.throws(() => tuningMetrics([0, 1], [1, 2]), /at least 3/);
  assert.throws(() => tuningMetrics([0, 1, 2], [1, 2]), /3 angles but 2/);
  assert.throws(() => tuningMetrics([0, 1, 2], [1, NaN, 2]), /not finite/);
});

test.run();
