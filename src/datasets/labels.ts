// The suite's class names (`labels:` as a list or a file), read once per spec; issues at `labels:`.
import path from 'node:path';
import type { SpecIssue } from '../suite/issues.ts';
import { outsideIssue, specRoot } from '../suite/paths.ts';
import { isNeurogateError } from '../errors.ts';
import { readGuardedText } from '../io/guarded-fs.ts';
import type { LoadedSpec } from '../suite/spec.ts';

const cache = new WeakMap<LoadedSpec, { labels?: string[]; issues: SpecIssue[] }>();

export function suiteLabels(spec: LoadedSpec): { labels?: string[]; issues: SpecIssue[] } {
  const hit = cache.get(spec);
  if (hit) return hit;
  const r = read(spec);
  cache.set(spec, r);
  return r;
}

function read(spec: LoadedSpec): { labels?: string[]; issues: SpecIssue[] } {
  const l = spec.suite.labels;
  if (l === undefined) return { issues: [] };
  const dup = (list: string[]) => list.find((x, i) => list.indexOf(x) !== i);
  if (Array.isArray(l)) {
    const d = dup(l);
    return d ? { issues: [spec.issue(['labels'], `label "${d}" appears twice`, 'class names must be unique')] } : { labels: l, issues: [] };
  }
  const abs = path.resolve(spec.dir, l);
  const outside = outsideIssue(spec, ['labels'], abs, 'labels');
  if (outside) return { issues: [outside] };
  let text: string;
  try {
    text = readGuardedText(abs, { what: 'labels file', code: 'LABELS', maxBytes: 16 * 2 ** 20, root: specRoot(spec.dir), allowOutside: spec.allowOutside, missingHint: `paths resolve relative to the spec file (${spec.src.file})` });
  } catch (e) {
    if (!isNeurogateError(e)) throw e;
    return { issues: [spec.issue(['labels'], e.message, e.hint)] };
  }
  let list: string[];
  if (text.trimStart().startsWith('[')) {
    try {
      const v = JSON.parse(text) as unknown;
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x !== '')) throw new Error('not a list of names');
      list = v as string[];
    } catch (e) {
      return { issues: [spec.issue(['labels'], `labels file ${l} is not a JSON list of names: ${(e as Error).message}`, 'write ["cat", "dog"] or one name per line')] };
    }
  } else list = text.split('\n').map((x) => x.replace(/\r$/, '').trim()).filter(Boolean);
  if (list.length === 0) return { issues: [spec.issue(['labels'], `labels file ${l} names no class`, 'one name per line')] };
  const d = dup(list);
  if (d) return { issues: [spec.issue(['labels'], `label "${d}" appears twice in ${l}`, 'class names must be unique')] };
  return { labels: list, issues: [] };
}
