// Cutting one planned run into n shards for CI matrices (`neurogate run --shard i/n`): entries that
// share forward passes stay together, shards are balanced by estimated cost (not entry count), and
// every shard process computes the same split and the same plan hash from the same specs.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { badInput } from '../errors.ts';
import type { ShardInfo } from '../report/model.ts';
import type { ImagePart } from '../probe/kind.ts';
import { entryKind } from '../kinds/index.ts';
import { VERSION } from '../version.ts';
import type { ModelChoice, PlannedEntry, PlannedSuite } from './plan.ts';

/** `--shard i/n`, 1-based like Playwright and Jest. */
export interface ShardSpec {
  index: number;
  total: number;
}

export const MAX_SHARDS = 1000;

export function parseShard(text: string, usage?: string): ShardSpec {
  const hint = `give --shard i/n with 1 ≤ i ≤ n, e.g. --shard 2/4${usage ? ` (usage: ${usage})` : ''}`;
  const m = /^(\d{1,9})\/(\d{1,9})$/.exec(text);
  if (!m) throw badInput('E_ARGS', `--shard must look like i/n (e.g. 2/4), got "${text}"`, undefined, hint);
  const index = Number(m[1]);
  const total = Number(m[2]);
  if (total < 1 || total > MAX_SHARDS) throw badInput('E_ARGS', `--shard ${text}: the number of shards must be 1 … ${MAX_SHARDS}`, undefined, hint);
  if (index < 1 || index > total) throw badInput('E_ARGS', `--shard ${text}: the shard must be 1 … ${total} (shards count from 1)`, undefined, hint);
  return { index, total };
}

/** What a model costs a shard: once per shard that runs it (load + session), and per input fed. */
export interface ModelCost {
  setupMs: number;
  perInputMs: number;
}

// Measured with onnxruntime 1.30 on a 2-core CPU (2 intra-op threads, cached IR): load + session
// creation, and one input at the model's size through the whole graph. Only ratios matter.
const ZOO_COSTS: Record<string, ModelCost> = {
  'zoo:inception_v3': { setupMs: 1900, perInputMs: 450 },
  'zoo:mobilenet_v2': { setupMs: 450, perInputMs: 65 },
  'zoo:mobilenet_v2_mid': { setupMs: 500, perInputMs: 110 },
};
const OTHER_ZOO: ModelCost = { setupMs: 500, perInputMs: 100 };

// Files: the weights' size stands in for compute (FLOPs ≈ a few hundred per parameter for CNNs at
// 224²–299²); fitted to the zoo figures above and the shapes CNN (0.35 MB: setup 70, input 20 ms).
const SETUP_MS = 100;
const SETUP_MS_PER_MB = 20;
const INPUT_MS = 10;
const INPUT_MS_PER_MB = 5;

/** Probe-side work per input and run (preprocessing, readout, thumbnails), on top of the forward pass. */
const PROBE_MS_PER_INPUT = 5;

/** An entry as the splitter sees it. */
export interface WorkItem {
  /** Forward inputs as `model|device|input` keys with their cost; items sharing a key stay in one shard. */
  inputs: readonly { key: string; ms: number }[];
  /** `model|device` of each model it runs: a shard pays a model's setup once. */
  models: readonly string[];
  /** Work of its own (probe-side computation). */
  ownMs: number;
  /** 0-based shard the item must run in (one part of a dataset split by images); placed before the rest. */
  pinned?: number;
}

export interface Split {
  /** 0-based shard of each item. */
  shardOf: number[];
  /** Estimated ms of each shard, setups included. */
  loads: number[];
  /** Estimated ms of the whole work in one process (each setup once). */
  totalMs: number;
}

/**
 * Items joined by shared inputs form components; components go, largest first, to the shard whose
 * load grows least (its current load + the component + setups of models it does not have yet),
 * ties to the lowest shard. Pure and order-stable: the same items always split the same way.
 */
