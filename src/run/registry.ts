// kind → probe. Adding a probe = one file under src/probes, one line here, and how its spec
// entry becomes the probe's plain parameters (the `prepare` of its entry kind, in this folder).
import { NeurogateError } from '../errors.ts';
import { activationProbe } from '../probes/neuron/activation.ts';
import { tuningProbe } from '../probes/neuron/tuning-probe.ts';
import { featureVizProbe } from '../probes/neuron/featureviz-probe.ts';
import type { SpecEntry } from '../suite/load.ts';
import type { NeuronEntry } from '../suite/schema/neuron.ts';
// circuits: begin
import { circuitProbe } from '../probes/circuit/probe.ts';
import { reimplProbe } from '../reimpl/probe.ts';
// circuits: end
import { masksProbe } from '../probes/attribution/probe.ts';
import type { Probe } from '../probe/probe.ts';

const PROBES: Record<string, Probe<never>> = {
  [activationProbe.kind]: activationProbe as Probe<never>,
  [tuningProbe.kind]: tuningProbe as Probe<never>,
  [featureVizProbe.kind]: featureVizProbe as Probe<never>,
  [masksProbe.kind]: masksProbe as Probe<never>,
  [circuitProbe.kind]: circuitProbe as Probe<never>,
  [reimplProbe.kind]: reimplProbe as Probe<never>,
};

/** Which probe an entry asks for. `neurons` entries without a probe-specific block are plain activations. */
export function probeKindOf(at: SpecEntry): string {
  switch (at.kind) {
    case 'neurons':
      return measureKindOf(at.entry);
    case 'masks':
      return masksProbe.kind;
    // circuits: the edited-vs-original wrapper around the measurement's own probe
    case 'circuits':
      return circuitProbe.kind;
    case 'reimpl':
      return reimplProbe.kind;
  }
}

/** The probe a neurons entry (or a circuit's `measure:` block) asks for. */
export function measureKindOf(e: Pick<NeuronEntry, 'tuning' | 'featureviz'>): string {
  if (e.tuning) return tuningProbe.kind;
  if (e.featureviz) return featureVizProbe.kind;
  return activationProbe.kind;
}

export function probeOf(kind: string): Probe<unknown> {
  const p = PROBES[kind];
  if (!p) throw new NeurogateError(`no probe registered for kind "${kind}"`, { code: 'E_INTERNAL_PROBE', kind: 'internal' });
  return p as Probe<unknown>;
}

export function probeKinds(): string[] {
  return Object.keys(PROBES).sort();
}
