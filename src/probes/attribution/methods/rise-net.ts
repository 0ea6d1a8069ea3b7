// RISE's masked model: the subject's graph with the mask upsampling and the masking in front, so one
// onnxruntime run turns a batch of small binary grids into masks, masked images and target scores.
//
// A mask is rows · grid · cols, where rows [H × g] and cols [g × W] hold the bilinear taps of the
// mask's random shift (two taps per output pixel, weights 1 − f and f), so the JS side only draws
// grids and shifts; the masks come back with the scores for the saliency sum.
import { node, valueInfo } from '../../../engine/graph.ts';
import { makeNet } from '../../../engine/net.ts';
import { cloneModel } from '../../../engine/onnx.ts';
import type { Net } from '../../../engine/session.ts';
import type { Subject } from '../types.ts';

/** Graph inputs and the mask output of a masked net. */
export const RISE_FEEDS = { image: 'neurogate_rise_image', grid: 'neurogate_rise_grid', rows: 'neurogate_rise_rows', cols: 'neurogate_rise_cols' } as const;
export const RISE_MASK = 'neurogate_rise_mask';

const cache = new Map<string, Net>();
const MAX_CACHED = 2; // each holds a copy of the model's weights

/**
 * The subject's net taking image [1, C, H, W], grid [N, 1, g, g], rows [N, 1, H, g] and cols
 * [N, 1, g, W], and computing the original input as image ⊙ (rows · grid · cols) ([N, C, H, W]);
 * `RISE_MASK` ([N, 1, H, W]) can be read as an output. Cached per (net, g).
 */
export function riseNet(subject: Subject, g: number): Net {
  const key = `${subject.net.hash}|${subject.input}|${g}`;
  let net = cache.get(key);
  if (!net) {
    const [C, H, W] = subject.inputDims;
    const model = cloneModel(subject.net.model);
    const graph = model.graph;
    graph.input = graph.input.filter((i) => i.name !== subject.input);
    graph.input.push(
      valueInfo(RISE_FEEDS.image, [1, C, H, W]),
      valueInfo(RISE_FEEDS.grid, ['N', 1, g, g]),
      valueInfo(RISE_FEEDS.rows, ['N', 1, H, g]),
      valueInfo(RISE_FEEDS.cols, ['N', 1, g, W]),
    );
    const half = 'neurogate_rise_rows_grid';
    graph.node.unshift(
      node('MatMul', [RISE_FEEDS.rows, RISE_FEEDS.grid], [half], {}, 'neurogate_rise_upsample_rows'),
      node('MatMul', [half, RISE_FEEDS.cols], [RISE_MASK], {}, 'neurogate_rise_upsample_cols'),
      node('Mul', [RISE_FEEDS.image, RISE_MASK], [subject.input], {}, 'neurogate_rise_apply'),
    );
    net = makeNet(model, `${subject.net.where} (RISE masking)`);
    cache.set(key, net);
    while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
  }
  return net;
}

/** Dense tap matrix [out × n] of a linearTaps result: row k has 1 − f at i0 and f at i1. */
export function tapMatrix(taps: { i0: Int32Array; i1: Int32Array; f: Float64Array }, n: number): Float32Array {
  const out = taps.f.length;
  const m = new Float32Array(out * n);
  for (let k = 0; k < out; k++) {
    m[k * n + taps.i0[k]] += 1 - taps.f[k];
    m[k * n + taps.i1[k]] += taps.f[k];
  }
  return m;
}

/** Transpose of an [r × c] matrix. */
export function transposed(m: Float32Array, r: number, c: number): Float32Array {
  const t = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = m[i * c + j];
  return t;
}
