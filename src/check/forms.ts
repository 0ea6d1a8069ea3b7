// The single-value semantics of every check form: a signed margin (≥ 0 passes) for one observed
// value, the reason it failed, and the human wording of the expectation.
// Margins let many cases and repeats be ranked on one scale: the k-th best decides.

/** An expectation as plain data (the spec's `expect.<metric>` with tolerances already resolved). */
export interface ExpectationSpec {
  min?: number;
  max?: number;
  between?: readonly [number, number];
  near?: number;
  tol?: number;
  rtol?: number;
  /** Period of a circular quantity (360 for degrees): distances wrap around. */
  circular?: number;
  change?: ChangeSpec;
  /** Compare with a recorded golden (handled by src/golden, not by the forms below). */
  golden?: true | { atol?: number; rtol?: number; threshold?: number; max_diff_ratio?: number };
  mostly?: number;
  k?: number;
}

export interface ChangeSpec {
  direction: 'increase' | 'decrease' | 'none';
  absolute?: number;
  relative?: number;
}

export type Form =
  | { kind: 'bounds'; min?: number; max?: number }
  | { kind: 'between'; low: number; high: number }
  | { kind: 'near'; near: number; tol: number; rtol: number; period?: number }
  | { kind: 'change'; change: ChangeSpec };

/** MLflow's stand-in for "strictly better" when a relative change is undefined (baseline 0). */
export const ZERO_BASELINE_EPS = 1e-10;

/** Each form present in an expectation becomes its own check, in a fixed order. */
export function formsOf(e: ExpectationSpec): Form[] {
  const out: Form[] = [];
  if (e.min !== undefined || e.max !== undefined) out.push({ kind: 'bounds', min: e.min, max: e.max });
  if (e.between) out.push({ kind: 'between', low: e.between[0], high: e.between[1] });
  if (e.near !== undefined) out.push({ kind: 'near', near: e.near, tol: e.tol ?? 0, rtol: e.rtol ?? 0, ...(e.circular !== undefined && { period: e.circular }) });
  if (e.change) out.push({ kind: 'change', change: e.change });
  return out;
}

export interface Judgement {
  /** ≥ 0 passes; −Infinity when the value cannot be judged (NaN, ±Inf, missing). */
  margin: number;
  /** Why it failed (set only on failure), in terms of the observed value. */
  reason?: string;
  /** A remark that holds even on a pass (the baseline-0 fallback). */
  note?: string;
}

export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'nothing';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Infinity' : '-Infinity';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-4) return v.toExponential(4).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(6)));
}

function unusable(v: number | null | undefined, what: string): Judgement | undefined {
  if (v === null || v === undefined) return { margin: -Infinity, reason: `${what} is missing` };
  if (Number.isNaN(v)) return { margin: -Infinity, reason: `${what} is NaN` };
  if (!Number.isFinite(v)) return { margin: -Infinity, reason: `${what} is ${fmt(v)}` };
  return undefined;
}

/** Judge one observed value (and its baseline value for `change`). */
export function judge(form: Form, v: number | null | undefined, b?: number | null): Judgement {
  const bad = unusable(v, 'observed value');
  if (bad) return bad;
  const x = v as number;
  switch (form.kind) {
    case 'bounds': {
      const lo = form.min === undefined ? Infinity : x - form.min;
      const hi = form.max === undefined ? Infinity : form.max - x;
      const margin = Math.min(lo, hi);
      if (margin >= 0) return { margin };
      return { margin, reason: lo < 0 ? `observed ${fmt(x)} < min ${fmt(form.min)}` : `observed ${fmt(x)} > max ${fmt(form.max)}` };
    }
    case 'between': {
      const margin = Math.min(x - form.low, form.high - x);
      return margin >= 0 ? { margin } : { margin, reason: `observed ${fmt(x)} is outside [${fmt(form.low)}, ${fmt(form.high)}]` };
    }
    case 'near': {
      const allowed = form.tol + form.rtol * Math.abs(form.near);
      const off = form.period ? circularDistance(x, form.near, form.period) : Math.abs(x - form.near);
      const margin = allowed - off;
      return margin >= 0 ? { margin } : { margin, reason: `observed ${fmt(x)} is ${fmt(off)} from ${fmt(form.near)}, more than the tolerance ${fmt(allowed)}` };
    }
    case 'change':
      return judgeChange(form.change, x, b);
  }
}

