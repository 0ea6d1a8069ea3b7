// The renderers: ink follows the geometry (width, length, radius → ∞), conventions hold,
// output is deterministic, polarity swaps colours, clutter is seeded, bad input is refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import {
  renderStimulus, renderStimulusInto, renderCoverage, encodePng, makeRng, describeStimulus, stimulusSlug, defaults,
  type StimulusInput, type RgbImage,
} from '../../src/stimuli/index.ts';
import { decodeImage } from '../../src/stimuli/image.ts';
import { NeurogateError } from '../../src/errors.ts';
import { check } from './seed.ts';
import { orientedStroke, gabor, ink, maxAbsDiff } from './arbitraries.ts';

const deg = fc.double({ min: 0, max: 360, noNaN: true });
const frac = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

function code(fn: () => unknown): string {
  try { fn(); } catch (e) { return e instanceof NeurogateError ? e.code : `not a NeurogateError: ${e}`; }
  return 'no error';
}

function withWidth(st: StimulusInput, width: number): StimulusInput {
  return { ...st, width } as StimulusInput;
}

test('ink grows with line width, pixel by pixel', () => {
  const circle = fc.record({ r: fc.double({ min: 1, max: 25, noNaN: true }), filled: fc.boolean() })
    .map(({ r, filled }): StimulusInput => ({ kind: 'circle', radius: r, filled }));
  const size = { width: 96, height: 96 };
  check(fc.property(fc.oneof(orientedStroke(40), circle), fc.double({ min: 0.05, max: 6, noNaN: true }), fc.double({ min: 0.01, max: 4, noNaN: true }), (st, w, dw) => {
    const thin = renderCoverage(withWidth(st, w), size).data;
    const thick = renderCoverage(withWidth(st, w + dw), size).data;
    for (let i = 0; i < thin.length; i++) assert.ok(thin[i] <= thick[i] + 1e-6, `pixel ${i}: ${thin[i]} > ${thick[i]}`);
    assert.ok(ink(thick) > ink(thin), `ink ${ink(thick)} ≤ ${ink(thin)}`);
  }), 150);
});

test('a line carries its area in ink (length × width + two round caps) at any orientation', () => {
  // Coverage is each pixel's exact area inside the stroke wherever the edge is straight; only the
  // round caps are approximated (their edge is taken as straight across a pixel). Per cap that costs
  // up to ≈0.25·w px² for strokes ≥ 1 px and up to ≈0.9·w px² for hairlines, whose cap is far
  // smaller than a pixel (measured worst over 8000 lines, centres on pixel edges and corners
  // included: 0.45·w and 1.74·w in all).
  const centre = fc.oneof(fc.constant(0), fc.constant(0.5), frac);
  check(fc.property(fc.double({ min: 0.01, max: 60, noNaN: true }), fc.double({ min: 0.1, max: 10, noNaN: true }), deg, centre, centre, (len, w, o, fx, fy) => {
    const c = renderCoverage({ kind: 'line', orientation: o, length: len, width: w }, { width: 100, height: 100, center: { x: 50 + fx, y: 50 + fy } }).data;
    const area = len * w + (Math.PI * w * w) / 4;
    const bound = w >= 1 ? w : 2 * w;
    assert.ok(Math.abs(ink(c) - area) <= bound, `ink ${ink(c)} vs area ${area}`);
  }), 200);
});

test('rings and discs carry their area in ink', () => {
  // Within 1% for strokes ≥ 1 px (measured worst 0.3%). Thinner rings of small radius can be off by
  // ≈2%: their edges bend by a sizeable part of the width inside one pixel, and the coverage takes
  // them as straight there.
  check(fc.property(fc.double({ min: 5, max: 40, noNaN: true }), fc.double({ min: 1, max: 6, noNaN: true }), frac, (r, w, f) => {
    const size = { width: 100, height: 100, center: { x: 50 + f, y: 50 + f / 3 } };
    const ring = ink(renderCoverage({ kind: 'circle', radius: r, width: w }, size).data);
    const disc = ink(renderCoverage({ kind: 'circle', radius: r, width: w, filled: true }, size).data);
    assert.ok(Math.abs(ring / (2 * Math.PI * r * w) - 1) < 0.01, `ring ${ring} vs ${2 * Math.PI * r * w}`);
    assert.ok(Math.abs(disc / (Math.PI * (r + w / 2) ** 2) - 1) < 0.01, `disc ${disc}`);
  }), 100);
});

