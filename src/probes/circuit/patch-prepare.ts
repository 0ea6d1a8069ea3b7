// How a `circuits` entry with `patch:` becomes the patching probe's parameters: layers and units
// checked against the model's shapes, the path layer checked to lie downstream, the image pairs
// decoded, and the target resolved in the one target vocabulary attribution uses.
import path from 'node:path';
import { isNeurogateError } from '../../errors.ts';
import { resolveLayer } from '../../models/catalog.ts';
import type { ImportedModel } from '../../models/types.ts';
import { dependsOn } from '../../engine/patch.ts';
import { toModelInput, type RgbImage } from '../../stimuli/image.ts';
import type { EntryToPrepare, PrepareContext } from '../../probe/kind.ts';
import type { PathSegment } from '../../suite/yaml.ts';
import { checkTarget } from '../attribution/target.ts';
import { targetFromSpec } from '../attribution/probe.ts';
import type { PatchLayer, PatchParams } from './patch.ts';
import type { CircuitEntry, PatchSpec } from './schema.ts';

type PatchEntry = CircuitEntry & { patch: PatchSpec };

export async function preparePatch(pe: EntryToPrepare<PatchEntry>, model: ImportedModel, ctx: PrepareContext): Promise<PatchParams | undefined> {
  const { spec, at } = pe;
  const s = at.entry.patch;
  const p = [...at.path, 'patch'];
  const before = ctx.issues.length;
  const issue = (where: PathSegment[], message: string, hint?: string) => ctx.issues.push(spec.issue([...p, ...where], message, hint));
  /** Resolve a layer; a bad_input error becomes an issue at `where`. */
  const attempt = async <T>(where: PathSegment[], f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch (err) {
      if (!isNeurogateError(err) || err.kind !== 'bad_input') throw err;
      issue(where, err.message, err.hint);
      return undefined;
    }
  };

  const layer = await attempt(['layer'], () => patchLayer(model, s.layer, s.units, ['units'], issue));
  const via = s.path ? await attempt(['path', 'layer'], () => patchLayer(model, s.path!.layer, s.path!.units, ['path', 'units'], issue)) : undefined;
  const g = model.net.model.graph!;
  if (layer && via && (via.tensor === layer.tensor || !dependsOn(g, via.tensor, layer.tensor))) {
    issue(['path', 'layer'], `"${s.path!.layer}" does not lie downstream of "${s.layer}": no path from the patched units runs through it`, 'path patching needs a later layer that the patched layer feeds');
  }

  let target = await attempt(['target'], () => targetFromSpec(model, s.target, spec.where([...p, 'target']), spec));
  if (target === 'label') {
    issue(['target'], '`target: label` needs image labels, which patching pairs do not have', 'use `top` (the clean image’s class) or `{ class: … }`');
    target = undefined;
  }
  if (target !== undefined && target !== 'top' && target.kind === 'detection') {
    issue(['target'], 'a detection target is chosen on one unperturbed image, and patching has two (clean and corrupted)', 'target the detection\'s score as an element: `{ tensor: <scores>, index: [detection, class] }`');
    target = undefined;
  }
  const classTarget = target === 'top' || target?.kind === 'class' || target?.kind === 'contrastive';
  if (classTarget && !model.logits) issue(['target'], 'the model names no logits to score a class on', 'target a unit or a channel: `target: { unit: { layer, unit } }`');
  if (s.score === 'probability' && target !== undefined && target !== 'top' && target.kind !== 'class') issue(['score'], `a probability is defined for class targets, not for a ${target.kind} target`, 'use `score: raw`');
  const targetTensor = target === undefined ? undefined : target === 'top' || target.kind === 'class' || target.kind === 'contrastive' ? model.logits : target.tensor;
  if (target && targetTensor) {
    await attempt(['target'], async () => {
      const dims = (await resolveLayer(model, targetTensor)).shape;
      if (target !== 'top') checkTarget(target!, dims, spec.where([...p, 'target']));
    });
    if (layer && !dependsOn(g, targetTensor, layer.tensor)) issue(['target'], `the target does not depend on "${s.layer}": patching it cannot move the target`, 'target a class or a unit after the patched layer');
  }

  const decode = (key: 'from' | 'into') => s[key].map((f, i) => ctx.images(path.resolve(spec.dir, f), [...p, key, i]));
  const clean = decode('from');
  const corrupted = decode('into');
  const n = Math.max(clean.length, corrupted.length);
  if (clean.length !== corrupted.length && clean.length !== 1 && corrupted.length !== 1) {
    issue(['into'], `${clean.length} clean (from) and ${corrupted.length} corrupted (into) images do not pair up`, 'give lists of the same length (pairs by position), or one image on either side');
  }
  if (ctx.issues.length > before || !layer || !target || !targetTensor || clean.some((x) => !x) || corrupted.some((x) => !x)) return undefined;
  const input = (img: RgbImage | undefined) => toModelInput(img!, model.preprocess);
  const pick = <T>(xs: T[], i: number) => xs[xs.length === 1 ? 0 : i];
  const pairs = Array.from({ length: n }, (_, i) => ({
    clean: input(pick(clean, i)),
    corrupted: input(pick(corrupted, i)),
    label: `${path.basename(pick(s.from, i))} → ${path.basename(pick(s.into, i))}`,
  }));
  return { layer, path: via, pairs, target, score: s.score ?? 'raw', targetTensor, labels: model.labels };
}

/** A layer and its units (`all`, a list or a range) checked against its channel count. */
async function patchLayer(model: ImportedModel, name: string, units: PatchSpec['units'], at: PathSegment[], issue: (where: PathSegment[], message: string, hint?: string) => void): Promise<PatchLayer> {
  const info = await resolveLayer(model, name);
  const C = info.shape[0] ?? 0;
  const hint = `"${name}" has ${C} channels: pick units in 0..${C - 1}`;
  let list: number[];
  if (units === 'all') list = Array.from({ length: C }, (_, i) => i);
  else if (Array.isArray(units)) {
    units.forEach((u, i) => {
      if (u >= C) issue([...at, i], `unit ${u} does not exist in "${name}"`, hint);
    });
    list = [...new Set(units)].sort((a, b) => a - b);
  } else {
    if (units.to > C) issue([...at, 'to'], `units up to ${units.to - 1} do not all exist in "${name}"`, hint);
    if (units.to <= units.from) issue([...at, 'to'], `the range ${units.from}..${units.to} is empty (to is excluded)`, 'give to > from');
    list = Array.from({ length: Math.max(0, units.to - units.from) }, (_, i) => units.from + i);
  }
  return { name, tensor: info.tensor, itemDims: [...info.shape], units: list.filter((u) => u < C) };
}
