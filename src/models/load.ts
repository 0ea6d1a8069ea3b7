// One entry point from a model reference to an ImportedModel: `zoo:<name>`, a `.onnx` file,
// or a TF.js `model.json` (or the folder holding it). Relative paths resolve from baseDir.
// A spec's `preprocess:` block (./preprocess.ts) is applied here, as a load option.
import fs from 'node:fs';
import path from 'node:path';
import { badInput, isNeurogateError } from '../errors.ts';
import type { ImportedModel } from './types.ts';
import { preprocessKey, withPreprocess, type PreprocessOverride } from './preprocess.ts';
import { loadZoo } from './zoo/index.ts';
import { newReadLog, noteReads, recordReads, recording, type ReadLog } from '../io/reads.ts';
import { importOnnxFile, DEFAULT_MAX_MODEL_BYTES } from './onnx-file.ts';
import { tfjsFilesFromDisk } from './tfjs/files.ts';
import { importLayersModel } from './tfjs/layers.ts';
import { importGraphModel } from './tfjs/graph.ts';

export interface LoadOptions {
  maxBytes?: number;
  labels?: string[];
  /** The spec's `preprocess:` block: checked against the model's input, then replaces the importer's preprocessing. */
  preprocess?: PreprocessOverride;
  /** The folder the model file must really be in (a spec's project); none for a model named on the command line. */
  root?: string;
  allowOutside?: boolean;
}

// A load made while reads are recorded (`--cache`) keeps the files it read: every later user of
// the same model depends on them too, and gets them replayed (src/io/reads.ts).
const loaded = new Map<string, { model: Promise<ImportedModel>; reads?: ReadLog }>();

function memo(key: string, load: () => ImportedModel | Promise<ImportedModel>): Promise<ImportedModel> {
  let m = loaded.get(key);
  if (!m) {
    const reads = recording() ? newReadLog() : undefined;
    m = { model: recordReads(reads, () => Promise.resolve().then(load)), reads };
    loaded.set(key, m);
    m.model.catch(() => loaded.delete(key));
  }
  const { model, reads } = m;
  return model.then((x) => {
    noteReads(reads);
    return x;
  });
}

export async function loadModel(ref: string, baseDir = process.cwd(), opts: LoadOptions = {}): Promise<ImportedModel> {
  const pp = opts.preprocess;
  if (ref.startsWith('zoo:')) {
    if (!pp) return loadZoo(ref.slice(4));
    return memo(`${ref}|${preprocessKey(pp)}`, () => withPreprocess(loadZoo(ref.slice(4)), pp));
  }
  const file = path.resolve(baseDir, ref);
  // The importer reads these keys of the block (the image input, its size and layout, the other inputs' values).
  const key = `${file}|${opts.maxBytes ?? ''}|${pp ? preprocessKey({ size: pp.size, input: pp.input, layout: pp.layout, inputs: pp.inputs }) : ''}`;
  const imported = memo(key, () => loadFile(file, opts));
  return pp ? memo(`${key}|${preprocessKey(pp)}`, async () => withPreprocess(await imported, pp)) : imported;
}

function loadFile(file: string, opts: LoadOptions): ImportedModel {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_MODEL_BYTES;
  let target = file;
  // A model named by its folder: its model.json must really be in that folder.
  let root: string | undefined;
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) [target, root] = [path.join(file, 'model.json'), file];
  if (target.endsWith('.onnx')) {
    const { size, input, layout, inputs } = opts.preprocess ?? {};
    return importOnnxFile(target, { maxBytes, labels: opts.labels, root: opts.root, allowOutside: opts.allowOutside, size, input, layout, inputs });
  }
  if (target.endsWith('.json')) {
    try {
      const files = tfjsFilesFromDisk(target, maxBytes, root ?? (opts.allowOutside ? undefined : opts.root));
      const graph = files.modelJson.format === 'graph-model' || Array.isArray(files.modelJson.modelTopology?.node);
      return graph ? importGraphModel(files, target, { labels: opts.labels }) : importLayersModel(files, target, { labels: opts.labels });
    } catch (e) {
      // model.json is untyped JSON from outside: a value of the wrong type deep inside it (an
      // attribute that should be a string, a shape that is not a list) surfaces as a TypeError
      // in the importer. That is the file's fault, so it is bad input, not an internal error.
      if (isNeurogateError(e) || !(e instanceof TypeError || e instanceof RangeError)) throw e;
      throw badInput('E_TFJS_MALFORMED', `model.json does not follow the TF.js format: ${e.message}`, target, 'the file is damaged or hand-edited; re-convert the model');
    }
  }
  if (!fs.existsSync(target)) throw badInput('E_MODEL_MISSING', 'model file not found', file, 'give zoo:<name>, a .onnx file or a TF.js model.json');
  throw badInput('E_MODEL_FORMAT', 'unknown model format', file, 'give zoo:<name>, a .onnx file or a TF.js model.json (or its folder)');
}
