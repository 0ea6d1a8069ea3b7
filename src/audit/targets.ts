// What a suite reads from its model, found in its prepared entries: the units each entry measures
// (aims for the targeted mutants) and every tensor it reads by channel (off limits to the
// equivalent channel permutation, which would renumber them).
import type { ImportedModel } from '../models/types.ts';
import type { PreparedSuite } from '../run/prepare.ts';
import type { EntryTarget } from './mutants/types.ts';

interface LayerLike { name?: string; tensor?: string; preActivation?: string }

/** The layer and units a probe's parameters measure, looking through circuit and reimpl wrappers. */
function layerUnits(params: unknown): { layer: LayerLike; units: number[] } | undefined {
  if (!params || typeof params !== 'object') return undefined;
  const p = params as Record<string, unknown>;
  if ('innerParams' in p) return layerUnits(p.innerParams);
  if (p.trained && typeof p.trained === 'object') return layerUnits(p.trained);
  const layer = p.layer as LayerLike | undefined;
  if (layer && typeof layer.tensor === 'string' && Array.isArray(p.units) && p.units.length) return { layer, units: (p.units as number[]).slice() };
  return undefined;
}

export function targetsOf(suite: PreparedSuite): EntryTarget[] {
  return suite.entries.flatMap((e) => {
    const found = layerUnits(e.params);
    return found ? [{ entry: e.plan.id, layer: found.layer.name ?? found.layer.tensor!, tensor: found.layer.tensor!, units: found.units }] : [];
  });
}

/**
 * Every IR tensor named anywhere in the entries' parameters and spec entries (layer names through
 * the model's aliases): generous on purpose, since protecting one tensor too many only narrows the
 * permutation's choice.
 */
export function protectedTensorsOf(suite: PreparedSuite, model: ImportedModel): Set<string> {
  const graph = model.net.model.graph;
  const names = new Set(graph.node.flatMap((n) => n.output));
  const out = new Set<string>();
  const add = (s: string) => {
    if (names.has(s)) out.add(s);
    const alias = model.layerAliases?.[s.replace(/:preact$/, '')];
    if (alias) {
      out.add(alias.tensor);
      if (alias.preActivation) out.add(alias.preActivation);
    }
  };
  const walk = (v: unknown, depth: number) => {
    if (depth > 8 || v === null || v === undefined) return;
    if (typeof v === 'string') add(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
    else if (typeof v === 'object' && !ArrayBuffer.isView(v)) {
      for (const [k, x] of Object.entries(v)) if (k !== 'original' && k !== 'image' && k !== 'images' && k !== 'model') walk(x, depth + 1);
    }
  };
  for (const e of suite.entries) {
    walk(e.params, 0);
    walk(e.plan.at.entry, 0);
  }
  return out;
}
