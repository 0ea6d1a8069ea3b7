// Activation patching, the circuits analogue of TransformerLens's: run a corrupted image with some
// units of a layer replaced by their activations on a clean image, and score a target. Path
// patching restricts the patch to the paths that pass through chosen units of a later layer.
import type { Probe, ProbeOutput } from '../../probe/probe.ts';
import type { ForwardEngine } from '../../probe/forward.ts';
import type { Artifact } from '../../probe/measurement.ts';
import { run, type ConcreteDevice } from '../../engine/session.ts';
import { makeNet } from '../../engine/net.ts';
import { patchedModel, type PatchedModel } from '../../engine/patch.ts';
import { concatBatch, splitBatch, type Tensor } from '../../engine/tensor.ts';
import { describeTarget, probabilitiesOf, scoresOf } from '../attribution/target.ts';
import type { Target } from '../attribution/types.ts';

/** A layer's units as the probe patches them: the IR tensor, its item shape [C, …] and the channels. */
export interface PatchLayer {
  /** The name the spec wrote (for the report). */
  name: string;
  tensor: string;
  itemDims: number[];
  units: number[];
}

/** What is scored: a raw target value, or the softmax probability of a class target. */
export type PatchScore = 'raw' | 'probability';

export interface PatchParams {
  layer: PatchLayer;
  /** Path patching: the patch at `layer` reaches the target only through these units. */
  path?: PatchLayer;
  /** Image pairs: the clean source (`from`) and the corrupted target (`into`), as model inputs [1, C, H, W]. */
  pairs: { clean: Tensor; corrupted: Tensor; label: string }[];
  /** `top`: the class the model predicts for each pair's clean image. */
  target: Target | 'top';
  score: PatchScore;
  /** The tensor the target reads (the logits for class targets). */
  targetTensor: string;
  labels?: string[];
}

export const PATCH_METRICS = [
  'patch.effect', 'patch.recovered', 'patch.clean', 'patch.corrupted', 'patch.patched',
  'patch.effect_mean', 'patch.recovered_mean',
] as const;

export const patchProbe: Probe<PatchParams> = {
  kind: 'circuits.patch',
  metrics: PATCH_METRICS,
  run: (p, engine) => measurePatch(p, engine),
};

/** Per pair: the target's score on the clean, the corrupted and the patched run. */
export interface PatchScores {
  clean: number[];
  corrupted: number[];
  patched: number[];
  targets: Target[];
}

/**
 * The fraction of the clean − corrupted gap the patch recovers; undefined where there is no gap
 * to recover (|gap| ≤ 1e-6 of the larger score, at least 1e-9): any ratio there is noise.
 */
export function recoveredFraction(clean: number, corrupted: number, patched: number): number | undefined {
  const gap = clean - corrupted;
  if (!(Math.abs(gap) > Math.max(1e-9, 1e-6 * Math.max(Math.abs(clean), Math.abs(corrupted))))) return undefined;
  return (patched - corrupted) / gap;
}

export async function patchScores(p: PatchParams, engine: ForwardEngine): Promise<PatchScores> {
  const taps = [...new Set([p.layer.tensor, p.targetTensor])];
  // One merged pass for both sides (an image repeated across pairs is fed once).
  const both = await engine.forward([...p.pairs.map((x) => x.clean), ...p.pairs.map((x) => x.corrupted)], taps);
  const clean = both.slice(0, p.pairs.length);
  const corrupted = both.slice(p.pairs.length);
  const at = (rows: Tensor[][], tensor: string) => rows.map((r) => r[taps.indexOf(tensor)]);
  const cleanOut = at(clean, p.targetTensor);
  const targets = cleanOut.map((t) => (p.target === 'top' ? topClass(t) : p.target));
  const score = (ts: readonly Tensor[]) => ts.map((t, i) => scoreOf(t, targets[i], p.score));
  const xs = p.pairs.map((x) => x.corrupted);
  const opts = { device: engine.device, batchSize: engine.batchSize, input: engine.model.input.name };
  const cleanActs = at(clean, p.layer.tensor);
  // The value input takes the shape the activations really have (the catalog's shape is inferred).
  const first = patchedModel(engine.model.net.model, { tensor: p.layer.tensor, itemDims: cleanActs[0].dims.slice(1), units: p.layer.units });
  let patched: Tensor[];
  if (!p.path) patched = await runPatched(first, p.layer.tensor, xs, cleanActs, p.targetTensor, opts);
  else {
    // Step 1: the receivers' values with the sender patched (everything else corrupted). Step 2:
    // the corrupted run with only the receivers replaced by those values, the rest recomputed.
    const receivers = await runPatched(first, p.layer.tensor, xs, cleanActs, p.path.tensor, opts);
    const second = patchedModel(engine.model.net.model, { tensor: p.path.tensor, itemDims: receivers[0].dims.slice(1), units: p.path.units });
    patched = await runPatched(second, p.path.tensor, xs, receivers, p.targetTensor, opts);
  }
  return { clean: score(cleanOut), corrupted: score(at(corrupted, p.targetTensor)), patched: score(patched), targets };
}

