// The layer catalog: every tensor a user can name (the model's own names, e.g. Keras
// `mixed2`), its shape, and for concatenations which channel range each branch occupies.
// Shapes come from one batch-1 run with every tensor tapped, cached on disk by model hash.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { distance } from 'fastest-levenshtein';
import { readGuardedText } from '../io/guarded-fs.ts';
import { topoOrder, attr } from '../engine/graph.ts';
import { run } from '../engine/session.ts';
import { badInput } from '../errors.ts';
import { cacheDir } from './cache.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import type { ImportedModel } from './types.ts';

export interface Branch {
  /** The user-facing name of the layer feeding this slice of the concat. */
  name: string;
  tensor: string;
  /** Channel range [from, to) of the concat output that this branch fills. */
  from: number;
  to: number;
}

export interface LayerInfo {
  name: string;
  tensor: string;
  /** The ONNX op producing it (or the source framework's layer kind when known). */
  op: string;
  /** Shape without the batch axis, e.g. [288, 35, 35]. */
  shape: number[];
  /** Tensor before the fused activation, when the layer has one. */
  preActivation?: string;
  branches?: Branch[];
}

const CATALOG_VERSION = 1;
const memory = new Map<string, Promise<LayerInfo[]>>();

export function listLayers(model: ImportedModel): Promise<LayerInfo[]> {
  const key = catalogKey(model);
  let p = memory.get(key);
  if (!p) {
    p = buildCatalog(model, key);
    memory.set(key, p);
    p.catch(() => memory.delete(key));
  }
  return p;
}

/** A copy of a model with other weights or preprocessing has the same layers: reuse the catalog. */
export function shareCatalog(from: ImportedModel, to: ImportedModel): void {
  const key = catalogKey(to);
  if (!memory.has(key)) memory.set(key, listLayers(from));
}

/**
 * The graph alone does not decide the catalog: its names come from the importer's aliases too
 * (an exported zoo model has the zoo model's graph but none of its Keras names), so both key it.
 */
function catalogKey(model: ImportedModel): string {
  const aliases = JSON.stringify(Object.entries(model.layerAliases ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `${model.net.hash}-${createHash('sha256').update(aliases).digest('hex').slice(0, 16)}`;
}

async function buildCatalog(model: ImportedModel, key: string): Promise<LayerInfo[]> {
  const file = path.join(cacheDir(), `catalog-v${CATALOG_VERSION}-${key}.json`);
  try {
    return JSON.parse(readGuardedText(file, { what: 'layer catalog cache', code: 'CACHE', maxBytes: 64 * 2 ** 20, root: cacheDir() })) as LayerInfo[];
  } catch {
    // not cached yet, or damaged: measured again
  }
  const layers = await measureCatalog(model);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeFileAtomic(file, JSON.stringify(layers));
  } catch {
    // a read-only cache only costs speed
  }
  return layers;
}

async function measureCatalog(model: ImportedModel): Promise<LayerInfo[]> {
  const g = model.net.model.graph;
  const nodes = topoOrder(g, model.net.where);
  const tensors = nodes.flatMap((n) => n.output.filter(Boolean));
  const { name, channels, height, width } = model.input;
  const x = { dims: [1, channels, height, width], data: new Float32Array(channels * height * width) };
  const out = await run(model.net, { [name]: x }, tensors);
  const shapes = new Map(tensors.map((t) => [t, out[t].dims.slice(1)]));
  shapes.set(name, [channels, height, width]);

  const aliasOf = new Map<string, string>();
  const preAct = new Map<string, string>();
  const kindOf = new Map<string, string>();
  for (const [alias, a] of Object.entries(model.layerAliases ?? {})) {
    aliasOf.set(a.tensor, alias);
    if (a.preActivation) { preAct.set(a.tensor, a.preActivation); aliasOf.set(a.preActivation, `${alias}:preact`); }
    if (a.kind) kindOf.set(a.tensor, a.kind);
  }
  const display = (t: string) => aliasOf.get(t) ?? t;

  const layers: LayerInfo[] = [{ name: display(name), tensor: name, op: 'Input', shape: [channels, height, width] }];
  for (const n of nodes) {
    for (const t of n.output.filter(Boolean)) {
      const info: LayerInfo = { name: display(t), tensor: t, op: kindOf.get(t) ?? n.opType, shape: shapes.get(t) ?? [] };
      if (preAct.has(t)) info.preActivation = preAct.get(t);
      if (n.opType === 'Concat' && (attr<number>(n, 'axis') === 1 || attr<number>(n, 'axis') === -3) && info.shape.length === 3) {
        let from = 0;
        info.branches = n.input.map((i) => {
          const c = shapes.get(i)?.[0] ?? 0;
          const b = { name: display(i), tensor: i, from, to: from + c };
          from += c;
          return b;
        });
      }
      layers.push(info);
    }
  }
  return layers;
}

/** Find a layer by user-facing name or tensor name; a miss suggests the closest names. */
export async function resolveLayer(model: ImportedModel, name: string, where?: string): Promise<LayerInfo> {
  const layers = await listLayers(model);
  const hit = layers.find((l) => l.name === name) ?? layers.find((l) => l.tensor === name);
  if (hit) return hit;
  const close = layers
    .map((l) => ({ n: l.name, d: distance(l.name.toLowerCase(), name.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map((c) => c.n);
  throw badInput('E_NO_LAYER', `layer "${name}" does not exist in ${model.net.where}`, where,
    `did you mean ${close.map((c) => `"${c}"`).join(', ')}? (\`neurogate layers ${model.net.where}\` lists all)`);
}

/** A unit of a layer, given as `layer:unit` or separately; checks the channel exists. */
export async function resolveUnit(model: ImportedModel, layer: string, unit: number, where?: string): Promise<LayerInfo> {
  const info = await resolveLayer(model, layer, where);
  const channels = info.shape[0] ?? 0;
  if (!Number.isInteger(unit) || unit < 0 || unit >= channels) {
    throw badInput('E_NO_UNIT', `unit ${unit} does not exist in layer "${layer}" (it has ${channels} channels: 0..${channels - 1})`, where, 'pick a unit index inside the layer');
  }
  return info;
}
