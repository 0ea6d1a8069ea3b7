// The audit: every suite runs on its model and on each mutant of it; a check is killed by a
// mutant when it passes on the original and fails on the mutant. Harmful mutants should kill
// something (the suite's mutation score), equivalent ones nothing (else the check is fragile).
import { badInput, isNeurogateError } from '../errors.ts';
import type { ImportedModel } from '../models/types.ts';
import { shareCatalog } from '../models/catalog.ts';
import type { RunReport } from '../report/model.ts';
import { createActivationCache } from '../probe/cache.ts';
import { DEFAULT_LIMITS, type RunLimits } from '../probe/limits.ts';
import { executeRun } from '../run/execute.ts';
import { loadSpecs } from '../run/index.ts';
import { planRun, type PlanOptions, type PlannedSuite } from '../run/plan.ts';
import { prepareRun, type PreparedSuite } from '../run/prepare.ts';
import { buildReport, type ReportContext } from '../run/report.ts';
import { SpecError } from '../suite/issues.ts';
import type { LoadedSpec } from '../suite/spec.ts';
import type { ShardSpec } from '../run/shard.ts';
import { mutantsFor, selectMutants, type Mutant, type MutantKind } from './mutants/index.ts';
import { protectedTensorsOf, targetsOf } from './targets.ts';

export interface AuditRequest extends PlanOptions {
  paths: string[];
  /** Specs already loaded (init audits the draft it holds in memory); `paths` is then ignored. */
  specs?: LoadedSpec[];
  /** `--mutants`: ids, operator names, `harmful`/`equivalent`, `*` wildcards; all when absent. */
  mutants?: string[];
  golden?: ReportContext['golden'];
  /** Command-line limits (path policy, timeout, model size); the defaults without them. */
  limits?: RunLimits;
  /** --shard i/n: run only every n-th mutant of each suite, from the i-th (the original runs in every shard). */
  shard?: ShardSpec;
  /** One line per finished mutant (`suite · mutant · result`). */
  onMutant?: (line: string) => void;
}

export interface CheckAudit {
  entry: string;
  metric: string;
  passesOriginal: boolean;
  /** Harmful mutants on which the check fails (it passes on the original). */
  killedBy: string[];
  /** Equivalent mutants on which it fails: the check is fragile. */
  equivalentKills: string[];
  /** `file:line:col` of the expectation. */
  where: string;
}

export interface MutantAudit {
  id: string;
  operator: string;
  kind: MutantKind;
  description: string;
  /** Why the mutant could not be built or run on this suite's model (then it counts nowhere). */
  skipped?: string;
  /** Checks (as `entry · metric`) that fail on it and pass on the original. */
  kills: string[];
  durationMs: number;
}

export interface SuiteAudit {
  suite: string;
  file: string;
  /** Killed harmful mutants ÷ harmful mutants that applied; null when none applied. */
  score: number | null;
  checks: CheckAudit[];
  mutants: MutantAudit[];
  /** Wall time of the suite's run on the original model. */
  originalMs: number;
}

export interface AuditResult {
  suites: SuiteAudit[];
  /** Each suite's run on its original model (every check's value there), in suite order. */
  originals: RunReport[];
  durationMs: number;
}

export const checkKey = (entry: string, metric: string) => `${entry} · ${metric}`;

/** Pass/fail of each planned check in a report of one suite: all of its results must pass, and its entry must have run. */
function outcomes(report: RunReport, suiteIndex: number, plan: PlannedSuite): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const entries = new Map(report.suites[suiteIndex]?.entries.map((e) => [e.id, e]) ?? []);
  for (const pe of plan.entries) {
    const r = entries.get(pe.id);
    for (const c of pe.checks) {
      const results = r && !r.error ? r.checks.filter((x) => x.where === c.where) : [];
      out.set(checkKey(pe.id, c.metric), results.length > 0 && results.every((x) => x.passed));
    }
  }
  return out;
}

interface Shared {
  golden?: ReportContext['golden'];
  cache: ReturnType<typeof createActivationCache>;
  limits: RunLimits;
}

async function runPrepared(prepared: PreparedSuite[], ctx: Shared): Promise<RunReport> {
  const t0 = performance.now();
  const executed = await executeRun(prepared, { cache: ctx.cache, limits: ctx.limits });
  return buildReport(executed, { startedAt: new Date(), durationMs: performance.now() - t0, seed: 0, options: {}, golden: ctx.golden });
}

/** The model of a mutant, built once per original model (a suite's entries may share one or use several). */
function candidateOf(mutant: Mutant): (m: ImportedModel) => ImportedModel {
  const built = new Map<string, ImportedModel>();
  return (m) => {
    let hit = built.get(m.net.hash);
    if (!hit) {
      hit = mutant.apply(m);
      shareCatalog(m, hit);
      built.set(m.net.hash, hit);
    }
    return hit;
  };
}