/**
 * Hausdorff distance between an arc of length L and radius R and the segment of length L tangent
 * to it at its midpoint: the end points are farthest apart (sin/cos in forms that stay exact for huge R).
 */
function arcToChordDistance(len: number, r: number): number {
  const x = len / (2 * r);
  const along = x < 1e-2 ? r * (x ** 3 / 6 - x ** 5 / 120) : len / 2 - r * Math.sin(x);
  const across = 2 * r * Math.sin(x / 2) ** 2;
  return Math.hypot(along, across);
}

test('a curve with radius → ∞ becomes the line of orientation + 90° through its midpoint', () => {
  // Metric: max |coverage difference| over pixels. Each edge of the stroke moves by at most the
  // Hausdorff distance H between the arc and the line's centre line, and an edge crosses a pixel
  // along at most its diagonal √2, so no pixel changes by more than 2·√2·H.
  const size = (fx: number, fy: number) => ({ width: 100, height: 100, center: { x: 50 + fx, y: 50 + fy } });
  check(fc.property(fc.double({ min: 10, max: 80, noNaN: true }), fc.double({ min: 0.3, max: 8, noNaN: true }), deg, fc.double({ min: 0, max: 5, noNaN: true }), frac, frac, (len, w, o, logR, fx, fy) => {
    const r = len * 10 ** logR;
    const arc = renderCoverage({ kind: 'curve', orientation: o, radius: r, length: len, width: w }, size(fx, fy)).data;
    const line = renderCoverage({ kind: 'line', orientation: o + 90, length: len, width: w }, size(fx, fy)).data;
    const bound = 2 * Math.SQRT2 * arcToChordDistance(len, r) + 1e-5;
    assert.ok(maxAbsDiff(arc, line) <= bound, `max diff ${maxAbsDiff(arc, line)} > ${bound}`);
  }), 150);
  // At the largest radius a spec may ask for, the two are the same picture to 1/1000 of full ink.
  const far = renderCoverage({ kind: 'curve', orientation: 33, radius: 1e7, length: 80, width: 4 }, size(0.3, 0.7)).data;
  const line = renderCoverage({ kind: 'line', orientation: 123, length: 80, width: 4 }, size(0.3, 0.7)).data;
  assert.ok(maxAbsDiff(far, line) < 1e-3);
  // And a tight curve is not a line (the metric can fail).
  const tight = renderCoverage({ kind: 'curve', orientation: 33, radius: 40, length: 80, width: 4 }, size(0.3, 0.7)).data;
  assert.ok(maxAbsDiff(tight, line) > 0.5);
});

/** Ink-weighted centre of a coverage map, relative to p. */
function centroid(c: Float32Array, width: number, p: { x: number; y: number }): [number, number] {
  let sx = 0, sy = 0, s = 0;
  for (let i = 0; i < c.length; i++) {
    sx += c[i] * ((i % width) + 0.5 - p.x);
    sy += c[i] * (Math.floor(i / width) + 0.5 - p.y);
    s += c[i];
  }
  return [sx / s, sy / s];
}

/** A vector's components along the unit direction of θ (counter-clockwise, y down) and across it. */
function alongAcross(v: [number, number], o: number): [number, number] {
  const t = (o * Math.PI) / 180;
  const ux = Math.cos(t);
  const uy = -Math.sin(t);
  return [v[0] * ux + v[1] * uy, -v[0] * uy + v[1] * ux];
}

