// `--cache DIR`: one file per planned entry holding its probe outputs, so a rerun with nothing
// changed reports without loading a model. A stored result is used only when its key (the entry as
// parsed, its suite's settings, models named, seed, device, batch, limits, tool and engine
// versions) matches and every file and folder it read (src/io/reads.ts) still hashes the same.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { ConcreteDevice } from '../engine/session.ts';
import { ortVersion } from '../engine/session.ts';
import { VERSION } from '../version.ts';
import { digestNow, type ReadLog } from '../io/reads.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { readGuarded } from '../io/guarded-fs.ts';
import { entryKinds } from '../kinds/index.ts';
import type { RunLimits } from '../probe/limits.ts';
import type { ProbeOutput } from '../probe/probe.ts';
import type { ModelChoice, PlannedEntry } from './plan.ts';
import { decodeValue, encodeValue } from './result-codec.ts';

/** Bump when what a cache file holds, or how a key is made, changes: older files then never match. */
export const CACHE_FORMAT = 1;
const MAGIC = `neurogate-result-cache/${CACHE_FORMAT}`;

/** Default size cap of the folder: oldest-used files go first once the run's own are written. */
export const DEFAULT_CACHE_MAX_BYTES = 1024 * 2 ** 20;

/** What an entry's report is built from, besides its plan: outputs per repeat and the models' hashes. */
export interface CachedResult {
  modelHash: string;
  baselineHash?: string;
  outputs: ProbeOutput[];
  baseline?: ProbeOutput[];
}

export interface ResultCacheOptions {
  /** Size cap in bytes (default DEFAULT_CACHE_MAX_BYTES). */
  maxBytes?: number;
  /** One line per unreadable or unwritable cache file (default: stderr). */
  warn?: (line: string) => void;
}

export interface ResultCache {
  readonly dir: string;
  /** The stored result when the key matches and every file it read is unchanged. */
  get(key: string): CachedResult | undefined;
  /** Stores a result with the reads it depended on; a value the file format cannot hold is not stored. */
  put(key: string, result: CachedResult, reads: ReadLog): void;
  /** Evicts oldest-used files until the folder is under its cap; returns how many went. */
  evict(): number;
}

/** Names the cache writes; anything else in the folder is never read as a result, nor deleted. */
const FILE = /^[0-9a-f]{64}\.ngc$/;

/**
 * The key of a planned entry: everything its outputs depend on that is not a file it reads. The
 * suite's own settings (labels, preprocess, engine…) are in; its entry lists are not, so editing
 * one entry leaves the others' results valid. Run-time limits that only decide whether an entry
 * fails (the timeout) are out: only successful results are stored.
 */
export function entryKey(pe: PlannedEntry, device: ConcreteDevice, limits: RunLimits): string {
  const lists = new Set(entryKinds().map((k) => k.key));
  const suite = Object.fromEntries(Object.entries(pe.spec.suite).filter(([k]) => !lists.has(k)));
  const model = (m: ModelChoice | undefined) => m && { ref: m.ref, baseDir: path.resolve(m.baseDir), preprocess: m.preprocess?.spec };
  const parts = {
    format: CACHE_FORMAT,
    tool: VERSION,
    engine: { onnxruntime: ortVersion, node: process.version, platform: `${process.platform}-${process.arch}` },
    spec: { file: pe.spec.src.file, dir: path.resolve(pe.spec.dir), suite },
    entry: { kind: pe.at.kind, probe: pe.probeKind, value: pe.at.entry },
    model: model(pe.model),
    baseline: model(pe.baseline),
    device,
    batch: pe.batch,
    seed: pe.seed,
    repeat: pe.repeat,
    // An entry split by images (`--shard`): each part is its own result.
    part: pe.part ?? null,
    limits: { allowOutside: limits.allowOutside, maxModelBytes: limits.maxModelBytes, maxImagePixels: limits.maxImagePixels },
  };
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

/**
 * JSON with object keys sorted at every depth, so equal data gives equal text. Anything but plain
 * data (a RegExp, a Map: JSON would write `{}` for two different ones) throws: no key, no caching.
 */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'function' || typeof x === 'symbol' || typeof x === 'bigint') throw new Error(`cannot key on a ${typeof x}`);
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return x;
    const proto = Object.getPrototypeOf(x);
    if (proto !== Object.prototype && proto !== null) throw new Error(`cannot key on a ${(x as object).constructor?.name ?? 'object'}`);
    const o = x as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}