function reason(e: unknown): string {
  if (e instanceof SpecError) return e.issues.map((i) => i.message).join('; ');
  return isNeurogateError(e) ? e.message : String((e as Error)?.message ?? e);
}

export async function auditSpecs(req: AuditRequest): Promise<AuditResult> {
  const t0 = performance.now();
  const limits = req.limits ?? DEFAULT_LIMITS;
  const plan = planRun(req.specs ?? loadSpecs(req.paths, { ...req, limits }), req);
  // Baseline models and images are the same for every mutant: one cache serves them all.
  const shared: Shared = { golden: req.golden, cache: createActivationCache(), limits };
  const suites: SuiteAudit[] = [];
  const originals: RunReport[] = [];
  for (const suitePlan of plan) {
    const tSuite = performance.now();
    const prep = (await prepareRun([suitePlan], limits))[0];
    const original = await runPrepared([prep], shared);
    const originalMs = performance.now() - tSuite;
    originals.push(original);
    const base = outcomes(original, 0, suitePlan);
    const first = prep.entries[0];
    // A circuit entry's candidate is an edited copy; the suite's model is its baseline.
    const model = first?.plan.at.kind === 'circuits' ? first.baselineModel ?? first.model : first?.model;
    const mutants = model ? selectMutants(mutantsFor({
      seed: suitePlan.entries[0]?.seed ?? 0,
      targets: targetsOf(prep),
      protectedTensors: protectedTensorsOf(prep, model),
      batch: suitePlan.entries[0]?.batch ?? 16,
    }), req.mutants).filter((_, k) => !req.shard || k % req.shard.total === req.shard.index - 1) : [];
    const checks: CheckAudit[] = suitePlan.entries.flatMap((pe) => pe.checks.map((c) => ({
      entry: pe.id, metric: c.metric, passesOriginal: base.get(checkKey(pe.id, c.metric)) ?? false, killedBy: [], equivalentKills: [], where: c.where,
    })));
    const results: MutantAudit[] = [];
    for (const mu of mutants) {
      const row = await runMutant(mu, suitePlan, checks, shared);
      results.push(row);
      req.onMutant?.(`${suitePlan.name} · ${mu.id} · ${row.skipped ? `skipped (${row.skipped})` : row.kills.length ? `killed ${row.kills.length} check${row.kills.length === 1 ? '' : 's'}` : mu.kind === 'harmful' ? 'SURVIVED' : 'no check moved'} · ${(row.durationMs / 1000).toFixed(1)} s`);
    }
    suites.push({
      suite: suitePlan.name,
      file: original.suites[0]?.file ?? suitePlan.spec.src.file,
      score: scoreOf(results),
      checks,
      mutants: results,
      originalMs,
    });
  }
  return { suites, originals, durationMs: performance.now() - t0 };
}

/** One mutant on one suite: records its kills in `checks` (checks that pass on the original and fail here). */
async function runMutant(mu: Mutant, suitePlan: PlannedSuite, checks: CheckAudit[], ctx: Shared): Promise<MutantAudit> {
  const t0 = performance.now();
  const row: MutantAudit = { id: mu.id, operator: mu.operator, kind: mu.kind, description: mu.description, kills: [], durationMs: 0 };
  try {
    const mp = await prepareRun([suitePlan], ctx.limits, { candidate: candidateOf(mu) });
    if (mu.batch) for (const e of mp[0].entries) e.plan = { ...e.plan, batch: mu.batch };
    const report = await runPrepared(mp, ctx);
    const entries = report.suites[0]?.entries ?? [];
    // A mutant no entry could run on tells nothing about the checks.
    if (entries.length && entries.every((e) => e.error)) throw badInput('E_MUTANT_NA', entries[0].error!.message, undefined, entries[0].error!.hint);
    const got = outcomes(report, 0, suitePlan);
    for (const c of checks) {
      if (!c.passesOriginal || got.get(checkKey(c.entry, c.metric))) continue;
      (mu.kind === 'harmful' ? c.killedBy : c.equivalentKills).push(mu.id);
      row.kills.push(checkKey(c.entry, c.metric));
    }
  } catch (e) {
    if (!(e instanceof SpecError) && !(isNeurogateError(e) && e.kind === 'bad_input')) throw e;
    row.skipped = reason(e);
  }
  row.durationMs = performance.now() - t0;
  return row;
}

/** Everything an audit (or one shard of it) found, as `audit-matrix.json` stores it for merging. */
export interface AuditMatrix {
  kind: 'neurogate-audit-matrix';
  version: 1;
  shard?: ShardSpec;
  /** Exit code of the runs on the original models (2 or 3 when an entry could not run). */
  originalExitCode: number;
  suites: SuiteAudit[];
}