test('orientation convention: curves and angles face θ (counter-clockwise, y down) with the midpoint or vertex on the placement point', () => {
  // The convex side (the vertex) faces θ, so the ink's centre lies behind the placement point, on
  // the line through it along θ. "On the line" within 0.06 px: the pixel grid moves a rendered
  // shape's ink centre by a few hundredths of a pixel (measured max 0.037 over 3000 shapes).
  const p = { x: 64.5, y: 64.5 }; // a pixel centre
  const size = { width: 128, height: 128, center: p };
  const curve = fc.record({ r: fc.double({ min: 8, max: 28, noNaN: true }), span: fc.double({ min: 60, max: 300, noNaN: true }), w: fc.double({ min: 1.5, max: 6, noNaN: true }) });
  check(fc.property(curve, deg, ({ r, span, w }, o) => {
    const c = renderCoverage({ kind: 'curve', orientation: o, radius: r, span, width: w }, size).data;
    const [along, across] = alongAcross(centroid(c, 128, p), o);
    assert.ok(along < -0.2 && Math.abs(across) < 0.06, `ink centre ${along} along θ, ${across} across`);
    assert.ok(c[64 * 128 + 64] > 0.999, 'the midpoint pixel is fully inked');
  }), 60);
  check(fc.property(fc.double({ min: 10, max: 170, noNaN: true }), fc.double({ min: 5, max: 40, noNaN: true }), deg, (opening, len, o) => {
    const c = renderCoverage({ kind: 'angle', orientation: o, opening, length: len, width: 2 }, size).data;
    const [along, across] = alongAcross(centroid(c, 128, p), o);
    assert.ok(along < -0.2 && Math.abs(across) < 0.06, `ink centre ${along} along θ, ${across} across`);
    assert.ok(c[64 * 128 + 64] > 0.999, 'the vertex pixel is fully inked');
  }), 60);
  // Spelled out once: 90° is up, so a 90° curve is ∩ (ink below the midpoint) and a 0° line is horizontal.
  const up = centroid(renderCoverage({ kind: 'curve', orientation: 90 }, size).data, 128, p);
  assert.ok(up[1] > 5 && Math.abs(up[0]) < 1e-3, `${up}`);
  const h = renderCoverage({ kind: 'line', orientation: 0, length: 40, width: 1 }, size).data;
  assert.is(h[64 * 128 + 64 + 15], 1);
  assert.is(h[(64 - 15) * 128 + 64], 0);
});

test('gratings: stripes run along θ, phase 0 puts ink on the placement point, the mean is mid-way', () => {
  const S = 64;
  const g0 = renderCoverage({ kind: 'grating', orientation: 0, frequency: 1 / 8 }, { width: S, height: S, center: { x: 32.5, y: 32.5 } }).data;
  for (let y = 0; y < S; y++) for (let x = 1; x < S; x++) assert.is(g0[y * S + x], g0[y * S]); // θ = 0: every row constant
  let max = 0;
  for (const v of g0) max = Math.max(max, v);
  assert.is(g0[32 * S + 32], max);
  const half = renderCoverage({ kind: 'grating', orientation: 0, frequency: 1 / 8, phase: 180 }, { width: S, height: S, center: { x: 32.5, y: 32.5 } }).data;
  assert.ok(half[32 * S + 32] < 0.05);
  assert.ok(Math.abs(ink(g0) / g0.length - 0.5) < 1e-6, 'whole periods average to the mean');
  // Higher frequencies lose contrast as a pixel's area average should (sinc), never alias upwards.
  const nyquist = renderCoverage({ kind: 'grating', orientation: 0, frequency: 0.5 }, { width: S, height: S, center: { x: 32.5, y: 32.5 } }).data;
  assert.ok(Math.abs(nyquist[32 * S] - (0.5 + 0.5 * (2 / Math.PI))) < 1e-6);
  // A Gabor fades to the mean far from its centre.
  const patch = renderCoverage({ kind: 'grating', frequency: 0.1, sigma: 5 }, { width: S, height: S }).data;
  assert.ok(Math.abs(patch[0] - 0.5) < 1e-6);
});

const anyStimulus = fc.oneof(orientedStroke(30), gabor(30), fc.constant<StimulusInput>({ kind: 'blank' }), fc.constant<StimulusInput>({ kind: 'circle', filled: true, radius: 10 }));
const channel = fc.integer({ min: 0, max: 255 });
const rgb = fc.tuple(channel, channel, channel);

