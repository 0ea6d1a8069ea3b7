// `neurogate layers <model>`: every layer a user can name, its shape, and for concats the
// channel range of each branch (so `mixed2:79` can be traced to its branch).
import { parse } from './args.ts';
import { loadModel } from '../models/load.ts';
import { listLayers, type LayerInfo } from '../models/catalog.ts';
import { badInput, EXIT } from '../errors.ts';
// Entry kinds bring zoo models of their own (zoo:reimpl-curves): register them before a model is named.
import '../kinds/index.ts';

const USAGE = 'neurogate layers <model> [--json] [--filter <regex>]';

export async function layersCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, filter: { type: 'string' } }, USAGE);
  if (positionals.length !== 1) throw badInput('E_ARGS', 'give exactly one model', undefined, `usage: ${USAGE}`);
  const model = await loadModel(positionals[0]);
  let layers = await listLayers(model);
  if (values.filter) {
    let re: RegExp;
    try { re = new RegExp(values.filter); } catch (e) { throw badInput('E_ARGS', `--filter is not a valid regex: ${(e as Error).message}`); }
    layers = layers.filter((l) => re.test(l.name));
  }
  if (values.json) {
    console.log(JSON.stringify({
      model: positionals[0],
      hash: model.net.hash,
      input: model.input,
      preprocess: model.preprocess,
      logits: model.logits,
      probabilities: model.probabilities,
      labels: model.labels,
      layers,
    }, null, 2));
  } else {
    console.log(formatLayers(positionals[0], model.input, layers));
  }
  return EXIT.pass;
}

export function formatLayers(ref: string, input: { name: string; channels: number; height: number; width: number }, layers: LayerInfo[]): string {
  const rows = layers.map((l) => [l.name, l.op, `[${l.shape.join(', ')}]`, branchText(l)]);
  const head = ['layer', 'op', 'shape (no batch)', 'concat branches (channels)'];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const fmt = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [
    `${ref}: input "${input.name}" [N, ${input.channels}, ${input.height}, ${input.width}], ${layers.length} layers`,
    fmt(head),
    ...rows.map(fmt),
  ].join('\n');
}

function branchText(l: LayerInfo): string {
  return l.branches?.map((b) => `${b.name} ${b.from}–${b.to - 1}`).join(', ') ?? '';
}
