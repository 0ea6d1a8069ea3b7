// Receptive-field geometry of a tapped tensor, read off the ONNX graph: where in the input image a
// position of the layer looks (centre, size, step). Stimuli are placed on that centre by default.
//
// Per spatial axis every tensor gets (jump, start, size): position p of the map sees the input
// window centred at start + p·jump (continuous image coordinates, pixel i's centre at i + 0.5)
// that is `size` pixels wide. Conv/pool layers compose it (Araujo et al., "Computing Receptive
// Fields of Convolutional Neural Networks", Distill 2019); shape-preserving ops pass it on and
// merge branches; anything that mixes all positions (global pools, dense layers) or that we do not
// know ends the chain with `undefined`, and callers fall back to the map centre.
import type { GraphProto, NodeProto, TensorProto } from '../../engine/onnx.ts';
import { attr, tensorFromProto, topoOrder } from '../../engine/graph.ts';

export interface AxisGeometry {
  /** Input pixels between neighbouring positions (the cumulative stride). */
  jump: number;
  /** Input coordinate of the receptive-field centre of position 0. */
  start: number;
  /** Receptive-field width in input pixels. */
  size: number;
}

export interface Geometry {
  y: AxisGeometry;
  x: AxisGeometry;
}

/** Ops that keep every position where it is (elementwise, per-channel, channel concat). */
const PASS_THROUGH = new Set([
  'Relu', 'LeakyRelu', 'PRelu', 'Elu', 'Selu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Softplus', 'Clip', 'Identity', 'Dropout',
  'BatchNormalization', 'InstanceNormalization', 'LRN', 'Add', 'Sub', 'Mul', 'Div', 'Sum', 'Max', 'Min', 'Mean', 'Neg', 'Abs', 'Sqrt',
  'Exp', 'Log', 'Pow', 'Reciprocal', 'Cast', 'Concat', 'Erf', 'Gelu', 'Mish', 'Where', 'Sign', 'Floor', 'Ceil', 'Round',
]);

const SLIDING = new Set(['Conv', 'MaxPool', 'AveragePool', 'LpPool']);

/**
 * Geometry of every spatial tensor reachable from `input` by ops we understand. `shapeOf` gives a
 * tensor's shape without the batch axis (needed for auto_pad SAME, whose padding depends on size).
 */
export function receptiveFields(g: GraphProto, input: string, shapeOf: (tensor: string) => readonly number[] | undefined): Map<string, Geometry> {
  const geo = new Map<string, Geometry>();
  geo.set(input, { y: { jump: 1, start: 0.5, size: 1 }, x: { jump: 1, start: 0.5, size: 1 } });
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  for (const n of topoOrder(g)) {
    const out = n.output[0];
    if (!out) continue;
    let r: Geometry | undefined;
    if (SLIDING.has(n.opType)) r = sliding(n, geo.get(n.input[0]), shapeOf(n.input[0]), inits);
    else if (PASS_THROUGH.has(n.opType)) {
      if (n.opType === 'Concat' && ![1, -3].includes(attr<number>(n, 'axis', 1))) r = undefined;
      else r = merge(n.input.filter((i) => i && !inits.has(i)).map((i) => geo.get(i)), n.input.some((i) => i && !inits.has(i) && !geo.has(i) && isSpatial(shapeOf(i))));
    } else if (n.opType === 'Pad') r = padded(n, geo.get(n.input[0]), inits);
    if (r) geo.set(out, r);
  }
  return geo;
}

function isSpatial(shape: readonly number[] | undefined): boolean {
  return !!shape && shape.length === 3 && (shape[1] > 1 || shape[2] > 1);
}

/** Branches meeting in an elementwise op or concat: one geometry when their grids agree. */
function merge(parts: (Geometry | undefined)[], unknownSpatial: boolean): Geometry | undefined {
  if (unknownSpatial) return undefined;
  const known = parts.filter((p): p is Geometry => !!p);
  if (known.length === 0) return undefined;
  const axis = (a: 'y' | 'x'): AxisGeometry | undefined => {
    const j = known[0][a].jump;
    if (known.some((k) => Math.abs(k[a].jump - j) > 1e-9)) return undefined;
    // Same grid: the union of the windows (branches with larger kernels see further).
    const lo = Math.min(...known.map((k) => k[a].start - k[a].size / 2));
    const hi = Math.max(...known.map((k) => k[a].start + k[a].size / 2));
    const start = known[0][a].start;
    if (known.some((k) => Math.abs(k[a].start - start) > 1e-9)) return { jump: j, start: (lo + hi) / 2, size: hi - lo };
    return { jump: j, start, size: Math.max(...known.map((k) => k[a].size)) };
  };
  const y = axis('y');
  const x = axis('x');
  return y && x ? { y, x } : undefined;
}

