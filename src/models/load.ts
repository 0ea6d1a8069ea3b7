// One entry point from a model reference to an ImportedModel: `zoo:<name>`, a `.onnx` file,
// or a TF.js `model.json` (or the folder holding it). Relative paths resolve from baseDir.
import fs from 'node:fs';
import path from 'node:path';
import { badInput } from '../errors.ts';
import type { ImportedModel } from './types.ts';
import { loadZoo } from './zoo/index.ts';
import { importOnnxFile, DEFAULT_MAX_MODEL_BYTES } from './onnx-file.ts';
import { tfjsFilesFromDisk } from './tfjs/files.ts';
import { importLayersModel } from './tfjs/layers.ts';
import { importGraphModel } from './tfjs/graph.ts';

export interface LoadOptions {
  maxBytes?: number;
  labels?: string[];
}

const loaded = new Map<string, Promise<ImportedModel>>();

export async function loadModel(ref: string, baseDir = process.cwd(), opts: LoadOptions = {}): Promise<ImportedModel> {
  if (ref.startsWith('zoo:')) return loadZoo(ref.slice(4));
  const file = path.resolve(baseDir, ref);
  const key = `${file}|${opts.maxBytes ?? ''}`;
  let p = loaded.get(key);
  if (!p) {
    p = Promise.resolve().then(() => loadFile(file, opts));
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  }
  return p;
}

function loadFile(file: string, opts: LoadOptions): ImportedModel {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_MODEL_BYTES;
  let target = file;
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) target = path.join(file, 'model.json');
  if (target.endsWith('.onnx')) return importOnnxFile(target, { maxBytes, labels: opts.labels });
  if (target.endsWith('.json')) {
    const files = tfjsFilesFromDisk(target, maxBytes);
    const graph = files.modelJson.format === 'graph-model' || Array.isArray(files.modelJson.modelTopology?.node);
    return graph ? importGraphModel(files, target, { labels: opts.labels }) : importLayersModel(files, target, { labels: opts.labels });
  }
  if (!fs.existsSync(target)) throw badInput('E_MODEL_MISSING', 'model file not found', file, 'give zoo:<name>, a .onnx file or a TF.js model.json');
  throw badInput('E_MODEL_FORMAT', 'unknown model format', file, 'give zoo:<name>, a .onnx file or a TF.js model.json (or its folder)');
}
