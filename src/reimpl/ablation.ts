// The inhibition ablation: the hand-built curves measured three ways — as built, rebuilt with the
// inhibition parameter at 0, and with the circuit edit "keep only positive weights" applied to the
// emitted model's curve weights — so the echo's rise is measured, never assumed.
import { cloneModel } from '../engine/onnx.ts';
import { readWeight, replaceWeight } from '../engine/graph.ts';
import { makeNet } from '../engine/net.ts';
import type { ConcreteDevice } from '../engine/session.ts';
import type { ImportedModel } from '../models/types.ts';
import { tuning2d } from '../probes/neuron/tuning.ts';
import { buildCurveNet, WEIGHTS, type CurveNet } from './network.ts';
import type { CurveNetParams } from './params.ts';
import { sweepModel, type LayerSweep, type SweepRequest } from './measure.ts';

/** A copy of the model whose named weights have every negative value set to 0 (the circuits edit `keep: positive`). */
export function keepPositive(model: ImportedModel, weights: readonly string[]): ImportedModel {
  const m = cloneModel(model.net.model);
  for (const name of weights) {
    const w = readWeight(m, name);
    replaceWeight(m, name, { dims: w.dims, data: w.data.map((v) => (v > 0 ? v : 0)) });
  }
  return { ...model, net: makeNet(m, `${model.net.where} (keep positive: ${weights.join(', ')})`) };
}

export interface VariantResult {
  name: 'built' | 'no-inhibition' | 'keep-positive';
  description: string;
  /** Per curve unit, at its best radius. */
  echo: (number | null)[];
  peak: number[];
  meanEcho: number;
  meanPeak: number;
  sweep: LayerSweep;
}

export interface AblationResult {
  variants: VariantResult[];
  /** Mean echo without the inhibition parameter − as built. */
  echoIncrease: number;
  /** Mean echo with only positive curve weights − as built. */
  keepPositiveEchoIncrease: number;
  /** |keep-positive mean echo − no-inhibition mean echo|: how closely the edit reproduces the parameter. */
  editVsParameter: number;
}

const mean = (v: readonly number[]) => (v.length ? v.reduce((s, x) => s + x, 0) / v.length : Number.NaN);

function summarize(name: VariantResult['name'], description: string, sweep: LayerSweep): VariantResult {
  const t = sweep.curves.map((c) => tuning2d(sweep.angles, sweep.radii, c).best);
  const echo = t.map((m) => m.echo);
  // A unit without a positive peak has no echo; the mean takes it as 1 (nothing left to tell the directions apart).
  return { name, description, echo, peak: t.map((m) => m.peak), meanEcho: mean(echo.map((e) => (e === null ? 1 : e))), meanPeak: mean(t.map((m) => m.peak)), sweep };
}

/**
 * Measure the curves layer as built, with `curves.inhibition` = 0, and with keep-positive on its
 * weights. A caller that already built the network (`net`) or swept its curves with the same
 * request (`built`) passes them in.
 */
export async function inhibitionAblation(params: CurveNetParams, req: SweepRequest, device: ConcreteDevice = 'cpu', built?: LayerSweep, prebuilt?: CurveNet): Promise<AblationResult> {
  const net = prebuilt ?? buildCurveNet(params);
  const asBuilt = built ?? (await sweepModel(net.model, 'curves', req, device));
  const noInhibition = buildCurveNet({ ...params, curves: { ...params.curves, inhibition: 0 } }, 'zoo:reimpl-curves (curves.inhibition 0)');
  const off = await sweepModel(noInhibition.model, 'curves', req, device);
  const edited = await sweepModel(keepPositive(net.model, [WEIGHTS.curves]), 'curves', req, device);
  const variants = [
    summarize('built', `as built (curves.inhibition ${params.curves.inhibition})`, asBuilt),
    summarize('no-inhibition', 'rebuilt with curves.inhibition 0', off),
    summarize('keep-positive', `keep only positive weights of ${WEIGHTS.curves}`, edited),
  ];
  return {
    variants,
    echoIncrease: variants[1].meanEcho - variants[0].meanEcho,
    keepPositiveEchoIncrease: variants[2].meanEcho - variants[0].meanEcho,
    editVsParameter: Math.abs(variants[2].meanEcho - variants[1].meanEcho),
  };
}
