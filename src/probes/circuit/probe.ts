// The probe behind `circuits:` entries: the measurement's own probe (activation, tuning or feature
// visualization) run on whichever model the engine holds — edited or original — plus weight views.
import type { Probe, ProbeOutput } from '../../probe/probe.ts';
import type { ForwardEngine } from '../../probe/forward.ts';
import type { Rng } from '../../util/rng.ts';
import type { ModelProto } from '../../engine/onnx.ts';
import { activationProbe, ACTIVATION_METRICS } from '../neuron/activation.ts';
import { tuningProbe, TUNING_METRICS } from '../neuron/tuning-probe.ts';
import { featureVizProbe, FEATUREVIZ_METRICS } from '../neuron/featureviz-probe.ts';
import { weightArtifacts } from './weights.ts';

export interface CircuitParams {
  /** Kind of the measurement's probe (`neurons.tuning`, …) and its prepared parameters. */
  inner: string;
  innerParams: unknown;
  /** Which model this task runs on, for captions: `edited` or `original`. */
  role: 'edited' | 'original';
  /** The edits as written (recorded in the report's params). */
  edits: unknown[];
  views: { tensor: string; unit: number }[];
  /** On the edited run: the original IR, so the report shows weights before and after side by side. */
  original?: ModelProto;
}

const INNER: Record<string, Probe<never>> = {
  [activationProbe.kind]: activationProbe as Probe<never>,
  [tuningProbe.kind]: tuningProbe as Probe<never>,
  [featureVizProbe.kind]: featureVizProbe as Probe<never>,
};

export const circuitProbe: Probe<CircuitParams> = {
  kind: 'circuits',
  metrics: [...ACTIVATION_METRICS, ...TUNING_METRICS, ...FEATUREVIZ_METRICS],
  run: measureCircuit,
};

export async function measureCircuit(p: CircuitParams, engine: ForwardEngine, rng: Rng): Promise<ProbeOutput> {
  const out = await INNER[p.inner].run(p.innerParams as never, engine, rng);
  // The report keeps the edited run's artifacts: it renders both models' weights.
  const views = p.role === 'edited'
    ? p.views.flatMap((v) => [
      ...weightArtifacts(engine.model.net.model, v.tensor, v.unit, 'edited'),
      ...(p.original ? weightArtifacts(p.original, v.tensor, v.unit, 'original') : []),
    ])
    : [];
  const artifacts = [...views, ...(out.artifacts ?? [])];
  return { ...out, artifacts, params: { ...out.params, probe: p.inner, edits: p.edits, model: p.role } };
}
