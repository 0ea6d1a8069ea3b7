// Convolutions (plain, depthwise, fused with bias / batch norm / activation) and
// pooling. TF's 'SAME' padding becomes exact explicit pads from the tracked static shapes.
import type { Tensor } from '../../../engine/tensor.ts';
import type { AttrValue } from '../../../engine/graph.ts';
import { attrFloat, attrInt, attrInts, attrString, attrStrings } from './attrs.ts';
import { emit, floatInit, inputAt, constAt, nodeError, requireNhwc, requireRank, irLayout, finish, type OpContext, type Converter, type ConstValue } from './context.ts';
import { ACTIVATIONS, isActivation, withActivation, type Activation } from './activation.ts';
import { foldBatchNorm } from './elementwise.ts';
// TF's window arithmetic is the same for Keras layers and graph ops; one copy serves both.
import { windowOutSize, windowPads } from '../padding.ts';

interface Spatial {
  /** ONNX attributes: explicit pads, or auto_pad when the input size is unknown. */
  attrs: Record<string, AttrValue>;
  outH: number;
  outW: number;
}

/** Padding and output size of a 2-D window op on an NHWC shape. */
function spatial(c: OpContext, shape: number[], k: [number, number], s: [number, number], d: [number, number]): Spatial {
  const padding = attrString(c.node, 'padding', 'VALID');
  const size = [shape[1], shape[2]];
  let pads: number[]; // [top, left, bottom, right]
  if (padding === 'SAME') {
    if (size.some((v) => v < 0)) {
      // Unknown spatial size: ONNX's SAME_UPPER is TF's rule, applied at run time.
      return { attrs: { auto_pad: { s: 'SAME_UPPER' } }, outH: -1, outW: -1 };
    }
    const [t, bt] = windowPads(size[0], k[0], s[0], d[0], 'same');
    const [l, r] = windowPads(size[1], k[1], s[1], d[1], 'same');
    pads = [t, l, bt, r];
  } else if (padding === 'VALID') {
    pads = [0, 0, 0, 0];
  } else if (padding === 'EXPLICIT') {
    const e = attrInts(c.node, 'explicit_paddings', []);
    if (e.length !== 8 || e[0] || e[1] || e[6] || e[7]) {
      throw nodeError(c, 'E_TFJS_PADDING', `explicit_paddings [${e}] must hold 8 values with zero padding on batch and channels`);
    }
    pads = [e[2], e[4], e[3], e[5]];
  } else {
    throw nodeError(c, 'E_TFJS_PADDING', `padding "${padding}" is not one of SAME, VALID, EXPLICIT`);
  }
  // With explicit pads the window slides over the padded axis as under 'valid'.
  const out = (i: 0 | 1) => (size[i] < 0 ? -1 : windowOutSize(size[i] + pads[i] + pads[i + 2], k[i], s[i], d[i], 'valid'));
  const outH = out(0);
  const outW = out(1);
  if (outH === 0 || outW === 0) {
    throw nodeError(c, 'E_TFJS_SHAPE', `a ${k[0]}×${k[1]} window does not fit the ${size[0]}×${size[1]} input`);
  }
  return { attrs: { pads: { ints: pads } }, outH, outW };
}

/** strides / dilations / ksize as NHWC 4-lists: only the spatial entries may differ from 1. */
function hw(c: OpContext, key: string): [number, number] {
  const v = attrInts(c.node, key, [1, 1, 1, 1]);
  if (v.length !== 4 || v[0] !== 1 || v[3] !== 1) {
    throw nodeError(c, 'E_TFJS_ATTR', `${key} [${v}] must have the form [1, h, w, 1]`, 'windows over batch or channels are not supported');
  }
  return [v[1], v[2]];
}

const FUSED_HINT = `supported fused ops: BiasAdd or FusedBatchNorm, then optionally one of ${ACTIVATIONS.join(', ')}`;

interface Fused {
  bias?: Float32Array;
  /** Per-output-channel factor folded into the filter (batch norm). */
  scale?: Float32Array;
  act?: Activation;
  alpha: number;
}

