// Small ONNX graphs with dense outputs for the target tests, their weights known so saliency has a
// closed form: a 1×1-conv "segmenter", a linear regressor, and a nonlinear net with a segmentation
// map, a regression vector, a [N, C, L] tensor and a decoded detection head (boxes and scores).
import { createModel, floatTensorProto, int64TensorProto, node } from '../../../src/engine/graph.ts';
import { makeNet } from '../../../src/engine/net.ts';
import type { ModelProto } from '../../../src/engine/onnx.ts';
import { normal, type Rng } from '../../../src/util/rng.ts';
import type { Subject } from '../../../src/probes/attribution/types.ts';

export const X = 'image';

export function subjectFor(model: ModelProto, dims: [number, number, number], where: string): Subject {
  return { net: makeNet(model, where), input: X, inputDims: dims, device: 'cpu', batchSize: 8 };
}

const draw = (n: number, rng: Rng, s = 1) => Float32Array.from({ length: n }, () => s * normal(rng));

/** seg = W ⊛ x + b with a 1×1 kernel W [K, C]: ∂seg[k, y, x]/∂x[c, y', x'] = W[k, c] when (y, x) = (y', x'). */
export function segmenter(C: number, K: number, H: number, W: number, rng: Rng): { model: ModelProto; w: Float32Array } {
  const w = draw(K * C, rng);
  const model = createModel({
    name: 'segmenter',
    inputs: [{ name: X, dims: ['N', C, H, W] }],
    outputs: [{ name: 'seg', dims: ['N', K, H, W] }],
    nodes: [node('Conv', [X, 'W', 'B'], ['seg'], { kernel_shape: { ints: [1, 1] } }, 'classifier')],
    initializers: [floatTensorProto('W', { dims: [K, C, 1, 1], data: w }), floatTensorProto('B', { dims: [K], data: draw(K, rng) })],
  });
  return { model, w };
}

/** y = A · flatten(x) + b, A [D, C·H·W]. */
export function regressor(dims: [number, number, number], D: number, rng: Rng): { model: ModelProto; a: Float32Array } {
  const n = dims[0] * dims[1] * dims[2];
  const a = draw(D * n, rng, 1 / Math.sqrt(n));
  const model = createModel({
    name: 'regressor',
    inputs: [{ name: X, dims: ['N', ...dims] }],
    outputs: [{ name: 'y', dims: ['N', D] }],
    nodes: [node('Flatten', [X], ['flat'], { axis: { i: 1 } }), node('Gemm', ['flat', 'A', 'b'], ['y'], { transB: { i: 1 } }, 'head')],
    initializers: [floatTensorProto('A', { dims: [D, n], data: a }), floatTensorProto('b', { dims: [D], data: draw(D, rng) })],
  });
  return { model, a };
}

/**
 * A nonlinear net with every dense output kind: `seg` [N, K, H, W] (3×3 conv, tanh, 1×1 conv),
 * `seq` [N, K, H·W] (seg reshaped), `reg` [N, R] (tanh of a dense layer), and a decoded head of
 * D detections: `boxes` [N, D, 4] (the given boxes, constant in the input) and `scores` [N, D, K]
 * (sigmoid of a dense layer). Boxes are constant so which detection overlaps a box is known.
 */
export function denseNet(dims: [number, number, number], K: number, R: number, boxes: number[][], rng: Rng): ModelProto {
  const [C, H, W] = dims;
  const n = C * H * W;
  const D = boxes.length;
  const hidden = 4;
  return createModel({
    name: 'dense-net',
    inputs: [{ name: X, dims: ['N', ...dims] }],
    outputs: [
      { name: 'seg', dims: ['N', K, H, W] }, { name: 'seq', dims: ['N', K, H * W] }, { name: 'reg', dims: ['N', R] },
      { name: 'boxes', dims: ['N', D, 4] }, { name: 'scores', dims: ['N', D, K] },
    ],
    nodes: [
      node('Conv', [X, 'W1', 'B1'], ['c1'], { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }),
      node('Tanh', ['c1'], ['a1']),
      node('Conv', ['a1', 'W2', 'B2'], ['seg'], { kernel_shape: { ints: [1, 1] } }),
      node('Reshape', ['seg', 'seqShape'], ['seq']),
      node('Flatten', [X], ['flat'], { axis: { i: 1 } }),
      node('Gemm', ['flat', 'Wr', 'Br'], ['zr'], { transB: { i: 1 } }),
      node('Tanh', ['zr'], ['reg']),
      node('Gemm', ['flat', 'Wb', 'Bb'], ['zb'], { transB: { i: 1 } }),
      node('Reshape', ['zb', 'boxShape'], ['boxes']),
      node('Gemm', ['flat', 'Ws', 'Bs'], ['zs'], { transB: { i: 1 } }),
      node('Reshape', ['zs', 'scoreShape'], ['logits3']),
      node('Sigmoid', ['logits3'], ['scores']),
    ],
    initializers: [
      floatTensorProto('W1', { dims: [hidden, C, 3, 3], data: draw(hidden * C * 9, rng, 0.5) }),
      floatTensorProto('B1', { dims: [hidden], data: draw(hidden, rng, 0.1) }),
      floatTensorProto('W2', { dims: [K, hidden, 1, 1], data: draw(K * hidden, rng) }),
      floatTensorProto('B2', { dims: [K], data: draw(K, rng, 0.1) }),
      int64TensorProto('seqShape', [3], [-1, K, H * W]),
      floatTensorProto('Wr', { dims: [R, n], data: draw(R * n, rng, 1 / Math.sqrt(n)) }),
      floatTensorProto('Br', { dims: [R], data: draw(R, rng, 0.1) }),
      // Zero weights: every image gets the same boxes, the head's bias.
      floatTensorProto('Wb', { dims: [D * 4, n], data: new Float32Array(D * 4 * n) }),
      floatTensorProto('Bb', { dims: [D * 4], data: Float32Array.from(boxes.flat()) }),
      int64TensorProto('boxShape', [3], [-1, D, 4]),
      floatTensorProto('Ws', { dims: [D * K, n], data: draw(D * K * n, rng, 2 / Math.sqrt(n)) }),
      floatTensorProto('Bs', { dims: [D * K], data: draw(D * K, rng, 0.5) }),
      int64TensorProto('scoreShape', [3], [-1, D, K]),
    ],
  });
}
