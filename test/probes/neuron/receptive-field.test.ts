// Receptive-field geometry against brute force: on random stacks of linear conv / average-pool
// layers with positive weights, the input pixels that move an output (impulse responses) must
// span exactly the window the graph walk predicts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { createModel, node, floatTensorProto, type AttrValue } from '../../../src/engine/graph.ts';
import { makeNet } from '../../../src/engine/net.ts';
import type { NodeProto, TensorProto } from '../../../src/engine/onnx.ts';
import { runBatched } from '../../../src/engine/session.ts';
import { receptiveFields, fieldCenter, positionNearest } from '../../../src/probes/neuron/receptive-field.ts';
import { FC_SEED } from '../../seed.ts';

interface LayerSpec { op: 'Conv' | 'AveragePool'; k: number; s: number; d: number; pad: 'valid' | 'explicit' | 'SAME_UPPER' | 'SAME_LOWER'; pads: [number, number] }

const layerSpec = fc.record({
  op: fc.constantFrom('Conv' as const, 'AveragePool' as const),
  k: fc.integer({ min: 1, max: 5 }),
  s: fc.integer({ min: 1, max: 2 }),
  d: fc.integer({ min: 1, max: 2 }),
  pad: fc.constantFrom('valid' as const, 'explicit' as const, 'SAME_UPPER' as const, 'SAME_LOWER' as const),
  pads: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
});

const SIZE = 29;

function build(layers: LayerSpec[]) {
  const nodes: NodeProto[] = [];
  const inits: TensorProto[] = [];
  let x = 'x';
  layers.forEach((l, i) => {
    const out = `t${i}`;
    const d = l.op === 'AveragePool' ? 1 : l.d; // AveragePool dilations need opset 19
    const attrs: Record<string, AttrValue> = { kernel_shape: { ints: [l.k, l.k] }, strides: { ints: [l.s, l.s] } };
    if (l.op === 'Conv') attrs.dilations = { ints: [d, d] };
    if (l.pad === 'explicit') {
      const keff = d * (l.k - 1) + 1;
      const [a, b] = l.pads.map((p) => Math.min(p, keff - 1));
      attrs.pads = { ints: [a, a, b, b] };
    } else if (l.pad !== 'valid') attrs.auto_pad = { s: l.pad };
    if (l.op === 'AveragePool') attrs.count_include_pad = { i: 1 };
    if (l.op === 'Conv') {
      inits.push(floatTensorProto(`w${i}`, { dims: [1, 1, l.k, l.k], data: new Float32Array(l.k * l.k).map((_, j) => 0.5 + ((j * 7) % 5) / 10) }));
      nodes.push(node('Conv', [x, `w${i}`], [out], attrs));
    } else nodes.push(node('AveragePool', [x], [out], attrs));
    x = out;
  });
  const model = createModel({ inputs: [{ name: 'x', dims: ['N', 1, SIZE, SIZE] }], outputs: [{ name: x }], nodes, initializers: inits });
  return { model, out: x };
}

test('predicted receptive-field windows match the impulse responses of random conv/pool stacks', async () => {
  await fc.assert(fc.asyncProperty(fc.array(layerSpec, { minLength: 1, maxLength: 3 }), async (layers) => {
    const { model, out } = build(layers);
    const net = makeNet(model, 'rf-test');
    const impulses = Array.from({ length: SIZE * SIZE }, (_, i) => {
      const data = new Float32Array(SIZE * SIZE);
      data[i] = 1;
      return { dims: [1, 1, SIZE, SIZE], data };
    });
    let res;
    try {
      res = (await runBatched(net, 'x', impulses, [out], { batchSize: 256 }))[out];
    } catch {
      fc.pre(false); // a stack that shrinks the map to nothing is not a valid model
      return;
    }
    const [, , h, w] = res[0].dims;
    fc.pre(h > 0 && w > 0);
    // Shapes of every tensor, for auto_pad: recomputed from the real run of each prefix.
    const shapes = new Map<string, number[]>([['x', [1, SIZE, SIZE]]]);
    for (let i = 0; i < layers.length; i++) {
      const sub = build(layers.slice(0, i + 1));
      const r = await runBatched(makeNet(sub.model, 'rf-prefix'), 'x', [impulses[0]], [sub.out]);
      shapes.set(`t${i}`, r[sub.out][0].dims.slice(1));
    }
    const geo = receptiveFields(model.graph, 'x', (t) => shapes.get(t));
    const g = geo.get(out);
    assert.ok(g, 'geometry known');
    const py = Math.floor(h / 2);
    const px = Math.floor(w / 2);
    const c = fieldCenter(g!, py, px);
    const lo = { x: c.x - g!.x.size / 2, y: c.y - g!.y.size / 2 };
    const hi = { x: c.x + g!.x.size / 2, y: c.y + g!.y.size / 2 };
    fc.pre(lo.x >= 0 && lo.y >= 0 && hi.x <= SIZE && hi.y <= SIZE);
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    impulses.forEach((_, i) => {
      if (res[i].data[py * w + px] !== 0) {
        const ix = i % SIZE;
        const iy = Math.floor(i / SIZE);
        minX = Math.min(minX, ix); maxX = Math.max(maxX, ix + 1);
        minY = Math.min(minY, iy); maxY = Math.max(maxY, iy + 1);
      }
    });
    assert.equal([minX, maxX, minY, maxY], [lo.x, hi.x, lo.y, hi.y], JSON.stringify(layers));
    assert.equal(positionNearest(g!, h, w, c), { x: px, y: py });
  }), { seed: FC_SEED, numRuns: 25 });
});

test('InceptionV3-like stem arithmetic: valid 3×3 stride 2 then 3×3 then stride-2 pool', () => {
  const { model, out } = build([
    { op: 'Conv', k: 3, s: 2, d: 1, pad: 'valid', pads: [0, 0] },
    { op: 'Conv', k: 3, s: 1, d: 1, pad: 'valid', pads: [0, 0] },
    { op: 'AveragePool', k: 3, s: 2, d: 1, pad: 'valid', pads: [0, 0] },
  ]);
  const g = receptiveFields(model.graph, 'x', () => undefined).get(out)!;
  assert.equal(g.x, { jump: 4, start: 5.5, size: 11 });
});

test.run();
