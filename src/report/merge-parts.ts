// One entry again from the parts a sharded run split its dataset into (`run --shard i/n` over a
// folder, glob, manifest or scenes): per-image lists concatenated in image order, dataset metrics
// from their merged states (exact, or a quantile sketch's estimate that says so), checks judged again.
import { badInput } from '../errors.ts';
import { evaluate, missingMetric } from '../check/evaluate.ts';
import { describeForm, fmt, formsOf } from '../check/forms.ts';
import { estimateNote, mergeStates, valueOfState } from '../datasets/mergeable.ts';
import { refusedCheck } from '../probe/uninformative.ts';
import type { CheckResult, EntryPart, EntryResult, Measurement } from './model.ts';

/** A part and the file it came from (named when the parts do not fit together). */
export interface FoundPart {
  entry: EntryResult & { part: EntryPart };
  file: string;
}

const RERUN = 'rerun every shard from the same commit with the same options, then merge their reports';

/** The entry one machine would have reported from all its parts (the first failed part's error, if any). */
export function mergeParts(name: string, found: readonly FoundPart[]): EntryResult {
  const parts = checkParts(name, found);
  const failed = parts.find((p) => p.entry.error);
  if (failed) {
    const { part: _part, ...entry } = failed.entry;
    return entry;
  }
  const first = parts[0].entry;
  const cases = parts.flatMap((p) => p.entry.part.cases);
  const stateNames = new Set(parts.flatMap((p) => Object.keys(p.entry.part.states)));
  const measurements: Record<string, Measurement> = {};
  const estimated: Record<string, string> = {};
  for (const metric of new Set(parts.flatMap((p) => Object.keys(p.entry.measurements)))) {
    if (stateNames.has(metric)) {
      let v: ReturnType<typeof valueOfState>;
      try {
        v = valueOfState(mergeStates(parts.flatMap((p) => p.entry.part.states[metric] ?? [])));
      } catch (e) {
        throw badInput('E_MERGE_REPORT', `${name}: the parts' states of \`${metric}\` do not merge: ${(e as Error).message}`, parts[0].file, RERUN);
      }
      measurements[metric] = v.value;
      if (v.estimated && v.value !== null) estimated[metric] = `${fmt(v.value)} ${estimateNote(parts.length)}`;
      continue;
    }
    // A per-case metric: each part's cases in order, null where a part did not measure it.
    const all = parts.flatMap((p) => {
      const m = p.entry.measurements[metric];
      const n = p.entry.part.cases.length;
      return m === undefined ? new Array<number | null>(n).fill(null) : Array.isArray(m) ? m : [m];
    });
    measurements[metric] = (all.length === 1 ? all[0] : all) as Measurement;
  }
  const uninformative = Object.assign({}, ...parts.map((p) => p.entry.part.uninformative ?? {})) as Record<string, string>;
  const checks = first.part.checks.flatMap((c) => judge(c, measurements, cases, uninformative, estimated));
  const targets = parts.flatMap((p) => {
    const t = p.entry.params.target;
    return Array.isArray(t) ? t : new Array(p.entry.part.to - p.entry.part.from).fill(t);
  });
  const { cases: _cases, ...params } = first.params;
  const { part: _part, ...head } = first;
  // A list of the part's images (a neurons entry's `images`) is the whole's in part order.
  const images = parts.every((p) => Array.isArray(p.entry.params.images)) ? parts.flatMap((p) => p.entry.params.images as unknown[]) : undefined;
  return {
    ...head,
    params: {
      ...params,
      ...(images && { images }),
      ...(targets.length && { target: new Set(targets).size === 1 ? targets[0] : targets }),
      ...(cases.length > 1 && { cases }),
      merged: { shards: parts.length, ...(Object.keys(estimated).length && { estimated }) },
    },
    durationMs: parts.reduce((s, p) => s + p.entry.durationMs, 0),
    measurements,
    checks,
    artifacts: mergeTables(parts.flatMap((p) => p.entry.artifacts)),
  };
}

