// What a probe hands back and a check judges: measurements, check results and artifacts. Plain
// data shared by probes, checks, goldens and reports, so none of them imports another for it.

/** One value, or one per case (null where a case could not be measured: its checks fail). */
export type Measurement = number | (number | null)[] | string | null;

export interface CheckResult {
  /** The metric path as written in the spec (`tuning.peak_deg`). */
  metric: string;
  /** Human-readable expectation, e.g. `≥ 0.8`, `90 ± 15`, `increase ≥ 0.1 (absolute)`. */
  expectation: string;
  /** The expectation as data, for machines. */
  threshold: Record<string, unknown>;
  /** Observed value; null when it could not be measured (which fails the check). */
  observed: number | null;
  /** Baseline value for `change` checks. */
  baseline?: number | null;
  passed: boolean;
  /** Why it failed (or a note on how it passed for fractional checks). */
  reason?: string;
  /** `file:line:col` of the expectation in its spec. */
  where?: string;
}

/** Pictures and plots the HTML report shows; images are inline base64 PNG. */
export type Artifact =
  | { type: 'image'; name: string; caption?: string; pngBase64: string; width: number; height: number }
  | { type: 'plot'; name: string; caption?: string; plot: Plot }
  | { type: 'table'; name: string; caption?: string; columns: string[]; rows: (string | number | null)[][] }
  /** A table whose cells may hold pictures: one row per unit (its visualization, top examples, concept). */
  | { type: 'atlas'; name: string; caption?: string; columns: string[]; rows: (string | Thumbnail[])[][] };

/** A small inline picture in an atlas cell; the caption shows on hover and as its alt text. */
export interface Thumbnail {
  pngBase64: string;
  width: number;
  height: number;
  caption?: string;
}

export interface Plot {
  /** polar: x is an angle in degrees (tuning curves); line: plain x/y; bar: categories in `labels`. */
  kind: 'polar' | 'line' | 'bar';
  xLabel?: string;
  yLabel?: string;
  series: { name: string; x: number[]; y: number[] }[];
  labels?: string[];
}
