// Running prepared entries: one merging engine per (model, device); within it every probe task
// (entry × repeat, candidate and baseline) runs concurrently so their forward passes merge.
// Groups run one after another, in the order the specs name them.
import { chooseDevice, type ConcreteDevice, type Device, type DeviceChoice } from '../engine/session.ts';
import { badInput, isNeurogateError } from '../errors.ts';
import type { ImportedModel } from '../models/types.ts';
import { SpecError, type SpecIssue } from '../suite/issues.ts';
import { makeRng } from '../util/rng.ts';
import { createActivationCache, type ActivationCache } from '../probe/cache.ts';
import { createForwardEngine, type ForwardStats, type MergingEngine } from '../probe/forward.ts';
import type { PreparedEntry, PreparedSuite } from './prepare.ts';
import type { PlannedEntry, PlannedSuite } from './plan.ts';
import { recordReads, type ReadLog } from '../io/reads.ts';
import type { ProbeOutput } from '../probe/probe.ts';
import { probeOf } from '../kinds/index.ts';
import { DEFAULT_LIMITS, type RunLimits } from '../probe/limits.ts';
import type { Progress } from './progress.ts';
import type { MapSaver } from '../datasets/save-maps.ts';
import type { ActivationSaver } from '../datasets/save-activations.ts';

export interface TaskError {
  code: string;
  message: string;
  hint?: string;
  internal: boolean;
}

export interface EntryOutcome {
  plan: PlannedEntry;
  /** Content hashes of the models the probe ran on (a cached result keeps them: its models never load). */
  modelHash: string;
  baselineHash?: string;
  device: ConcreteDevice;
  /** One output per repeat (candidate model). */
  outputs: ProbeOutput[];
  /** One output per repeat on the baseline model, when the entry compares against one. */
  baseline?: ProbeOutput[];
  error?: TaskError;
  durationMs: number;
  /** The outputs came from the `--cache` folder; nothing ran. */
  cached?: boolean;
}

export interface ExecutedRun {
  suites: { suite: PlannedSuite; entries: EntryOutcome[] }[];
  devices: Map<Device, DeviceChoice>;
  stats: ForwardStats;
}

export interface ExecuteOptions {
  progress?: Progress;
  cache?: ActivationCache;
  /** `timeoutS` bounds each probe task. */
  limits?: RunLimits;
  /** `--save-maps`: where attribution maps go. */
  maps?: MapSaver;
  /** `--save-activations`: where neuron entries' activations go. */
  activations?: ActivationSaver;
  /** Devices already resolved (the result cache keys on them); else resolved here. */
  devices?: Map<Device, DeviceChoice>;
  /** `--cache`: each entry's probe tasks record the files they read into its log (by the entry's `where`). */
  reads?: ReadonlyMap<string, ReadLog>;
}

/** Seed of repeat r: the entry seed itself for r = 0, then distinct streams (makeRng mixes them). */
export function repeatSeed(seed: number, r: number): number {
  return r === 0 ? seed >>> 0 : (seed + Math.imul(r, 0x9e3779b9)) >>> 0;
}

