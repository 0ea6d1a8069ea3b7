// Loading one spec file: YAML → schema → the cross-field rules a schema cannot say (unique ids,
// a model for every entry, tolerances for `near`, files that exist), every failure at file:line:col.
import path from 'node:path';
import { isNeurogateError } from '../errors.ts';
import { readGuardedText } from '../io/guarded-fs.ts';
import { newReadLog, recordReads, recording, type ReadLog } from '../io/reads.ts';
import type { EntryKind } from '../probe/kind.ts';
import { SpecError, issueAt, type SpecIssue } from '../suite/issues.ts';
import { fileRef } from '../suite/paths.ts';
import type { Expectation } from '../suite/schema/expect.ts';
import { sourceText, whereAt } from '../suite/source.ts';
import type { EntryBase, LoadedSpec, SpecEntry, SpecOverrides, Suite } from '../suite/spec.ts';
import { parseYaml, locate, YAML_LIMITS, type PathSegment } from '../suite/yaml.ts';
import { zodIssues } from '../suite/zod-issues.ts';
import { suiteLabels } from '../datasets/labels.ts';
import { entryKind, entryKinds } from './index.ts';
import { suiteSchema } from './schema.ts';

export type { LoadedSpec, SpecEntry, SpecOverrides } from '../suite/spec.ts';

/** Every entry of the suite, kind by kind in the order the kinds are registered. */
export function entriesOf(suite: Suite): SpecEntry[] {
  return entryKinds().flatMap((k) => ((suite[k.key] ?? []) as EntryBase[]).map((entry, index) => ({ kind: k.key, index, path: [k.key, index], entry })));
}

/** The entries of one kind, typed by its descriptor. */
export function entriesOfKind<E extends EntryBase>(suite: Suite, kind: EntryKind<E>): E[] {
  return (suite[kind.key] ?? []) as E[];
}

export function loadSpecFile(file: string, overrides: SpecOverrides = {}): LoadedSpec {
  // The spec itself is named by the user (or found under a folder they named), so no root applies
  // here; the size is held to the YAML limit before the file is read.
  let text: string;
  try {
    text = readGuardedText(file, { what: 'spec file', code: 'SPEC', maxBytes: YAML_LIMITS.maxBytes, missingHint: 'check the path' });
  } catch (e) {
    // Like every other spec problem, told at file:line:col (here the start: nothing was read).
    if (!isNeurogateError(e) || e.code !== 'E_SPEC_TOO_BIG') throw e;
    throw new SpecError([issueAt(sourceText(file, ''), 0, 0, e.message, 'split it into several spec files')], 'E_SPEC_TOO_BIG');
  }
  return loadSpecText(file, text, overrides);
}

/** Load from text already in memory (`file` names it in messages and anchors relative paths). */
export function loadSpecText(file: string, text: string, overrides: SpecOverrides = {}): LoadedSpec {
  const src = sourceText(file, text.replace(/^\uFEFF/, ''));
  const { doc, value } = parseYaml(src);
  const where = (p: readonly PathSegment[], key = false) => whereAt(src, locate(doc, p, { key }).start);
  const issue = (p: readonly PathSegment[], message: string, hint?: string, key = false) => {
    const s = locate(doc, p, { key });
    return issueAt(src, s.start, s.end, message, hint);
  };
  if (value === null || value === undefined) {
    throw new SpecError([issueAt(src, 0, 1, 'the spec is empty', 'start with `suite: <name>` and a `neurons:` list')], 'E_SPEC_EMPTY');
  }
  const schema = suiteSchema();
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new SpecError(zodIssues(parsed.error.issues, schema, value, doc, src));
  const spec: LoadedSpec = { src, dir: path.dirname(src.abs), suite: parsed.data as Suite, doc, allowOutside: overrides.allowOutside === true, where, issue };
  const issues = crossChecks(spec, overrides);
  if (issues.length) throw new SpecError(issues);
  return spec;
}

// What each entry's cross-checks read (dataset folders, globs, manifests), when someone records
// reads: the result cache keys the entry on them, not every entry of the spec (src/io/reads.ts).
const loadReads = new WeakMap<object, ReadLog>();

function entryLog(entry: object): ReadLog | undefined {
  if (!recording()) return undefined;
  const log = newReadLog();
  loadReads.set(entry, log);
  return log;
}

/** The files and folders an entry's cross-checks read when its spec loaded under recordReads. */
export function loadReadsOf(entry: object): ReadLog | undefined {
  return loadReads.get(entry);
}

function crossChecks(spec: LoadedSpec, overrides: SpecOverrides): SpecIssue[] {
  const { suite, issue } = spec;
  const out: SpecIssue[] = [];
  const entries = entriesOf(suite);
  if (entries.length === 0) {
    out.push(issue([], 'the suite has no entries, so it checks nothing', 'add a `neurons:` list with at least one entry that has `expect:`'));
    return out;
  }
  const seen = new Map<string, number>();
  const baseline = overrides.baseline ?? suite.baseline;
  if (!overrides.baseline && suite.baseline) out.push(...fileRef(spec, ['baseline'], suite.baseline, 'model'));
  if (!overrides.model && suite.model) out.push(...fileRef(spec, ['model'], suite.model, 'model'));
  out.push(...suiteLabels(spec).issues);
  for (const { kind, path: p, entry } of entries) {
    const first = seen.get(entry.id);
    if (first !== undefined) out.push(issue([...p, 'id'], `duplicate id "${entry.id}" (also entry ${first + 1} of this list)`, 'ids must be unique within a suite'));
    else seen.set(entry.id, p[1] as number);
    if (!overrides.model) {
      if (entry.model) out.push(...fileRef(spec, [...p, 'model'], entry.model, 'model'));
      else if (!suite.model) out.push(issue([...p, 'id'], `entry "${entry.id}" has no model`, 'set `model:` on the suite (or on the entry), or pass --model', true));
    }
    const k = entryKind(kind);
    if (k.needsBaseline && !baseline) out.push(issue([...p, 'id'], `a ${kind} entry compares the model with a baseline model, but none is set`, 'set `baseline:` on the suite or pass --baseline', true));
    if (k.crossChecks) out.push(...recordReads(entryLog(entry), () => k.crossChecks!(spec, { kind, index: p[1] as number, path: p, entry })));
    const n = entry.repeat ?? 1;
    for (const [metric, e] of Object.entries(entry.expect) as [string, Expectation][]) {
      const ep = [...p, 'expect', metric];
      if (e.near !== undefined && e.tol === undefined && e.rtol === undefined && entry.tol === undefined && entry.rtol === undefined && suite.tol === undefined && suite.rtol === undefined) {
        out.push(issue([...ep, 'near'], 'near needs a tolerance', 'add `tol:` (absolute) or `rtol:` (relative) here, on the entry, or on the suite'));
      }
      if (e.k !== undefined && e.k > n) {
        out.push(issue([...ep, 'k'], `k = ${e.k} but the entry runs ${n} time${n === 1 ? '' : 's'}`, 'set `repeat:` on the entry to at least k'));
      }
      // A circuit's baseline is its own unedited model.
      if (e.change && !baseline && !k.ownBaseline) {
        out.push(issue([...ep, 'change'], 'change compares against a baseline model, but none is set', 'set `baseline:` on the suite or pass --baseline', true));
      }
    }
  }
  return out;
}