export function auditMatrix(a: AuditResult, shard?: ShardSpec): AuditMatrix {
  return { kind: 'neurogate-audit-matrix', version: 1, ...(shard && { shard }), originalExitCode: Math.max(0, ...a.originals.map((r) => r.exitCode)), suites: a.suites };
}

/** The score of a suite from its mutants: harmful ones that failed a check ÷ harmful ones that ran. */
export function scoreOf(mutants: readonly MutantAudit[]): number | null {
  const harmful = mutants.filter((m) => m.kind === 'harmful' && !m.skipped);
  return harmful.length ? harmful.filter((m) => m.kills.length > 0).length / harmful.length : null;
}

/**
 * Shards of one audit as one: every shard ran the originals and a disjoint part of the mutants.
 * Refuses parts that are not exactly shards 1 … n of one audit.
 */
export function mergeAudits(parts: readonly AuditMatrix[]): AuditMatrix {
  if (!parts.length) throw badInput('E_MERGE_NONE', 'no audit matrices to merge', undefined, 'give the audit-matrix.json files of `neurogate audit --shard i/n`');
  const total = parts[0].shard?.total ?? 1;
  const seen = parts.map((p) => p.shard?.index ?? 1).sort((a, b) => a - b);
  if (parts.some((p) => (p.shard?.total ?? 1) !== total) || seen.length !== total || seen.some((v, i) => v !== i + 1)) {
    throw badInput('E_MERGE_SHARDS', `the audit matrices are shards ${seen.join(', ')} of ${[...new Set(parts.map((p) => p.shard?.total ?? 1))].join(' / ')}: not one whole audit`, undefined, 'merge exactly the shards 1 … n of one `neurogate audit --shard i/n` run');
  }
  const suites = parts[0].suites.map((first) => {
    const same = parts.map((p) => p.suites.find((s) => s.suite === first.suite && s.file === first.file));
    if (same.some((s) => !s)) throw badInput('E_MERGE_SHARDS', `suite ${first.suite} is missing from a shard`, undefined, 'every shard must audit the same specs');
    const mutants = same.flatMap((s) => s!.mutants);
    const checks = first.checks.map((c) => {
      const rows = same.map((s) => s!.checks.find((x) => x.entry === c.entry && x.metric === c.metric));
      if (rows.some((r) => !r)) throw badInput('E_MERGE_SHARDS', `check ${c.entry} · ${c.metric} of ${first.suite} is missing from a shard`, undefined, 'every shard must audit the same specs');
      return {
        ...c,
        passesOriginal: rows.every((r) => r!.passesOriginal),
        killedBy: mutants.filter((m) => rows.some((r) => r!.killedBy.includes(m.id))).map((m) => m.id),
        equivalentKills: mutants.filter((m) => rows.some((r) => r!.equivalentKills.includes(m.id))).map((m) => m.id),
      };
    });
    return { ...first, checks, mutants, score: scoreOf(mutants), originalMs: Math.max(...same.map((s) => s!.originalMs)) };
  });
  return { kind: 'neurogate-audit-matrix', version: 1, originalExitCode: Math.max(...parts.map((p) => p.originalExitCode)), suites };
}

export const surviving = (s: SuiteAudit) => s.checks.filter((c) => c.passesOriginal && c.killedBy.length === 0 && c.equivalentKills.length === 0);
export const fragile = (s: SuiteAudit) => s.checks.filter((c) => c.equivalentKills.length > 0);
export const failingOriginal = (s: SuiteAudit) => s.checks.filter((c) => !c.passesOriginal);

/** 1 when a suite has a surviving, fragile or failing check or scores below `minScore`; else 0. Errors of the original run keep their code. */
export function auditExitCode(a: AuditResult | AuditMatrix, minScore = 0): 0 | 1 | 2 | 3 {
  const worst = 'originals' in a ? Math.max(0, ...a.originals.map((r) => r.exitCode)) : a.originalExitCode;
  if (worst >= 2) return worst as 2 | 3;
  const bad = a.suites.some((s) => surviving(s).length || fragile(s).length || failingOriginal(s).length || (s.score ?? 0) < minScore);
  return bad ? 1 : 0;
}

/** The audit as other tools read it (this shape is a contract). */
export function auditJson(a: { suites: readonly SuiteAudit[] }): { suites: { suite: string; score: number | null; checks: { entry: string; metric: string; passesOriginal: boolean; killedBy: string[]; equivalentKills: string[] }[] }[] } {
  return {
    suites: a.suites.map((s) => ({
      suite: s.suite,
      score: s.score,
      checks: s.checks.map((c) => ({ entry: c.entry, metric: c.metric, passesOriginal: c.passesOriginal, killedBy: [...c.killedBy], equivalentKills: [...c.equivalentKills] })),
    })),
  };
}
