// Where converted models and layer catalogs are cached (node_modules/.cache/neurogate, like
// other tools, so CI caches of node_modules keep it), and the atomic write used for them.
import fs from 'node:fs';
import path from 'node:path';

const packageRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export function cacheDir(): string {
  return process.env.NEUROGATE_CACHE_DIR ?? path.join(packageRoot, 'node_modules', '.cache', 'neurogate');
}

/** Write to a temp file in the same directory, then rename: readers never see half a file. */
export function writeFileAtomic(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } finally {
    if (fs.existsSync(tmp)) fs.rmSync(tmp, { force: true });
  }
}
