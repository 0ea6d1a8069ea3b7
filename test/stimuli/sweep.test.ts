// Sweeps: plain data → the ordered grid of stimuli with grid indices; ranges, lists, scalars, limits.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { expandSweep, rangeCount, countSweep, MAX_SWEEP, type SweepSpec } from '../../src/stimuli/index.ts';
import { NeurogateError } from '../../src/errors.ts';
import { check } from './seed.ts';

function error(fn: () => unknown): NeurogateError {
  try { fn(); } catch (e) { if (e instanceof NeurogateError) return e; throw e; }
  throw new Error('no error');
}

test('a full turn of orientation leaves out 360 (it would repeat 0); other ranges keep `to`', () => {
  const turn = expandSweep({ kind: 'curve' }, { orientation: { from: 0, to: 360, step: 5 } });
  assert.is(turn.items.length, 72);
  assert.is(turn.axes[0].values.at(-1), 355);
  assert.is(expandSweep({ kind: 'curve' }, { orientation: { from: -180, to: 180, step: 0.5 } }).items.length, 720);
  assert.is(expandSweep({ kind: 'curve' }, { orientation: { from: 0, to: 180, step: 5 } }).items.length, 37);
  assert.is(expandSweep({ kind: 'grating' }, { phase: { from: 0, to: 360, step: 90 } }).items.length, 4);
  // span is an angle but not circular: a 360° arc differs from a 0° one.
  assert.equal(expandSweep({ kind: 'curve' }, { span: { from: 90, to: 360, step: 90 } }).axes[0].values, [90, 180, 270, 360]);
  // Values are from + i·step, rounded to 12 digits: no drift, no 0.30000000000000004.
  assert.equal(expandSweep({ kind: 'grating' }, { contrast: { from: 0, to: 1, step: 0.1 } }).axes[0].values, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
});

test('a 2-D sweep is row-major (last axis fastest), holds every combination once, and indexes its axes', () => {
  const sweep = expandSweep({ kind: 'curve', width: 5 }, { orientation: { from: 0, to: 360, step: 5 }, radius: [20, 35] });
  assert.equal(sweep.shape, [72, 2]);
  assert.equal(sweep.axes.map((a) => a.param), ['orientation', 'radius']);
  assert.equal(sweep.items.slice(0, 3).map((i) => [i.stimulus.kind === 'curve' && i.stimulus.orientation, i.stimulus.kind === 'curve' && i.stimulus.radius, i.index]), [[0, 20, [0, 0]], [0, 35, [0, 1]], [5, 20, [1, 0]]]);
  check(fc.property(fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 4 }), (lengths) => {
    const params = ['radius', 'width', 'span', 'orientation'];
    const spec: SweepSpec = Object.fromEntries(lengths.map((n, k) => [params[k], Array.from({ length: n }, (_, i) => 10 + i)]));
    const { items, shape, axes } = expandSweep({ kind: 'curve' }, spec);
    assert.equal(shape, lengths);
    assert.is(items.length, lengths.reduce((a, b) => a * b, 1));
    const seen = new Set<string>();
    items.forEach((item, flat) => {
      // Row-major: the flat position is the mixed-radix number of the index.
      assert.is(item.index.reduce((acc, v, k) => acc * shape[k] + v, 0), flat);
      const rec = item.stimulus as unknown as Record<string, number>;
      axes.forEach((a, k) => assert.is(rec[a.param], a.values[item.index[k]]));
      seen.add(JSON.stringify(item.index));
    });
    assert.is(seen.size, items.length);
  }));
});