function sliding(n: NodeProto, g: Geometry | undefined, inShape: readonly number[] | undefined, inits: Map<string, TensorProto>): Geometry | undefined {
  if (!g) return undefined;
  let kernel = attr<number[] | undefined>(n, 'kernel_shape');
  if (!kernel && n.opType === 'Conv') {
    const w = inits.get(n.input[1]);
    if (w) kernel = w.dims.slice(2).map(Number);
  }
  if (!kernel || kernel.length !== 2) return undefined;
  const strides = attr<number[]>(n, 'strides', [1, 1]);
  const dil = attr<number[]>(n, 'dilations', [1, 1]);
  const pads = attr<number[]>(n, 'pads', [0, 0, 0, 0]);
  const autoPad = attr<string>(n, 'auto_pad', 'NOTSET');
  const axis = (a: AxisGeometry, i: 0 | 1): AxisGeometry | undefined => {
    const k = dil[i] * (kernel![i] - 1) + 1;
    const s = strides[i];
    let begin = pads[i];
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const size = inShape?.[1 + i];
      if (!size) return undefined;
      const total = Math.max((Math.ceil(size / s) - 1) * s + k - size, 0);
      begin = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
    } else if (autoPad === 'VALID') begin = 0;
    return { jump: a.jump * s, size: a.size + (k - 1) * a.jump, start: a.start + ((k - 1) / 2 - begin) * a.jump };
  };
  const y = axis(g.y, 0);
  const x = axis(g.x, 1);
  return y && x ? { y, x } : undefined;
}

function padded(n: NodeProto, g: Geometry | undefined, inits: Map<string, TensorProto>): Geometry | undefined {
  if (!g) return undefined;
  let pads: number[] | undefined = attr<number[] | undefined>(n, 'pads');
  if (!pads && n.input[1]) {
    const t = inits.get(n.input[1]);
    if (t) pads = [...tensorFromProto(t).data];
  }
  if (!pads || pads.length !== 8) return undefined;
  return {
    y: { ...g.y, start: g.y.start - pads[2] * g.y.jump },
    x: { ...g.x, start: g.x.start - pads[3] * g.x.jump },
  };
}

/** Input point (image coordinates) at the centre of the receptive field of position (y, x). */
export function fieldCenter(g: Geometry, y: number, x: number): { x: number; y: number } {
  return { x: g.x.start + x * g.x.jump, y: g.y.start + y * g.y.jump };
}

/** The position of an H×W map whose receptive-field centre lies nearest to an input point. */
export function positionNearest(g: Geometry, height: number, width: number, point: { x: number; y: number }): { x: number; y: number } {
  const pick = (a: AxisGeometry, v: number, n: number) => Math.min(n - 1, Math.max(0, Math.round((v - a.start) / a.jump)));
  return { x: pick(g.x, point.x, width), y: pick(g.y, point.y, height) };
}

/**
 * A layer map's value under input pixel (px, py): bilinear between the cells whose receptive-field
 * centres surround the pixel centre, clamped at the map's edges (NetDissect-style upsampling).
 */
export function sampleMap(map: ArrayLike<number>, h: number, w: number, g: readonly [Pick<AxisGeometry, 'start' | 'jump'>, Pick<AxisGeometry, 'start' | 'jump'>], px: number, py: number): number {
  const [gy, gx] = g;
  const v = Math.min(h - 1, Math.max(0, (py + 0.5 - gy.start) / gy.jump));
  const u = Math.min(w - 1, Math.max(0, (px + 0.5 - gx.start) / gx.jump));
  const ya = Math.floor(v);
  const xa = Math.floor(u);
  const yb = Math.min(h - 1, ya + 1);
  const xb = Math.min(w - 1, xa + 1);
  const fy = v - ya;
  const fx = u - xa;
  return (map[ya * w + xa] * (1 - fx) + map[ya * w + xb] * fx) * (1 - fy) + (map[yb * w + xa] * (1 - fx) + map[yb * w + xb] * fx) * fy;
}
