// What the targeted operators share: one mutant per distinct set of units the suite measures,
// and the weights of a unit when they live in a Gemm (edits.ts handles Conv units).
import { cloneModel, type ModelProto } from '../../engine/onnx.ts';
import { readWeight, replaceWeight } from '../../engine/graph.ts';
import type { ImportedModel } from '../../models/types.ts';
import { derived, slicesAlong, slotOf, type Slot } from './model.ts';
import type { EntryTarget, Mutant, MutantContext, MutantKind } from './types.ts';

/** Targets with the same tensor and units collapse into the first entry that names them. */
export function distinctTargets(targets: readonly EntryTarget[]): EntryTarget[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = `${t.tensor}|${[...t.units].sort((a, b) => a - b).join(',')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One mutant per target: `<name>@<entry>`, its model from `edit` on a private copy. */
export function perTarget(
  ctx: MutantContext, name: string, kind: MutantKind, describe: (t: EntryTarget) => string,
  edit: (m: ModelProto, t: EntryTarget, slots: Slot[], id: string) => ModelProto,
): Mutant[] {
  return distinctTargets(ctx.targets).map((t) => {
    const id = `${name}@${t.entry}`;
    return {
      id, operator: name, kind, description: describe(t),
      apply(model: ImportedModel) {
        const m = cloneModel(model.net.model);
        const slots = t.units.map((u) => slotOf(m, t.tensor, u));
        return derived(model, id, edit(m, t, slots, id));
      },
    };
  });
}

/** Apply f to the weights feeding each slot's channel and to its bias entry (Gemm units). */
export function mapSlotWeights(m: ModelProto, slots: readonly Slot[], f: (v: number) => number, bias?: (v: number) => number): ModelProto {
  for (const s of slots) {
    const w = readWeight(m, s.weight);
    for (const i of slicesAlong(w.dims, s.outAxis)[s.channel]) w.data[i] = f(w.data[i]);
    replaceWeight(m, s.weight, w);
    if (bias && s.bias) {
      const b = readWeight(m, s.bias);
      if (b.data.length > s.channel) {
        b.data[s.channel] = bias(b.data[s.channel]);
        replaceWeight(m, s.bias, b);
      }
    }
  }
  return m;
}

/** A Conv unit that circuit edits handle (they refuse grouped and depthwise convolutions). */
export const isConvSlot = (s: Slot) => s.node.opType === 'Conv' && !s.grouped;

/** A unit's output held at zero wherever its weights live: kernel slice and bias to 0, and its BatchNorm scale and shift to 0. */
export function zeroSlots(m: ModelProto, slots: readonly Slot[]): ModelProto {
  mapSlotWeights(m, slots, () => 0, () => 0);
  for (const s of slots) {
    for (const name of (s.bn ?? []).slice(0, 2)) {
      const v = readWeight(m, name);
      v.data[s.channel] = 0;
      replaceWeight(m, name, v);
    }
  }
  return m;
}

/** Apply f to every [kh, kw] kernel feeding each slot's channel (grouped convolutions included). */
export function mapSlotKernels(m: ModelProto, slots: readonly Slot[], f: (k: Float32Array, kh: number, kw: number) => Float32Array): ModelProto {
  for (const s of slots) {
    const w = readWeight(m, s.weight);
    const [, cin, kh, kw] = w.dims;
    for (let i = 0; i < cin; i++) {
      const at = (s.channel * cin + i) * kh * kw;
      w.data.set(f(w.data.slice(at, at + kh * kw), kh, kw), at);
    }
    replaceWeight(m, s.weight, w);
  }
  return m;
}
