// How a `circuits` entry becomes two probe tasks: its edits resolved against the model's catalog
// and applied to a copy (the edited model), its `measure:` block prepared like a neurons entry,
// and the original model as the baseline that `change` expectations compare against.
import path from 'node:path';
import { badInput, isNeurogateError } from '../../errors.ts';
import { unitMeans } from './means.ts';
import { readImage, type RgbImage } from '../../stimuli/image.ts';
import { outsideIssue } from '../../suite/paths.ts';
import { DEFAULT_LIMITS, type RunLimits } from '../../probe/limits.ts';
import { resolveLayer } from '../../models/catalog.ts';
import { loadModel } from '../../models/load.ts';
import type { ImportedModel } from '../../models/types.ts';
import { makeNet } from '../../engine/net.ts';
import { applyEdits, type Edit } from './edits.ts';
import { unitList, type CircuitEntry, type EditEntry, type EditSpec } from './schema.ts';
import type { CircuitParams } from './probe.ts';
import { NeuronEntrySchema } from '../neuron/entry-schema.ts';
import type { SpecIssue } from '../../suite/issues.ts';
import { prepareNeuron } from '../neuron/prepare.ts';
import { neuronProbeOf } from '../neuron/kind.ts';
import type { EntryToPrepare, ImageSource } from '../../probe/kind.ts';
import { specRoot } from '../../suite/paths.ts';
import { checkPath } from '../../io/guarded-fs.ts';

export interface PreparedCircuit {
  edited: ImportedModel;
  params: CircuitParams;
  baselineParams: CircuitParams;
}

export async function prepareCircuit(pe: EntryToPrepare<EditEntry>, model: ImportedModel, images: ImageSource, issues: SpecIssue[], limits: RunLimits = DEFAULT_LIMITS): Promise<PreparedCircuit | undefined> {
  const { spec, at } = pe;
  const e = at.entry;
  const before = issues.length;
  const fail = (path: (string | number)[], err: unknown): undefined => {
    if (!isNeurogateError(err) || err.kind !== 'bad_input') throw err;
    issues.push(spec.issue([...at.path, ...path], err.message, err.hint));
    return undefined;
  };
  // The measurement is a neurons entry: the schema already validated it with this id and expect.
  const neuron = NeuronEntrySchema.parse({ ...e.measure, id: e.id, expect: e.expect });
  const measurePlan: EntryToPrepare<typeof neuron> = { ...pe, at: { kind: 'neurons', index: at.index, path: [...at.path, 'measure'], entry: neuron } };
  const innerParams = await prepareNeuron(measurePlan, model, images, issues, '');
  const edits: Edit[] = [];
  for (const [i, spec_] of e.edit.entries()) {
    // A donor model is a file the spec names: the same path policy as every model and image.
    if ('transplant' in spec_ && !spec_.transplant.model.startsWith('zoo:')) {
      const outside = outsideIssue(spec, [...at.path, 'edit', i, 'transplant', 'model'], path.resolve(spec.dir, spec_.transplant.model), 'model');
      if (outside) {
        issues.push(outside);
        continue;
      }
    }
    let values: number[] | undefined;
    if ('ablate' in spec_ && spec_.ablate.mean_over) {
      const imgs = spec_.ablate.mean_over.map((f, k) => images(path.resolve(spec.dir, f), [...at.path, 'edit', i, 'ablate', 'mean_over', k]));
      if (imgs.some((x) => !x)) continue;
      try {
        const layer = await resolveLayer(model, spec_.ablate.layer);
        values = await unitMeans(model, layer.tensor, unitList(spec_.ablate.units), imgs as RgbImage[]);
      } catch (err) {
        fail(['edit', i, 'ablate'], err);
        continue;
      }
    }
    try {
      edits.push(await editFrom(spec_, model, pe.spec.dir, values, limits.maxModelBytes, limits.allowOutside));
    } catch (err) {
      fail(['edit', i], err);
    }
  }
  const views: CircuitParams['views'] = [];
  for (const [i, v] of (e.views ?? []).entries()) {
    try {
      views.push({ tensor: (await resolveLayer(model, v.layer)).tensor, unit: v.unit });
    } catch (err) {
      fail(['views', i, 'layer'], err);
    }
  }
  if (issues.length > before || innerParams === undefined) return undefined;
  let editedIr;
  try {
    editedIr = applyEdits(model.net.model, edits);
  } catch (err) {
    return fail(['edit'], err);
  }
  const edited: ImportedModel = { ...model, net: makeNet(editedIr, `${model.net.where} (edited by ${e.id})`) };
  const inner = neuronProbeOf(neuron).kind;
  const common = { inner, innerParams, edits: e.edit, views };
  return { edited, params: { ...common, role: 'edited', original: model.net.model }, baselineParams: { ...common, role: 'original' } };
}

