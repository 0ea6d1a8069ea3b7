// Running a spec held in memory through the real runner (load → plan → prepare → execute → report),
// so every number `init` writes was measured by the same code `neurogate run` uses, and the written
// spec can be run once more before it is saved. One activation cache spans both runs.
import type { Device } from '../engine/session.ts';
import type { RunReport } from '../report/model.ts';
import { loadSpecText } from '../kinds/load.ts';
import { createActivationCache, type ActivationCache } from '../probe/cache.ts';
import { DEFAULT_LIMITS, type RunLimits } from '../probe/limits.ts';
import { executeRun } from '../run/execute.ts';
import { planRun } from '../run/plan.ts';
import { prepareRun } from '../run/prepare.ts';
import { buildReport } from '../run/report.ts';

export interface SpecRunner {
  /** Runs `text` as if it were the file `file` (relative paths resolve from its folder). */
  run(file: string, text: string): Promise<RunReport>;
}

export function specRunner(device?: Device, cache: ActivationCache = createActivationCache(), limits: RunLimits = DEFAULT_LIMITS): SpecRunner {
  return {
    async run(file, text) {
      const t0 = performance.now();
      const startedAt = new Date();
      const plan = planRun([loadSpecText(file, text, { allowOutside: limits.allowOutside })], device ? { device } : {});
      const executed = await executeRun(await prepareRun(plan, limits), { cache, limits });
      const seeds = new Set(plan.flatMap((s) => s.entries.map((e) => e.seed)));
      return buildReport(executed, { startedAt, durationMs: performance.now() - t0, seed: seeds.size === 1 ? [...seeds][0] : 0, options: { init: true } });
    },
  };
}

/** Every entry's measurements by id (entries that could not run throw: init cannot write their checks). */
export function measurementsById(report: RunReport): Map<string, RunReport['suites'][number]['entries'][number]> {
  const out = new Map<string, RunReport['suites'][number]['entries'][number]>();
  for (const s of report.suites) for (const e of s.entries) out.set(e.id, e);
  return out;
}

/** The checks that failed, one line each, for an error message. */
export function failures(report: RunReport): string[] {
  return report.suites.flatMap((s) => s.entries.flatMap((e) => [
    ...(e.error ? [`${e.id}: ${e.error.message}`] : []),
    ...e.checks.filter((c) => !c.passed).map((c) => `${e.id}: ${c.metric} ${c.expectation}: observed ${c.observed}${c.reason ? ` (${c.reason})` : ''}`),
  ]));
}
