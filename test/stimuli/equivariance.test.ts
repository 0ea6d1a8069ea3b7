// Rotating a stimulus's orientation rotates its image; moving its placement moves its image.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { renderCoverage, renderStimulus, type StimulusInput } from '../../src/stimuli/index.ts';
import { check } from './seed.ts';
import { orientedStroke, gabor, maxAbsDiff } from './arbitraries.ts';

/** The image turned 90° counter-clockwise (as seen) about the centre of a square image. */
function rot90(data: Float32Array, s: number, channels: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      for (let c = 0; c < channels; c++) out[(y * s + x) * channels + c] = data[(x * s + (s - 1 - y)) * channels + c];
    }
  }
  return out;
}

function withOrientation(st: StimulusInput, o: number): StimulusInput {
  return { ...st, orientation: o } as StimulusInput;
}

test('turning the orientation by 90° turns the image by exactly 90° about the placement point', () => {
  const S = 64;
  const size = { width: S, height: S }; // default placement: the centre, a point the pixel grid is symmetric about
  const full: fc.Arbitrary<StimulusInput> = fc.record({ f: fc.double({ min: 0.01, max: 0.5, noNaN: true }), ph: fc.double({ min: 0, max: 360, noNaN: true }) })
    .map(({ f, ph }): StimulusInput => ({ kind: 'grating', frequency: f, phase: ph }));
  check(fc.property(fc.oneof(orientedStroke(30), gabor(30), full), fc.double({ min: -720, max: 720, noNaN: true }), (st, o) => {
    const a = renderStimulus(withOrientation(st, o), size);
    const b = renderStimulus(withOrientation(st, o + 90), size);
    const d = maxAbsDiff(rot90(a.data, S, 3), b.data);
    assert.ok(d < 1e-3, `max difference ${d} grey levels`);
  }), 150);
});

// Reference for any angle: render at 4× resolution, rotate that by bilinear resampling, average
// back down 4×4 — resampling at 4× blurs edges by a quarter of a 1× pixel, so what remains is the
// renderer's own anti-aliasing error. Metric for strokes: Σ|difference| ÷ number of edge pixels
// (0.02 < coverage < 0.98), i.e. how far edges sit from where rotation puts them, in px (measured:
// median 0.015, max 0.044 over 800 random strokes). Gratings: Σ|difference| ÷ Σ|image − 0.5|
// (measured: median 0.008, max 0.026).
const K = 4;
const S = 96;
const P = { x: 48, y: 48 };

function upscaled(st: StimulusInput): StimulusInput {
  const o: Record<string, unknown> = { ...st };
  for (const k of ['radius', 'width', 'length', 'sigma']) if (typeof o[k] === 'number') o[k] = (o[k] as number) * K;
  if (typeof o.frequency === 'number') o.frequency = o.frequency / K;
  return o as StimulusInput;
}

function rotatedReference(st: StimulusInput, deg: number, outside: number): Float32Array {
  const SS = S * K;
  const src = renderCoverage(upscaled(st), { width: SS, height: SS, center: { x: P.x * K, y: P.y * K } }).data;
  const out = new Float32Array(S * S);
  const c = Math.cos((deg * Math.PI) / 180);
  const s = Math.sin((deg * Math.PI) / 180);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= SS || y >= SS ? outside : src[y * SS + x]);
  for (let y = 0; y < SS; y++) {
    for (let x = 0; x < SS; x++) {
      // Output point q takes the input at R(−deg)·(q − P) + P (counter-clockwise on screen, y down).
      const qx = x + 0.5 - P.x * K;
      const qy = y + 0.5 - P.y * K;
      const sx = qx * c - qy * s + P.x * K - 0.5;
      const sy = qx * s + qy * c + P.y * K - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const v = (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
      out[Math.floor(y / K) * S + Math.floor(x / K)] += v / (K * K);
    }
  }
  return out;
}

function rotationError(st: StimulusInput, from: number, by: number, renderedAt = from + by): number {
  const isGrating = st.kind === 'grating';
  const ref = rotatedReference(withOrientation(st, from), by, isGrating ? 0.5 : 0);
  const got = renderCoverage(withOrientation(st, renderedAt), { width: S, height: S, center: P }).data;
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < got.length; i++) {
    diff += Math.abs(ref[i] - got[i]);
    norm += isGrating ? Math.abs(got[i] - 0.5) : got[i] > 0.02 && got[i] < 0.98 ? 1 : 0;
  }
  return diff / norm;
}

const STROKE_TOL = 0.06; // px of edge displacement
const GRATING_TOL = 0.05; // relative L1

test('turning the orientation by any angle equals turning the image, within anti-aliasing error', () => {
  const deg = fc.double({ min: 0, max: 360, noNaN: true });
  check(fc.property(orientedStroke(44), deg, deg, (st, from, by) => {
    const e = rotationError(st, from, by);
    assert.ok(e < STROKE_TOL, `edge error ${e.toFixed(4)} px`);
  }), 40);
  check(fc.property(gabor(44), deg, deg, (st, from, by) => {
    const e = rotationError(st, from, by);
    assert.ok(e < GRATING_TOL, `relative error ${e.toFixed(4)}`);
  }), 20);
});

test('the rotation metric catches an orientation 2° off', () => {
  // Without this the property above could pass for a renderer that ignored small turns.
  const line: StimulusInput = { kind: 'line', length: 80, width: 3 };
  assert.ok(rotationError(line, 10, 30) < STROKE_TOL);
  assert.ok(rotationError(line, 10, 30, 42) > STROKE_TOL, `${rotationError(line, 10, 30, 42)}`);
  const curve: StimulusInput = { kind: 'curve', radius: 15, span: 180, width: 3 };
  assert.ok(rotationError(curve, 10, 30, 42) > STROKE_TOL, `${rotationError(curve, 10, 30, 42)}`);
});

test('moving the placement by whole pixels moves the image by as many pixels', () => {
  const S = 64;
  const circle = fc.record({ r: fc.double({ min: 1, max: 15, noNaN: true }), w: fc.double({ min: 0.3, max: 5, noNaN: true }), filled: fc.boolean() })
    .map(({ r, w, filled }): StimulusInput => ({ kind: 'circle', radius: r, width: w, filled }));
  const full = fc.double({ min: 0.01, max: 0.5, noNaN: true }).map((f): StimulusInput => ({ kind: 'grating', frequency: f, orientation: 17 }));
  const shift = fc.integer({ min: -8, max: 8 });
  const frac = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
  check(fc.property(fc.oneof(orientedStroke(22), gabor(22), circle, full), shift, shift, frac, frac, (st, dx, dy, fx, fy) => {
    const p = { x: 32 + fx, y: 32 + fy };
    const a = renderStimulus(st, { width: S, height: S, center: p }).data;
    const b = renderStimulus(st, { width: S, height: S, center: { x: p.x + dx, y: p.y + dy } }).data;
    let worst = 0;
    for (let y = Math.max(0, dy); y < Math.min(S, S + dy); y++) {
      for (let x = Math.max(0, dx); x < Math.min(S, S + dx); x++) {
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(b[(y * S + x) * 3 + c] - a[((y - dy) * S + x - dx) * 3 + c]));
      }
    }
    assert.ok(worst < 1e-3, `max difference ${worst} grey levels`);
  }), 150);
});

test.run();
