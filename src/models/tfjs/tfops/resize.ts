// Image resizes (ResizeBilinear, ResizeNearestNeighbor) as ONNX Resize on the NCHW value, with
// TF's corner flags mapped once in ../resize.ts. The output size is a constant of the graph.
import { attrBool } from './attrs.ts';
import { emit, fresh, int64Init, inputAt, constAt, nodeError, requireRank, finish, irLayout, type Converter } from './context.ts';
import { tfResizeAttrs, type TfResizeMethod } from '../resize.ts';

function resize(method: TfResizeMethod): Converter {
  return (c) => {
    const x = inputAt(c, 0, 'images');
    const xs = requireRank(c, x, [4], 'images');
    const size = Array.from(constAt(c, 1, 'size').tensor.data, (v) => Math.round(v));
    if (size.length !== 2 || size.some((v) => !(v >= 1))) {
      throw nodeError(c, 'E_TFJS_SHAPE', `size [${size}] must be two positive numbers (height, width)`, 're-convert the model');
    }
    const align = attrBool(c.node, 'align_corners', false);
    const half = attrBool(c.node, 'half_pixel_centers', false);
    if (align && half) throw nodeError(c, 'E_TFJS_ATTR', 'align_corners and half_pixel_centers are both set', 'TF refuses this combination too; re-convert the model');
    // Resize by sizes (not scales: floor(in·out/in) can fall one short in float). A free batch
    // is read at run time; a fixed one keeps the sizes a constant (simpler gradient graphs).
    const xName = irLayout(c.b, x);
    const hw = [xs[3], size[0], size[1]];
    let sizes: string;
    if (xs[0] >= 0 && xs[3] >= 0) {
      sizes = int64Init(c.b, `${c.out}#sizes`, [xs[0], ...hw]);
    } else {
      const batch = fresh(c.b, `${c.out}#batch`);
      emit(c.b, 'Shape', [xName], [batch], { start: { i: 0 }, end: { i: 1 } });
      sizes = fresh(c.b, `${c.out}#sizes`);
      emit(c.b, 'Concat', [batch, int64Init(c.b, `${c.out}#chw`, hw)], [sizes], { axis: { i: 0 } });
    }
    const value = finish(c.b, c.out, [xs[0], size[0], size[1], xs[3]], 'ir', (t) =>
      emit(c.b, 'Resize', [xName, '', '', sizes], [t], tfResizeAttrs(method, align, half)));
    return { value };
  };
}

export const resizeOps: Record<string, Converter> = {
  ResizeBilinear: resize('bilinear'),
  ResizeNearestNeighbor: resize('nearest'),
};