test('ranges: rangeCount matches the expansion and every value lies in [from, to]', () => {
  check(fc.property(fc.double({ min: -1000, max: 1000, noNaN: true }), fc.double({ min: 0, max: 500, noNaN: true }), fc.double({ min: 0.5, max: 100, noNaN: true }), (from, extent, step) => {
    const r = { from, to: from + extent, step };
    const values = expandSweep({ kind: 'curve' }, { orientation: r }).axes[0].values as number[];
    assert.is(values.length, rangeCount(r, true));
    assert.is(countSweep('curve', { orientation: r }), values.length);
    for (const v of values) assert.ok(v >= from - 1e-6 && v <= from + extent + 1e-6);
    for (let i = 1; i < values.length; i++) assert.ok(Math.abs(values[i] - values[i - 1] - step) < 1e-6 * Math.max(1, Math.abs(values[i])));
  }));
});

test('scalars fix a parameter without adding an axis; the base fills the rest, then the defaults', () => {
  const s = expandSweep({ kind: 'line', ink: '#ff0000' }, { width: 3, orientation: [0, 90] });
  assert.equal(s.shape, [2]);
  assert.equal(s.items[1].stimulus, { kind: 'line', orientation: 90, length: 60, width: 3, ink: '#ff0000', background: 255, polarity: 'dark-on-light' });
  // Lists of non-numbers are axes too; an array is always a list (RGB in a sweep: "#rrggbb" or [[r, g, b]]).
  assert.equal(expandSweep({ kind: 'line' }, { polarity: ['dark-on-light', 'light-on-dark'] }).shape, [2]);
  assert.equal(expandSweep({ kind: 'line' }, { ink: [[255, 0, 0]] }).items[0].stimulus.ink, [255, 0, 0]);
  assert.equal(expandSweep({ kind: 'blank' }).items.length, 1);
});

test('sweeps over the limit are refused before anything is expanded', () => {
  const t0 = performance.now();
  assert.is(error(() => expandSweep({ kind: 'curve' }, { orientation: { from: 0, to: 360, step: 1e-9 } })).code, 'E_SWEEP_TOO_BIG');
  const e = error(() => expandSweep({ kind: 'curve' }, { orientation: { from: 0, to: 360, step: 1 }, radius: { from: 1, to: 300, step: 1 } }));
  assert.is(e.code, 'E_SWEEP_TOO_BIG');
  assert.match(e.message, '360 × 300 = 108000');
  assert.ok(performance.now() - t0 < 200, 'refused without rendering or expanding');
  assert.is(expandSweep({ kind: 'curve' }, { orientation: { from: 0, to: 360, step: 360 / MAX_SWEEP } }).items.length, MAX_SWEEP);
});

test('bad sweeps name the parameter and the fix', () => {
  const misspelt = error(() => expandSweep({ kind: 'curve' }, { raduis: [1, 2] }));
  assert.is(misspelt.code, 'E_STIMULUS_PARAM');
  assert.match(misspelt.hint ?? '', 'did you mean `radius`');
  assert.is(error(() => expandSweep({ kind: 'curve' }, { radius: { from: 1, to: 5, step: 0 } })).code, 'E_SWEEP');
  assert.is(error(() => expandSweep({ kind: 'curve' }, { radius: { from: 5, to: 1, step: 1 } })).code, 'E_SWEEP');
  assert.is(error(() => expandSweep({ kind: 'curve' }, { radius: { from: 0, to: 5, step: 1 } })).code, 'E_STIMULUS_RANGE');
  assert.is(error(() => expandSweep({ kind: 'curve' }, { radius: [] })).code, 'E_SWEEP');
  assert.is(error(() => expandSweep({ kind: 'curve' }, { radius: [10, -1] })).code, 'E_STIMULUS_RANGE');
  assert.is(error(() => expandSweep({ kind: 'circle' }, { filled: { from: 0, to: 1, step: 1 } })).code, 'E_STIMULUS_VALUE');
  assert.is(error(() => expandSweep({ kind: 'curve' }, { kind: ['line'] })).code, 'E_SWEEP');
  assert.is(error(() => expandSweep({ kind: 'spiral' } as never, {})).code, 'E_STIMULUS_KIND');
  assert.is(error(() => expandSweep({ kind: 'curve' }, { radius: [10, 0] }, 'spec.yaml:4:5')).where, 'spec.yaml:4:5');
});

test.run();
