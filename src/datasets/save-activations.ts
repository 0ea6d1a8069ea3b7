// `--save-activations DIR`: the layer activations of every image a neuron entry feeds, as float32
// .npy files named by entry, image and layer, and a manifest.json listing them. The mirror of
// `--save-maps` (same .npy writer, same write-then-rename), bounded by the run's byte limit.
import fs from 'node:fs';
import path from 'node:path';
import type { Tensor } from '../engine/tensor.ts';
import { badInput } from '../errors.ts';
import { npyBytes, safe, writeAtomic } from './save-maps.ts';

/** Without `--max-save-bytes`: 4 GiB, a few thousand images of an early ImageNet layer. */
export const DEFAULT_MAX_SAVE_BYTES = 4 * 2 ** 30;

export interface SavedActivation {
  file: string;
  suite: string;
  entry: string;
  image: string;
  layer: string;
  /** The layer's shape for one image (no batch axis): [C, H, W] or [C]. */
  shape: number[];
}

export interface ActivationSaver {
  /** Writes one image's activations; throws E_SAVE_LIMIT instead of writing past the byte limit. */
  save(a: { suite: string; entry: string; image: string; layer: string; activations: Tensor }): void;
  /** Writes manifest.json; returns the files saved. */
  finish(): SavedActivation[];
}

export function activationSaver(dir: string, maxBytes = DEFAULT_MAX_SAVE_BYTES): ActivationSaver {
  fs.mkdirSync(dir, { recursive: true });
  const saved: SavedActivation[] = [];
  const used = new Set<string>();
  let written = 0;
  return {
    save({ suite, entry, image, layer, activations }) {
      // One image's slice: a forward pass hands back [1, C, H, W] (or [1, C]).
      const dims = activations.dims[0] === 1 && activations.dims.length > 1 ? activations.dims.slice(1) : [...activations.dims];
      const bytes = npyBytes({ dims, data: activations.data });
      if (written + bytes.length > maxBytes) {
        throw badInput('E_SAVE_LIMIT', `--save-activations would write more than ${maxBytes} bytes (${saved.length} files, ${written} bytes so far; the next, ${image} at ${layer}, is ${bytes.length})`, `${suite}/${entry}`,
          'raise --max-save-bytes, or save fewer images (`sample:`) or a smaller layer');
      }
      const base = `${safe(entry)}__${safe(path.basename(image))}__${safe(layer)}`;
      let name = `${base}.npy`;
      for (let k = 2; used.has(name); k++) name = `${base}__${k}.npy`;
      used.add(name);
      writeAtomic(path.join(dir, name), bytes);
      written += bytes.length;
      saved.push({ file: name, suite, entry, image, layer, shape: dims });
    },
    finish() {
      writeAtomic(path.join(dir, 'manifest.json'), `${JSON.stringify({ format: 'npy float32, C order', activations: saved }, null, 2)}\n`);
      return saved;
    },
  };
}