async function measurePatch(p: PatchParams, engine: ForwardEngine): Promise<ProbeOutput> {
  const s = await patchScores(p, engine);
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  const effect = s.patched.map((v, i) => finite(v - s.corrupted[i]));
  const recovered = s.patched.map((v, i) => {
    const r = recoveredFraction(s.clean[i], s.corrupted[i], v);
    return r === undefined ? null : finite(r);
  });
  const uninformative: Record<string, string> = {};
  if (recovered.every((r) => r === null)) uninformative['patch.recovered'] = uninformative['patch.recovered_mean'] = 'the clean and the corrupted image score the same on the target: there is no gap to recover';
  const measurements = {
    'patch.effect': effect,
    'patch.recovered': recovered,
    'patch.clean': s.clean.map(finite),
    'patch.corrupted': s.corrupted.map(finite),
    'patch.patched': s.patched.map(finite),
    'patch.effect_mean': meanOf(effect),
    'patch.recovered_mean': meanOf(recovered),
  };
  const targets = s.targets.map((t) => describeTarget(t, p.labels));
  const table: Artifact = {
    type: 'table',
    name: 'patching',
    caption: `${p.path ? 'Path patching' : 'Activation patching'}: ${describeLayer(p.layer)} from the clean image into the corrupted one${p.path ? `, only along the paths through ${describeLayer(p.path)}` : ''}; ${p.score === 'probability' ? 'softmax probability' : 'raw score'} of the target; effect = patched − corrupted, recovered = effect ÷ (clean − corrupted)`,
    columns: ['clean → corrupted', 'target', 'clean', 'corrupted', 'patched', 'effect', 'recovered'],
    rows: p.pairs.map((x, i) => [x.label, targets[i], round(s.clean[i]), round(s.corrupted[i]), round(s.patched[i]), round(effect[i]), round(recovered[i])]),
  };
  return {
    measurements,
    cases: p.pairs.map((x) => x.label),
    artifacts: [table],
    ...(Object.keys(uninformative).length && { uninformative }),
    params: {
      layer: p.layer.name,
      units: p.layer.units.length === p.layer.itemDims[0] ? 'all' : p.layer.units,
      ...(p.path && { path: { layer: p.path.name, units: p.path.units.length === p.path.itemDims[0] ? 'all' : p.path.units } }),
      target: p.target === 'top' ? 'top' : describeTarget(p.target, p.labels),
      score: p.score,
      pairs: p.pairs.length,
    },
  };
}

interface RunOpts {
  device: ConcreteDevice;
  batchSize: number;
  input: string;
}

/** The patched model on each (input, replacement value) pair, in batches; returns `tap` per pair. */
async function runPatched(pm: PatchedModel, site: string, inputs: readonly Tensor[], values: readonly Tensor[], wanted: string, o: RunOpts): Promise<Tensor[]> {
  const net = makeNet(pm.model, 'patched model');
  // A target on the patched layer itself reads the patched values, not the original tensor.
  const tap = wanted === site ? pm.patched : wanted;
  const out: Tensor[] = [];
  for (let start = 0; start < inputs.length; start += o.batchSize) {
    const x = inputs.slice(start, start + o.batchSize);
    const v = values.slice(start, start + o.batchSize);
    const res = await run(net, { [o.input]: concatBatch(x), [pm.valueInput]: concatBatch(v) }, [tap], { device: o.device });
    for (const piece of splitBatch(res[tap], x.map(() => 1))) out.push({ dims: piece.dims, data: piece.data.slice() });
  }
  return out;
}

function scoreOf(t: Tensor, target: Target, score: PatchScore): number {
  return (score === 'probability' ? probabilitiesOf(target, t) : scoresOf(target, t))[0];
}

function topClass(logits: Tensor): Target {
  let best = 0;
  for (let k = 1; k < logits.data.length; k++) if (logits.data[k] > logits.data[best]) best = k;
  return { kind: 'class', index: best };
}

function meanOf(xs: readonly (number | null)[]): number | null {
  const ok = xs.filter((x): x is number => x !== null);
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
}

function round(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : Number(v.toPrecision(6));
}

function describeLayer(l: PatchLayer): string {
  return `${l.name} units ${l.units.length === l.itemDims[0] ? 'all' : `[${l.units.join(', ')}]`}`;
}
