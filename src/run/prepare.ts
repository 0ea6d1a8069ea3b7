// The second planning step, the one that needs models: load each model once, resolve layers,
// units and positions against its catalog, decode images — and collect every problem, with its
// place in the spec, before a single probe runs.
import path from 'node:path';
import { badInput, isNeurogateError, NeurogateError } from '../errors.ts';
import { loadModel } from '../models/load.ts';
import { preprocessField } from '../models/preprocess.ts';
import type { ImportedModel } from '../models/types.ts';
import { SpecError, dedupeIssues, type SpecIssue } from '../suite/issues.ts';
import { readImage, type RgbImage } from '../stimuli/image.ts';
import { prepareNeuron } from './neurons.ts';
import { prepareCircuit } from './circuits.ts';
import { prepareReimpl } from '../reimpl/prepare.ts';
import { prepareMasks } from './masks.ts';
import type { ModelChoice, PlannedEntry, PlannedSuite } from './plan.ts';
import { outsideIssue, type LoadedSpec } from '../suite/load.ts';
import { DEFAULT_LIMITS, type RunLimits } from '../probe/limits.ts';

export interface PreparedEntry {
  plan: PlannedEntry;
  model: ImportedModel;
  params: unknown;
  baselineModel?: ImportedModel;
  baselineParams?: unknown;
}

export interface PreparedSuite {
  plan: PlannedSuite;
  entries: PreparedEntry[];
}

export function modelKey(m: ModelChoice): string {
  return `${m.ref.startsWith('zoo:') ? m.ref : path.resolve(m.baseDir, m.ref)}${m.preprocess ? `|${JSON.stringify(m.preprocess.spec)}` : ''}`;
}

export interface PrepareOptions {
  /** Replaces each entry's model after loading (the audit's mutants); baselines stay as they are. */
  candidate?: (model: ImportedModel) => ImportedModel;
}

export async function prepareRun(plan: readonly PlannedSuite[], limits: RunLimits = DEFAULT_LIMITS, opts: PrepareOptions = {}): Promise<PreparedSuite[]> {
  const issues: SpecIssue[] = [];
  const models = new Map<string, Promise<ImportedModel | undefined>>();
  const images = new Map<string, RgbImage | undefined>();

  const modelFor = (m: ModelChoice, spec: LoadedSpec): Promise<ImportedModel | undefined> => {
    const key = modelKey(m);
    let p = models.get(key);
    if (!p) {
      p = loadModel(m.ref, m.baseDir, { maxBytes: limits.maxModelBytes, preprocess: m.preprocess?.spec }).catch((e) => {
        if (!isNeurogateError(e) || e.kind !== 'bad_input') throw e;
        const field = m.preprocess && preprocessField(e); // a `preprocess:` mismatch is reported at its key
        // A command-line model has no place in a spec: it fails the whole run at once.
        if (!m.path && !field) throw badInput(e.code, `${e.message}${e.where ? ` (${e.where})` : ''}`, m.ref, e.hint);
        issues.push(spec.issue(field ? m.preprocess!.paths[field.join('.')] : m.path!, `model ${m.ref}: ${e.message}`, e.hint));
        return undefined;
      });
      models.set(key, p);
    }
    return p;
  };

  const out: PreparedSuite[] = [];
  for (const suite of plan) {
    const entries: PreparedEntry[] = [];
    for (const pe of suite.entries) {
      const imageSource = (abs: string, at: (string | number)[]) => {
        // Every image a spec names passes the path policy here, reference images included.
        const outside = outsideIssue(pe.spec, at, abs, 'image');
        if (outside) {
          issues.push(outside);
          return undefined;
        }
        if (!images.has(abs)) {
          try {
            images.set(abs, readImage(abs));
          } catch (e) {
            if (!isNeurogateError(e)) throw e;
            issues.push(pe.spec.issue(at, e.message, e.hint));
            images.set(abs, undefined);
          }
        }
        return images.get(abs);
      };
      const loaded = await modelFor(pe.model, pe.spec);
      const model = loaded && opts.candidate ? opts.candidate(loaded) : loaded;
      // circuits: begin — the edited copy is the candidate, the unedited model the baseline
      if (pe.at.kind === 'circuits') {
        if (!model) continue;
        const c = await prepareCircuit(pe, model, imageSource, issues, limits);
        if (c) entries.push({ plan: { ...pe, baseline: pe.model }, model: c.edited, params: c.params, baselineModel: model, baselineParams: c.baselineParams });
        continue;
      }
      // circuits: end
      const baselineModel = pe.baseline ? await modelFor(pe.baseline, pe.spec) : undefined;
      if (!model || (pe.baseline && !baselineModel)) continue;
      const params = await prepareFor(pe, model, imageSource, issues, '');
      const baselineParams = baselineModel ? await prepareFor(pe, baselineModel, imageSource, issues, `in the baseline model ${pe.baseline!.ref}`) : undefined;
      if (params === undefined || (baselineModel && baselineParams === undefined)) continue;
      entries.push({ plan: pe, model, params, baselineModel, baselineParams });
    }
    out.push({ plan: suite, entries });
  }
  if (issues.length) throw new SpecError(dedupeIssues(issues));
  return out;
}

async function prepareFor(pe: PlannedEntry, model: ImportedModel, images: Parameters<typeof prepareNeuron>[2], issues: SpecIssue[], role: string): Promise<unknown> {
  switch (pe.at.kind) {
    case 'neurons':
      return prepareNeuron(pe, model, images, issues, role);
    case 'masks':
      return prepareMasks(pe, model, images, issues, role);
    case 'reimpl':
      return prepareReimpl({ spec: pe.spec, path: pe.at.path, entry: pe.at.entry }, model, issues, role);
    default:
      throw new NeurogateError(`no preparation for entry kind "${pe.at.kind as string}"`, { code: 'E_INTERNAL_KIND', kind: 'internal' });
  }
}
