// neurogate as a library (`import { loadSuite, run, attribute, layers } from 'neurogate'`): the
// four things the CLI does with specs and models, as typed functions. The CLI's commands call these.
import path from 'node:path';
import type { ConcreteDevice } from './engine/session.ts';
import type { Tensor } from './engine/tensor.ts';
import { badInput } from './errors.ts';
import { listLayers, type LayerInfo } from './models/catalog.ts';
import { loadModel as importModel } from './models/load.ts';
import type { ImportedModel } from './models/types.ts';
import { methodNamed, methods, subjectOf, checkInput, type AnyMethod, type Attribution, type MethodName, type Target } from './probes/attribution/index.ts';
import type { RunReport } from './report/model.ts';
import { runSpecs, type RunRequest } from './run/index.ts';
import { loadSpecFile } from './kinds/load.ts';
import type { Suite } from './suite/spec.ts';
import { readImage, toModelInput } from './stimuli/image.ts';

export type { Attribution, MethodName, Target } from './probes/attribution/index.ts';
export type { ImportedModel } from './models/types.ts';
export type { LayerInfo } from './models/catalog.ts';
export type { Tensor } from './engine/tensor.ts';
export type { Suite } from './suite/spec.ts';
export type { RunReport, SuiteResult, EntryResult, CheckResult } from './report/model.ts';
export { NeurogateError, isNeurogateError } from './errors.ts';
export { SpecError } from './suite/issues.ts';
export { writeReports, toJson, toJunit, toHtml, formatSummary, type ReportOptions } from './report/index.ts';
export { toGithub } from './report/github.ts';
export { VERSION } from './version.ts';

/** A model as a reference (`model.onnx`, `web_model/model.json`, `zoo:inception_v3`) or already loaded. */
export type ModelInput = string | ImportedModel;

/** Loads a model: an ONNX file, a TF.js model.json, or a zoo name. Paths resolve from `baseDir` (the working directory). */
export function loadModel(ref: string, baseDir = process.cwd()): Promise<ImportedModel> {
  return importModel(ref, baseDir);
}

async function modelOf(m: ModelInput): Promise<ImportedModel> {
  return typeof m === 'string' ? loadModel(m) : m;
}

export interface LoadedSuite {
  /** The spec file, as given. */
  file: string;
  /** The suite, validated and with every default filled in. */
  suite: Suite;
}

/**
 * Reads and validates one spec file. Throws a SpecError (a NeurogateError, code E_SPEC…) that
 * lists every problem with its `file:line:col` and a hint.
 */
export function loadSuite(file: string, overrides: { model?: string; baseline?: string } = {}): LoadedSuite {
  const loaded = loadSpecFile(file, overrides);
  return { file, suite: loaded.suite };
}

export type RunOptions = Omit<RunRequest, 'paths'>;

/**
 * Runs spec files or folders and returns the run's report (what `neurogate run` writes as
 * neurogate-report.json); `report.exitCode` is the CLI's exit code. Writes no files: pass the
 * report to `writeReports` for JSON, JUnit and HTML.
 */
export async function run(paths: string | string[], options: RunOptions = {}): Promise<RunReport> {
  const { report } = await runSpecs({ ...options, paths: typeof paths === 'string' ? [paths] : paths });
  return report;
}

/** Every layer a spec can name, with its shape and, for concats, the channel range of each branch. */
export async function layers(model: ModelInput): Promise<LayerInfo[]> {
  return listLayers(await modelOf(model));
}

export interface AttributeOptions {
  /** The method (default `integrated_gradients`). */
  method?: MethodName;
  /** What is explained: a class index (its logit), or any Target (default: the top class). */
  target?: number | Target;
  /** The method's own options (steps, baseline, area…); left out = its defaults, echoed in `params`. */
  options?: Record<string, unknown>;
  device?: ConcreteDevice;
}

/**
 * An attribution map for one image: a file (read and preprocessed as the model's `preprocess`
 * says) or an input tensor [1, C, H, W]. Same methods and defaults as the `masks:` spec kind.
 */
export async function attribute(model: ModelInput, image: string | Tensor, opts: AttributeOptions = {}): Promise<Attribution> {
  const m = await modelOf(model);
  const method = opts.method ?? 'integrated_gradients';
  const d = methodNamed(method);
  if (!d) throw badInput('E_ARGS', `unknown attribution method "${method}"`, undefined, `one of ${methods().map((m) => m.name).join(', ')}`);
  const fn = d.run as AnyMethod;
  const subject = subjectOf(m, { device: opts.device ?? 'cpu' });
  const input = typeof image === 'string' ? toModelInput(readImage(path.resolve(image)), m.preprocess) : image;
  checkInput(subject, input);
  let target: Target;
  if (typeof opts.target === 'object') target = opts.target;
  else if (typeof opts.target === 'number') target = { kind: 'class', index: opts.target };
  else target = { kind: 'class', index: await topClass(m, input) };
  return fn(subject, input, target, opts.options);
}

/** The class with the largest logit (or probability) for this input. */
async function topClass(m: ImportedModel, input: Tensor): Promise<number> {
  const out = m.logits ?? m.probabilities;
  if (!out) throw badInput('E_ARGS', 'the model has no class scores to pick a target from', undefined, 'pass target: a class index or a unit/channel target');
  const { run: forward } = await import('./engine/session.ts');
  const data = (await forward(m.net, { [m.input.name]: input }, [out]))[out].data;
  let best = 0;
  for (let i = 1; i < data.length; i++) if (data[i] > data[best]) best = i;
  return best;
}
