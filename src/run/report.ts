// Outcomes → the RunReport every writer derives from: checks evaluated, measurements and every
// parameter recorded, counts and the exit code decided (3 internal > 2 bad input > 1 failed > 0).
import os from 'node:os';
import { ortVersion } from '../engine/session.ts';
import { evaluate, missingMetric } from '../check/evaluate.ts';
import { REPORT_SCHEMA_VERSION, type Artifact, type CheckResult, type EntryResult, type Measurement, type RunReport, type SuiteResult } from '../report/model.ts';
import { VERSION } from '../version.ts';
import { entryKind } from '../kinds/index.ts';
import type { EntryOutcome, ExecutedRun } from './execute.ts';
import type { ProbeOutput } from '../probe/probe.ts';
import { summaryOf } from '../report/merge.ts';
import { compareOrBless, compareOrBlessImage, toleranceFor, type GoldenMode, type GoldenStore } from '../golden/index.ts';
import { describeForm, formsOf, type ExpectationSpec } from '../check/forms.ts';
import { refusedCheck } from '../probe/uninformative.ts';

export interface ReportContext {
  startedAt: Date;
  durationMs: number;
  seed: number;
  /** --device as given, else the devices the specs ask for. */
  requestedDevice?: string;
  options: Record<string, unknown>;
  /** Where goldens live and whether this run compares (`run`) or records (`bless`) them. */
  golden?: { store: GoldenStore; mode: GoldenMode };
}

export function buildReport(run: ExecutedRun, ctx: ReportContext): RunReport {
  const suites: SuiteResult[] = run.suites.map(({ suite, entries }) => {
    const first = entries[0];
    const result: SuiteResult = {
      file: suite.spec.src.file,
      suite: suite.name,
      // A kind that makes its own baseline (circuits) runs a derived copy; the suite's model is the one it came from.
      model: { ref: suite.model?.ref ?? first.plan.model.ref, hash: entryKind(first.plan.at.kind).ownBaseline ? first.baselineHash ?? first.modelHash : first.modelHash },
      entries: entries.map((o) => entryResult(o, suite.name, ctx.golden)),
    };
    const withBaseline = entries.find((e) => e.baselineHash !== undefined);
    if (withBaseline) result.baseline = { ref: withBaseline.plan.baseline!.ref, hash: withBaseline.baselineHash! };
    return result;
  });
  const summary = summaryOf(suites);
  const outcomes = run.suites.flatMap((s) => s.entries);
  const exitCode: RunReport['exitCode'] = outcomes.some((o) => o.error?.internal) ? 3
    : outcomes.some((o) => o.error) ? 2
      : summary.failed > 0 ? 1 : 0;
  const requested = [...run.devices.keys()];
  const choices = [...run.devices.values()];
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'neurogate', version: VERSION },
    startedAt: ctx.startedAt.toISOString(),
    durationMs: ctx.durationMs,
    environment: { node: process.version, onnxruntime: ortVersion, platform: `${process.platform}-${process.arch}`, cpus: os.availableParallelism?.() ?? os.cpus().length },
    seed: ctx.seed,
    device: {
      requested: ctx.requestedDevice ?? (requested.length ? requested.join(',') : 'auto'),
      used: [...new Set(choices.map((c) => c.device))].join(','),
      reason: [...new Set(choices.map((c) => c.reason))].join('; '),
    },
    options: ctx.options,
    suites,
    summary,
    exitCode,
  };
}

