import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { transpose, concatBatch, splitBatch, tensor, sizeOf } from '../../src/engine/tensor.ts';

test('transpose by a permutation and back by its inverse is the identity', () => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((dims) =>
      fc.tuple(fc.constant(dims), fc.shuffledSubarray(dims.map((_, i) => i), { minLength: dims.length, maxLength: dims.length }))),
    ([dims, perm]) => {
      const t = tensor(dims, Array.from({ length: sizeOf(dims) }, (_, i) => i));
      const inv = perm.map((_, i) => perm.indexOf(i));
      const back = transpose(transpose(t, perm), inv);
      assert.equal(back.dims, dims);
      assert.equal([...back.data], [...t.data]);
    }));
});

test('NHWC → NCHW moves channel c of pixel (y, x) to plane c', () => {
  const t = tensor([1, 2, 2, 3], Array.from({ length: 12 }, (_, i) => i));
  const n = transpose(t, [0, 3, 1, 2]);
  assert.equal(n.dims, [1, 3, 2, 2]);
  assert.equal([...n.data.subarray(0, 4)], [0, 3, 6, 9]);
});

test('splitBatch undoes concatBatch', () => {
  const a = tensor([2, 3], [1, 2, 3, 4, 5, 6]);
  const b = tensor([1, 3], [7, 8, 9]);
  const parts = splitBatch(concatBatch([a, b]), [2, 1]);
  assert.equal([...parts[0].data], [...a.data]);
  assert.equal([...parts[1].data], [...b.data]);
});

test.run();