test('the same parameters (and clutter seed) give byte-identical images', () => {
  check(fc.property(anyStimulus, fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.boolean(), (st, seed, clutter) => {
    const s = (clutter && st.kind !== 'grating' ? { ...st, clutter: { strokes: 20, noise: 5, seed } } : st) as StimulusInput;
    const a = renderStimulus(s, { width: 48, height: 40 });
    const b = renderStimulus(s, { width: 48, height: 40 });
    assert.ok(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer)));
    assert.ok(encodePng(a).equals(encodePng(b)));
  }), 60);
});

test('clutter: seeded, drawn from the generator passed in, and kept out of the clear zone', () => {
  const size = { width: 64, height: 64 };
  const blank = (seed: number, more = {}): StimulusInput => ({ kind: 'blank', clutter: { strokes: 80, seed, ...more } });
  check(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 2 }), (seed) => {
    const a = renderStimulus(blank(seed), size).data;
    assert.ok(ink(a) < 255 * a.length, 'strokes were drawn');
    assert.not.ok(Buffer.from(a.buffer).equals(Buffer.from(renderStimulus(blank(seed + 1), size).data.buffer)), 'another seed, another picture');
    // A generator passed in wins over clutter.seed; the seed means makeRng(seed).
    const viaRng = renderStimulus(blank(seed + 1), size, makeRng(seed)).data;
    assert.ok(Buffer.from(a.buffer).equals(Buffer.from(viaRng.buffer)));
    const clear = renderStimulus(blank(seed, { clear: 20, strokeWidth: 3 }), size).data;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        if (Math.hypot(x + 0.5 - 32, y + 0.5 - 32) < 19.3) assert.is(clear[(y * 64 + x) * 3], 255, `pixel (${x}, ${y}) inside the clear zone`);
      }
    }
  }), 40);
  // Grey noise of σ grey levels: the pixels' standard deviation is σ (mid-grey background, no clipping).
  const noisy = renderStimulus({ kind: 'blank', background: 128, clutter: { strokes: 0, noise: 10, seed: 3 } }, { width: 128, height: 128 }).data;
  const mean = ink(noisy) / noisy.length;
  const sd = Math.sqrt(noisy.reduce((s, v) => s + (v - mean) ** 2, 0) / noisy.length);
  assert.ok(Math.abs(mean - 128) < 0.5 && Math.abs(sd - 10) < 0.5, `mean ${mean} sd ${sd}`);
});

test('polarity swaps ink and background: the two renders add up to ink + background', () => {
  check(fc.property(anyStimulus, rgb, rgb, (st, ink, bg) => {
    const dark = renderStimulus({ ...st, ink, background: bg } as StimulusInput, { width: 40, height: 40 }).data;
    const light = renderStimulus({ ...st, ink, background: bg, polarity: 'light-on-dark' } as StimulusInput, { width: 40, height: 40 }).data;
    for (let i = 0; i < dark.length; i++) assert.ok(Math.abs(dark[i] + light[i] - ink[i % 3] - bg[i % 3]) < 1e-3);
  }), 80);
  // Default colours: black on white, inverted to white on black.
  const d = renderStimulus({ kind: 'curve' }, { width: 64, height: 64 }).data;
  const l = renderStimulus({ kind: 'curve', polarity: 'light-on-dark' }, { width: 64, height: 64 }).data;
  assert.is(d[0], 255);
  assert.is(l[0], 0);
  assert.ok(d.every((v, i) => Math.abs(255 - v - l[i]) < 1e-3));
});

test('colours: grey levels, #rrggbb and [r, g, b] paint the same pixels', () => {
  const size = { width: 32, height: 32 };
  const a = renderStimulus({ kind: 'line', ink: '#ff8000', background: 200 }, size).data;
  const b = renderStimulus({ kind: 'line', ink: [255, 128, 0], background: '#c8c8c8' }, size).data;
  const c = renderStimulus({ kind: 'line', ink: '#f80', background: [200, 200, 200] }, size).data;
  assert.equal([...a], [...b]);
  assert.equal([...c].filter((v, i) => i % 3 !== 1), [...a].filter((v, i) => i % 3 !== 1)); // #f80 is #ff8800
});

