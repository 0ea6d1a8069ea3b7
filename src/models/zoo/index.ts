// The model zoo: `zoo:<name>` references resolve here. Converted IRs are cached on disk,
// keyed by a content hash of the source files and the importer version, so the second run
// skips conversion.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { decodeModel, encodeModel } from '../../engine/onnx.ts';
import { badInput } from '../../errors.ts';
import type { ImportedModel } from '../types.ts';
import { NSFWJS_LABELS, NSFWJS_MODELS, nsfwjsFiles, type NsfwjsModel } from './nsfwjs.ts';
import { importLayersModel } from '../tfjs/layers.ts';
import { importGraphModel } from '../tfjs/graph.ts';
import { cacheDir } from '../cache.ts';
import type { ZooEntry } from './entry.ts';
import { upscalerEntries } from './upscalerjs.ts';
import { humanEntries } from './human.ts';
import { writeFileAtomic } from '../../util/atomic.ts';
import { readGuarded } from '../../io/guarded-fs.ts';
import { newReadLog, noteReads, recordReads, recording, type ReadLog } from '../../io/reads.ts';

/** Bump when an importer changes what it emits: old cache entries then no longer match. */
export const IMPORTER_VERSION = 'zoo-ir-1';

export type { ZooEntry } from './entry.ts';

const DESCRIPTIONS: Record<NsfwjsModel, string> = {
  inception_v3: 'InceptionV3 (Keras, 299², 5 classes) from the nsfwjs package',
  mobilenet_v2: 'MobileNetV2 (Keras, 224², 5 classes) from the nsfwjs package',
  mobilenet_v2_mid: 'MobileNetV2 (TF graph model, 224², 5 classes) from the nsfwjs package',
};

const registry = new Map<string, ZooEntry>();
for (const name of NSFWJS_MODELS) {
  registry.set(name, {
    name,
    description: DESCRIPTIONS[name],
    sources: () => nsfwjsFiles(name).files,
    load: () => {
      const files = nsfwjsFiles(name);
      const where = `zoo:${name}`;
      return files.modelJson.format === 'graph-model'
        ? importGraphModel(files, where, { labels: NSFWJS_LABELS })
        : importLayersModel(files, where, { labels: NSFWJS_LABELS });
    },
  });
}

for (const e of [...upscalerEntries, ...humanEntries]) registry.set(e.name, e);

/** Let entry kinds add zoo models (the clean-room network) without this file knowing them (see src/kinds). */
export function registerZooModel(entry: ZooEntry): void {
  registry.set(entry.name, entry);
}


export function zooNames(): string[] {
  return [...registry.keys()];
}

export function zooEntry(name: string): ZooEntry {
  const e = registry.get(name);
  if (!e) {
    throw badInput('E_ZOO_UNKNOWN', `no zoo model named "${name}"`, `zoo:${name}`, `available: ${zooNames().map((n) => `zoo:${n}`).join(', ')}`);
  }
  return e;
}

// With the source files it read when recorded (`--cache`), replayed to each later user (src/io/reads.ts).
const memory = new Map<string, { model: ImportedModel; reads?: ReadLog }>();

/** Load a zoo model: from memory, else from the disk cache, else convert and cache. */
export function loadZoo(name: string, opts: { cache?: boolean } = {}): ImportedModel {
  const hit = memory.get(name);
  if (hit) {
    noteReads(hit.reads);
    return hit.model;
  }
  const entry = zooEntry(name);
  const reads = recording() ? newReadLog() : undefined;
  const model = recordReads(reads, () => {
    const useCache = opts.cache ?? process.env.NEUROGATE_NO_CACHE === undefined;
    const key = useCache ? sourceKey(entry) : '';
    const cached = useCache ? readCached(key) : undefined;
    const m = cached ?? entry.load();
    if (useCache && !cached) writeCached(key, m);
    return m;
  });
  memory.set(name, { model, reads });
  noteReads(reads);
  return model;
}

/** The zoo's largest model (inception_v3) is under 100 MB; its cache and sources stay far below this. */
const ZOO_MAX_BYTES = 1024 * 2 ** 20;

function sourceKey(entry: ZooEntry): string {
  const h = createHash('sha256').update(IMPORTER_VERSION).update(entry.name);
  for (const f of entry.sources()) h.update(readGuarded(f, { what: 'zoo model source', code: 'ZOO_SOURCE', maxBytes: ZOO_MAX_BYTES }));
  return `${entry.name}-${h.digest('hex').slice(0, 24)}`;
}

type CachedMeta = Omit<ImportedModel, 'net'> & { hash: string; where: string };

function readCached(key: string): ImportedModel | undefined {
  const dir = cacheDir();
  const metaFile = path.join(dir, `${key}.json`);
  const onnxFile = path.join(dir, `${key}.onnx`);
  if (!fs.existsSync(metaFile) || !fs.existsSync(onnxFile)) return undefined;
  try {
    const meta = JSON.parse(readGuarded(metaFile, { what: 'zoo cache entry', code: 'CACHE', maxBytes: ZOO_MAX_BYTES, root: dir }).toString('utf8')) as CachedMeta;
    const model = decodeModel(readGuarded(onnxFile, { what: 'zoo cache entry', code: 'CACHE', maxBytes: ZOO_MAX_BYTES, root: dir }), onnxFile);
    const { hash, where, ...rest } = meta;
    return { ...rest, net: { model, hash, where } };
  } catch {
    return undefined; // a damaged cache entry is rebuilt, never trusted
  }
}

function writeCached(key: string, m: ImportedModel): void {
  const dir = cacheDir();
  const { net, ...rest } = m;
  try {
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(path.join(dir, `${key}.onnx`), encodeModel(net.model));
    writeFileAtomic(path.join(dir, `${key}.json`), JSON.stringify({ ...rest, hash: net.hash, where: net.where }));
  } catch {
    // A read-only cache directory only costs speed.
  }
}
