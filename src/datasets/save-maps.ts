// `--save-maps DIR`: every attribution map a run computes, as float32 .npy files named by image,
// method and target, and a manifest.json listing them; each file written to a temporary name and
// renamed, so a reader never sees half a file.
import fs from 'node:fs';
import path from 'node:path';
import type { Tensor } from '../engine/tensor.ts';

/** NumPy's .npy format 1.0: magic, header length, a Python dict literal padded to 64 bytes, then little-endian float32. */
export function npyBytes(t: Tensor): Buffer {
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(t.data.length * 4);
  for (let i = 0; i < t.data.length; i++) data.writeFloatLE(t.data[i], i * 4);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), data]);
}

export function writeAtomic(file: string, bytes: Buffer | string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}

export interface SavedMap {
  file: string;
  suite: string;
  entry: string;
  image: string;
  method: string;
  target: string;
  shape: number[];
}

export interface MapSaver {
  save(m: { suite: string; entry: string; image: string; method: string; target: string; map: Tensor }): void;
  /** Writes manifest.json; returns the maps saved. */
  finish(): SavedMap[];
}

/** A name part safe in any file system: runs of other characters become `_`, no leading dot, at most 80 characters. */
export const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 80) || 'x';

export function mapSaver(dir: string): MapSaver {
  fs.mkdirSync(dir, { recursive: true });
  const saved: SavedMap[] = [];
  const used = new Set<string>();
  return {
    save({ suite, entry, image, method, target, map }) {
      const base = `${safe(path.basename(image))}__${safe(method)}__${safe(target)}`;
      let name = `${base}.npy`;
      for (let k = 2; used.has(name); k++) name = `${base}__${k}.npy`;
      used.add(name);
      writeAtomic(path.join(dir, name), npyBytes(map));
      saved.push({ file: name, suite, entry, image, method, target, shape: [...map.dims] });
    },
    finish() {
      writeAtomic(path.join(dir, 'manifest.json'), `${JSON.stringify({ format: 'npy float32, C order', maps: saved }, null, 2)}\n`);
      return saved;
    },
  };
}
