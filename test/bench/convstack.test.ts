// The conv-stack graph of the bench is the computation it claims: for small random shapes, the
// host I/O graph run by onnxruntime equals a direct loop of 3×3 convolutions with ReLU between,
// and the on-device graph gives each image's mean of it when the batch repeats one image.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { convStackModel, convStackFlops, type ConvStackShape } from '../../bench/convstack.ts';
import { makeNet } from '../../src/engine/net.ts';
import { run } from '../../src/engine/session.ts';
import { makeRng, normal } from '../../src/util/rng.ts';
import { FC_SEED } from '../seed.ts';

/** y = conv(x, w) for one image, 3×3, pad 1, stride 1, no bias: [C, S, S] → [C, S, S]. */
function conv3x3(x: Float32Array, w: Float32Array, c: number, s: number): Float32Array {
  const y = new Float32Array(c * s * s);
  for (let o = 0; o < c; o++) {
    for (let i = 0; i < c; i++) {
      for (let ky = 0; ky < 3; ky++) {
        for (let kx = 0; kx < 3; kx++) {
          const k = w[((o * c + i) * 3 + ky) * 3 + kx];
          for (let r = 0; r < s; r++) {
            const yr = r + ky - 1;
            if (yr < 0 || yr >= s) continue;
            for (let q = 0; q < s; q++) {
              const xq = q + kx - 1;
              if (xq < 0 || xq >= s) continue;
              y[(o * s + r) * s + q] += k * x[(i * s + yr) * s + xq];
            }
          }
        }
      }
    }
  }
  return y;
}

function stackByLoops(x: Float32Array, weights: Float32Array[], shape: ConvStackShape): Float32Array {
  const { batch: b, channels: c, size: s } = shape;
  const per = c * s * s;
  const out = new Float32Array(b * per);
  for (let n = 0; n < b; n++) {
    let cur = x.subarray(n * per, (n + 1) * per) as Float32Array;
    weights.forEach((w, l) => {
      cur = conv3x3(cur, w, c, s);
      if (l < weights.length - 1) cur = cur.map((v) => Math.max(0, v));
    });
    out.set(cur, n * per);
  }
  return out;
}

const shapeArb = fc.record({
  layers: fc.integer({ min: 1, max: 4 }),
  channels: fc.integer({ min: 1, max: 5 }),
  batch: fc.integer({ min: 1, max: 3 }),
  size: fc.integer({ min: 1, max: 9 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

test('the host I/O graph computes the conv stack; the on-device graph its per-image mean', async () => {
  await fc.assert(fc.asyncProperty(shapeArb, async ({ seed, ...shape }) => {
    const rng = makeRng(seed);
    const { layers, channels: c, batch: b, size: s } = shape;
    const weights = Array.from({ length: layers }, () => Float32Array.from({ length: c * c * 9 }, () => normal(rng) / Math.sqrt(c * 9)));
    const one = Float32Array.from({ length: c * s * s }, rng);
    const x = new Float32Array(b * one.length);
    for (let n = 0; n < b; n++) x.set(one, n * one.length);

    const host = await run(makeNet(convStackModel(shape, weights, false), 'test'), { x: { dims: [b, c, s, s], data: x } }, ['y']);
    const expected = stackByLoops(x, weights, shape);
    assert.equal(host.y.dims, [b, c, s, s]);
    for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(host.y.data[i] - expected[i]) <= 1e-4 + 1e-4 * Math.abs(expected[i]), `element ${i}: ${host.y.data[i]} vs ${expected[i]}`);

    const dev = await run(makeNet(convStackModel(shape, weights, true), 'test'), { x: { dims: [1, c, s, s], data: one } }, ['y']);
    assert.equal(dev.y.dims, [b, 1, 1, 1]);
    const per = c * s * s;
    for (let n = 0; n < b; n++) {
      const mean = expected.subarray(n * per, (n + 1) * per).reduce((a, v) => a + v, 0) / per;
      assert.ok(Math.abs(dev.y.data[n] - mean) <= 1e-4 + 1e-4 * Math.abs(mean), `image ${n}: ${dev.y.data[n]} vs ${mean}`);
    }
  }), { seed: FC_SEED, numRuns: 25 });
});

test('FLOPs: 2 · batch · C_out · H · W · C_in · 9 per layer; the issue #12 stack is 296 GFLOP', () => {
  assert.is(convStackFlops({ layers: 1, channels: 1, batch: 1, size: 1 }), 18);
  assert.ok(Math.abs(convStackFlops({ layers: 10, channels: 64, batch: 8, size: 224 }) / 1e9 - 295.9) < 0.1);
});

test.run();