function entryResult(o: EntryOutcome, suiteName: string, golden: ReportContext['golden']): EntryResult {
  const pe = o.plan;
  const base: EntryResult = {
    id: pe.id,
    kind: pe.at.kind,
    where: pe.where,
    params: {},
    seed: pe.seed,
    durationMs: o.durationMs,
    ...(o.cached && { cached: true }),
    measurements: {},
    checks: [],
    artifacts: [],
  };
  const runParams: Record<string, unknown> = {
    probe: pe.probeKind,
    model: pe.model.ref,
    // A circuit entry's candidate is an edited copy: the model it names is the unedited one.
    // (A circuit entry that patches activations runs the named model itself: no edited copy.)
    ...(entryKind(pe.at.kind).ownBaseline && o.baselineHash !== undefined
      ? { modelHash: o.baselineHash, editedModelHash: o.modelHash }
      : { modelHash: o.modelHash }),
    device: o.device,
    batch: pe.batch,
    repeat: pe.repeat,
    ...(o.baselineHash !== undefined && { baseline: pe.baseline!.ref, baselineHash: o.baselineHash }),
  };
  // One part of an entry split by images: its states and expectations travel for the merge to judge.
  const part = (out?: ProbeOutput): EntryResult['part'] => pe.part && {
    ...pe.part,
    cases: out?.cases ?? [],
    states: out?.states ?? {},
    checks: pe.checks.map((c) => ({ metric: c.metric, expectation: c.expectation, where: c.where })),
    ...(out?.uninformative && { uninformative: out.uninformative }),
  };
  if (o.error) {
    return { ...base, params: runParams, error: { code: o.error.code, message: o.error.message, ...(o.error.hint && { hint: o.error.hint }) }, ...(pe.part && { part: part() }) };
  }
  const first = o.outputs[0];
  const checks: CheckResult[] = [];
  const artifacts = [...(first.artifacts ?? [])];
  for (const c of pe.checks) {
    const produced = [...Object.keys(first.measurements), ...Object.keys(first.images ?? {})];
    if (c.expectation.golden) {
      const g = goldenCheck(first, o.device, { suite: suiteName, entry: pe.id, metric: c.metric }, c.expectation.golden, golden, c.where);
      checks.push(g.check);
      artifacts.push(...g.artifacts);
    }
    const refused = o.outputs.map((out) => out.uninformative?.[c.metric]).find(Boolean);
    if (refused) {
      checks.push(...formsOf(c.expectation).map((f) => refusedCheck(c.metric, describeForm(f), refused, c.where)));
      continue;
    }
    if (!(c.metric in first.measurements)) {
      // An image metric is only ever compared with its golden (above).
      if (first.images && c.metric in first.images) continue;
      checks.push(...missingMetric(c.metric, c.expectation, produced, c.where));
      continue;
    }
    // A sliced dataset metric (`name[slice]`) gets one check line per slice after the whole.
    for (const metric of [c.metric, ...Object.keys(first.measurements).filter((k) => k.startsWith(`${c.metric}[`))]) {
      checks.push(...evaluate(metric, c.expectation, {
        values: o.outputs.map((out) => numbers(out.measurements[metric])),
        baseline: o.baseline?.map((out) => numbers(out.measurements[metric])),
        cases: casesOf(first, metric),
      }, c.where));
    }
  }
  return {
    ...base,
    params: { ...first.params, ...runParams, ...(first.cases && first.cases.length > 1 && { cases: first.cases }) },
    measurements: measurementsOf(o.outputs, o.baseline),
    checks,
    artifacts,
    ...(pe.part && { part: part(first) }),
  };
}

/**
 * A `golden:` expectation: the metric's values (first repeat) or image against the recorded golden,
 * keyed by suite, entry, metric and the device that produced it (engines differ past the 4th decimal).
 */
function goldenCheck(
  out: ProbeOutput, device: string, key: { suite: string; entry: string; metric: string },
  spec: NonNullable<ExpectationSpec['golden']>, golden: ReportContext['golden'], where?: string,
): { check: CheckResult; artifacts: Artifact[] } {
  const specFile = where?.replace(/:\d+:\d+$/, '');
  const gk = { suite: key.suite, entry: key.entry, name: key.metric, device, ...(specFile && { spec: specFile }) };
  const opts = spec === true ? {} : spec;
  if (!golden) {
    return { check: { metric: key.metric, expectation: 'matches golden', threshold: { form: 'golden' }, observed: null, passed: false, reason: 'goldens are not available in this run', ...(where && { where }) }, artifacts: [] };
  }
  const image = out.images?.[key.metric];
  const r = image
    ? compareOrBlessImage(golden.store, gk, image, { threshold: opts.threshold, maxDiffRatio: opts.max_diff_ratio }, golden.mode)
    : compareOrBless(golden.store, gk, numbers(out.measurements[key.metric]).map((v) => v ?? NaN), toleranceFor(device, { atol: opts.atol, rtol: opts.rtol }), golden.mode);
  return { check: { ...r.check, ...(where && { where }) }, artifacts: r.artifacts };
}

/** A measurement as one value per case (scalars are one case; text and null are unmeasurable). */
function numbers(m: Measurement | undefined): (number | null)[] {
  if (typeof m === 'number') return [m];
  if (Array.isArray(m)) return m.map((v) => (typeof v === 'number' ? v : null));
  return [null];
}

function casesOf(out: ProbeOutput, metric: string): string[] | undefined {
  const m = out.measurements[metric];
  return Array.isArray(m) && out.cases && out.cases.length === m.length ? out.cases : undefined;
}

/**
 * Measurements as reported: with one repeat as the probe gave them; with n repeats, each metric's
 * values of all repeats in order (repeat-major). Baseline values appear as `baseline:<metric>`
 * (a name no expectation can use, so they are shown, never checked by accident).
 */
function measurementsOf(outputs: ProbeOutput[], baseline?: ProbeOutput[]): Record<string, Measurement> {
  const merge = (outs: ProbeOutput[], prefix: string, into: Record<string, Measurement>) => {
    for (const metric of Object.keys(outs[0].measurements)) {
      into[`${prefix}${metric}`] = outs.length === 1 ? jsonSafe(outs[0].measurements[metric]) : outs.flatMap((o) => numbers(o.measurements[metric])).map((v) => v ?? NaN);
    }
  };
  const out: Record<string, Measurement> = {};
  merge(outputs, '', out);
  if (baseline?.length) merge(baseline, 'baseline:', out);
  return out;
}

function finiteOrNull(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}

/** JSON has no NaN or Infinity: a scalar becomes null, list items serialise as null (the checks' reasons say what they were). */
function jsonSafe(m: Measurement): Measurement {
  return typeof m === 'number' ? finiteOrNull(m) : m;
}
