// Finding a model package in node_modules without loading its code: the zoo reads only its
// model.json and weight shards. A package that is not installed is bad input naming the fix.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { badInput } from '../../errors.ts';
import { tfjsFilesFromDisk } from '../tfjs/files.ts';
import type { TfjsModelFiles } from './nsfwjs.ts';

const require = createRequire(import.meta.url);

/** The largest model file set a zoo package may hold (the packages' own models are a few MB). */
const PACKAGE_MODEL_MAX_BYTES = 256 * 2 ** 20;

/**
 * The folder of an installed package. Looked up along Node's own search path rather than through
 * require.resolve, which fails on packages whose exports map hides package.json or that have no
 * entry point (model-only packages).
 */
export function packageDir(name: string, zooName: string): string {
  for (const dir of require.resolve.paths(name) ?? []) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw badInput('E_ZOO_MISSING', `zoo:${zooName} needs the npm package ${name}, which is not installed`, `zoo:${zooName}`,
    `install ${name} to use zoo:${zooName} (npm install ${name})`);
}

/** A TF.js model.json (and its shards) at `file` inside the installed package. */
export function packageModelFiles(name: string, file: string, zooName: string): TfjsModelFiles {
  return tfjsFilesFromDisk(path.join(packageDir(name, zooName), file), PACKAGE_MODEL_MAX_BYTES);
}
