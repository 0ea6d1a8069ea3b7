// TF.js weight manifests: shards concatenated per group, read in manifest order, with
// uint8/uint16 affine quantization and float16 undone. Values stay in TF's layout (HWIO…).
import { badInput } from '../../errors.ts';
import { sizeOf } from '../../engine/tensor.ts';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number };
}

export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface TfWeight {
  dims: number[];
  data: Float32Array;
  /** The dtype the model declares (float32, int32, bool); values are kept as float32. */
  dtype: string;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/**
 * Decode every weight of a manifest. `shards(groupIndex)` returns the group's shard buffers in
 * path order. A size mismatch (truncated shard, wrong weight count) is a bad-input error.
 */
export function decodeWeights(manifest: WeightGroup[], shards: (group: number) => Uint8Array[], where: string): Map<string, TfWeight> {
  const out = new Map<string, TfWeight>();
  manifest.forEach((group, gi) => {
    const parts = shards(gi);
    const total = parts.reduce((s, p) => s + p.length, 0);
    const buf = new Uint8Array(total);
    let o = 0;
    for (const p of parts) { buf.set(p, o); o += p.length; }
    let offset = 0;
    for (const w of group.weights) {
      const n = sizeOf(w.shape);
      const storedType = w.quantization?.dtype ?? w.dtype;
      const width = BYTES[storedType];
      if (!width) {
        throw badInput('E_TFJS_DTYPE', `weight "${w.name}" is stored as ${storedType}, which neurogate cannot read`, where, 'supported: float32, int32, bool, uint8/uint16/float16 quantization');
      }
      const need = n * width;
      if (offset + need > buf.length) {
        throw badInput('E_TFJS_WEIGHTS_SHORT', `weight "${w.name}" needs ${need} bytes at offset ${offset}, but the shards of group ${gi + 1} (${group.paths.join(', ')}) hold only ${buf.length}`, where,
          'a weight shard is truncated or model.json lists more weights than the shards hold; re-convert the model');
      }
      const view = new DataView(buf.buffer, buf.byteOffset + offset, need);
      out.set(w.name, { dims: [...w.shape], data: decodeValues(view, n, storedType, w), dtype: w.dtype });
      offset += need;
    }
    if (offset !== buf.length) {
      throw badInput('E_TFJS_WEIGHTS_LONG', `the shards of group ${gi + 1} hold ${buf.length} bytes but its ${group.weights.length} weights use ${offset}`, where,
        'model.json and the weight shards do not belong together (wrong weight count or shape); re-convert the model');
    }
  });
  return out;
}

function decodeValues(view: DataView, n: number, stored: string, w: WeightSpec): Float32Array {
  const out = new Float32Array(n);
  const q = w.quantization;
  switch (stored) {
    case 'float32': for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true); break;
    case 'int32': for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true); break;
    case 'bool': for (let i = 0; i < n; i++) out[i] = view.getUint8(i); break;
    case 'float16': for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true)); break;
    case 'uint8':
    case 'uint16': {
      const min = q?.min ?? 0;
      const scale = q?.scale ?? 1;
      // Typed-array views instead of DataView calls: InceptionV3's 24M weights decode ~10× faster.
      // uint16 needs a copy when the offset is odd (typed arrays need aligned offsets).
      const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      const q16 = stored === 'uint16' ? new Uint16Array(bytes.slice().buffer) : undefined;
      const qs = q16 ?? bytes;
      // Same arithmetic as TF.js (double q·scale + min, rounded once to float32), so both
      // engines see bit-identical weights and differential tests compare engines, not decoders.
      if (w.dtype === 'int32') for (let i = 0; i < n; i++) out[i] = Math.round(qs[i] * scale + min);
      else for (let i = 0; i < n; i++) out[i] = qs[i] * scale + min;
      break;
    }
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}