/**
 * The parts' artifacts in order, a table that several parts give under one name and columns (a
 * neurons entry's per-image `activations`) as one table, its rows in part order, where the first was.
 */
function mergeTables(artifacts: EntryResult['artifacts']): EntryResult['artifacts'] {
  const out: EntryResult['artifacts'] = [];
  const byName = new Map<string, Extract<EntryResult['artifacts'][number], { type: 'table' }>>();
  for (const a of artifacts) {
    if (a.type !== 'table') {
      out.push(a);
      continue;
    }
    const seen = byName.get(a.name);
    if (seen && JSON.stringify(seen.columns) === JSON.stringify(a.columns)) {
      seen.rows.push(...a.rows);
      continue;
    }
    const copy = { ...a, rows: [...a.rows] };
    if (!seen) byName.set(a.name, copy);
    out.push(copy);
  }
  return out;
}

/** The parts in order, refused unless they are parts 1 … n of one split, each once, covering every image. */
function checkParts(name: string, found: readonly FoundPart[]): FoundPart[] {
  const parts = [...found].sort((a, b) => a.entry.part.index - b.entry.part.index);
  const n = parts[0].entry.part.parts;
  const of = parts[0].entry.part.of;
  const bad = (why: string, file: string) => badInput('E_MERGE_PARTS', `${name}: ${why}`, file, RERUN);
  parts.forEach((p, k) => {
    const pt = p.entry.part;
    if (pt.parts !== n || pt.of !== of) throw bad(`its parts were cut differently (part ${pt.index}/${pt.parts} of ${pt.of} images, part 1/${n} of ${of})`, p.file);
    if (pt.index !== k + 1) throw bad(k < parts.length && pt.index === k ? `part ${pt.index}/${n} is given twice` : `part ${k + 1}/${n} is missing`, p.file);
    const from = k === 0 ? 0 : parts[k - 1].entry.part.to;
    if (pt.from !== from || pt.to <= pt.from || pt.to > of) throw bad(`part ${pt.index}/${n} holds images ${pt.from}…${pt.to}, not the ones after the part before (${from}…)`, p.file);
  });
  if (parts.length !== n) throw bad(`${n - parts.length} of its ${n} parts are missing`, parts[0].file);
  if (parts[n - 1].entry.part.to !== of) throw bad(`its parts cover ${parts[n - 1].entry.part.to} of ${of} images`, parts[n - 1].file);
  return parts;
}

/**
 * One expectation on the merged values, as `run` judges an entry of one repeat without a baseline
 * (entries with repeats, `change` checks or goldens are never split): refused when a part found the
 * metric meaningless, missing when no part made it, else the whole and then each slice.
 */
function judge(c: EntryPart['checks'][number], measurements: Record<string, Measurement>, cases: string[], uninformative: Record<string, string>, estimated: Record<string, string>): CheckResult[] {
  if (uninformative[c.metric]) return formsOf(c.expectation).map((f) => refusedCheck(c.metric, describeForm(f), uninformative[c.metric], c.where));
  if (!(c.metric in measurements)) return missingMetric(c.metric, c.expectation, Object.keys(measurements), c.where);
  const out: CheckResult[] = [];
  for (const metric of [c.metric, ...Object.keys(measurements).filter((k) => k.startsWith(`${c.metric}[`))]) {
    const m = measurements[metric];
    const values = Array.isArray(m) ? m.map((v) => (typeof v === 'number' ? v : null)) : [typeof m === 'number' ? m : null];
    const results = evaluate(metric, c.expectation, { values: [values], cases: Array.isArray(m) && m.length === cases.length ? cases : undefined }, c.where);
    // A quantile merged through a sketch says so on its line: the value is an estimate within α.
    const note = estimated[metric];
    out.push(...results.map((r) => (note ? { ...r, reason: r.reason ? `${r.reason}; estimated ${note}` : `estimated ${note}` } : r)));
  }
  return out;
}