export function openResultCache(dir: string, opts: ResultCacheOptions = {}): ResultCache {
  const maxBytes = opts.maxBytes ?? DEFAULT_CACHE_MAX_BYTES;
  const warn = opts.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  // A file read by many entries (a model) is hashed once per run.
  const digests = new Map<string, string>();
  const digest = (key: string) => {
    let d = digests.get(key);
    if (d === undefined) digests.set(key, (d = digestNow(key)));
    return d;
  };
  let writeWarned = false;
  const fileOf = (key: string) => path.join(dir, `${key}.ngc`);

  return {
    dir,
    get(key) {
      const file = fileOf(key);
      let bytes: Buffer;
      try {
        bytes = readGuarded(file, { what: 'result cache file', code: 'CACHE', maxBytes, root: dir });
      } catch {
        return undefined; // never stored (or unreadable, or over the cap: a miss either way)
      }
      const stored = parseCacheFile(bytes, key);
      if (typeof stored === 'string') {
        warn(`neurogate: ignoring cache file ${file}: ${stored}; the entry is computed again`);
        return undefined;
      }
      if (!stored.reads.every(([k, d]) => digest(k) === d)) return undefined;
      try {
        // Its age is its last use: eviction removes what no recent run needed.
        const now = new Date();
        fs.utimesSync(file, now, now);
      } catch {
        // A read-only cache still serves.
      }
      return stored.result;
    },
    put(key, result, reads) {
      let body: string;
      try {
        body = JSON.stringify({ key, tool: VERSION, reads: [...reads.reads].sort(([a], [b]) => (a < b ? -1 : 1)), result: encodeValue(result) });
      } catch {
        return; // a value the format cannot hold exactly: better not stored than stored wrong
      }
      const text = `${MAGIC} ${createHash('sha256').update(body).digest('hex')}\n${body}`;
      try {
        fs.mkdirSync(dir, { recursive: true });
        writeFileAtomic(fileOf(key), text);
      } catch (e) {
        if (!writeWarned) warn(`neurogate: cannot write to the cache folder ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); results are not stored`);
        writeWarned = true;
      }
    },
    evict() {
      return evictOldest(dir, maxBytes);
    },
  };
}

interface StoredFile {
  reads: [string, string][];
  result: CachedResult;
}

/** A cache file's content, or why it cannot be used (truncated, damaged, foreign, another key). */
export function parseCacheFile(bytes: Buffer, key: string): StoredFile | string {
  const nl = bytes.indexOf(0x0a);
  if (nl < 0) return 'truncated (no header line)';
  const [magic, sum, ...extra] = bytes.subarray(0, nl).toString('utf8').split(' ');
  if (magic !== MAGIC || extra.length) return `not a neurogate result cache file of format ${CACHE_FORMAT}`;
  const body = bytes.subarray(nl + 1);
  if (createHash('sha256').update(body).digest('hex') !== sum) return 'damaged or truncated (checksum mismatch)';
  let v: { key?: unknown; reads?: unknown; result?: unknown };
  try {
    v = JSON.parse(body.toString('utf8')) as typeof v;
  } catch {
    return 'damaged (not JSON)';
  }
  if (v.key !== key) return 'stored under another key';
  if (!Array.isArray(v.reads) || !v.reads.every((r) => Array.isArray(r) && r.length === 2 && r.every((x) => typeof x === 'string'))) return 'damaged (no list of reads)';
  let result: CachedResult;
  try {
    result = decodeValue(v.result) as CachedResult;
  } catch (e) {
    return `damaged (${(e as Error).message})`;
  }
  const outputs = (o: unknown) => Array.isArray(o) && o.length > 0 && o.every((x) => typeof x === 'object' && x !== null && typeof (x as ProbeOutput).measurements === 'object' && typeof (x as ProbeOutput).params === 'object');
  if (typeof result?.modelHash !== 'string' || !outputs(result.outputs) || (result.baseline !== undefined && !outputs(result.baseline))) return 'damaged (no probe outputs)';
  return { reads: v.reads as [string, string][], result };
}

/** Deletes the cache's own files, least recently used first, until they total at most `maxBytes`. */
export function evictOldest(dir: string, maxBytes: number): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => FILE.test(n));
  } catch {
    return 0;
  }
  const files = names.flatMap((n) => {
    try {
      const st = fs.statSync(path.join(dir, n));
      return [{ file: path.join(dir, n), size: st.size, used: st.mtimeMs }];
    } catch {
      return [];
    }
  }).sort((a, b) => a.used - b.used || (a.file < b.file ? -1 : 1));
  let total = files.reduce((s, f) => s + f.size, 0);
  let removed = 0;
  for (const f of files) {
    if (total <= maxBytes) break;
    try {
      fs.unlinkSync(f.file);
      total -= f.size;
      removed++;
    } catch {
      // Gone already (another run evicted it).
    }
  }
  return removed;
}