test('rendering into a reused buffer gives the same pixels as a fresh render', () => {
  const buf: RgbImage = { width: 50, height: 30, data: new Float32Array(50 * 30 * 3) };
  check(fc.property(anyStimulus, anyStimulus, (first, second) => {
    renderStimulusInto(buf, first);
    renderStimulusInto(buf, second);
    assert.ok(maxAbsDiff(buf.data, renderStimulus(second, { width: 50, height: 30 }).data) === 0);
  }), 60);
});

test('a stimulus saved as PNG reads back as the same picture', () => {
  const img = renderStimulus({ kind: 'curve', orientation: 45, radius: 20, ink: '#c02020' }, { width: 96, height: 64 });
  const back = decodeImage(encodePng(img), 'curve.png');
  assert.equal([back.width, back.height], [96, 64]);
  assert.ok(maxAbsDiff(back.data, img.data) <= 0.5);
});

test('labels name the kind and the parameters that differ from the defaults', () => {
  const s = { ...defaults('curve'), orientation: 45, radius: 20 };
  assert.is(describeStimulus(s), 'curve orientation=45° radius=20px');
  assert.is(describeStimulus(s, ['orientation']), 'curve orientation=45°');
  assert.is(stimulusSlug(s), 'curve_orientation-45_radius-20');
  assert.is(describeStimulus(defaults('blank')), 'blank');
});

test('bad stimuli and sizes are refused with a named reason', () => {
  const size = { width: 32, height: 32 };
  assert.is(code(() => renderStimulus({ kind: 'curve', radius: 0 }, size)), 'E_STIMULUS_RANGE');
  assert.is(code(() => renderStimulus({ kind: 'curve', width: Number.NaN }, size)), 'E_STIMULUS_VALUE');
  assert.is(code(() => renderStimulus({ kind: 'grating', frequency: 0.7 }, size)), 'E_STIMULUS_RANGE');
  assert.is(code(() => renderStimulus({ kind: 'line', ink: [0, 0] as never }, size)), 'E_STIMULUS_COLOR');
  assert.is(code(() => renderStimulus({ kind: 'line', polarity: 'dark' as never }, size)), 'E_STIMULUS_VALUE');
  assert.is(code(() => renderStimulus({ kind: 'blank', clutter: { strokes: 5 } }, size)), 'E_STIMULUS_SEED');
  assert.is(code(() => renderStimulus({ kind: 'grating', clutter: { seed: 1 } }, size)), 'E_STIMULUS_CLUTTER');
  assert.is(code(() => renderStimulus({ kind: 'blank', clutter: { strokes: 1.5, seed: 1 } }, size)), 'E_STIMULUS_RANGE');
  assert.is(code(() => renderStimulus({ kind: 'curve' }, { width: 0, height: 10 })), 'E_STIMULUS_SIZE');
  assert.is(code(() => renderStimulus({ kind: 'curve' }, { ...size, center: { x: Number.NaN, y: 0 } })), 'E_STIMULUS_CENTER');
  assert.is(code(() => renderStimulusInto({ width: 4, height: 4, data: new Float32Array(3) }, { kind: 'blank' })), 'E_STIMULUS_SIZE');
  // Misspellings get a suggestion; a Gabor is a grating with sigma.
  try {
    renderStimulus({ kind: 'curve', radus: 3 } as never, size);
    assert.unreachable();
  } catch (e) {
    assert.is((e as NeurogateError).code, 'E_STIMULUS_PARAM');
    assert.match((e as NeurogateError).hint ?? '', 'did you mean `radius`');
  }
  try {
    renderStimulus({ kind: 'gabor' } as never, size);
    assert.unreachable();
  } catch (e) {
    assert.is((e as NeurogateError).code, 'E_STIMULUS_KIND');
    assert.match((e as NeurogateError).hint ?? '', '`grating` with `sigma`');
  }
});

test.run();
