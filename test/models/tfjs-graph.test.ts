// The TF.js graph-model importer: small hand-written graph topologies and the zoo's MobileNetV2
// (mobilenet_v2_mid), each run by onnxruntime (our IR) and by TF.js itself on the same weights.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import path from 'node:path';
import type * as TfNs from '@tensorflow/tfjs';
import { importGraphModel, SUPPORTED_GRAPH_OPS } from '../../src/models/tfjs/graph.ts';
import { restoreOrder } from '../../src/models/tfjs/tfops/context.ts';
import { mainScope, stripScope } from '../../src/models/tfjs/tfops/aliases.ts';
import { referenceGraphModel, tfjs } from '../../src/models/tfjs/reference.ts';
import { nsfwjsFiles, type TfjsModelFiles } from '../../src/models/zoo/nsfwjs.ts';
import { run, releaseAll } from '../../src/engine/session.ts';
import { attr } from '../../src/engine/graph.ts';
import { transpose, maxAbsDiff, valueRange, concatBatch, type Tensor } from '../../src/engine/tensor.ts';
import { makeRng, uniform, type Rng } from '../../src/util/rng.ts';
import { readImage, toModelInput } from '../../src/stimuli/image.ts';
import { errorOf, assertClose } from '../helpers.ts';

// ---- a tiny graph-model writer (the NodeDef JSON tensorflowjs_converter emits)

const b64 = (s: string) => Buffer.from(s).toString('base64');
const A = {
  s: (v: string) => ({ s: b64(v) }),
  i: (v: number) => ({ i: String(v) }),
  f: (v: number) => ({ f: v }),
  b: (v: boolean) => ({ b: v }),
  ints: (v: number[]) => ({ list: { i: v.map(String) } }),
  strs: (v: string[]) => ({ list: { s: v.map(b64) } }),
};

interface GNode { name: string; op: string; input?: string[]; attr?: Record<string, unknown> }
interface W { name: string; dims: number[]; data?: number[]; dtype?: 'float32' | 'int32' }

const placeholder = (name: string, shape: number[]): GNode =>
  ({ name, op: 'Placeholder', attr: { shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } }, dtype: { type: 'DT_FLOAT' } } });
const op = (name: string, opName: string, input: string[], attrs: Record<string, unknown> = {}): GNode =>
  ({ name, op: opName, input, attr: { T: { type: 'DT_FLOAT' }, ...attrs } });
const ints = (name: string, data: number[], dims = [data.length]): W => ({ name, dims, data, dtype: 'int32' });

/** Conv attributes as the converter writes them (NHWC 4-lists). */
const convAttrs = (stride: number, padding: string, dilation = 1) =>
  ({ strides: A.ints([1, stride, stride, 1]), dilations: A.ints([1, dilation, dilation, 1]), padding: A.s(padding), data_format: A.s('NHWC') });

/** A graph model: Const nodes for the weights (random in [-1, 1) unless given) in one float32/int32 shard. */
function graphFiles(nodes: GNode[], weights: W[], seed = 1): TfjsModelFiles {
  const rng = makeRng(seed);
  const parts = weights.map((w) => {
    const n = w.dims.reduce((p, d) => p * d, 1);
    const values = w.data ?? Array.from({ length: n }, () => uniform(rng, -1, 1));
    const arr = w.dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
    return new Uint8Array(arr.buffer);
  });
  const bytes = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { bytes.set(p, o); o += p.length; }
  const consts = weights.map((w) => {
    const dtype = w.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    return { name: w.name, op: 'Const', attr: { value: { tensor: { dtype, tensorShape: { dim: w.dims.map((d) => ({ size: String(d) })) } } }, dtype: { type: dtype } } };
  });
  return {
    modelJson: {
      format: 'graph-model',
      modelTopology: { node: [...consts, ...nodes], versions: { producer: 1 } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: weights.map((w) => ({ name: w.name, shape: w.dims, dtype: w.dtype ?? 'float32' })) }],
    },
    shards: () => [bytes],
    files: [],
  };
}