/** The edits of a circuits entry, resolved on a model (for `neurogate export --edit`). */
export async function editsOf(e: CircuitEntry, model: ImportedModel, dir: string, maxModelBytes?: number, allowOutside = false): Promise<Edit[]> {
  if (!e.edit) throw badInput('E_CIRCUIT_EDIT', `entry "${e.id}" patches activations and edits no weights`, undefined, 'export an entry with `edit:`');
  const out: Edit[] = [];
  for (const s of e.edit) {
    const means = 'ablate' in s && s.ablate.mean_over
      ? await unitMeans(model, (await resolveLayer(model, s.ablate.layer)).tensor, unitList(s.ablate.units), s.ablate.mean_over.map((f) => readImage(path.resolve(dir, f), undefined, inProject(dir, allowOutside))))
      : undefined;
    out.push(await editFrom(s, model, dir, means, maxModelBytes, allowOutside));
  }
  return out;
}

/** The path policy of files a spec in `dir` names: its project, unless --allow-outside. */
function inProject(dir: string, allowOutside: boolean): { root: string; allowOutside: boolean } {
  return { root: specRoot(dir), allowOutside };
}

/** One spec edit → an IR edit; layer names resolve against the catalog, `transplant` loads its donor (relative to `dir`). */
export async function editFrom(s: EditSpec, model: ImportedModel, dir: string, means?: number[], maxModelBytes?: number, allowOutside = false): Promise<Edit> {
  const ref = async (layer: string, units: Parameters<typeof unitList>[0], m: ImportedModel = model) => ({ tensor: (await resolveLayer(m, layer)).tensor, units: unitList(units) });
  if ('ablate' in s) {
    const r = await ref(s.ablate.layer, s.ablate.units);
    if (s.ablate.mean_over && !means) throw badInput('E_CIRCUIT_EDIT', 'a mean ablation needs its means measured on the model first', undefined, 'use `neurogate run`, which measures them, or give `value:`');
    return { op: 'ablate', target: r, values: means ?? (s.ablate.value === undefined ? undefined : r.units.map(() => s.ablate.value!)) };
  }
  if ('scale' in s) return { op: 'scale', to: await ref(s.scale.layer, s.scale.units), from: s.scale.from, factor: s.scale.factor };
  if ('sign' in s) return { op: 'sign', to: await ref(s.sign.layer, s.sign.units), from: s.sign.from, keep: s.sign.keep };
  if ('rotate' in s) return { op: 'rotate', to: await ref(s.rotate.layer, s.rotate.units), from: s.rotate.from, degrees: s.rotate.degrees };
  // Checked here, where it is opened, as well as at validation: `export --edit` comes this way too.
  if (!s.transplant.model.startsWith('zoo:')) checkPath(path.resolve(dir, s.transplant.model), { what: 'transplant donor model', code: 'MODEL', maxBytes: Infinity, ...inProject(dir, allowOutside) });
  const donor = await loadModel(s.transplant.model, dir, { maxBytes: maxModelBytes });
  const src = await resolveLayer(donor, s.transplant.source_layer ?? s.transplant.layer);
  return { op: 'transplant', to: await ref(s.transplant.layer, s.transplant.units), source: donor.net.model, sourceTensor: src.tensor };
}
