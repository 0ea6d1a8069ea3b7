// Latents, noise and batched runs of a generator (alone or chained into a judge): the shared
// plumbing of every generator analysis. Every draw comes from the rng passed in.
import { run, type ConcreteDevice, type Net } from '../engine/session.ts';
import { concatBatch, sizeOf, splitBatch, type Tensor } from '../engine/tensor.ts';
import { normal, type Rng } from '../util/rng.ts';
import type { Generator } from './types.ts';

/** n latents drawn from N(0, I), [n, size]. */
export function sampleLatents(rng: Rng, n: number, size: number): Tensor {
  return { dims: [n, size], data: Float32Array.from({ length: n * size }, () => normal(rng)) };
}

/** Noise for n items: zeros, or N(0, 1) draws for the inputs named in `draw`. */
export function noiseFeeds(gen: Generator, n: number, draw: Record<string, Rng> = {}): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const inp of gen.noise) {
    const len = n * sizeOf(inp.dims);
    const rng = draw[inp.name];
    out[inp.name] = { dims: [n, ...inp.dims], data: rng ? Float32Array.from({ length: len }, () => normal(rng)) : new Float32Array(len) };
  }
  return out;
}

export interface RunContext {
  device: ConcreteDevice;
  /** Items per onnxruntime run. */
  batch: number;
}

/** Run `net` on n items fed as [n, …] tensors, `batch` items at a time; outputs stacked back to [n, …]. */
export async function runItems(net: Net, feeds: Record<string, Tensor>, outputs: string[], ctx: RunContext): Promise<Record<string, Tensor>> {
  const n = Object.values(feeds)[0].dims[0];
  const parts: Record<string, Tensor>[] = [];
  for (let s = 0; s < n; s += ctx.batch) {
    const k = Math.min(ctx.batch, n - s);
    const slice: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      const item = sizeOf(t.dims.slice(1));
      slice[name] = { dims: [k, ...t.dims.slice(1)], data: t.data.subarray(s * item, (s + k) * item) };
    }
    parts.push(await run(net, slice, outputs, { device: ctx.device }));
  }
  return Object.fromEntries(outputs.map((o) => [o, parts.length === 1 ? parts[0][o] : concatBatch(parts.map((p) => p[o]))]));
}

/** Item i of a [n, …] tensor as a view. */
export function item(t: Tensor, i: number): Float32Array {
  const size = sizeOf(t.dims.slice(1));
  return t.data.subarray(i * size, (i + 1) * size);
}

/** The generator's images mapped to 0..1 (black..white), [n, C, H, W]. */
export function toUnit(gen: Generator, img: Tensor): Tensor {
  const [lo, hi] = gen.range;
  if (lo === 0 && hi === 1) return img;
  return { dims: img.dims, data: img.data.map((v) => (v - lo) / (hi - lo)) };
}

export { splitBatch };