function randomNhwc(dims: number[], rng: Rng): Tensor {
  return { dims, data: Float32Array.from({ length: dims.reduce((p, d) => p * d, 1) }, () => rng()) };
}

type TfTensor = { shape: number[]; dataSync(): Float32Array | Int32Array | Uint8Array; dispose(): void };

/** Run TF.js's graph model on an NHWC input and return the named node outputs (rank 4 as NCHW). */
async function reference(files: TfjsModelFiles, x: Tensor, names: string[], backend: 'wasm' | 'cpu'): Promise<Record<string, Tensor>> {
  const tf: typeof TfNs = await tfjs(backend);
  const model = await referenceGraphModel(files, backend);
  const input = tf.tensor(x.data, x.dims);
  const outs = model.execute(input, names) as unknown;
  const list = (Array.isArray(outs) ? outs : [outs]) as TfTensor[];
  const out: Record<string, Tensor> = {};
  names.forEach((n, i) => {
    const t: Tensor = { dims: [...list[i].shape], data: Float32Array.from(list[i].dataSync()) };
    out[n] = t.dims.length === 4 ? transpose(t, [0, 3, 1, 2]) : t;
  });
  input.dispose();
  list.forEach((t) => t.dispose());
  model.dispose();
  return out;
}

/**
 * Import, run both engines on one seeded NHWC input and return max |Δ| / max(1, range) per node.
 * Small graphs use TF.js's plain-JS cpu backend: its wasm backend (XNNPACK) returns zeros for
 * some one-row 'same' convolutions (found by the Keras importer's property test).
 */
async function compare(files: TfjsModelFiles, names: string[], inputDims: number[], seed = 7): Promise<Record<string, number>> {
  const m = importGraphModel(files, 'test');
  const x = randomNhwc(inputDims, makeRng(seed));
  const ours = await run(m.net, { [m.input.name]: transpose(x, [0, 3, 1, 2]) }, names);
  const theirs = await reference(files, x, names, 'cpu');
  const out: Record<string, number> = {};
  for (const n of names) {
    assert.equal(ours[n].dims, theirs[n].dims, `${n}: shape`);
    out[n] = maxAbsDiff(ours[n], theirs[n]) / Math.max(1, valueRange(theirs[n]));
  }
  return out;
}



const irNode = (m: ReturnType<typeof importGraphModel>, output: string) => m.net.model.graph!.node.find((n) => n.output.includes(output))!;

// ---- layout bookkeeping

test('after dropping NHWC axes from an NCHW tensor, restoreOrder puts the rest back in TF order', () => {
  fc.assert(fc.property(fc.subarray([0, 1, 2, 3]), (removed) => {
    const perm = restoreOrder(new Set(removed));
    const leftInNchw = [0, 3, 1, 2].filter((a) => !removed.includes(a)); // NHWC axes in NCHW order
    const after = perm ? perm.map((p) => leftInNchw[p]) : leftInNchw;
    assert.equal(after, [...after].sort((a, b) => a - b));
  }));
});

test('layer names: the main scope is stripped, nodes outside it keep what they do not share', () => {
  const names = ['w/sequential/m/predict/Net/a/Conv2D', 'w/sequential/m/predict/Net/b/Relu', 'w/sequential/m/predict/Net/c/add', 'w/sequential/dense/BiasAdd', 'Identity'];
  assert.is(mainScope(names), 'w/sequential/m/predict/Net/');
  assert.is(stripScope(names[0], 'w/sequential/m/predict/Net/'), 'a/Conv2D');
  assert.is(stripScope(names[3], 'w/sequential/m/predict/Net/'), 'dense/BiasAdd');
  assert.is(stripScope('Identity', 'w/sequential/m/predict/Net/'), 'Identity');
});

// ---- single ops against TF.js