function judgeChange(c: ChangeSpec, x: number, b: number | null | undefined): Judgement {
  const bad = unusable(b, 'baseline value');
  if (bad) return bad;
  const base = b as number;
  const delta = x - base;
  const parts: Judgement[] = [];
  if (c.absolute !== undefined) {
    const size = c.absolute;
    if (c.direction === 'increase') parts.push(verdict(delta - size, `increase ${fmt(delta)} < required ${fmt(size)}`));
    else if (c.direction === 'decrease') parts.push(verdict(-delta - size, `decrease ${fmt(-delta)} < required ${fmt(size)}`));
    else parts.push(verdict(size - Math.abs(delta), `|change| ${fmt(Math.abs(delta))} > allowed ${fmt(size)}`));
  }
  if (c.relative !== undefined) {
    const size = c.relative;
    if (base === 0) {
      // Relative change is undefined; MLflow falls back to "strictly better by 1e-10".
      const note = 'baseline is 0, so the relative size cannot apply: compared strictly (±1e-10) as MLflow does';
      let j: Judgement;
      if (c.direction === 'increase') j = verdict(delta - ZERO_BASELINE_EPS, `observed ${fmt(x)} is not above the baseline 0`);
      else if (c.direction === 'decrease') j = verdict(-delta - ZERO_BASELINE_EPS, `observed ${fmt(x)} is not below the baseline 0`);
      else j = verdict(ZERO_BASELINE_EPS - Math.abs(delta), `observed ${fmt(x)} differs from the baseline 0`);
      parts.push({ ...j, note });
    } else {
      // Divided by |baseline| so a rise reads as a rise for negative baselines too
      // (MLflow divides by the signed value, which flips the sign there).
      const rel = delta / Math.abs(base);
      if (c.direction === 'increase') parts.push(verdict(rel - size, `relative increase ${pct(rel)} < required ${pct(size)}`));
      else if (c.direction === 'decrease') parts.push(verdict(-rel - size, `relative decrease ${pct(-rel)} < required ${pct(size)}`));
      else parts.push(verdict(size - Math.abs(rel), `relative |change| ${pct(Math.abs(rel))} > allowed ${pct(size)}`));
    }
  }
  // Both sizes given: both must hold (MLflow); the worse one decides.
  let worst = parts[0];
  for (const p of parts) if (p.margin < worst.margin) worst = p;
  const note = parts.find((p) => p.note)?.note;
  const reason = worst.margin < 0 ? `${worst.reason} (observed ${fmt(x)}, baseline ${fmt(base)})` : undefined;
  return { margin: worst.margin, reason, note };
}

/** Shortest distance between two points on a circle of the given period. */
export function circularDistance(a: number, b: number, period: number): number {
  const d = (((a - b) % period) + period) % period;
  return Math.min(d, period - d);
}

function verdict(margin: number, failure: string): Judgement {
  return margin >= 0 ? { margin } : { margin, reason: failure };
}

function pct(r: number): string {
  return `${fmt(r * 100)}%`;
}

/** The expectation as a human reads it: `≥ 0.5`, `3 ± 0.1`, `increase ≥ 0.1 (absolute)`. */
export function describeForm(form: Form): string {
  switch (form.kind) {
    case 'bounds':
      if (form.min !== undefined && form.max !== undefined) return `${fmt(form.min)} ≤ x ≤ ${fmt(form.max)}`;
      return form.min !== undefined ? `≥ ${fmt(form.min)}` : `≤ ${fmt(form.max)}`;
    case 'between':
      return `in [${fmt(form.low)}, ${fmt(form.high)}]`;
    case 'near': {
      const allowed = form.tol + form.rtol * Math.abs(form.near);
      const how = form.rtol ? ` (tol ${fmt(form.tol)} + rtol ${fmt(form.rtol)}·|${fmt(form.near)}|)` : '';
      const circ = form.period ? ` (mod ${fmt(form.period)})` : '';
      return `${fmt(form.near)} ± ${fmt(allowed)}${how}${circ}`;
    }
    case 'change': {
      const c = form.change;
      const sizes: string[] = [];
      const op = c.direction === 'none' ? '≤' : '≥';
      const head = c.direction === 'none' ? '|change|' : c.direction;
      if (c.absolute !== undefined) sizes.push(`${op} ${fmt(c.absolute)} (absolute)`);
      if (c.relative !== undefined) sizes.push(`${op} ${pct(c.relative)} (relative)`);
      return `${head} ${sizes.join(' and ')} vs baseline`;
    }
  }
}

/** The form as data for machines (JSON report, JUnit properties). */
export function formThreshold(form: Form): Record<string, unknown> {
  switch (form.kind) {
    case 'bounds': return { form: 'bounds', ...(form.min !== undefined && { min: form.min }), ...(form.max !== undefined && { max: form.max }) };
    case 'between': return { form: 'between', low: form.low, high: form.high };
    case 'near': return { form: 'near', near: form.near, tol: form.tol, rtol: form.rtol, ...(form.period && { circular: form.period }) };
    case 'change': return { form: 'change', direction: form.change.direction, ...(form.change.absolute !== undefined && { absolute: form.change.absolute }), ...(form.change.relative !== undefined && { relative: form.change.relative }) };
  }
}
