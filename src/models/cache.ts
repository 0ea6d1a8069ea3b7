// Where converted models and layer catalogs are cached: node_modules/.cache/neurogate, like
// other tools, so CI caches of node_modules keep it. Writes go through src/util/atomic.ts.
import path from 'node:path';

const packageRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export function cacheDir(): string {
  return process.env.NEUROGATE_CACHE_DIR ?? path.join(packageRoot, 'node_modules', '.cache', 'neurogate');
}
