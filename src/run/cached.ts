// Running a plan through the result cache (`--cache DIR`): entries whose stored result is still
// valid are reported from it without loading their models; the rest are prepared and executed
// together (their forward passes still merge) and stored for the next run.
import { addReads, newReadLog, type ReadLog } from '../io/reads.ts';
import type { ActivationCache } from '../probe/cache.ts';
import type { RunLimits } from '../probe/limits.ts';
import type { LoadedSpec } from '../suite/spec.ts';
import type { MapSaver } from '../datasets/save-maps.ts';
import type { ActivationSaver } from '../datasets/save-activations.ts';
import { executeRun, resolveDevices, type EntryOutcome, type ExecutedRun } from './execute.ts';
import type { PlannedEntry, PlannedSuite } from './plan.ts';
import { asRun, prepareRun } from './prepare.ts';
import { loadReadsOf } from '../kinds/load.ts';
import type { Progress } from './progress.ts';
import { entryKey, type CachedResult, type ResultCache } from './result-cache.ts';

export interface CachedRunOptions {
  limits: RunLimits;
  /** What each spec file's loading read outside its entries' cross-checks (labels): every entry of it depends on them. */
  specReads: ReadonlyMap<LoadedSpec, ReadLog>;
  progress?: Progress;
  activationCache?: ActivationCache;
  /** `--save-maps` / `--save-activations`: files are written while probes run, so no entry is taken from the cache (results are still stored). */
  maps?: MapSaver;
  activations?: ActivationSaver;
}

export async function executeWithCache(plan: readonly PlannedSuite[], cache: ResultCache, opts: CachedRunOptions): Promise<ExecutedRun> {
  const devices = await resolveDevices(plan);
  const keys = new Map<string, string>();
  const hits = new Map<string, EntryOutcome>();
  for (const suite of plan) {
    for (const pe of suite.entries) {
      const t0 = performance.now();
      const device = devices.get(pe.device)!.device;
      const key = keyOf(pe, device, opts.limits);
      if (key === undefined) continue;
      keys.set(pe.where, key);
      const stored = opts.maps || opts.activations ? undefined : cache.get(key);
      if (stored) hits.set(pe.where, fromCache(pe, stored, device, performance.now() - t0));
    }
  }

  const misses = plan.map((s) => ({ ...s, entries: s.entries.filter((e) => !hits.has(e.where)) })).filter((s) => s.entries.length > 0);
  const reads = new Map<string, ReadLog>();
  for (const s of misses) {
    for (const e of s.entries) {
      const log = newReadLog();
      // What loading read: the spec's own (labels) and the entry's cross-checks' (its dataset).
      for (const r of [opts.specReads.get(e.spec), loadReadsOf(e.at.entry)]) if (r) addReads(log, r);
      reads.set(e.where, log);
    }
  }
  const executed = misses.length
    ? await executeRun(await prepareRun(misses, opts.limits, { reads }), { progress: opts.progress, cache: opts.activationCache, limits: opts.limits, maps: opts.maps, activations: opts.activations, devices, reads })
    : { suites: [], devices, stats: { passes: 0, batches: 0, inputs: 0 } };

  const ran = new Map<string, EntryOutcome>();
  for (const s of executed.suites) {
    for (const o of s.entries) {
      ran.set(o.plan.where, o);
      // Only a whole success is stored: a failure may be the machine's (a timeout), not the entry's.
      // Nor one whose reads are not all known (a model loaded earlier in this process, unrecorded).
      const key = keys.get(o.plan.where);
      if (key !== undefined && !o.error && reads.get(o.plan.where)!.complete) cache.put(key, { modelHash: o.modelHash, baselineHash: o.baselineHash, outputs: o.outputs, baseline: o.baseline }, reads.get(o.plan.where)!);
    }
  }
  cache.evict();
  return {
    suites: plan.map((suite) => ({ suite, entries: suite.entries.flatMap((pe) => ran.get(pe.where) ?? hits.get(pe.where) ?? []) })),
    devices,
    stats: executed.stats,
  };
}

/** The entry's cache key, or undefined when its settings hold something that is not plain data (it then always runs). */
function keyOf(pe: PlannedEntry, device: EntryOutcome['device'], limits: RunLimits): string | undefined {
  try {
    return entryKey(pe, device, limits);
  } catch {
    return undefined;
  }
}

function fromCache(pe: PlannedEntry, r: CachedResult, device: EntryOutcome['device'], ms: number): EntryOutcome {
  return { plan: asRun(pe), modelHash: r.modelHash, baselineHash: r.baselineHash, device, outputs: r.outputs, baseline: r.baseline, durationMs: ms, cached: true };
}
