// Loading one spec file: YAML → schema → the cross-field rules a schema cannot say (unique ids,
// a model for every entry, tolerances for `near`, files that exist), every failure at file:line:col.
import fs from 'node:fs';
import path from 'node:path';
import type { Document } from 'yaml';
import { badInput } from '../errors.ts';
import { SpecError, issueAt, type SpecIssue } from './issues.ts';
import { sourceText, whereAt, type SourceText } from './source.ts';
import { parseYaml, locate, type PathSegment } from './yaml.ts';
import { zodIssues } from './zod-issues.ts';
import { isInside, specRoot } from './paths.ts';
import { SuiteSchema, type Suite } from './schema/suite.ts';
import type { NeuronEntry } from './schema/neuron.ts';
import type { MaskEntry } from '../probes/attribution/schema.ts';
import type { CircuitEntry } from '../probes/circuit/schema.ts';
import type { ReimplEntry } from '../reimpl/schema.ts';
import type { Expectation } from './schema/expect.ts';

export interface SpecOverrides {
  /** --model: replaces every model of the spec (resolved from the working directory). */
  model?: string;
  /** --baseline: replaces the suite's baseline. */
  baseline?: string;
  /** --allow-outside: files the spec names may lie outside its project. */
  allowOutside?: boolean;
}

export interface LoadedSpec {
  src: SourceText;
  /** Directory relative paths in the spec resolve from. */
  dir: string;
  suite: Suite;
  doc: Document.Parsed;
  /** Whether files it names may lie outside its project (--allow-outside), for checks made after loading. */
  allowOutside: boolean;
  /** `file:line:col` of a value (or with `key` its key) in this spec. */
  where(path: readonly PathSegment[], key?: boolean): string;
  /** An issue at a path of this spec, for errors found after loading (a layer the model lacks). */
  issue(path: readonly PathSegment[], message: string, hint?: string, key?: boolean): SpecIssue;
}

/** One entry of any kind with its place in the spec. */
export type SpecEntry =
  | { kind: 'neurons'; index: number; path: PathSegment[]; entry: NeuronEntry }
  | { kind: 'masks'; index: number; path: PathSegment[]; entry: MaskEntry }
  | { kind: 'circuits'; index: number; path: PathSegment[]; entry: CircuitEntry }
  | { kind: 'reimpl'; index: number; path: PathSegment[]; entry: ReimplEntry };

export function entriesOf(suite: Suite): SpecEntry[] {
  return [
    ...(suite.neurons ?? []).map((entry, index): SpecEntry => ({ kind: 'neurons', index, path: ['neurons', index], entry })),
    ...(suite.masks ?? []).map((entry, index): SpecEntry => ({ kind: 'masks', index, path: ['masks', index], entry })),
    ...(suite.circuits ?? []).map((entry, index): SpecEntry => ({ kind: 'circuits', index, path: ['circuits', index], entry })),
    ...(suite.reimpl ?? []).map((entry, index): SpecEntry => ({ kind: 'reimpl', index, path: ['reimpl', index], entry })),
  ];
}

export function loadSpecFile(file: string, overrides: SpecOverrides = {}): LoadedSpec {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw badInput('E_SPEC_MISSING', 'not a file', file, 'give a spec file (.yaml) or a directory of them');
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') throw badInput('E_SPEC_MISSING', 'spec file not found', file, 'check the path');
    throw e;
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
  const parsed = SuiteSchema.safeParse(value);
  if (!parsed.success) throw new SpecError(zodIssues(parsed.error.issues, SuiteSchema, value, doc, src));
  const spec: LoadedSpec = { src, dir: path.dirname(src.abs), suite: parsed.data, doc, allowOutside: overrides.allowOutside === true, where, issue };
  const issues = crossChecks(spec, overrides);
  if (issues.length) throw new SpecError(issues);
  return spec;
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
  for (const { kind, path: p, entry } of entries) {
    const first = seen.get(entry.id);
    if (first !== undefined) out.push(issue([...p, 'id'], `duplicate id "${entry.id}" (also entry ${first + 1} of this list)`, 'ids must be unique within a suite'));
    else seen.set(entry.id, p[1] as number);
    if (!overrides.model) {
      if (entry.model) out.push(...fileRef(spec, [...p, 'model'], entry.model, 'model'));
      else if (!suite.model) out.push(issue([...p, 'id'], `entry "${entry.id}" has no model`, 'set `model:` on the suite (or on the entry), or pass --model', true));
    }
    if (kind === 'neurons' || kind === 'masks') {
      if (entry.image) out.push(...fileRef(spec, [...p, 'image'], entry.image, 'image'));
      entry.images?.forEach((img, i) => out.push(...fileRef(spec, [...p, 'images', i], img, 'image')));
    }
    const n = ('repeat' in entry ? entry.repeat : undefined) ?? 1;
    for (const [metric, e] of Object.entries(entry.expect) as [string, Expectation][]) {
      const ep = [...p, 'expect', metric];
      if (e.near !== undefined && e.tol === undefined && e.rtol === undefined && entry.tol === undefined && entry.rtol === undefined && suite.tol === undefined && suite.rtol === undefined) {
        out.push(issue([...ep, 'near'], 'near needs a tolerance', 'add `tol:` (absolute) or `rtol:` (relative) here, on the entry, or on the suite'));
      }
      if (e.k !== undefined && e.k > n) {
        out.push(issue([...ep, 'k'], `k = ${e.k} but the entry runs ${n} time${n === 1 ? '' : 's'}`, 'set `repeat:` on the entry to at least k'));
      }
      // A circuit's baseline is its own unedited model.
      if (e.change && !baseline && kind !== 'circuits') {
        out.push(issue([...ep, 'change'], 'change compares against a baseline model, but none is set', 'set `baseline:` on the suite or pass --baseline', true));
      }
    }
  }
  return out;
}

/** A model or image path must exist (zoo refs are checked when models load). */
function fileRef(spec: LoadedSpec, p: PathSegment[], ref: string, what: 'model' | 'image'): SpecIssue[] {
  if (what === 'model' && ref.startsWith('zoo:')) return [];
  const abs = path.resolve(spec.dir, ref);
  const outside = outsideIssue(spec, p, abs, what);
  if (outside) return [outside];
  if (!fs.existsSync(abs)) {
    return [spec.issue(p, `${what} file not found: ${abs}`, `paths resolve relative to the spec file (${spec.src.file})`)];
  }
  if (what === 'image' && !fs.statSync(abs).isFile()) return [spec.issue(p, `image path is not a file: ${abs}`)];
  return [];
}

/**
 * Files a spec names stay inside its project (see specRoot), symlinks followed, unless
 * --allow-outside: a spec from an untrusted branch must not make CI read arbitrary files.
 */
export function outsideIssue(spec: LoadedSpec, p: PathSegment[], abs: string, what: string): SpecIssue | undefined {
  if (spec.allowOutside) return undefined;
  const root = specRoot(spec.dir);
  if (isInside(root, abs)) return undefined;
  return spec.issue(p, `${what} path resolves outside the spec's project root ${root}: ${abs}`, 'keep models and images inside the project (the nearest folder above the spec with package.json or .git; symlinks are followed), or pass --allow-outside');
}