export async function executeRun(prepared: readonly PreparedSuite[], opts: ExecuteOptions = {}): Promise<ExecutedRun> {
  const devices = opts.devices ?? await resolveDevices(prepared.map((s) => s.plan));
  const cache = opts.cache ?? createActivationCache();
  const engines = new Map<string, MergingEngine>();
  type Task = { outcome: EntryOutcome; role: 'candidate' | 'baseline'; r: number; model: ImportedModel; params: unknown };
  const groups = new Map<string, Task[]>();
  const outcomes: ExecutedRun['suites'] = [];

  for (const suite of prepared) {
    const list: EntryOutcome[] = [];
    for (const entry of suite.entries) {
      const device = devices.get(entry.plan.device)!.device;
      const outcome: EntryOutcome = {
        plan: entry.plan, modelHash: entry.model.net.hash, baselineHash: entry.baselineModel?.net.hash,
        device, outputs: [], baseline: entry.baselineModel ? [] : undefined, durationMs: 0,
      };
      list.push(outcome);
      const add = (role: Task['role'], model: ImportedModel, params: unknown) => {
        const key = `${model.net.hash}|${device}`;
        if (!engines.has(key)) engines.set(key, createForwardEngine(model, device, { cache }));
        if (!groups.has(key)) groups.set(key, []);
        for (let r = 0; r < entry.plan.repeat; r++) groups.get(key)!.push({ outcome, role, r, model, params });
      };
      add('candidate', entry.model, entry.params);
      if (entry.baselineModel) add('baseline', entry.baselineModel, entry.baselineParams);
    }
    outcomes.push({ suite: suite.plan, entries: list });
  }

  const total = [...groups.values()].reduce((s, g) => s + g.length, 0);
  const started = new Map<EntryOutcome, number>();
  opts.progress?.start(total);
  for (const [key, tasks] of groups) {
    const engine = engines.get(key)!;
    // Everyone joins before anyone starts: otherwise the first task's forward call would find
    // itself alone at the barrier and run without the others.
    for (let i = 0; i < tasks.length; i++) engine.join();
    await Promise.all(tasks.map(async (t) => {
      if (!started.has(t.outcome)) started.set(t.outcome, performance.now());
      try {
        const probe = probeOf(t.outcome.plan.probeKind);
        const name = `${t.outcome.plan.spec.suite.suite}/${t.outcome.plan.id}`;
        // The entry's `engine.batch` reaches the probe through its engine, the one road to the model.
        // Raw outputs are saved once per entry: from the candidate model's first repeat.
        const saving = t.role === 'candidate' && t.r === 0;
        const suite = t.outcome.plan.spec.suite.suite;
        const entry = t.outcome.plan.id;
        const out = await withTimeout(recordReads(opts.reads?.get(t.outcome.plan.where), () => probe.run(t.params as never, engine.withBatch(t.outcome.plan.batch), makeRng(repeatSeed(t.outcome.plan.seed, t.r)), {
          images: (done, of) => opts.progress?.images?.(name, done, of),
          saveMap: opts.maps && saving ? (image, method, target, map) => opts.maps!.save({ suite, entry, image, method, target, map }) : undefined,
          saveActivation: opts.activations && saving ? (image, layer, activations) => opts.activations!.save({ suite, entry, image, layer, activations }) : undefined,
        })), (opts.limits ?? DEFAULT_LIMITS).timeoutS, name);
        (t.role === 'candidate' ? t.outcome.outputs : t.outcome.baseline!)[t.r] = out;
      } catch (e) {
        t.outcome.error ??= toTaskError(e, t.role === 'baseline' ? 'baseline model: ' : '');
      } finally {
        engine.leave();
        // Tasks of one entry overlap (and wait for each other at the barrier): its duration is
        // the span from its first task's start to its last task's end, not a sum.
        t.outcome.durationMs = performance.now() - started.get(t.outcome)!;
        opts.progress?.tick(`${t.outcome.plan.spec.suite.suite}/${t.outcome.plan.id}`);
      }
    }));
  }
  opts.progress?.stop();
  const stats: ForwardStats = { passes: 0, batches: 0, inputs: 0 };
  for (const e of engines.values()) {
    const s = e.stats();
    stats.passes += s.passes;
    stats.batches += s.batches;
    stats.inputs += s.inputs;
  }
  return { suites: outcomes, devices, stats };
}

/**
 * The probe's result, or a bad-input error naming the entry once `seconds` pass (0 = no limit).
 * The probe's own work is not cancelled (onnxruntime has no cancel), but the entry fails and
 * the run goes on and ends; a probe stuck in synchronous code cannot be timed out from here.
 */
export function withTimeout<T>(work: Promise<T>, seconds: number, name: string): Promise<T> {
  if (!(seconds > 0)) return work;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(badInput('E_TIMEOUT', `entry ${name} did not finish within ${seconds} s`, name, 'raise --timeout <seconds>, or make the entry cheaper (fewer images, steps or repeats)')), seconds * 1000);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

function toTaskError(e: unknown, prefix: string): TaskError {
  if (isNeurogateError(e)) return { code: e.code, message: `${prefix}${e.message}`, hint: e.hint, internal: e.kind === 'internal' };
  const msg = (e as Error)?.message ?? String(e);
  return { code: 'E_INTERNAL', message: `${prefix}${msg}`, hint: 'run again with --debug and report it', internal: true };
}

/** Each requested device once: `auto` falls back to cpu; an explicit GPU that cannot start is bad input. */
export async function resolveDevices(plan: readonly PlannedSuite[]): Promise<Map<Device, DeviceChoice>> {
  const out = new Map<Device, DeviceChoice>();
  const issues: SpecIssue[] = [];
  for (const suite of plan) {
    for (const e of suite.entries) {
      const d = e.device;
      if (out.has(d)) continue;
      try {
        out.set(d, await chooseDevice(d));
      } catch (err) {
        if (!isNeurogateError(err) || err.kind !== 'bad_input') throw err;
        if (!e.devicePath) throw badInput(err.code, err.message, '--device', err.hint);
        issues.push(e.spec.issue(e.devicePath, err.message, err.hint));
        out.set(d, { device: 'cpu', reason: 'unusable' });
      }
    }
  }
  if (issues.length) throw new SpecError(issues);
  return out;
}
