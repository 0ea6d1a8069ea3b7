// kind → probe. Adding a probe = one file under src/probes, one line here, and how its spec
// entry becomes the probe's plain parameters (the `prepare` of its entry kind, in this folder).
import { NeurogateError } from '../errors.ts';
import { activationProbe } from '../probes/neuron/activation.ts';
import type { SpecEntry } from '../spec/load.ts';
import type { Probe } from './probe.ts';

const PROBES: Record<string, Probe<never>> = {
  [activationProbe.kind]: activationProbe as Probe<never>,
};

/** Which probe an entry asks for. `neurons` entries without a probe-specific block are plain activations. */
export function probeKindOf(at: SpecEntry): string {
  switch (at.kind) {
    case 'neurons':
      return activationProbe.kind;
  }
}

export function probeOf(kind: string): Probe<unknown> {
  const p = PROBES[kind];
  if (!p) throw new NeurogateError(`no probe registered for kind "${kind}"`, { code: 'E_INTERNAL_PROBE', kind: 'internal' });
  return p as Probe<unknown>;
}

export function probeKinds(): string[] {
  return Object.keys(PROBES).sort();
}
