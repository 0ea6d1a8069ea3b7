// The runner's face: spec paths in, RunReport out (spec → plan → probes → checks → report).
// `validateSpecs` stops before execution: it plans, and unless told otherwise loads models to
// check layers, units and positions against their catalogs.
import type { RunReport } from '../report/model.ts';
import { discoverSpecs } from '../suite/discover.ts';
import { SpecError } from '../suite/issues.ts';
import { loadSpecFile, type LoadedSpec } from '../kinds/load.ts';
import type { ActivationCache } from '../probe/cache.ts';
import { DEFAULT_LIMITS, type RunLimits } from '../probe/limits.ts';
import { executeRun, type ExecutedRun } from './execute.ts';
import { planRun, type PlanOptions, type PlannedSuite } from './plan.ts';
import { prepareRun } from './prepare.ts';
import type { Progress } from './progress.ts';
import { mapSaver } from '../datasets/save-maps.ts';
import { activationSaver } from '../datasets/save-activations.ts';
import { buildReport, type ReportContext } from './report.ts';
import { shardPlan, type ShardSpec } from './shard.ts';
import { newReadLog, recordReads, type ReadLog } from '../io/reads.ts';
import { executeWithCache } from './cached.ts';
import { openResultCache, type ResultCacheOptions } from './result-cache.ts';

export interface RunRequest extends PlanOptions {
  /** Spec files and directories. */
  paths: string[];
  /** Command-line limits (path policy, timeout, model size); the defaults without them. */
  limits?: RunLimits;
  progress?: Progress;
  cache?: ActivationCache;
  /** `--save-maps DIR`: every attribution map as a float32 .npy, with a manifest.json. */
  saveMaps?: string;
  /** `--save-activations DIR`: every neuron entry's layer activations per image as a float32 .npy, with a manifest.json. */
  saveActivations?: string;
  /** Golden store and mode; without it `golden:` expectations fail with that reason. */
  golden?: ReportContext['golden'];
  /** --shard i/n: run only this shard of the plan; the report records it and the whole plan's hash. */
  shard?: ShardSpec;
  /** `--cache DIR`: entries whose stored result is still valid are not run (src/run/result-cache.ts). */
  resultCache?: { dir: string } & ResultCacheOptions;
}

/** Load every spec, reporting the problems of all files together. */
export function loadSpecs(paths: readonly string[], opts: PlanOptions & { limits?: Pick<RunLimits, 'allowOutside'>; reads?: Map<LoadedSpec, ReadLog> } = {}): LoadedSpec[] {
  const files = discoverSpecs(paths, opts.limits?.allowOutside === true);
  const specs: LoadedSpec[] = [];
  const issues: SpecError['issues'] = [];
  for (const f of files) {
    try {
      const log = opts.reads && newReadLog();
      const spec = recordReads(log, () => loadSpecFile(f, { model: opts.model, baseline: opts.baseline, allowOutside: opts.limits?.allowOutside }));
      if (log) opts.reads!.set(spec, log);
      specs.push(spec);
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      issues.push(...e.issues);
    }
  }
  if (issues.length) throw new SpecError(issues);
  return specs;
}

export interface RunResult {
  report: RunReport;
  executed: ExecutedRun;
}

export async function runSpecs(req: RunRequest): Promise<RunResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const specReads = req.resultCache && new Map<LoadedSpec, ReadLog>();
  const full = planRun(loadSpecs(req.paths, { ...req, reads: specReads }), req);
  // Sharding: after planning (every shard sees the whole plan, so all cut it the same way).
  const sharded = req.shard ? shardPlan(full, req.shard) : undefined;
  const plan = sharded?.plan ?? full;
  const limits = req.limits ?? DEFAULT_LIMITS;
  const maps = req.saveMaps ? mapSaver(req.saveMaps) : undefined;
  const activations = req.saveActivations ? activationSaver(req.saveActivations, limits.maxSaveBytes) : undefined;
  const executed = req.resultCache
    ? await executeWithCache(plan, openResultCache(req.resultCache.dir, req.resultCache), { limits, specReads: specReads!, progress: req.progress, activationCache: req.cache, maps, activations })
    : await executeRun(await prepareRun(plan, limits), { progress: req.progress, cache: req.cache, limits, maps, activations });
  maps?.finish();
  activations?.finish();
  const report = buildReport(executed, {
    startedAt,
    durationMs: performance.now() - t0,
    seed: req.seed ?? runSeed(full),
    requestedDevice: req.device,
    options: runOptions(req),
    golden: req.golden,
  });
  if (sharded) {
    report.planHash = sharded.hash;
    report.shard = sharded.info;
  }
  return { report, executed };
}

/** --seed, else the one seed every entry shares, else 0 (each entry records its own seed anyway). */
function runSeed(plan: readonly PlannedSuite[]): number {
  const seeds = new Set(plan.flatMap((s) => s.entries.map((e) => e.seed)));
  return seeds.size === 1 ? [...seeds][0] : 0;
}

/** The options that shaped the run, as the report records them (paths as given). */
function runOptions(req: RunRequest): Record<string, unknown> {
  return {
    paths: req.paths,
    ...(req.filter && { filter: req.filter.source }),
    ...(req.device && { device: req.device }),
    ...(req.seed !== undefined && { seed: req.seed }),
    ...(req.model && { model: req.model }),
    ...(req.baseline && { baseline: req.baseline }),
    ...(req.shard && { shard: `${req.shard.index}/${req.shard.total}` }),
  };
}

export interface Validated {
  specs: LoadedSpec[];
  plan: PlannedSuite[];
  /** Whether models were loaded and layers, units and positions checked. */
  modelsChecked: boolean;
}

export async function validateSpecs(paths: readonly string[], opts: PlanOptions & { schemaOnly?: boolean; limits?: RunLimits } = {}): Promise<Validated> {
  const specs = loadSpecs(paths, opts);
  const plan = planRun(specs, opts);
  if (!opts.schemaOnly) await prepareRun(plan, opts.limits ?? DEFAULT_LIMITS);
  return { specs, plan, modelsChecked: !opts.schemaOnly };
}
