// The second planning step, the one that needs models: load each model once, resolve layers,
// units and positions against its catalog, decode images — and collect every problem, with its
// place in the spec, before a single probe runs.
import path from 'node:path';
import { badInput, isNeurogateError } from '../errors.ts';
import { resolveLayer } from '../models/catalog.ts';
import { loadModel } from '../models/load.ts';
import { preprocessField } from '../models/preprocess.ts';
import type { ImportedModel } from '../models/types.ts';
import { SpecError, dedupeIssues, type SpecIssue } from '../suite/issues.ts';
import { outsideIssue, specRoot } from '../suite/paths.ts';
import type { LoadedSpec } from '../suite/spec.ts';
import { readImage, type RgbImage } from '../stimuli/image.ts';
import { entryKind } from '../kinds/index.ts';
import type { LayerRef } from '../probe/kind.ts';
import type { ModelChoice, PlannedEntry, PlannedSuite } from './plan.ts';
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
      // A model the spec names is checked where it is opened too (its project, unless --allow-outside).
      const place = m.path ? { root: specRoot(m.baseDir), allowOutside: limits.allowOutside } : {};
      p = loadModel(m.ref, m.baseDir, { maxBytes: limits.maxModelBytes, preprocess: m.preprocess?.spec, ...place }).catch((e) => {
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
            images.set(abs, readImage(abs, undefined, { root: specRoot(pe.spec.dir), allowOutside: limits.allowOutside }));
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
      const kind = entryKind(pe.at.kind);
      // A kind that makes its own baseline (circuits: the unedited model) names it as the entry's baseline.
      const planned = kind.ownBaseline ? { ...pe, baseline: pe.model } : pe;
      const baselineModel = pe.baseline && !kind.ownBaseline ? await modelFor(pe.baseline, pe.spec) : undefined;
      if (!model || (pe.baseline && !kind.ownBaseline && !baselineModel)) continue;
      // Every layer name the entry writes, on every model it runs, before its kind prepares it.
      const layerIssues = await unknownLayers(pe, kind.layers?.(pe.at) ?? [], model, '');
      if (baselineModel) layerIssues.push(...await unknownLayers(pe, kind.layers?.(pe.at) ?? [], baselineModel, ` (in the baseline model ${pe.baseline!.ref})`));
      if (layerIssues.length) {
        issues.push(...layerIssues);
        continue;
      }
      const prepared = await kind.prepare(pe, { model, baseline: baselineModel, baselineRef: pe.baseline?.ref }, { images: imageSource, issues, limits });
      if (prepared) entries.push({ plan: planned, ...prepared });
    }
    out.push({ plan: suite, entries });
  }
  if (issues.length) throw new SpecError(dedupeIssues(issues));
  return out;
}

/** The layer names of an entry the model lacks, each at its place in the spec with the closest names. */
async function unknownLayers(pe: PlannedEntry, refs: readonly LayerRef[], model: ImportedModel, suffix: string): Promise<SpecIssue[]> {
  const out: SpecIssue[] = [];
  for (const r of refs) {
    try {
      await resolveLayer(model, r.name);
    } catch (e) {
      if (!isNeurogateError(e) || e.kind !== 'bad_input') throw e;
      out.push(pe.spec.issue(r.path, `${e.message}${suffix}`, e.hint));
    }
  }
  return out;
}
