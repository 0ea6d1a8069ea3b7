// Checks over many values: each case (image × unit) is judged, `mostly` says which fraction of
// cases must pass in a run, `k` how many of the `repeat` runs must pass. The deciding value —
// the case that the fraction rule turns on — is what the report shows as "observed".
import type { CheckResult } from '../probe/measurement.ts';
import { describeForm, fmt, formThreshold, formsOf, judge, type ExpectationSpec, type Form, type Judgement } from './forms.ts';

export interface Observations {
  /** Observed values per repeat, per case: `values[r][c]`. null = not measured. */
  values: readonly (readonly (number | null)[])[];
  /** Baseline values in the same layout (for `change`). */
  baseline?: readonly (readonly (number | null)[])[];
  /** Case labels for messages, e.g. `chelsea.png · unit 3`. */
  cases?: readonly string[];
}

/** How many of `n` must pass for a fraction: ⌈fraction·n⌉, at least 1, robust to 0.7·10 = 7.000000000000001. */
export function needed(fraction: number, n: number): number {
  return Math.max(1, Math.min(n, Math.ceil(fraction * n - 1e-9)));
}

interface Ranked {
  index: number;
  margin: number;
  j: Judgement;
}

/** Sort best first; ties keep input order so results never depend on the sort's stability. */
function rank(items: Ranked[]): Ranked[] {
  return [...items].sort((a, b) => (b.margin - a.margin) || (a.index - b.index));
}

/** Margins with NaN mapped to −Infinity so comparisons stay total. */
function margin(j: Judgement): number {
  return Number.isNaN(j.margin) ? -Infinity : j.margin;
}

export function evaluate(metric: string, e: ExpectationSpec, obs: Observations, where?: string): CheckResult[] {
  return formsOf(e).map((form) => evaluateForm(metric, form, e, obs, where));
}

function evaluateForm(metric: string, form: Form, e: ExpectationSpec, obs: Observations, where?: string): CheckResult {
  const n = obs.values.length;
  const cases = Math.max(0, ...obs.values.map((r) => r.length));
  const mostly = e.mostly ?? 1;
  const k = e.k ?? n;
  const expectation = describe(form, mostly, cases, k, n);
  const threshold = { ...formThreshold(form), mostly, k, n, cases };
  const base: Omit<CheckResult, 'passed' | 'observed'> = { metric, expectation, threshold, ...(where && { where }) };
  if (n === 0 || cases === 0) {
    return { ...base, observed: null, passed: false, reason: `no values of \`${metric}\` were measured` };
  }
  const caseNeed = needed(mostly, cases);
  const repeatNeed = Math.min(Math.max(1, k), n);
  // Per repeat: judge each case, rank, and take the deciding case.
  const repeats = obs.values.map((row, r) => {
    const judged: Ranked[] = [];
    for (let c = 0; c < cases; c++) {
      const j = judge(form, row[c] ?? null, obs.baseline?.[r]?.[c] ?? null);
      judged.push({ index: c, margin: margin(j), j });
    }
    const ranked = rank(judged);
    const decider = ranked[caseNeed - 1];
    const passing = judged.filter((x) => x.margin >= 0).length;
    return { index: r, margin: decider.margin, decider, passing, j: decider.j };
  });
  const rankedRepeats = rank(repeats);
  const decidingRepeat = repeats[rankedRepeats[repeatNeed - 1].index];
  const passed = decidingRepeat.margin >= 0;
  const r = decidingRepeat.index;
  const c = decidingRepeat.decider.index;
  const observed = finiteOrNull(obs.values[r]?.[c]);
  const result: CheckResult = { ...base, observed, passed };
  if (form.kind === 'change') result.baseline = finiteOrNull(obs.baseline?.[r]?.[c]);

  const label = (ci: number) => obs.cases?.[ci] ?? `case ${ci + 1}`;
  const notes: string[] = [];
  if (cases > 1) notes.push(`${decidingRepeat.passing} of ${cases} cases pass, ${caseNeed} needed`);
  const repeatsPassing = repeats.filter((x) => x.margin >= 0).length;
  if (n > 1) notes.push(`${repeatsPassing} of ${n} repeats pass, ${repeatNeed} needed`);
  const note = decidingRepeat.decider.j.note;
  if (passed) {
    const extra = [...((mostly < 1 || repeatNeed < n) ? notes : []), ...(note ? [note] : [])];
    if (extra.length) result.reason = extra.join('; ');
  } else {
    const where = [cases > 1 ? label(c) : '', n > 1 ? `repeat ${r + 1}` : ''].filter(Boolean).join(', ');
    const why = decidingRepeat.decider.j.reason ?? `observed ${fmt(obs.values[r]?.[c])}`;
    result.reason = [...notes, `${where ? `${where}: ` : ''}${why}`, ...(note ? [note] : [])].join('; ');
  }
  return result;
}

function finiteOrNull(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function describe(form: Form, mostly: number, cases: number, k: number, n: number): string {
  let s = describeForm(form);
  if (mostly < 1) s += ` for ≥ ${fmt(mostly * 100)}% of ${cases} cases`;
  else if (cases > 1) s += ` for all ${cases} cases`;
  if (n > 1) s += k < n ? `, in ≥ ${k} of ${n} repeats` : `, in all ${n} repeats`;
  return s;
}

/** An expectation on a metric the probe did not produce: it fails (never skips) and says why. */
export function missingMetric(metric: string, e: ExpectationSpec, produced: readonly string[], where?: string): CheckResult[] {
  return formsOf(e).map((form) => ({
    metric,
    expectation: describeForm(form),
    threshold: formThreshold(form),
    observed: null,
    passed: false,
    reason: `the probe did not produce \`${metric}\` (it produced: ${produced.join(', ') || 'nothing'})`,
    ...(where && { where }),
  }));
}
