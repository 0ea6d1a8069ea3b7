// The trained models shipped inside the `nsfwjs` npm package: model.json and weight shards
// wrapped as browserify bundles (.min.js). We read them offline: the topology by requiring the
// bundle, the shards by pulling the base64 string out directly (the package's own loader
// takes ~80 s for InceptionV3; this takes well under a second).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { badInput } from '../../errors.ts';
import { readGuarded } from '../../io/guarded-fs.ts';
import type { WeightGroup } from '../tfjs/weights.ts';

const require = createRequire(import.meta.url);

export const NSFWJS_MODELS = ['inception_v3', 'mobilenet_v2', 'mobilenet_v2_mid'] as const;
export type NsfwjsModel = (typeof NSFWJS_MODELS)[number];

/** nsfwjs's class order (the index of each logit). */
export const NSFWJS_LABELS = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'];

export interface TfjsModelFiles {
  /** The parsed model.json (format "layers-model" or "graph-model"). */
  modelJson: { format?: string; modelTopology: any; weightsManifest: WeightGroup[] };
  /** Shard bytes of manifest group i, in path order. */
  shards: (group: number) => Uint8Array[];
  /** Files that make up the model, for content hashing. */
  files: string[];
}

export function nsfwjsDir(name: NsfwjsModel): string {
  // The package's exports map hides package.json; resolve its main entry and walk up to dist/.
  const main = require.resolve('nsfwjs'); // …/nsfwjs/dist/cjs/index.js
  return path.join(path.dirname(main), '..', 'models', name);
}

const BASE64 = /exports\s*=\s*"([A-Za-z0-9+/=]+)"/;

export function readBase64Bundle(file: string): Uint8Array {
  const text = readGuarded(file, { what: 'zoo weight bundle', code: 'ZOO_SHARD', maxBytes: 1024 * 2 ** 20, missingHint: 'reinstall the nsfwjs package (npm ci)' }).toString('latin1');
  const m = BASE64.exec(text);
  if (!m) throw badInput('E_ZOO_SHARD', 'no base64 weight payload found in the bundle', file, 'reinstall the nsfwjs package (npm ci)');
  return Buffer.from(m[1], 'base64');
}

export function nsfwjsFiles(name: NsfwjsModel): TfjsModelFiles {
  const dir = nsfwjsDir(name);
  const modelFile = path.join(dir, 'model.min.js');
  if (!fs.existsSync(modelFile)) {
    throw badInput('E_ZOO_MISSING', `zoo model ${name} not found`, modelFile, 'run `npm install` (the zoo ships in the nsfwjs package)');
  }
  const modelJson = require(modelFile);
  const manifest: WeightGroup[] = modelJson.weightsManifest;
  const shardFile = (p: string) => path.join(dir, `${p}.min.js`);
  return {
    modelJson,
    shards: (g) => manifest[g].paths.map((p) => readBase64Bundle(shardFile(p))),
    files: [modelFile, ...manifest.flatMap((g) => g.paths.map(shardFile))],
  };
}
