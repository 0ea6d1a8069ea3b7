// The one list of entry kinds. Everything that depends on which kinds exist (the suite schema, the
// loader, the planner, preparation, the shard cost model, reports) iterates this list; adding a
// kind is its folder plus one line here.
import { NeurogateError } from '../errors.ts';
import { registerZooModel } from '../models/zoo/index.ts';
import type { EntryKind } from '../probe/kind.ts';
import type { EntryBase } from '../suite/spec.ts';
import type { Probe } from '../probe/probe.ts';
import { neuronsKind } from '../probes/neuron/kind.ts';
import { masksKind } from '../probes/attribution/kind.ts';
import { circuitsKind } from '../probes/circuit/kind.ts';
import { reimplKind } from '../reimpl/kind.ts';
import { compareKind } from '../compare/kind.ts';
import { generatorsKind } from '../generators/kind.ts';
import { conceptsKind } from '../probes/concepts/kind.ts';
import { adversarialKind } from '../probes/adversarial/kind.ts';

const kinds: EntryKind[] = [];

/**
 * Adds a kind after the built-in ones (a plug-in, or a test's own kind): its list key becomes valid
 * in specs and its probes runnable. Registering a key twice is a programming error.
 */
export function registerEntryKind<E extends EntryBase>(kind: EntryKind<E>): void {
  const k = kind as unknown as EntryKind;
  if (kinds.some((x) => x.key === k.key)) throw new NeurogateError(`entry kind "${k.key}" is registered twice`, { code: 'E_INTERNAL_KIND', kind: 'internal' });
  kinds.push(k);
  for (const m of k.zooModels ?? []) registerZooModel(m);
  version++;
}

let version = 0;

/** Every kind, in the order suites list them and reports show them. */
export function entryKinds(): readonly EntryKind[] {
  return kinds;
}

/** Changes whenever a kind is registered (for what is built from the list once). */
export function kindsVersion(): number {
  return version;
}

export function entryKind(key: string): EntryKind {
  const k = kinds.find((x) => x.key === key);
  if (!k) throw new NeurogateError(`no entry kind "${key}"`, { code: 'E_INTERNAL_KIND', kind: 'internal' });
  return k;
}

/** The probe named `kind` (`masks.attribution`…), from whichever entry kind runs it. */
export function probeOf(kind: string): Probe<unknown> {
  for (const k of kinds) {
    const p = k.probes.find((x) => x.kind === kind);
    if (p) return p as Probe<unknown>;
  }
  throw new NeurogateError(`no probe registered for kind "${kind}"`, { code: 'E_INTERNAL_PROBE', kind: 'internal' });
}

registerEntryKind(neuronsKind);
registerEntryKind(masksKind);
registerEntryKind(circuitsKind);
registerEntryKind(reimplKind);
registerEntryKind(compareKind);
registerEntryKind(generatorsKind);
registerEntryKind(conceptsKind);
registerEntryKind(adversarialKind);
