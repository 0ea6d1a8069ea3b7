// Tuning surfaces of every unit of one layer over an orientation × radius sweep, for any model: the
// layer scan of the neuron probes (same placement, crop and stimuli), run on its own engine when
// the model is not the one the runner gave the probe (the hand-built network and its ablations).
import type { ConcreteDevice } from '../engine/session.ts';
import type { ImportedModel } from '../models/types.ts';
import { resolveLayer } from '../models/catalog.ts';
import { createActivationCache } from '../probe/cache.ts';
import { createForwardEngine, type ForwardEngine } from '../probe/forward.ts';
import { scanLayer, type ScanLayer, type ScanResult } from '../probes/neuron/scan.ts';
import type { StimulusInput, SweepSpec } from '../stimuli/index.ts';
import { badInput } from '../errors.ts';

export interface LayerSweep {
  layer: string;
  angles: number[];
  /** Values of the second swept parameter (radius), or [NaN] when only orientation is swept. */
  radii: number[];
  /** curves[unit][radiusIndex][angleIndex], every unit of the layer. */
  curves: number[][][];
  scan: ScanResult;
}

export interface SweepRequest {
  stimulus: StimulusInput;
  /** Must sweep orientation; one more axis (radius) is allowed. */
  sweep: SweepSpec;
  /** Clutter backgrounds for the scan's statistics (default 8; the comparison itself does not use them). */
  clutter?: { count: number; strokes: number; seed: number };
}

/** Sweep a layer (by name, or as the catalog resolved it) through an engine the caller already has. */
export async function sweepLayer(engine: ForwardEngine, layerRef: string | ScanLayer, req: SweepRequest): Promise<LayerSweep> {
  const layer = typeof layerRef === 'string' ? await resolveLayer(engine.model, layerRef) : layerRef;
  if (layer.shape.length !== 3) {
    throw badInput('E_REIMPL_LAYER', `layer "${layer.name}" has shape [${layer.shape}], not a spatial map of units`, engine.model.net.where, 'pick a convolutional layer');
  }
  const scan = await scanLayer({ layer, stimulus: req.stimulus, sweep: req.sweep, clutter: req.clutter }, engine);
  return { layer: layer.name, angles: scan.angles, radii: scan.axis?.values ?? [Number.NaN], curves: scan.curves, scan };
}

/** Sweep a layer of a model on a fresh engine of its own (small models: the hand-built network). */
export function sweepModel(model: ImportedModel, layerName: string, req: SweepRequest, device: ConcreteDevice = 'cpu', batchSize = 32): Promise<LayerSweep> {
  const engine = createForwardEngine(model, device, { cache: createActivationCache(64 * 1024 ** 2), batchSize });
  return sweepLayer(engine, layerName, req);
}
