// TF.js models on disk: a model.json beside its weight shards, read into the same
// TfjsModelFiles shape the zoo uses, with clear errors for missing, foreign or escaping files.
import fs from 'node:fs';
import path from 'node:path';
import { badInput } from '../../errors.ts';
import { readGuarded, readGuardedText } from '../../io/guarded-fs.ts';
import type { TfjsModelFiles } from '../zoo/nsfwjs.ts';

const SHARD_HINT = 'a TF.js model keeps its weight shards in its own folder (the converter writes them beside model.json); copy them there and list them by file name';

export function tfjsFilesFromDisk(modelJsonPath: string, maxBytes: number, root?: string): TfjsModelFiles {
  const text = readGuardedText(modelJsonPath, {
    what: 'model.json', code: 'MODEL', maxBytes, flag: '--max-model-bytes', root, missingHint: 'check the path (relative paths resolve from the spec file)',
  });
  let json: any;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw badInput('E_TFJS_JSON', `model.json is not valid JSON (${(e as Error).message})`, modelJsonPath, 'the file is damaged; re-convert the model');
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw badInput('E_TFJS_JSON', 'model.json lacks modelTopology or weightsManifest', modelJsonPath, 'give a TF.js LayersModel or GraphModel model.json');
  }
  const groups: string[][] = json.weightsManifest.map((g: unknown, i: number) => {
    const paths = (g as { paths?: unknown } | null)?.paths;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && p.length > 0)) {
      throw badInput('E_TFJS_JSON', `weightsManifest[${i}].paths is not a list of file names`, modelJsonPath, 'the file is damaged or hand-edited; re-convert the model');
    }
    return paths.map((p) => shardPath(modelJsonPath, p));
  });
  const files = [modelJsonPath, ...groups.flat()];
  let total = 0;
  for (const f of files) total += fs.statSync(f).size;
  if (total > maxBytes) throw badInput('E_MODEL_TOO_BIG', `model files total ${total} bytes, over the limit of ${maxBytes}`, modelJsonPath, 'raise the limit if this is intended');
  return {
    modelJson: json,
    shards: (g) => groups[g].map((f) => new Uint8Array(readGuarded(f, {
      what: `weight shard ${path.basename(f)}`, code: 'TFJS_SHARD', maxBytes, flag: '--max-model-bytes', root: path.dirname(path.resolve(modelJsonPath)),
    }))),
    files,
  };
}

/**
 * The shard a manifest path names, refused unless it is a regular file inside the model's
 * folder — judged both as written (`../x.bin`, `/etc/passwd`) and after following symlinks, so a
 * hostile model.json cannot make the harness read (and hash, and report on) files elsewhere.
 */
function shardPath(modelJsonPath: string, p: string): string {
  const dir = path.dirname(path.resolve(modelJsonPath));
  const full = path.resolve(dir, p);
  const refuse = (why: string) => badInput('E_TFJS_SHARD', `weight shard "${p}" ${why}`, modelJsonPath, SHARD_HINT);
  if (p.includes('\0')) throw refuse('is not a file name');
  if (path.isAbsolute(p) || !within(dir, full)) throw refuse(`points outside the model's folder (${dir})`);
  let real: string;
  try {
    real = fs.realpathSync(full);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code !== 'ENOENT') throw refuse(`could not be opened (${code ?? (e as Error).message})`);
    throw badInput('E_TFJS_SHARD', `weight shard "${p}" not found`, modelJsonPath, 'keep every shard listed in weightsManifest beside model.json');
  }
  if (!within(fs.realpathSync(dir), real)) throw refuse(`is a symlink to ${real}, outside the model's folder`);
  // A FIFO or device would block or never end the read; a folder cannot be one.
  if (!fs.statSync(real).isFile()) throw refuse('is not a regular file');
  return full;
}

function within(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}
