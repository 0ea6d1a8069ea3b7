// int8 fake quantization: weights rounded to 255 symmetric levels and stored back as floats, what
// a post-training quantizer does to a model before anyone looks inside it again.
import { cloneModel } from '../../engine/onnx.ts';
import { derived, mapWeights, slicesAlong, weightedLayers } from './model.ts';
import type { Mutant, MutantOperator } from './types.ts';

/** Symmetric int8 rounding of the values at `idx` with one scale (max |w| / 127). */
function quantizeInto(src: Float32Array, out: Float32Array, idx: Iterable<number>): void {
  const list = [...idx];
  let max = 0;
  for (const i of list) max = Math.max(max, Math.abs(src[i]));
  const scale = max / 127;
  for (const i of list) out[i] = scale > 0 ? Math.round(src[i] / scale) * scale : 0;
}

export function fakeQuantize(data: Float32Array, dims: readonly number[], perChannelAxis?: number): Float32Array {
  const out = new Float32Array(data.length);
  if (perChannelAxis === undefined) quantizeInto(data, out, data.keys());
  else for (const idx of slicesAlong(dims, perChannelAxis)) quantizeInto(data, out, idx);
  return out;
}

export const quantizeOperator: MutantOperator = {
  name: 'int8',
  kind: 'harmful',
  doc: 'int8 fake quantization of every weighted layer: symmetric rounding to 255 levels with one scale per tensor (`int8-tensor`) or one per output channel (`int8-channel`), stored back as float32. Per-channel keeps far more precision; a gate that tolerates quantization should pass it.',
  mutants(): Mutant[] {
    return (['tensor', 'channel'] as const).map((granularity) => {
      const id = `int8-${granularity}`;
      return {
        id, operator: 'int8', kind: 'harmful',
        description: `weights rounded to int8 levels, one scale per ${granularity === 'tensor' ? 'tensor' : 'output channel'}`,
        apply(model) {
          const m = cloneModel(model.net.model);
          mapWeights(m, weightedLayers(m), (w, l) => ({ dims: w.dims, data: fakeQuantize(w.data, w.dims, granularity === 'channel' ? l.outAxis : undefined) }));
          return derived(model, id, m);
        },
      };
    });
  },
};
