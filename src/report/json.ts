// The JSON report, the source of truth: a canonical serialisation (fixed key order for the known
// records, sorted keys inside free-form ones) so two runs with the same seed are byte-identical
// once `stripVolatile` has removed the clock.
import type { RunReport } from './model.ts';
import { REPORT_SCHEMA_VERSION } from './model.ts';
import { NeurogateError } from '../errors.ts';

// The order a reader expects; keys not listed (added to the model later) follow, sorted.
const REPORT_KEYS = ['schemaVersion', 'tool', 'startedAt', 'durationMs', 'exitCode', 'summary', 'seed', 'device', 'environment', 'options', 'suites'];
const TOOL_KEYS = ['name', 'version'];
const SUMMARY_KEYS = ['suites', 'entries', 'checks', 'passed', 'failed', 'errors'];
const DEVICE_KEYS = ['requested', 'used', 'reason'];
const ENV_KEYS = ['node', 'onnxruntime', 'platform', 'cpus'];
const SUITE_KEYS = ['suite', 'file', 'model', 'baseline', 'entries'];
const MODEL_KEYS = ['ref', 'hash'];
const ENTRY_KEYS = ['id', 'kind', 'where', 'seed', 'durationMs', 'cached', 'error', 'checks', 'measurements', 'params', 'artifacts'];
const ERROR_KEYS = ['code', 'message', 'hint'];
const CHECK_KEYS = ['metric', 'passed', 'expectation', 'observed', 'baseline', 'threshold', 'reason', 'where'];
const ARTIFACT_KEYS = ['type', 'name', 'caption', 'width', 'height', 'plot', 'columns', 'rows', 'pngBase64'];
const PLOT_KEYS = ['kind', 'xLabel', 'yLabel', 'labels', 'series'];
const SERIES_KEYS = ['name', 'x', 'y'];

interface KnownRecord { keys: readonly string[]; children?: Record<string, Shape>; listOf?: Record<string, Shape> }
type Shape = readonly string[] | KnownRecord;

// Which known record sits under which key; anything else is free-form (keys sorted, recursively).
const SERIES: Shape = { keys: SERIES_KEYS };
const PLOT: Shape = { keys: PLOT_KEYS, listOf: { series: SERIES } };
const ARTIFACT: Shape = { keys: ARTIFACT_KEYS, children: { plot: PLOT } };
const CHECK: Shape = { keys: CHECK_KEYS };
const ENTRY: Shape = { keys: ENTRY_KEYS, children: { error: ERROR_KEYS }, listOf: { checks: CHECK, artifacts: ARTIFACT } };
const SUITE: Shape = { keys: SUITE_KEYS, children: { model: MODEL_KEYS, baseline: MODEL_KEYS }, listOf: { entries: ENTRY } };
const REPORT: Shape = {
  keys: REPORT_KEYS,
  children: { tool: TOOL_KEYS, summary: SUMMARY_KEYS, device: DEVICE_KEYS, environment: ENV_KEYS },
  listOf: { suites: SUITE },
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** Free-form data: keys sorted at every depth, typed arrays as plain arrays. */
function sorted(v: unknown): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(sorted);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) if (v[k] !== undefined) out[k] = sorted(v[k]);
  return out;
}

function ordered(v: unknown, shape: Shape): unknown {
  if (!isPlainObject(v)) return sorted(v);
  const s: KnownRecord = Array.isArray(shape) ? { keys: shape } : (shape as KnownRecord);
  const known = new Set(s.keys);
  const keys = [...s.keys.filter((k) => k in v), ...Object.keys(v).filter((k) => !known.has(k)).sort()];
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const x = v[k];
    if (x === undefined) continue;
    const child = s.children?.[k];
    const item = s.listOf?.[k];
    if (item && Array.isArray(x)) out[k] = x.map((e) => ordered(e, item));
    else if (child) out[k] = ordered(x, child);
    else out[k] = sorted(x);
  }
  return out;
}

/** The report in canonical form: stable key order, two-space indent, trailing newline. */
export function toJson(report: RunReport): string {
  return `${JSON.stringify(ordered(report, REPORT), null, 2)}\n`;
}

/** A report without the fields that change run to run (startedAt, every durationMs, whether an entry came from the cache). */
export type StableReport = Omit<RunReport, 'startedAt' | 'durationMs' | 'suites'> & {
  suites: (Omit<RunReport['suites'][number], 'entries'> & { entries: Omit<RunReport['suites'][number]['entries'][number], 'durationMs' | 'cached'>[] })[];
};

/** Removes `startedAt`, every `durationMs` and `cached`, so two runs with one seed compare byte for byte. */
export function stripVolatile(report: RunReport): StableReport {
  const { startedAt: _s, durationMs: _d, suites, ...rest } = report;
  return {
    ...rest,
    suites: suites.map((suite) => ({
      ...suite,
      entries: suite.entries.map(({ durationMs: _e, cached: _c, ...entry }) => entry),
    })),
  };
}

/** `toJson` of the stripped report: what determinism tests compare. */
export function stableJson(report: RunReport): string {
  return toJson(stripVolatile(report) as RunReport);
}

/** Reads a JSON report back (e.g. to compare two runs), refusing other schema versions. */
export function parseReport(text: string, where = '<report>'): RunReport {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new NeurogateError(`not a JSON report: ${(e as Error).message}`, { code: 'E_REPORT_JSON', where, hint: 'pass a neurogate-report.json written by `neurogate run`' });
  }
  const version = isPlainObject(v) ? v.schemaVersion : undefined;
  if (version !== REPORT_SCHEMA_VERSION || !Array.isArray((v as Record<string, unknown>).suites)) {
    throw new NeurogateError(`report schema version ${String(version)} is not ${REPORT_SCHEMA_VERSION}`, {
      code: 'E_REPORT_VERSION',
      where,
      hint: 'rerun with this version of neurogate to get a comparable report',
    });
  }
  return v as RunReport;
}