test('_FusedConv2D, SAME, stride 2 on an odd input, bias + relu6: exact asymmetric pads, values match TF.js', async () => {
  const files = graphFiles([
    placeholder('x', [-1, 7, 8, 3]),
    op('net/conv/Relu6', '_FusedConv2D', ['x', 'net/conv/w', 'net/conv/b'], { ...convAttrs(2, 'SAME'), fused_ops: A.strs(['BiasAdd', 'Relu6']), num_args: A.i(1), epsilon: A.f(0) }),
    op('net/conv2/Conv2D', 'Conv2D', ['net/conv/Relu6', 'net/conv2/w'], { ...convAttrs(1, 'EXPLICIT'), explicit_paddings: A.ints([0, 0, 1, 2, 2, 0, 0, 0]) }),
    op('net/conv3/Relu', '_FusedConv2D', ['net/conv2/Conv2D', 'net/conv3/w', 'net/conv3/b'], { ...convAttrs(1, 'SAME', 2), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1) }),
  ], [
    { name: 'net/conv/w', dims: [3, 3, 3, 4] }, { name: 'net/conv/b', dims: [4] },
    { name: 'net/conv2/w', dims: [2, 3, 4, 5] },
    { name: 'net/conv3/w', dims: [3, 2, 5, 2] }, { name: 'net/conv3/b', dims: [2] },
  ]);
  const m = importGraphModel(files, 'test');
  // H 7 → 4: total pad 2 → (1, 1); W 8 → 4: total pad 1 → (0, 1), the odd one after (TF's rule).
  assert.equal(attr<number[]>(irNode(m, 'net/conv/Relu6#preactivation'), 'pads'), [1, 0, 1, 1]);
  assert.equal(attr<number[]>(irNode(m, 'net/conv2/Conv2D'), 'pads'), [1, 2, 2, 0]);
  const errs = await compare(files, ['net/conv/Relu6', 'net/conv2/Conv2D', 'net/conv3/Relu'], [2, 7, 8, 3]);
  console.log('fused conv: relative errors', errs);
  assertClose(errs);
});

test('depthwise convolutions (multiplier 2, SAME stride 2; VALID dilated) match TF.js', async () => {
  const files = graphFiles([
    placeholder('x', [-1, 9, 7, 3]),
    op('dw/depthwise', 'FusedDepthwiseConv2dNative', ['x', 'dw/w', 'dw/b'], { ...convAttrs(2, 'SAME'), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1) }),
    op('dw2/depthwise', 'DepthwiseConv2dNative', ['dw/depthwise', 'dw2/w'], convAttrs(1, 'VALID', 2)),
  ], [{ name: 'dw/w', dims: [3, 3, 3, 2] }, { name: 'dw/b', dims: [6] }, { name: 'dw2/w', dims: [2, 2, 6, 1] }]);
  const m = importGraphModel(files, 'test');
  assert.is(attr<number>(irNode(m, 'dw/depthwise#preactivation'), 'group'), 3);
  const errs = await compare(files, ['dw/depthwise', 'dw2/depthwise'], [2, 9, 7, 3]);
  console.log('depthwise: relative errors', errs);
  assertClose(errs);
});

test('MatMul with transpose_a / transpose_b (constant and computed operands) and _FusedMatMul match TF.js', async () => {
  const files = graphFiles([
    placeholder('x', [1, 3, 4, 2]),
    op('flat', 'Reshape', ['x', 'flat/shape']), // [3, 8]
    op('mm_tb', 'MatMul', ['flat', 'w58'], { transpose_a: A.b(false), transpose_b: A.b(true) }), // [3, 5]
    op('mm_ta', 'MatMul', ['flat', 'w36'], { transpose_a: A.b(true), transpose_b: A.b(false) }), // [8, 6]
    op('mm_dyn', 'MatMul', ['flat', 'flat'], { transpose_a: A.b(false), transpose_b: A.b(true) }), // [3, 3]
    op('mm_const_a', 'MatMul', ['w36', 'flat'], { transpose_a: A.b(true), transpose_b: A.b(false) }), // [6, 8]
    op('dense/BiasAdd', '_FusedMatMul', ['flat', 'w85', 'b5'], { transpose_a: A.b(false), transpose_b: A.b(false), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1), epsilon: A.f(0) }),
  ], [ints('flat/shape', [3, -1]), { name: 'w58', dims: [5, 8] }, { name: 'w36', dims: [3, 6] }, { name: 'w85', dims: [8, 5] }, { name: 'b5', dims: [5] }]);
  const errs = await compare(files, ['flat', 'mm_tb', 'mm_ta', 'mm_dyn', 'mm_const_a', 'dense/BiasAdd'], [1, 3, 4, 2]);
  console.log('matmul: relative errors', errs);
  assertClose(errs);
});