/** Read `fused_ops` and its extra inputs (from input 2 on) for an op with `nOut` output channels. */
function fusedParts(c: OpContext, nOut: number): Fused {
  const ops = attrStrings(c.node, 'fused_ops');
  const alpha = attrFloat(c.node, 'leakyrelu_alpha', 0.2);
  const vec = (i: number, what: string) => {
    const t = constAt(c, i, what).tensor;
    if (t.data.length !== nOut) throw nodeError(c, 'E_TFJS_SHAPE', `its ${what} has ${t.data.length} values, the op has ${nOut} output channels`);
    return t.data;
  };
  const numArgs = attrInt(c.node, 'num_args', c.inputs.length - 2);
  if (numArgs !== c.inputs.length - 2) {
    throw nodeError(c, 'E_TFJS_ARITY', `num_args is ${numArgs} but the node has ${c.inputs.length - 2} extra inputs`, 're-convert the model');
  }
  const out: Fused = { alpha };
  const [first, second, ...rest] = ops;
  if (first === 'BiasAdd') {
    out.bias = vec(2, 'bias');
  } else if (first === 'FusedBatchNorm') {
    // TF.js cannot run this fusion, so TF's own default epsilon applies when it is missing.
    const bn = foldBatchNorm(vec(2, 'scale'), vec(3, 'offset'), vec(4, 'mean'), vec(5, 'variance'), attrFloat(c.node, 'epsilon', 1e-4));
    out.scale = bn.scale;
    out.bias = bn.shift;
  } else {
    throw nodeError(c, 'E_TFJS_FUSED', `fused_ops [${ops}] starts with ${first ?? 'nothing'}`, FUSED_HINT);
  }
  if (second !== undefined) {
    if (!isActivation(second) || rest.length) {
      throw nodeError(c, 'E_TFJS_FUSED', `fused_ops [${ops}] is not supported`, FUSED_HINT);
    }
    out.act = second;
  }
  return out;
}

/**
 * TF filter → ONNX OIHW: HWIO for conv; [kh, kw, C, M] → [C·M, 1, kh, kw] for depthwise (TF's
 * output channel order c·M+m). Direct loops: the generic transpose costs ~0.2 s on MobileNetV2.
 */
function onnxFilter(f: ConstValue, depthwise: boolean): Tensor {
  const [kh, kw, ci, co] = f.tensor.dims;
  const src = f.tensor.data;
  const out = new Float32Array(src.length);
  // Output offset of TF element (h, w, i, o): conv puts o outermost, depthwise i (channel c·M+m).
  const hw = kh * kw;
  const strideO = depthwise ? hw : ci * hw;
  const strideI = depthwise ? co * hw : hw;
  let s = 0;
  for (let h = 0; h < kh; h++) {
    for (let w = 0; w < kw; w++) {
      for (let i = 0; i < ci; i++) {
        const base = i * strideI + h * kw + w;
        for (let o = 0; o < co; o++) out[base + o * strideO] = src[s++];
      }
    }
  }
  return { dims: depthwise ? [ci * co, 1, kh, kw] : [co, ci, kh, kw], data: out };
}

function convolution(depthwise: boolean, fused: boolean): Converter {
  return (c) => {
    requireNhwc(c);
    const x = inputAt(c, 0, 'input');
    const xs = requireRank(c, x, [4], 'input');
    const f = constAt(c, 1, 'filter');
    const fs = requireRank(c, f, [4], 'filter');
    const [kh, kw, fin, fout] = fs;
    const inC = xs[3];
    // (TF would run a grouped convolution for an input depth that is a multiple of the
    // filter's; TF.js cannot, so converted models never have one.)
    if (inC >= 0 && inC !== fin) throw nodeError(c, 'E_TFJS_SHAPE', `the input has ${inC} channels, the filter [${fs}] expects ${fin}`);
    const group = depthwise ? fin : 1;
    const nOut = depthwise ? fin * fout : fout;
    const s = hw(c, 'strides');
    const d = hw(c, 'dilations');
    const sp = spatial(c, xs, [kh, kw], s, d);
    const parts: Fused = fused ? fusedParts(c, nOut) : { alpha: 0.2 };
    const w = onnxFilter(f, depthwise);
    if (parts.scale) {
      const per = w.data.length / nOut;
      for (let o = 0; o < nOut; o++) for (let i = 0; i < per; i++) w.data[o * per + i] *= parts.scale[o];
    }
    const inputs = [irLayout(c.b, x), floatInit(c.b, f.name, w)];
    if (parts.bias) inputs.push(floatInit(c.b, `${f.name}#bias`, { dims: [nOut], data: parts.bias }));
    const attrs: Record<string, AttrValue> = { kernel_shape: { ints: [kh, kw] }, strides: { ints: s }, dilations: { ints: d }, group: { i: group }, ...sp.attrs };
    let preActivation: string | undefined;
    const value = finish(c.b, c.out, [xs[0], sp.outH, sp.outW, nOut], 'ir', (target) => {
      preActivation = withActivation(c.b, parts.act, target, parts.alpha, (t) => emit(c.b, 'Conv', inputs, [t], attrs));
    });
    return { value, preActivation, weight: f.name };
  };
}

