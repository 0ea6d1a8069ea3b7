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
import { channelsError, channelsFit, channelsOf, readImage, type RgbImage } from '../stimuli/image.ts';
import { entryKind } from '../kinds/index.ts';
import type { LayerRef } from '../probe/kind.ts';
import type { ModelChoice, PlannedEntry, PlannedSuite } from './plan.ts';
import { DEFAULT_LIMITS, type RunLimits } from '../probe/limits.ts';
import { newReadLog, noteReads, recordReads, type ReadLog } from '../io/reads.ts';

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
  /**
   * `--cache`: each entry's log gets every file and folder its preparation reads, its models'
   * included (images and models are read once per run, so each later user gets their reads replayed).
   * Keyed by the entry's `where` (its file:line:col, one per entry).
   */
  reads?: ReadonlyMap<string, ReadLog>;
}

export async function prepareRun(plan: readonly PlannedSuite[], limits: RunLimits = DEFAULT_LIMITS, opts: PrepareOptions = {}): Promise<PreparedSuite[]> {
  const issues: SpecIssue[] = [];
  const models = new Map<string, { model: Promise<ImportedModel | undefined>; reads?: ReadLog }>();
  const images = new Map<string, { image: RgbImage; reads?: ReadLog } | undefined>();

  const modelFor = async (m: ModelChoice, spec: LoadedSpec): Promise<ImportedModel | undefined> => {
    const key = modelKey(m);
    let memo = models.get(key);
    if (!memo) {
      const reads = opts.reads ? newReadLog() : undefined;
      // A model the spec names is checked where it is opened too (its project, unless --allow-outside).
      const place = m.path ? { root: specRoot(m.baseDir), allowOutside: limits.allowOutside } : {};
      const p = recordReads(reads, () => loadModel(m.ref, m.baseDir, { maxBytes: limits.maxModelBytes, preprocess: m.preprocess?.spec, ...place }).catch((e) => {
        if (!isNeurogateError(e) || e.kind !== 'bad_input') throw e;
        const field = m.preprocess && preprocessField(e); // a `preprocess:` mismatch is reported at its key
        // A command-line model has no place in a spec: it fails the whole run at once.
        if (!m.path && !field) throw badInput(e.code, `${e.message}${e.where ? ` (${e.where})` : ''}`, m.ref, e.hint);
        issues.push(spec.issue(field ? m.preprocess!.paths[field.join('.')] : m.path!, `model ${m.ref}: ${e.message}`, e.hint));
        return undefined;
      }));
      memo = { model: p, reads };
      models.set(key, memo);
    }
    const model = await memo.model;
    noteReads(memo.reads);
    return model;
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
            const reads = opts.reads ? newReadLog() : undefined;
            images.set(abs, { image: recordReads(reads, () => readImage(abs, undefined, { root: specRoot(pe.spec.dir), allowOutside: limits.allowOutside })), reads });
          } catch (e) {
            if (!isNeurogateError(e)) throw e;
            issues.push(pe.spec.issue(at, e.message, e.hint));
            images.set(abs, undefined);
          }
        }
        const hit = images.get(abs);
        if (hit) noteReads(hit.reads);
        return hit?.image;
      };
      const prepareOne = async (): Promise<PreparedEntry | undefined> => {
        const loaded = await modelFor(pe.model, pe.spec);
        const model = loaded && opts.candidate ? opts.candidate(loaded) : loaded;
        const kind = entryKind(pe.at.kind);
        const baselineModel = pe.baseline && !kind.ownBaseline ? await modelFor(pe.baseline, pe.spec) : undefined;
        if (!model || (pe.baseline && !kind.ownBaseline && !baselineModel)) return undefined;
        // Every layer name the entry writes, on every model it runs, before its kind prepares it.
        const layerIssues = await unknownLayers(pe, kind.layers?.(pe.at) ?? [], model, '');
        if (baselineModel) layerIssues.push(...await unknownLayers(pe, kind.layers?.(pe.at) ?? [], baselineModel, ` (in the baseline model ${pe.baseline!.ref})`));
        if (layerIssues.length) {
          issues.push(...layerIssues);
          return undefined;
        }
        // An image the model's input cannot take (a 6-channel .npy for an RGB model) is refused at its place.
        const fitting = (abs: string, at: (string | number)[]) => {
          const img = imageSource(abs, at);
          if (!img || channelsFit(channelsOf(img), model.input.channels)) return img;
          const e = channelsError(channelsOf(img), model.input.channels, abs);
          issues.push(pe.spec.issue(at, `${path.basename(abs)}: ${e.message}`, e.hint));
          return undefined;
        };
        const prepared = await kind.prepare(pe, { model, baseline: baselineModel, baselineRef: pe.baseline?.ref }, { images: fitting, issues, limits });
        return prepared && { plan: asRun(pe), ...prepared };
      };
      const prepared = await recordReads(opts.reads?.get(pe.where), prepareOne);
      if (prepared) entries.push(prepared);
    }
    out.push({ plan: suite, entries });
  }
  if (issues.length) throw new SpecError(dedupeIssues(issues));
  return out;
}

/** The entry as it runs: a kind that makes its own baseline (circuits: the unedited model) names it as the entry's baseline. */
export function asRun(pe: PlannedEntry): PlannedEntry {
  return entryKind(pe.at.kind).ownBaseline ? { ...pe, baseline: pe.model } : pe;
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