test('elementwise, batch norm, pad, pooling, concat, mean, squeeze, reshape, softmax: every node matches TF.js', async () => {
  const C = 3;
  const nodes = [
    placeholder('x', [-1, 5, 6, C]),
    op('mul', 'Mul', ['x', 'c_ch']),
    op('sub', 'Sub', ['c_scalar', 'mul']),
    op('add_hw', 'AddV2', ['sub', 'c_hw']), // a constant along H and W, not channels
    op('div', 'RealDiv', ['add_hw', 'c_ch_pos']),
    op('bias', 'BiasAdd', ['div', 'c_bias'], { data_format: A.s('NHWC') }),
    op('relu', 'Relu', ['bias']), op('relu6', 'Relu6', ['bias']), op('elu', 'Elu', ['bias']),
    op('lrelu', 'LeakyRelu', ['bias'], { alpha: A.f(0.1) }), op('sig', 'Sigmoid', ['bias']), op('tanh', 'Tanh', ['bias']),
    op('max', 'Maximum', ['elu', 'lrelu']), op('min', 'Minimum', ['max', 'tanh']),
    op('sum', 'Add', ['min', 'relu6']),
    op('bn', 'FusedBatchNormV3', ['sum', 'bn/gamma', 'bn/beta', 'bn/mean', 'bn/var'], { epsilon: A.f(0.001), data_format: A.s('NHWC'), is_training: A.b(false) }),
    op('pad', 'Pad', ['bn', 'paddings']), // [N, 8, 7, C]
    op('maxpool', 'MaxPool', ['pad'], { ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') }),
    op('avgpool', 'AvgPool', ['pad'], { ksize: A.ints([1, 3, 2, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') }),
    op('concat', 'ConcatV2', ['maxpool', 'avgpool', 'axis_last'], { N: A.i(2) }), // [N, 4, 4, 2C]
    op('mean_keep', 'Mean', ['concat', 'axes_hw'], { keep_dims: A.b(true) }),
    op('squeeze', 'Squeeze', ['mean_keep'], { squeeze_dims: A.ints([1, 2]) }),
    op('mean', 'Mean', ['concat', 'axes_hw'], { keep_dims: A.b(false) }),
    op('feat', 'AddV2', ['mean', 'squeeze']),
    op('prediction/Softmax', 'Softmax', ['feat']),
    op('Identity', 'Identity', ['prediction/Softmax']),
    op('mean_w', 'Mean', ['concat', 'axis_w'], { keep_dims: A.b(false) }), // rank 3 [N, H, C]: NCHW order must be undone
    op('softmax3', 'Softmax', ['mean_w']),
    op('mean_c', 'Mean', ['concat', 'axis_last'], { keep_dims: A.b(true) }), // [N, 4, 4, 1]
    op('squeeze_c', 'Squeeze', ['mean_c'], { squeeze_dims: A.ints([-1]) }), // [N, 4, 4]
    op('reshape4', 'Reshape', ['concat', 'shape4']), // [N, 2, 8, 2C]: row-major in NHWC
    op('softmax4', 'Softmax', ['reshape4']),
  ];
  const files = graphFiles(nodes, [
    { name: 'c_ch', dims: [C] }, { name: 'c_scalar', dims: [] }, { name: 'c_hw', dims: [1, 5, 6, 1] },
    { name: 'c_ch_pos', dims: [C], data: [0.5, 1.5, 2] }, { name: 'c_bias', dims: [C] },
    { name: 'bn/gamma', dims: [C] }, { name: 'bn/beta', dims: [C] }, { name: 'bn/mean', dims: [C] }, { name: 'bn/var', dims: [C], data: [0.3, 1, 2] },
    ints('paddings', [0, 0, 1, 2, 0, 1, 0, 0], [4, 2]), ints('axis_last', [-1], []), ints('axes_hw', [1, 2]), ints('axis_w', [2]),
    ints('shape4', [-1, 2, 8, 2 * C]),
  ]);
  const names = nodes.filter((n) => n.op !== 'Placeholder').map((n) => n.name);
  const errs = await compare(files, names, [2, 5, 6, C]);
  console.log('elementwise and shape ops: worst relative error', Math.max(...Object.values(errs)).toExponential(2));
  assertClose(errs);
});

test('_FusedConv2D with FusedBatchNorm (folded into the filter) matches TF.js running Conv2D → FusedBatchNormV3 → Relu', async () => {
  const weights: W[] = [
    { name: 'w', dims: [3, 3, 2, 4] }, { name: 'gamma', dims: [4] }, { name: 'beta', dims: [4] },
    { name: 'mean', dims: [4] }, { name: 'var', dims: [4], data: [0.2, 0.5, 1, 3] },
  ];
  const fused = graphFiles([
    placeholder('x', [-1, 6, 5, 2]),
    op('out', '_FusedConv2D', ['x', 'w', 'gamma', 'beta', 'mean', 'var'], { ...convAttrs(1, 'SAME'), fused_ops: A.strs(['FusedBatchNorm', 'Relu']), num_args: A.i(4), epsilon: A.f(0.001) }),
  ], weights);
  const plain = graphFiles([
    placeholder('x', [-1, 6, 5, 2]),
    op('conv', 'Conv2D', ['x', 'w'], convAttrs(1, 'SAME')),
    op('bn', 'FusedBatchNormV3', ['conv', 'gamma', 'beta', 'mean', 'var'], { epsilon: A.f(0.001), data_format: A.s('NHWC') }),
    op('out', 'Relu', ['bn']),
  ], weights);
  const m = importGraphModel(fused, 'test');
  const x = randomNhwc([2, 6, 5, 2], makeRng(3));
  const ours = await run(m.net, { x: transpose(x, [0, 3, 1, 2]) }, ['out']);
  const theirs = await reference(plain, x, ['out'], 'cpu');
  const err = maxAbsDiff(ours.out, theirs.out) / Math.max(1, valueRange(theirs.out));
  console.log('fused batch norm: relative error', err.toExponential(2));
  assert.ok(err <= 1e-5, `relative error ${err}`);
});

test('property: conv and depthwise conv of any small size, kernel, stride, dilation and padding match TF.js', async () => {
  const seed = Number(process.env.FC_SEED ?? 20240611);
  console.log(`fast-check seed ${seed} (set FC_SEED to replay)`);
  await fc.assert(fc.asyncProperty(
    fc.record({
      h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }), c: fc.integer({ min: 1, max: 3 }),
      kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
      stride: fc.integer({ min: 1, max: 3 }), dilation: fc.integer({ min: 1, max: 2 }),
      padding: fc.constantFrom('SAME', 'VALID'), depthwise: fc.boolean(), weightSeed: fc.integer({ min: 1, max: 1e6 }),
    }),
    async (p) => {
      fc.pre(p.stride === 1 || p.dilation === 1); // TF.js refuses stride and dilation both > 1
      const span = (k: number) => (k - 1) * p.dilation + 1;
      fc.pre(p.padding === 'SAME' || (p.h >= span(p.kh) && p.w >= span(p.kw)));
      const files = graphFiles([
        placeholder('x', [-1, p.h, p.w, p.c]),
        op('y', p.depthwise ? 'FusedDepthwiseConv2dNative' : '_FusedConv2D', ['x', 'k', 'b'],
          { ...convAttrs(p.stride, p.padding, p.dilation), fused_ops: A.strs(['BiasAdd']), num_args: A.i(1) }),
      ], [{ name: 'k', dims: [p.kh, p.kw, p.c, 2] }, { name: 'b', dims: [p.depthwise ? 2 * p.c : 2] }], p.weightSeed);
      assertClose(await compare(files, ['y'], [1, p.h, p.w, p.c], p.weightSeed));
    }), { seed, numRuns: 30 });
});

// ---- decoder ops (selfie segmentation): resizes, transposed convolution, AddN

test('property: ResizeBilinear and ResizeNearestNeighbor of any small size and corner flags match TF.js', async () => {
  const seed = Number(process.env.FC_SEED ?? 20240611);
  await fc.assert(fc.asyncProperty(
    fc.record({
      h: fc.integer({ min: 1, max: 7 }), w: fc.integer({ min: 1, max: 7 }), oh: fc.integer({ min: 1, max: 9 }), ow: fc.integer({ min: 1, max: 9 }),
      flags: fc.constantFrom('none', 'align_corners', 'half_pixel_centers'), batch: fc.constantFrom(-1, 2),
    }),
    async (p) => {
      const flags = { align_corners: A.b(p.flags === 'align_corners'), half_pixel_centers: A.b(p.flags === 'half_pixel_centers') };
      const files = graphFiles([
        placeholder('x', [p.batch, p.h, p.w, 2]),
        op('bilinear', 'ResizeBilinear', ['x', 'size'], flags),
        op('nearest', 'ResizeNearestNeighbor', ['x', 'size'], flags),
      ], [ints('size', [p.oh, p.ow])]);
      assertClose(await compare(files, ['bilinear', 'nearest'], [2, p.h, p.w, 2]));
    }), { seed, numRuns: 25 });
});

test('Conv2DBackpropInput (SAME and VALID, strides 1–3, odd sizes) and AddN match TF.js', async () => {
  const cases = [
    { H: 8, W: 7, k: [3, 3], s: 2, padding: 'SAME' },
    { H: 9, W: 6, k: [2, 3], s: 2, padding: 'VALID' }, // the last row is never reached: output_padding 1
    { H: 5, W: 5, k: [3, 2], s: 1, padding: 'SAME' },
    { H: 10, W: 11, k: [3, 3], s: 3, padding: 'VALID' },
  ];
  for (const [i, c] of cases.entries()) {
    const oh = c.padding === 'SAME' ? Math.ceil(c.H / c.s) : Math.floor((c.H - c.k[0]) / c.s) + 1;
    const ow = c.padding === 'SAME' ? Math.ceil(c.W / c.s) : Math.floor((c.W - c.k[1]) / c.s) + 1;
    const files = graphFiles([
      placeholder('x', [-1, oh, ow, 3]),
      op('up', 'Conv2DBackpropInput', ['sizes', 'k', 'x'], convAttrs(c.s, c.padding)),
      op('sum', 'AddN', ['up', 'up', 'bias'], { N: A.i(3) }),
    ], [ints('sizes', [2, c.H, c.W, 4]), { name: 'k', dims: [c.k[0], c.k[1], 4, 3] }, { name: 'bias', dims: [2, c.H, c.W, 4] }], i + 1);
    const m = importGraphModel(files, 'test');
    assert.is(irNode(m, 'up').opType, 'ConvTranspose');
    const errs = await compare(files, ['up', 'sum'], [2, oh, ow, 3]);
    console.log(`transposed conv ${c.H}×${c.W} k${c.k.join('×')} s${c.s} ${c.padding}: relative errors`, errs);
    assertClose(errs);
  }
});

// ---- errors users get

test('an op neurogate cannot import is named with its node and the supported list', () => {
  const files = graphFiles([
    placeholder('x', [-1, 4, 4, 1]),
    op('block/cumsum', 'Cumsum', ['x', 'axis']),
    op('y', 'Relu', ['block/cumsum']),
  ], [ints('axis', [1], [])]);
  const e = errorOf(() => importGraphModel(files, 'my/model.json'));
  assert.is(e.code, 'E_TFJS_OP');
  assert.ok(e.message.includes('Cumsum') && e.message.includes('"block/cumsum"'), e.message);
  assert.is(e.where, 'my/model.json');
  for (const o of ['_FusedConv2D', 'FusedDepthwiseConv2dNative', 'Softmax']) assert.ok(e.hint!.includes(o), e.hint);
  assert.ok(SUPPORTED_GRAPH_OPS.every((o) => e.hint!.includes(o)));
});

test('truncated weight shards are a bad-input error, not garbage weights', () => {
  const zoo = nsfwjsFiles('mobilenet_v2_mid');
  const files: TfjsModelFiles = {
    ...zoo,
    shards: (g) => {
      const s = zoo.shards(g);
      return [...s.slice(0, -1), s[s.length - 1].subarray(0, s[s.length - 1].length - 100)];
    },
  };
  const e = errorOf(() => importGraphModel(files, 'zoo:mobilenet_v2_mid'));
  assert.is(e.code, 'E_TFJS_WEIGHTS_SHORT');
  assert.is(e.kind, 'bad_input');
});

test('unsupported graphs: computed filter, Prelu fusion, non-image input, wrong label count', () => {
  const computedFilter = graphFiles([
    placeholder('x', [-1, 4, 4, 1]),
    op('k', 'Relu', ['kc']),
    op('conv', 'Conv2D', ['x', 'k'], convAttrs(1, 'SAME')),
  ], [{ name: 'kc', dims: [1, 1, 1, 1] }]);
  const e1 = errorOf(() => importGraphModel(computedFilter, 'test'));
  assert.is(e1.code, 'E_TFJS_NOT_CONST');
  assert.ok(e1.message.includes('"conv"') && e1.message.includes('filter'), e1.message);

  const prelu = graphFiles([
    placeholder('x', [-1, 4, 4, 1]),
    op('conv', '_FusedConv2D', ['x', 'k', 'b', 'alpha'], { ...convAttrs(1, 'SAME'), fused_ops: A.strs(['BiasAdd', 'Prelu']), num_args: A.i(2) }),
  ], [{ name: 'k', dims: [1, 1, 1, 2] }, { name: 'b', dims: [2] }, { name: 'alpha', dims: [2] }]);
  const e2 = errorOf(() => importGraphModel(prelu, 'test'));
  assert.is(e2.code, 'E_TFJS_FUSED');
  assert.ok(e2.message.includes('Prelu'), e2.message);

  const vector = graphFiles([placeholder('x', [-1, 10]), op('y', 'Relu', ['x'])], []);
  assert.is(errorOf(() => importGraphModel(vector, 'test')).code, 'E_TFJS_INPUT');

  const e4 = errorOf(() => importGraphModel(nsfwjsFiles('mobilenet_v2_mid'), 'zoo:mobilenet_v2_mid', { labels: ['a', 'b'] }));
  assert.is(e4.code, 'E_LABELS');
});

// ---- the real model

const ZOO_MID = 'zoo:mobilenet_v2_mid';
const PREFIX = 'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/MobilenetV2/';

test('mobilenet_v2_mid: IR input, outputs, layer names and preprocessing', () => {
  const m = importGraphModel(nsfwjsFiles('mobilenet_v2_mid'), ZOO_MID);
  const g = m.net.model.graph!;
  assert.equal(m.input, { name: 'input', channels: 3, height: 224, width: 224 });
  assert.equal(g.input.map((i) => i.name), ['input']);
  assert.equal(g.input[0].type!.tensorType!.shape!.dim.map((d) => d.dimParam || Number(d.dimValue)), ['N', 3, 224, 224]);
  assert.equal(g.output.map((o) => o.name), ['Identity']);
  assert.is(m.logits, 'StatefulPartitionedCall/sequential/dense/BiasAdd');
  assert.is(m.probabilities, 'StatefulPartitionedCall/sequential/prediction/Softmax');
  assert.equal(m.preprocess, { height: 224, width: 224, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1], channelOrder: 'RGB', sourceLayout: 'NHWC' });
  assert.is(Number(m.net.model.opsetImport[0].version), 17);
  const a = m.layerAliases!;
  assert.equal(a['expanded_conv_14/expand'].tensor, `${PREFIX}expanded_conv_14/expand/Relu6`);
  assert.ok(a['expanded_conv_14/expand'].preActivation, 'a fused activation has a pre-activation tensor');
  assert.is(a['expanded_conv_14/project'].tensor, `${PREFIX}expanded_conv_14/project/BatchNorm/FusedBatchNormV3`);
  assert.is(a['expanded_conv_14/depthwise'].tensor, `${PREFIX}expanded_conv_14/depthwise/depthwise`);
  assert.is(a.expanded_conv_14.tensor, `${PREFIX}expanded_conv_14/add`);
  assert.is(a.Conv_1.tensor, `${PREFIX}Conv_1/Relu6`);
  assert.is(a.dense.tensor, m.logits);
  // Every alias points at a tensor some node of the IR produces.
  const produced = new Set(g.node.flatMap((n) => n.output));
  for (const [k, v] of Object.entries(a)) assert.ok(produced.has(v.tensor), `${k} → ${v.tensor}`);
  assert.is(new Set(Object.values(a).map((v) => v.tensor)).size, Object.keys(a).length, 'one name per layer');
});

test('mobilenet_v2_mid matches TF.js (wasm) on a seeded random input and on photographs', async () => {
  const files = nsfwjsFiles('mobilenet_v2_mid');
  const m = importGraphModel(files, ZOO_MID);
  const a = m.layerAliases!;
  const photos = ['chelsea.png', 'coffee.png', 'astronaut.png', 'rocket.jpg'];
  const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'images');
  const items = [
    transpose(randomNhwc([1, 224, 224, 3], makeRng(2024)), [0, 3, 1, 2]),
    ...photos.map((p) => toModelInput(readImage(path.join(dir, p)), m.preprocess)),
  ];
  const x = concatBatch(items);
  const layers = ['Conv', 'expanded_conv_1/depthwise', 'expanded_conv_5', 'expanded_conv_13/depthwise', 'expanded_conv_16/project', 'Conv_1', 'Logits', 'dense'];
  const taps = [...layers.map((l) => a[l].tensor), m.probabilities!];
  const ours = await run(m.net, { input: x }, taps);
  const theirs = await reference(files, transpose(x, [0, 2, 3, 1]), taps, 'wasm');
  for (const l of layers) {
    const t = a[l].tensor;
    assert.equal(ours[t].dims, theirs[t].dims, `${l}: shape`);
    const err = maxAbsDiff(ours[t], theirs[t]);
    const range = valueRange(theirs[t]);
    console.log(`${l.padEnd(28)} [${ours[t].dims}]  max|Δ| ${err.toExponential(2)}  range ${range.toFixed(2)}  ratio ${(err / range).toExponential(2)}`);
    assert.ok(err <= 1e-3 * range, `${l}: max |Δ| ${err} > 1e-3 × range ${range}`);
  }
  const p = m.probabilities!;
  const perr = maxAbsDiff(ours[p], theirs[p]);
  console.log(`probabilities max|Δ| ${perr.toExponential(2)} over ${items.length} inputs (random + ${photos.join(', ')})`);
  assert.ok(perr <= 1e-4, `probabilities: max |Δ| ${perr} > 1e-4`);
  // Not a degenerate comparison: the inputs get clearly different scores.
  const row = (i: number): Tensor => ({ dims: [5], data: ours[p].data.slice(i * 5, i * 5 + 5) });
  const spread = Math.max(...items.map((_, i) => maxAbsDiff(row(i), row(0))));
  console.log(`scores spread across inputs ${spread.toFixed(3)}`);
  assert.ok(spread > 0.05, `every input scored alike (spread ${spread})`);
});

test.after(async () => { await releaseAll(); });

test.run();
