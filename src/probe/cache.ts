// Activations computed in one run, keyed by model hash + device + input hash + tensor, so the
// same image through the same model is never run twice (baseline passes, repeats, shared images).
import { createHash } from 'node:crypto';
import type { Tensor } from '../engine/tensor.ts';

/** Content hash of an input tensor (dims and bytes). */
export function inputHash(t: Tensor): string {
  const h = createHash('sha256');
  h.update(Int32Array.from(t.dims));
  h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return h.digest('hex').slice(0, 32);
}

export interface CacheStats {
  hits: number;
  misses: number;
  bytes: number;
  entries: number;
}

export interface ActivationCache {
  get(key: string): Tensor | undefined;
  set(key: string, t: Tensor): void;
  stats(): CacheStats;
}

export function cacheKey(modelHash: string, device: string, input: string, tensor: string): string {
  return `${modelHash}|${device}|${input}|${tensor}`;
}

/** An LRU bounded by bytes: a long run keeps what it reuses and drops what it has moved past. */
export function createActivationCache(maxBytes = 1024 ** 3): ActivationCache {
  const map = new Map<string, Tensor>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  return {
    get(key) {
      const t = map.get(key);
      if (!t) {
        misses++;
        return undefined;
      }
      hits++;
      map.delete(key);
      map.set(key, t);
      return t;
    },
    set(key, t) {
      const old = map.get(key);
      if (old) {
        bytes -= old.data.byteLength;
        map.delete(key);
      }
      map.set(key, t);
      bytes += t.data.byteLength;
      while (bytes > maxBytes && map.size > 1) {
        const [k, v] = map.entries().next().value as [string, Tensor];
        map.delete(k);
        bytes -= v.data.byteLength;
      }
    },
    stats: () => ({ hits, misses, bytes, entries: map.size }),
  };
}