export function splitWork(items: readonly WorkItem[], setupMs: ReadonlyMap<string, number>, n: number): Split {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`splitWork: n must be a positive integer, got ${n}`);
  const parent = items.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const owner = new Map<string, number>();
  items.forEach((it, i) => {
    if (it.pinned !== undefined) return;
    for (const { key } of it.inputs) {
      const o = owner.get(key);
      if (o === undefined) owner.set(key, i);
      else {
        const a = find(o);
        const b = find(i);
        // The smaller index is the root, so a component is named by its first item.
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  });
  interface Component { first: number; members: number[]; ms: number; models: string[]; alone: number }
  const byRoot = new Map<number, Component>();
  items.forEach((_, i) => {
    const r = find(i);
    if (!byRoot.has(r)) byRoot.set(r, { first: r, members: [], ms: 0, models: [], alone: 0 });
    byRoot.get(r)!.members.push(i);
  });
  const setup = (m: string) => setupMs.get(m) ?? 0;
  const comps = [...byRoot.values()];
  for (const c of comps) {
    const seen = new Set<string>();
    const models = new Set<string>();
    for (const i of c.members) {
      c.ms += items[i].ownMs;
      for (const { key, ms } of items[i].inputs) {
        if (seen.has(key)) continue;
        seen.add(key);
        c.ms += ms;
      }
      for (const m of items[i].models) models.add(m);
    }
    c.models = [...models].sort();
    c.alone = c.ms + c.models.reduce((s, m) => s + setup(m), 0);
  }
  comps.sort((a, b) => b.alone - a.alone || a.first - b.first);

  const loads = new Array<number>(n).fill(0);
  const has = Array.from({ length: n }, () => new Set<string>());
  const shardOf = new Array<number>(items.length).fill(0);
  // Pinned parts first: where they go is decided, and the rest balances around them.
  const pinned = comps.filter((c) => items[c.first].pinned !== undefined);
  for (const c of pinned) {
    const s = items[c.first].pinned!;
    if (!Number.isInteger(s) || s < 0 || s >= n) throw new RangeError(`splitWork: item ${c.first} is pinned to shard ${s} of ${n}`);
    loads[s] += c.ms + c.models.reduce((sum, m) => sum + (has[s].has(m) ? 0 : setup(m)), 0);
    for (const m of c.models) has[s].add(m);
    shardOf[c.first] = s;
  }
  for (const c of comps) {
    if (items[c.first].pinned !== undefined) continue;
    let best = 0;
    let bestLoad = Infinity;
    for (let s = 0; s < n; s++) {
      const load = loads[s] + c.ms + c.models.reduce((sum, m) => sum + (has[s].has(m) ? 0 : setup(m)), 0);
      if (load < bestLoad) {
        best = s;
        bestLoad = load;
      }
    }
    loads[best] = bestLoad;
    for (const m of c.models) has[best].add(m);
    for (const i of c.members) shardOf[i] = best;
  }
  const allModels = new Set(items.flatMap((it) => [...it.models]));
  const totalMs = comps.reduce((s, c) => s + c.ms, 0) + [...allModels].reduce((s, m) => s + setup(m), 0);
  return { shardOf, loads, totalMs };
}

export interface ShardedPlan {
  /** The suites and entries this shard runs (suites without entries left out). */
  plan: PlannedSuite[];
  info: ShardInfo;
  /** planHash of the whole plan. */
  hash: string;
}

/** The part of the plan shard `index` of `total` runs, and what its report records about the whole. */
export function shardPlan(plan: readonly PlannedSuite[], shard: ShardSpec): ShardedPlan {
  const { entries, split, parts } = splitPlan(plan, shard.total);
  const me = shard.index - 1;
  // Each entry runs here whole, or as its part of the images, or not at all.
  const mine = new Map<PlannedEntry, PlannedEntry>();
  entries.forEach((e, i) => {
    const ps = parts.get(e);
    if (!ps) {
      if (split.shardOf[i] === me) mine.set(e, e);
    } else if (me < ps.length) mine.set(e, { ...e, part: ps[me] });
  });
  const part = plan
    .map((s) => ({ ...s, entries: s.entries.filter((e) => mine.has(e)).map((e) => mine.get(e)!) }))
    .filter((s) => s.entries.length > 0);
  return {
    plan: part,
    hash: planHash(plan),
    info: {
      index: shard.index,
      total: shard.total,
      estimatedMs: Math.round(split.loads[shard.index - 1]),
      planEstimatedMs: Math.round(split.totalMs),
      plan: plan.map((s) => ({ file: portable(s.spec.src.file), suite: s.name, entries: s.entries.map((e) => e.id) })),
    },
  };
}

/** Which shard (1-based) runs each entry, in plan order, and each shard's estimated ms. */
export function shardsOf(plan: readonly PlannedSuite[], total: number): { entries: { suite: string; id: string; shard: number; parts?: ImagePart[] }[]; loads: number[] } {
  const { entries, split, parts } = splitPlan(plan, total);
  const suiteOf = new Map(plan.flatMap((s) => s.entries.map((e) => [e, s.name] as const)));
  // An entry split by images runs in shards 1 … parts; `shard` names the first.
  return { entries: entries.map((e, i) => ({ suite: suiteOf.get(e)!, id: e.id, shard: parts.has(e) ? 1 : split.shardOf[i] + 1, ...(parts.has(e) && { parts: parts.get(e) }) })), loads: split.loads };
}

/**
 * The parts of an entry split by images, or undefined when it runs whole: a dataset its kind lets
 * run apart, of at least two images, run once on one model (repeats and `change` checks compare
 * whole runs; a golden records one whole list). Contiguous ranges of the source's order, sizes
 * within one image of each other: concatenating the parts' per-image lists in shard order gives
 * the one-machine lists, and every shard computes the same ranges from the same specs.
 */
export function imageParts(e: PlannedEntry, total: number): ImagePart[] | undefined {
  if (total < 2 || e.repeat > 1 || e.baseline || e.checks.some((c) => c.expectation.golden)) return undefined;
  const of = entryKind(e.at.kind).splitImages?.(e) ?? 0;
  return of < 2 ? undefined : cutImages(of, total);
}

/** `of` images cut into min(total, of) contiguous parts whose sizes differ by at most one. */
export function cutImages(of: number, total: number): ImagePart[] {
  const parts = Math.min(total, of);
  return Array.from({ length: parts }, (_, k) => ({ index: k + 1, parts, from: Math.floor((k * of) / parts), to: Math.floor(((k + 1) * of) / parts), of }));
}

function splitPlan(plan: readonly PlannedSuite[], total: number): { entries: PlannedEntry[]; split: Split; parts: Map<PlannedEntry, ImagePart[]> } {
  const entries = plan.flatMap((s) => s.entries);
  const costs = new Map<string, ModelCost>();
  const parts = new Map<PlannedEntry, ImagePart[]>();
  const items: WorkItem[] = [];
  entries.forEach((e, i) => {
    const whole = workItem(e, i, costs);
    const ps = imageParts(e, total);
    if (!ps) return items.push(whole);
    parts.set(e, ps);
    // Each part: its share of the entry's work, in its own shard (the entry's own item stays empty and unpinned).
    items.push({ inputs: [], models: [], ownMs: 0 });
    for (const p of ps) {
      const share = (p.to - p.from) / p.of;
      items.push({ inputs: whole.inputs.map((k) => ({ key: `${k.key}|part:${p.index}`, ms: k.ms * share })), models: whole.models, ownMs: whole.ownMs * share, pinned: p.index - 1 });
    }
  });
  const split = splitWork(items, new Map([...costs].map(([id, c]) => [id, c.setupMs])), total);
  // Back to one shard per entry (parts' shards are known from the parts themselves).
  const shardOf: number[] = [];
  let k = 0;
  for (const e of entries) {
    shardOf.push(split.shardOf[k]);
    k += 1 + (parts.get(e)?.length ?? 0);
  }
  return { entries, split: { ...split, shardOf }, parts };
}

/**
 * Hash of the whole planned work, independent of any shard: the tool version, each spec's text,
 * and each planned entry as the command line shaped it (filter, device, seed, model overrides).
 * Paths enter relative to the working directory with `/`, so CI machines agree.
 */
export function planHash(plan: readonly PlannedSuite[]): string {
  const doc = {
    tool: VERSION,
    suites: plan.map((s) => ({
      file: portable(s.spec.src.file),
      suite: s.name,
      text: sha256(s.spec.src.text),
      entries: s.entries.map((e) => ({
        id: e.id,
        where: portable(e.where),
        probe: e.probeKind,
        model: modelName(e.model),
        baseline: e.baseline ? modelName(e.baseline) : null,
        device: e.device,
        batch: e.batch,
        seed: e.seed,
        repeat: e.repeat,
        checks: e.checks.map((c) => [c.metric, c.expectation]),
      })),
    })),
  };
  return sha256(JSON.stringify(doc)).slice(0, 32);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function portable(p: string): string {
  return p.split(path.sep).join('/');
}

/** A model reference that reads the same on every machine: zoo names as they are, files relative to the working directory. */
function modelName(m: ModelChoice): string {
  return m.ref.startsWith('zoo:') ? m.ref : portable(path.relative(process.cwd(), path.resolve(m.baseDir, m.ref)));
}

function modelId(m: ModelChoice): string {
  return m.ref.startsWith('zoo:') ? m.ref : path.resolve(m.baseDir, m.ref);
}

/** The cost table's entry for a model: the zoo's measured figures, else estimated from the weights' size. */
export function modelCost(m: ModelChoice): ModelCost {
  if (m.ref.startsWith('zoo:')) return ZOO_COSTS[m.ref] ?? OTHER_ZOO;
  const mb = modelBytes(path.resolve(m.baseDir, m.ref)) / 2 ** 20;
  return { setupMs: SETUP_MS + SETUP_MS_PER_MB * mb, perInputMs: INPUT_MS + INPUT_MS_PER_MB * mb };
}

/** Bytes of a model's files: an ONNX file with its external data, or a TF.js folder's JSON and weight shards. */
function modelBytes(file: string): number {
  const size = (f: string) => {
    try {
      const st = fs.statSync(f);
      return st.isFile() ? st.size : 0;
    } catch {
      return 0;
    }
  };
  let dir: string | undefined;
  try {
    if (fs.statSync(file).isDirectory()) dir = file;
  } catch {
    return 0; // a missing model: preparation reports it, the cost does not matter
  }
  if (!dir && !file.endsWith('.json')) return size(file) + size(`${file}.data`);
  dir ??= path.dirname(file);
  let total = dir === file ? size(path.join(dir, 'model.json')) : size(file);
  for (const f of fs.readdirSync(dir)) if (f.endsWith('.bin')) total += size(path.join(dir, f));
  return total;
}

/**
 * An entry's work: the inputs its kind says it feeds (by content where it is known before any
 * model loads: image paths, rendered stimulus parameters; counted where only the probe makes them)
 * on its model and, for `change` checks, its baseline. Inputs are shared only when fed as they
 * are: noise or repeats make every run's inputs its own.
 */
function workItem(e: PlannedEntry, index: number, costs: Map<string, ModelCost>): WorkItem {
  const work = entryKind(e.at.kind).work(e, index);
  const inputs = work.inputs.length ? work.inputs : [{ key: `entry:${index}`, count: 1 }];
  const own = work.ownPerRun === true || e.repeat > 1;
  const runs = own ? Array.from({ length: e.repeat }, (_, r) => inputs.map((k) => ({ ...k, key: `${k.key}|entry:${index}|run:${r}` }))).flat() : inputs;
  const count = inputs.reduce((s, k) => s + k.count, 0);
  const out: WorkItem['inputs'][number][] = [];
  const models: string[] = [];
  for (const m of e.baseline ? [e.model, e.baseline] : [e.model]) {
    const id = `${modelId(m)}|${e.device}`;
    let cost = costs.get(id);
    if (!cost) {
      cost = modelCost(m);
      costs.set(id, cost);
    }
    models.push(id);
    for (const k of runs) out.push({ key: `${id}|${k.key}`, ms: k.count * cost.perInputMs });
  }
  return { inputs: out, models, ownMs: PROBE_MS_PER_INPUT * count * e.repeat * models.length };
}
