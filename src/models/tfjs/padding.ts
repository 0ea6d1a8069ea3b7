// TF's 'same' and 'valid' window arithmetic as explicit ONNX pads. TF pads asymmetrically
// (the extra row/column goes after), which ONNX's SAME_UPPER only matches for stride 1 and no dilation.

/** TF and Keras spell the two modes alike; the graph importer maps SAME/VALID onto these. */
export type KerasPadding = 'same' | 'valid';

/** Output length of a window of `kernel` taps, `dilation` apart, moved by `stride` over `size`. */
export function windowOutSize(size: number, kernel: number, stride: number, dilation: number, padding: KerasPadding): number {
  const span = (kernel - 1) * dilation + 1;
  return padding === 'same' ? Math.ceil(size / stride) : Math.max(0, Math.floor((size - span) / stride) + 1);
}

/** [before, after] padding TF adds along one axis (zero for 'valid'). */
export function windowPads(size: number, kernel: number, stride: number, dilation: number, padding: KerasPadding): [number, number] {
  if (padding === 'valid') return [0, 0];
  const span = (kernel - 1) * dilation + 1;
  const total = Math.max((Math.ceil(size / stride) - 1) * stride + span - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}
