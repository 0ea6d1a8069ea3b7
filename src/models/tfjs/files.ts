// TF.js models on disk: a model.json beside its weight shards, read into the same
// TfjsModelFiles shape the zoo uses, with clear errors for missing or foreign files.
import fs from 'node:fs';
import path from 'node:path';
import { badInput } from '../../errors.ts';
import type { TfjsModelFiles } from '../zoo/nsfwjs.ts';

export function tfjsFilesFromDisk(modelJsonPath: string, maxBytes: number): TfjsModelFiles {
  let json: any;
  try {
    json = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
  } catch (e) {
    const missing = (e as { code?: string }).code === 'ENOENT';
    throw badInput(missing ? 'E_MODEL_MISSING' : 'E_TFJS_JSON', missing ? 'model.json not found' : `model.json is not valid JSON (${(e as Error).message})`, modelJsonPath,
      missing ? 'check the path (relative paths resolve from the spec file)' : 'the file is damaged; re-convert the model');
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw badInput('E_TFJS_JSON', 'model.json lacks modelTopology or weightsManifest', modelJsonPath, 'give a TF.js LayersModel or GraphModel model.json');
  }
  const dir = path.dirname(modelJsonPath);
  const shardPath = (p: string) => {
    const full = path.resolve(dir, p);
    if (path.relative(dir, full).startsWith('..')) {
      throw badInput('E_TFJS_SHARD', `weight shard "${p}" points outside the model's folder`, modelJsonPath, 'shards must sit beside model.json');
    }
    return full;
  };
  const files = [modelJsonPath, ...json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map(shardPath))];
  let total = 0;
  for (const f of files) {
    try {
      total += fs.statSync(f).size;
    } catch {
      throw badInput('E_TFJS_SHARD', `weight shard "${path.basename(f)}" not found`, modelJsonPath, 'keep every shard listed in weightsManifest beside model.json');
    }
  }
  if (total > maxBytes) throw badInput('E_MODEL_TOO_BIG', `model files total ${total} bytes, over the limit of ${maxBytes}`, modelJsonPath, 'raise the limit if this is intended');
  return {
    modelJson: json,
    shards: (g) => json.weightsManifest[g].paths.map((p: string) => new Uint8Array(fs.readFileSync(shardPath(p)))),
    files,
  };
}
