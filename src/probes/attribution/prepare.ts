// How a `masks` entry becomes the attribution probe's plain parameters on a given model: images
// decoded, the target's class labels and layers resolved, the method block turned into options,
// and the entry's seed handed to stochastic methods that do not set their own.
import { isNeurogateError } from '../../errors.ts';
import { resolveLayer } from '../../models/catalog.ts';
import type { ImportedModel } from '../../models/types.ts';
import { masksImages } from './dataset.ts';
import { loadFileMaps, prepareCommand } from './file-maps/prepare.ts';
import { methodFromSpec, targetFromSpec, type MaskParams } from './probe.ts';
import { methodNamed } from './methods/index.ts';
import { maskMetrics } from './metrics/index.ts';
import { metricOptions } from './metric.ts';
import { MAXPOOL_TIES_DEFAULT, measuredBy, type MaskEntry } from './schema.ts';
import type { SpecIssue } from '../../suite/issues.ts';
import type { EntryToPrepare, ImageSource } from '../../probe/kind.ts';

export async function prepareMasks(pe: EntryToPrepare<MaskEntry>, model: ImportedModel, images: ImageSource, issues: SpecIssue[], role = '', policy: { allowOutside?: boolean } = {}): Promise<MaskParams | undefined> {
  const { spec, at } = pe;
  const e = at.entry;
  const p = at.path;
  const suffix = role ? ` (${role})` : '';
  const before = issues.length;

  const ds = masksImages(spec, p, e, images, model.preprocess, model.labels, policy, pe.part);
  // The suite's class names (or a generated source's) name the model's classes for targets and reports.
  if (ds?.labels && ds.labels !== model.labels) model = { ...model, labels: [...ds.labels] };

  let target: MaskParams['target'] | undefined;
  try {
    target = await targetFromSpec(model, e.target, spec.where([...p, 'target']), spec);
  } catch (err) {
    if (!isNeurogateError(err) || err.kind !== 'bad_input') throw err;
    issues.push(spec.issue([...p, 'target'], `${err.message}${suffix}`, err.hint));
  }
  const unitSpec = e.target && typeof e.target === 'object' ? ('unit' in e.target ? e.target.unit : 'channel' in e.target && typeof e.target.channel === 'object' ? e.target.channel : undefined) : undefined;
  if (target && unitSpec) {
    const layer = await resolveLayer(model, unitSpec.layer);
    const channels = layer.shape[0] ?? 0;
    if (unitSpec.unit >= channels) issues.push(spec.issue([...p, 'target'], `unit ${unitSpec.unit} does not exist in layer "${layer.name}"${suffix}: it has ${channels} channels`, `pick a unit in 0..${channels - 1}`));
    const pos = 'position' in unitSpec ? unitSpec.position : undefined;
    if (Array.isArray(pos) && (layer.shape.length < 3 || pos[0] >= layer.shape[1] || pos[1] >= layer.shape[2])) {
      issues.push(spec.issue([...p, 'target'], `position [${pos.join(', ')}] is outside layer "${layer.name}" (shape [${layer.shape.join(', ')}])${suffix}`, 'use a position inside its grid, or "center"'));
    }
  }
  if (target && target !== 'top' && target !== 'label' && (target.kind === 'class' || target.kind === 'contrastive')) {
    const classes = await classCount(model);
    if (classes !== undefined && target.index >= classes) {
      const labels = model.labels?.length ? ` or a label: ${model.labels.join(', ')}` : '';
      issues.push(spec.issue([...p, 'target'], `class ${target.index} does not exist${suffix}: the model has ${classes} classes`, `use 0..${classes - 1}${labels}`));
    }
  }
  if ((target === 'top' || target === 'label' || target?.kind === 'class' || target?.kind === 'contrastive') && !model.logits && !model.probabilities) {
    issues.push(spec.issue([...p, 'target'], `the model has no class output to explain${suffix}`, 'explain a unit or a channel instead: `target: { unit: { layer, unit } }`'));
  }
  if (ds && target === 'label') {
    const bad = ds.info.find((d) => d.classIndex === undefined);
    if (bad) issues.push(spec.issue([...p, 'target'], `\`target: label\`: the class "${bad.className}" of ${bad.label} is not one of the model's labels${suffix}`, 'set `labels:` on the suite to the model’s class names in output order'));
  }
  const measured = measuredBy(e);
  for (const d of maskMetrics()) {
    const asked = measured[d.key];
    const why = target && asked !== undefined && asked !== false ? d.refuses?.(metricOptions(d, asked), { target, classes: await classCount(model), logits: !!model.logits }) : undefined;
    if (why) issues.push(spec.issue([...p, e.properties?.[d.key] !== undefined ? 'properties' : 'measure', d.key], `${why.message}${suffix}`, why.hint));
  }
  const method = methodFromSpec(e.method);
  if (method.name === 'command') prepareCommand(spec, p, e, method.options, issues, suffix);
  const withMaps = ds && method.name === 'file' ? loadFileMaps(spec, p, e, method.options, ds.images, [model.input.channels, model.input.height, model.input.width], issues, suffix) : ds?.images;
  if (issues.length > before || !target || !ds) return undefined;

  // A method that draws random numbers takes the entry's seed unless the spec sets its own (it is echoed in the params).
  if (methodNamed(method.name)?.random && method.options.seed === undefined) method.options.seed = pe.seed;
  return {
    images: withMaps ?? ds.images,
    labels: model.labels,
    aggregate: e.aggregate,
    accuracy: ['top1_accuracy', 'top5_accuracy'].some((k) => k in e.expect || Object.values(e.aggregate ?? {}).some((a) => a.of === k)),
    target,
    method,
    measure: measured,
    maxPoolTies: e.maxpool_ties ?? MAXPOOL_TIES_DEFAULT,
    heatmap: e.heatmap,
  };
}

/** Classes of the model's class output (its labels may be absent, e.g. a plain ONNX file). */
async function classCount(model: ImportedModel): Promise<number | undefined> {
  const out = model.logits ?? model.probabilities;
  if (!out) return model.labels?.length;
  const layer = await resolveLayer(model, out);
  return layer.shape[layer.shape.length - 1] ?? model.labels?.length;
}
