// The quick scan behind `neurogate init`: a few early layers ranked for curves and for lines (the
// scan probe, coarse steps), and the best curve unit and the best line (edge) unit picked from them.
import type { ConcreteDevice } from '../engine/session.ts';
import type { LayerInfo } from '../models/catalog.ts';
import type { ImportedModel } from '../models/types.ts';
import { defaultSweep, scanLayer, type ScanRow } from '../probes/neuron/scan.ts';
import { placementFor } from '../probes/neuron/responses.ts';
import { createActivationCache } from '../probe/cache.ts';
import { createForwardEngine } from '../probe/forward.ts';
import type { RgbImage } from '../stimuli/image.ts';
import type { StimulusInput, SweepSpec } from '../stimuli/index.ts';

/** Orientation step of init's scans and of the entries it writes: 36 directions round the circle. */
export const STEP_DEG = 10;

export interface FoundUnit {
  kind: 'curve' | 'line';
  layer: LayerInfo;
  unit: number;
  /** The row of the scan that found it (score, peak, echo …). */
  row: ScanRow;
  /** Its rank among the units of its layer in that scan. */
  rank: number;
  /** The `stimulus:` block of the entry that measures it: an orientation sweep at the unit's best radius. */
  stimulus: Record<string, Record<string, unknown>>;
}

export interface UnitScan {
  layers: string[];
  curve?: FoundUnit;
  line?: FoundUnit;
  seconds: number;
  stimuli: number;
}

/** A curve unit has to beat this echo (response 180° away ÷ peak) to count as a curve rather than a line. */
const CURVE_MAX_ECHO = 0.5;

export async function scanForUnits(model: ImportedModel, layers: readonly LayerInfo[], device: ConcreteDevice, photos: readonly { label: string; image: RgbImage }[]): Promise<UnitScan> {
  const t0 = performance.now();
  const engine = createForwardEngine(model, device, { cache: createActivationCache(256 * 1024 ** 2), batchSize: 16 });
  const size = Math.min(model.preprocess.width, model.preprocess.height);
  const orientation = { from: 0, to: 360, step: STEP_DEG };
  let curve: FoundUnit | undefined;
  const lineCandidates: FoundUnit[] = [];
  let stimuli = 0;
  for (const layer of layers) {
    const place = await placementFor(model, layer);
    const curveSweep: SweepSpec = { ...defaultSweep(place, size), orientation };
    const images = photos.length ? photos : undefined;
    const curves = await scanLayer({ layer, stimulus: { kind: 'curve' } as StimulusInput, sweep: curveSweep, images }, engine);
    const lines = await scanLayer({ layer, stimulus: { kind: 'line' } as StimulusInput, sweep: { orientation }, images }, engine);
    stimuli += curves.stimuli + lines.stimuli;
    const c = curves.rows.find((r) => r.score > 0 && r.echo !== null && r.echo <= CURVE_MAX_ECHO && r.best !== undefined);
    if (c && (!curve || c.score > curve.row.score)) {
      curve = { kind: 'curve', layer, unit: c.unit, row: c, rank: c.rank, stimulus: { curve: { orientation, radius: c.best } } };
    }
    for (const l of lines.rows.slice(0, 2).filter((r) => r.score > 0)) {
      lineCandidates.push({ kind: 'line', layer, unit: l.unit, row: l, rank: l.rank, stimulus: { line: { orientation } } });
    }
  }
  // Two entries on one unit would say the same thing twice: the line entry takes the best other unit.
  const line = lineCandidates
    .filter((l) => !(curve && l.layer.tensor === curve.layer.tensor && l.unit === curve.unit))
    .sort((a, b) => b.row.score - a.row.score)[0];
  return { layers: layers.map((l) => l.name), curve, line, seconds: (performance.now() - t0) / 1000, stimuli };
}