function pool(onnxOp: 'AveragePool' | 'MaxPool'): Converter {
  return (c) => {
    requireNhwc(c);
    const x = inputAt(c, 0, 'input');
    const xs = requireRank(c, x, [4], 'input');
    const k = hw(c, 'ksize');
    const s = hw(c, 'strides');
    const padding = attrString(c.node, 'padding', 'VALID');
    if (padding === 'EXPLICIT') throw nodeError(c, 'E_TFJS_PADDING', 'explicit padding is not supported for pooling');
    const sp = spatial(c, xs, k, s, [1, 1]);
    // TF's SAME average ignores padded cells: count_include_pad = 0.
    const extra: Record<string, AttrValue> = onnxOp === 'AveragePool' ? { count_include_pad: { i: 0 } } : {};
    const value = finish(c.b, c.out, [xs[0], sp.outH, sp.outW, xs[3]], 'ir', (t) =>
      emit(c.b, onnxOp, [irLayout(c.b, x)], [t], { kernel_shape: { ints: k }, strides: { ints: s }, ...sp.attrs, ...extra }));
    return { value };
  };
}

/**
 * Conv2DBackpropInput(input_sizes, filter, out_backprop): TF's gradient of a convolution, which
 * decoders use as a learned upsampler. It is the adjoint of the forward Conv2D that maps an
 * input of input_sizes to out_backprop's size, so ONNX ConvTranspose with that conv's filter
 * (OIHW: [dy channels, out channels, kh, kw], ConvTranspose's own layout) and that conv's pads;
 * output_padding adds the rows a strided VALID conv never reached.
 */
const convBackpropInput: Converter = (c) => {
  requireNhwc(c);
  const sizes = Array.from(constAt(c, 0, 'input_sizes').tensor.data, (v) => Math.round(v));
  const f = constAt(c, 1, 'filter');
  const [kh, kw, cOut, cIn] = requireRank(c, f, [4], 'filter');
  const dy = inputAt(c, 2, 'out_backprop');
  const ys = requireRank(c, dy, [4], 'out_backprop');
  if (sizes.length !== 4 || sizes.slice(1).some((v) => !(v >= 1))) {
    throw nodeError(c, 'E_TFJS_SHAPE', `input_sizes [${sizes}] must be [batch, height, width, channels] with known height, width and channels`, 're-convert the model with a fixed input size');
  }
  const [, H, W, C] = sizes;
  if (C !== cOut) throw nodeError(c, 'E_TFJS_SHAPE', `input_sizes asks for ${C} channels, the filter [${kh},${kw},${cOut},${cIn}] gives ${cOut}`);
  if (ys[3] >= 0 && ys[3] !== cIn) throw nodeError(c, 'E_TFJS_SHAPE', `out_backprop has ${ys[3]} channels, the filter [${kh},${kw},${cOut},${cIn}] expects ${cIn}`);
  const s = hw(c, 'strides');
  const d = hw(c, 'dilations');
  const forward = spatial(c, [sizes[0], H, W, C], [kh, kw], s, d);
  if ((ys[1] >= 0 && ys[1] !== forward.outH) || (ys[2] >= 0 && ys[2] !== forward.outW)) {
    throw nodeError(c, 'E_TFJS_SHAPE', `out_backprop is ${ys[1]}×${ys[2]}, but the convolution it inverts maps ${H}×${W} to ${forward.outH}×${forward.outW}`, 're-convert the model');
  }
  const pads = (forward.attrs.pads as { ints: number[] }).ints; // [top, left, bottom, right]
  const reached = (i: 0 | 1, n: number) => s[i] * (n - 1) + (([kh, kw][i] - 1) * d[i] + 1) - pads[i] - pads[i + 2];
  const outputPadding = [H - reached(0, forward.outH), W - reached(1, forward.outW)];
  const inputs = [irLayout(c.b, dy), floatInit(c.b, f.name, onnxFilter(f, false))];
  const value = finish(c.b, c.out, [ys[0], H, W, C], 'ir', (t) => emit(c.b, 'ConvTranspose', inputs, [t], {
    kernel_shape: { ints: [kh, kw] }, strides: { ints: s }, dilations: { ints: d }, pads: { ints: pads }, output_padding: { ints: outputPadding },
  }));
  return { value, weight: f.name };
};

export const convOps: Record<string, Converter> = {
  Conv2D: convolution(false, false),
  DepthwiseConv2dNative: convolution(true, false),
  _FusedConv2D: convolution(false, true),
  FusedDepthwiseConv2dNative: convolution(true, true),
  AvgPool: pool('AveragePool'),
  MaxPool: pool('MaxPool'),
  Conv2DBackpropInput: convBackpropInput,
};
