// TF's image resize semantics as ONNX Resize attributes, shared by the Keras importer
// (UpSampling2D) and the graph importer (ResizeBilinear, ResizeNearestNeighbor).
import type { AttrValue } from '../../engine/graph.ts';

export type TfResizeMethod = 'bilinear' | 'nearest';

/**
 * TF's two flags pick the source coordinate of output pixel o (scale = in/out):
 * align_corners: o·(in−1)/(out−1); half_pixel_centers: (o+½)·scale − ½ for bilinear, (o+½)·scale
 * for nearest; neither: o·scale. Bilinear clamps to the edge pixels as onnxruntime does; nearest
 * takes the floor, or rounds half up under align_corners (TF rounds half away from zero: the same
 * for the non-negative coordinates a resize has).
 */
export function tfResizeAttrs(method: TfResizeMethod, alignCorners: boolean, halfPixelCenters: boolean): Record<string, AttrValue> {
  const ctm = alignCorners ? 'align_corners' : !halfPixelCenters ? 'asymmetric' : method === 'nearest' ? 'tf_half_pixel_for_nn' : 'half_pixel';
  if (method === 'bilinear') return { mode: { s: 'linear' }, coordinate_transformation_mode: { s: ctm } };
  return { mode: { s: 'nearest' }, coordinate_transformation_mode: { s: ctm }, nearest_mode: { s: alignCorners ? 'round_prefer_ceil' : 'floor' } };
}
