// VJP of Resize in every mode (nearest, linear, cubic; all coordinate transformations,
// antialias, exclude_outside, crop-and-resize). Resize is linear in X and separable by axis, so
// X's adjoint is Lₐᵀ applied along each resized axis a. Rather than re-deriving onnxruntime's
// interpolation weights (and drifting from them), each Lₐ is read off the forward op itself:
// the same Resize node, applied in the backward graph to an identity basis laid along a second
// axis, with every other axis held at scale 1 (extrapolation set to 0, a constant's gradient).
import { attr, type AttrValue } from '../../graph.ts';
import { AttrType, type NodeProto } from '../../onnx.ts';
import { unsupported, type Emitter } from '../emit.ts';
import type { RuleTable } from './rule.ts';
import { range } from './window.ts';

const BOOL = 9;

/** A node's attributes as builder values, minus the listed ones. */
function copyAttrs(n: NodeProto, except: string[]): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const a of n.attribute) {
    if (except.includes(a.name)) continue;
    const v = attr<unknown>(n, a.name);
    if (typeof v === 'string') out[a.name] = { s: v };
    else if (typeof v === 'number') out[a.name] = a.type === AttrType.FLOAT ? { f: v } : { i: v };
    else if (Array.isArray(v)) out[a.name] = a.type === AttrType.FLOATS ? { floats: v } : { ints: v };
  }
  return out;
}

function eye(n: number): Float32Array {
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

/** Does axis a of a Resize move values (not an identity map)? */
function moves(e: Emitter, n: NodeProto, slot: number, slots: number, inDim: number, outDim: number, ctm: string): boolean {
  if (inDim !== outDim) return true;
  if (ctm === 'tf_crop_and_resize') {
    // A crop of [0, 1] at the same size is the identity.
    const roi = e.constFloats(n.input[1]);
    return inDim > 1 && (!roi || roi[slot] !== 0 || roi[slot + slots] !== 1);
  }
  const scalesName = n.input[2];
  if (!scalesName || e.fact(scalesName).dims[0] === 0) return false; // sizes given: the scale is out/in = 1
  const scales = e.constFloats(scalesName);
  return scales ? scales[slot] !== 1 : inDim > 1;
}

/** Lₐ as an [out, in] matrix, read from the node applied to an identity basis along a second axis. */
function axisMatrix(e: Emitter, n: NodeProto, rank: number, axes: number[], a: number, I: number, O: number): string {
  const b = a === rank - 1 ? rank - 2 : rank - 1; // the basis axis
  const probeDims = range(rank).map((i) => (i === a || i === b ? I : 1));
  const slots = axes.length;
  const at = axes.map((ax) => (ax === a ? 1 : 0));
  const bools = (v: number[]) => e.op('Cast', [e.ints(v)], { to: { i: BOOL } });
  const [, roi, scales, sizes] = n.input;
  // Empty roi/scales tensors pass through as they are (opset 11 requires them as inputs).
  const inputs = [e.floats(eye(I), probeDims), roi ?? '', scales ?? '', ''];
  if (roi && attr<string>(n, 'coordinate_transformation_mode', 'half_pixel') === 'tf_crop_and_resize') {
    inputs[1] = e.op('Where', [bools([...at, ...at]), roi, e.floats([...new Array(slots).fill(0), ...new Array(slots).fill(1)], [2 * slots])]);
  }
  if (scales && e.fact(scales).dims[0] !== 0) {
    inputs[2] = e.op('Where', [bools(at), scales, e.floats(new Array(slots).fill(1), [slots])]);
  } else if (sizes) {
    inputs[3] = e.op('Where', [bools(at), sizes, e.ints(axes.map((ax) => probeDims[ax]))]);
  } else {
    throw unsupported(e, 'it has neither scales nor sizes', 'give Resize its scales or sizes');
  }
  while (inputs.length > 1 && inputs[inputs.length - 1] === '') inputs.pop();
  const probe = e.op('Resize', inputs, { ...copyAttrs(n, ['extrapolation_value']), extrapolation_value: { f: 0 } });
  // The probe is [.., O at a, .., I at b, ..]: b > a except when a is last.
  const m = e.op('Reshape', [probe, e.ints(b > a ? [O, I] : [I, O])]);
  return b > a ? m : e.op('Transpose', [m], { perm: { ints: [1, 0] } });
}

export const resizeRules: RuleTable = {
  Resize: {
    diff: [0],
    vjp(e, n, gy) {
      const x = n.input[0];
      const fx = e.fact(x), fy = e.fact(n.output[0]);
      const rank = fx.dims.length;
      const ctm = attr<string>(n, 'coordinate_transformation_mode', 'half_pixel');
      const listed = attr<number[] | undefined>(n, 'axes', undefined)?.map((a) => (a < 0 ? a + rank : a));
      const axes = listed ?? range(rank);
      if (n.input[3] && attr<string>(n, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') {
        throw unsupported(e, 'keep_aspect_ratio_policy couples the axes', 'export the model with explicit scales or the stretch policy');
      }
      let g = gy[0]!;
      const cur = [...fy.dims];
      axes.forEach((a, slot) => {
        const I = fx.dims[a], O = fy.dims[a];
        if (!moves(e, n, slot, axes.length, I, O, ctm)) return;
        if (fx.batch[a]) throw unsupported(e, 'it resizes the batch axis', 'resize feature axes only');
        const L = axisMatrix(e, n, rank, axes, a, I, O); // [O, I]
        if (a === cur.length - 1) g = e.op('MatMul', [g, L]);
        else if (a === cur.length - 2) g = e.op('MatMul', [e.op('Transpose', [L], { perm: { ints: [1, 0] } }), g]);
        else {
          const perm = range(rank).filter((i) => i !== a).concat(a);
          const inv = perm.map((_, i) => perm.indexOf(i));
          g = e.op('Transpose', [e.op('MatMul', [e.op('Transpose', [g], { perm: { ints: perm } }), L])], { perm: { ints: inv } });
        }
        cur[a] = I;
      });
      return [g];
    },
  },
};
