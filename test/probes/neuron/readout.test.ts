import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { readUnits, unitColumn, concatResponses, centerOf } from '../../../src/probes/neuron/readout.ts';
import { FC_SEED } from '../../seed.ts';

const shape = fc.record({ n: fc.integer({ min: 1, max: 3 }), c: fc.integer({ min: 1, max: 5 }), h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 6 }) });
const filled = (n: number, c: number, h: number, w: number) => ({ dims: [n, c, h, w], data: Float32Array.from({ length: n * c * h * w }, (_, i) => Math.sin(i * 12.9898) * 43758.5453 % 1) });

test('max ≥ every position ≥ … and mean lies between min and max; the centre is one of the positions', () => {
  fc.assert(fc.property(shape, ({ n, c, h, w }) => {
    const t = filled(n, c, h, w);
    const mx = readUnits(t, { reduce: 'max' });
    const mean = readUnits(t, { reduce: 'mean' });
    const ctr = readUnits(t, { at: 'center' });
    const p = centerOf(h, w);
    const at = readUnits(t, { at: 'position', ...p });
    for (let i = 0; i < n * c; i++) {
      assert.ok(mx.data[i] >= ctr.data[i] && mx.data[i] >= mean.data[i] - 1e-6);
      assert.is(ctr.data[i], at.data[i]);
    }
  }), { seed: FC_SEED, numRuns: 100 });
});

test('reading a subset of units picks exactly those channels, in the order asked', () => {
  const t = filled(2, 4, 3, 3);
  const all = readUnits(t, { at: 'position', x: 2, y: 0 });
  const sub = readUnits(t, { at: 'position', x: 2, y: 0 }, [3, 1]);
  assert.equal(sub.units, [3, 1]);
  assert.equal(unitColumn(sub, 0), unitColumn(all, 3));
  assert.equal(unitColumn(sub, 1), unitColumn(all, 1));
  assert.is(t.data[(1 * 4 + 3) * 9 + 0 * 3 + 2], sub.data[1 * 2 + 0]);
  const joined = concatResponses([sub, sub]);
  assert.is(joined.items, 4);
  assert.equal(unitColumn(joined, 1), [...unitColumn(sub, 1), ...unitColumn(sub, 1)]);
});

test('NC tensors (dense layers) read directly; bad units and positions are named', () => {
  const t = { dims: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
  assert.equal([...readUnits(t, { at: 'center' }).data], [1, 2, 3, 4, 5, 6]);
  assert.throws(() => readUnits(t, { at: 'center' }, [3]), /unit 3 is outside 0..2/);
  assert.throws(() => readUnits(filled(1, 1, 2, 2), { at: 'position', x: 2, y: 0 }), /outside the 2×2 map/);
});

test.run();
