import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';
import { awkwardNumber, hostileString } from './arbitrary.ts';
import { niceTicks } from '../../src/report/svg/axes.ts';
import { plotSvg } from '../../src/report/svg/index.ts';
import type { Plot } from '../../src/report/model.ts';

const params = { seed: FC_SEED, numRuns: 200 };

test('nice ticks enclose the data with an even step of 1, 2, 2.5 or 5 × 10^k', () => {
  fc.assert(fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.double({ min: 0, max: 1e9, noNaN: true }), (lo, span) => {
    const hi = lo + span;
    const t = niceTicks(lo, hi);
    assert.ok(t.length >= 2 && t.length <= 13, `${t.length} ticks`);
    // Enclosed up to float noise (ticks are rounded to 12 digits, far below a pixel).
    const slack = (t[t.length - 1] - t[0]) * 1e-9;
    assert.ok(t[0] <= lo + slack && t[t.length - 1] >= hi - slack, `[${t[0]}, ${t.at(-1)}] vs [${lo}, ${hi}]`);
    const step = t[1] - t[0];
    for (let i = 1; i < t.length; i++) assert.ok(Math.abs(t[i] - t[i - 1] - step) <= Math.abs(step) * 1e-6);
    const m = step / 10 ** Math.floor(Math.log10(step));
    assert.ok([1, 2, 2.5, 5, 10].some((x) => Math.abs(m - x) < 1e-6), `step ${step}`);
  }), params);
});

const plotArb: fc.Arbitrary<Plot> = fc.record({
  kind: fc.constantFrom('polar' as const, 'line' as const, 'bar' as const),
  xLabel: fc.option(hostileString, { nil: undefined }),
  yLabel: fc.option(hostileString, { nil: undefined }),
  series: fc.array(fc.record({ name: hostileString, x: fc.array(awkwardNumber, { maxLength: 30 }), y: fc.array(awkwardNumber, { maxLength: 30 }) }), { maxLength: 4 }),
  labels: fc.option(fc.array(hostileString, { maxLength: 8 }), { nil: undefined }),
}, { requiredKeys: ['kind', 'series'] });

test('any plot data gives one well-formed svg with no NaN or Infinity in its geometry', () => {
  fc.assert(fc.property(plotArb, hostileString, (plot, title) => {
    const svg = plotSvg(plot, title);
    assert.ok(svg.startsWith('<svg ') && svg.endsWith('</svg>'));
    assert.is(svg.match(/<svg /g)!.length, 1);
    // Geometry attributes only ever hold finite numbers.
    for (const m of svg.matchAll(/ (?:x|y|x1|x2|y1|y2|cx|cy|r|width|height|d)="([^"]*)"/g)) assert.not.match(m[1], /NaN|Infinity/, m[0]);
    assert.not.match(svg.replace(/<title>[^<]*<\/title>|<text[^>]*>[^<]*<\/text>/g, ''), /<(?!\/?(svg|title|text|rect|line|circle|path)\b)/);
  }), params);
});

test('polar: a constant response draws every point on one circle; a sweep round the circle closes', () => {
  const x = Array.from({ length: 24 }, (_, i) => i * 15);
  const svg = plotSvg({ kind: 'polar', series: [{ name: 'unit 4', x, y: x.map(() => 3) }] }, 'flat');
  const pts = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="2"/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.is(pts.length, 24);
  const radii = pts.map(([a, b]) => Math.hypot(a - 150, b - 150));
  for (const r of radii) assert.ok(Math.abs(r - radii[0]) < 0.02, `${r} vs ${radii[0]}`);
  assert.match(svg, /Z" fill/);
  // 90° is up: the point at 90° sits straight above the centre.
  assert.ok(Math.abs(pts[6][0] - 150) < 0.02 && pts[6][1] < 150);
  const half = plotSvg({ kind: 'polar', series: [{ name: '', x: x.slice(0, 12), y: x.slice(0, 12) }] }, 'half');
  assert.not.match(half, /Z" fill/);
});

test('line: a non-finite value breaks the line instead of dropping to zero', () => {
  const svg = plotSvg({ kind: 'line', series: [{ name: 's', x: [0, 1, 2, 3, 4, 5], y: [1, 2, NaN, 3, Infinity, 4] }] }, 't');
  const d = /<path d="([^"]+)"/.exec(svg)![1];
  assert.is(d.match(/M/g)!.length, 3);
  assert.is(d.match(/L/g)!.length, 1);
});

test('bar: negative values hang below the zero line; labels come from `labels`', () => {
  const svg = plotSvg({ kind: 'bar', labels: ['disk', 'square', 'triangle'], series: [{ name: 'logit', x: [0, 1, 2], y: [5, -3, 0.5] }] }, 'logits');
  const bars = [...svg.matchAll(/<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="[^"]+" class="series"/g)].map((m) => [Number(m[1]), Number(m[2])]);
  assert.is(bars.length, 3);
  const zeroY = Number(/<line x1="\d+" x2="[\d.]+" y1="([\d.]+)" y2="[\d.]+" class="axis"/.exec(svg)![1]);
  assert.ok(Math.abs(bars[0][0] + bars[0][1] - zeroY) < 0.02, 'positive bar ends on zero');
  assert.ok(Math.abs(bars[1][0] - zeroY) < 0.02, 'negative bar starts on zero');
  assert.ok(bars[0][1] / bars[1][1] > 1.6 && bars[0][1] / bars[1][1] < 1.7, 'heights proportional to 5 : 3');
  for (const l of ['disk', 'square', 'triangle']) assert.match(svg, `>${l}</text>`);
});

test.run();
