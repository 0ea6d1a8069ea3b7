// Sliding-window geometry shared by the Conv and pooling rules: kernel, strides, dilations and
// the padding actually in effect (auto_pad resolved from the probed in/out sizes).
import { attr } from '../../graph.ts';
import type { NodeProto } from '../../onnx.ts';
import { unsupported, type Emitter } from '../emit.ts';

export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Padding before / after each spatial axis. */
  begin: number[];
  end: number[];
  /** Spatial sizes of the window op's input and output. */
  inSize: number[];
  outSize: number[];
}

/** Window of a Conv/pool node whose input is n.input[0] and output n.output[0]. */
export function windowOf(e: Emitter, n: NodeProto, kernel: number[]): Window {
  const inSize = e.fact(n.input[0]).dims.slice(2);
  const outSize = e.fact(n.output[0]).dims.slice(2);
  const r = kernel.length;
  const strides = attr<number[]>(n, 'strides', new Array(r).fill(1));
  const dilations = attr<number[]>(n, 'dilations', new Array(r).fill(1));
  const autoPad = attr<string>(n, 'auto_pad', 'NOTSET');
  let pads = attr<number[]>(n, 'pads', new Array(2 * r).fill(0));
  if (autoPad === 'VALID') pads = new Array(2 * r).fill(0);
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = new Array(2 * r).fill(0);
    for (let i = 0; i < r; i++) {
      const total = Math.max(0, (outSize[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - inSize[i]);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + r] = total - pads[i];
    }
  } else if (autoPad !== 'NOTSET') {
    throw unsupported(e, `unknown auto_pad "${autoPad}"`, 'use NOTSET, VALID, SAME_UPPER or SAME_LOWER');
  }
  return { kernel, strides, dilations, begin: pads.slice(0, r), end: pads.slice(r), inSize, outSize };
}

export function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}
