// zod issues → spec issues at the YAML position they concern, worded for someone editing YAML
// (the key they wrote, what was expected, what they gave, and a "did you mean" for typos).
import { z } from 'zod';
import type { Document } from 'yaml';
import { dedupeIssues, didYouMean, issueAt, showValue, yamlType, type SpecIssue } from './issues.ts';
import { locate, type PathSegment } from './yaml.ts';
import type { SourceText } from './source.ts';

type Issue = z.core.$ZodIssue;

export function zodIssues(issues: readonly Issue[], schema: z.ZodType, value: unknown, doc: Document.Parsed, src: SourceText): SpecIssue[] {
  const out: SpecIssue[] = [];
  // A misspelt key explains a rule that then fails at the same mapping ("needs at least one of
  // min, max…" after `mni:`): tell only the typo.
  const typoAt = new Set(issues.filter((i) => i.code === 'unrecognized_keys').map((i) => JSON.stringify(i.path)));
  for (const issue of issues) {
    if (issue.code === 'custom' && typoAt.has(JSON.stringify(issue.path))) continue;
    out.push(...convert(issue, schema, value, doc, src));
  }
  return dedupeIssues(out).sort((a, b) => compareWhere(a.where, b.where));
}

function compareWhere(a: string, b: string): number {
  const pa = a.split(':').slice(-2).map(Number);
  const pb = b.split(':').slice(-2).map(Number);
  return pa[0] - pb[0] || pa[1] - pb[1];
}

function convert(issue: Issue, schema: z.ZodType, root: unknown, doc: Document.Parsed, src: SourceText): SpecIssue[] {
  const path = issue.path as PathSegment[];
  const name = keyName(path);
  const value = valueAt(root, path);
  const at = (p: readonly PathSegment[], message: string, hint?: string, key = false) => {
    const s = locate(doc, p, { key });
    return issueAt(src, s.start, s.end, message, hint);
  };
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = knownKeys(schema, path);
      return issue.keys.map((k) => {
        const guess = didYouMean(k, known);
        const hint = guess ? `did you mean \`${guess}\`?` : known.length ? `known keys here: ${known.join(', ')}` : undefined;
        return at([...path, k], `unknown key \`${k}\``, hint, true);
      });
    }
    case 'invalid_type': {
      if (value === undefined) {
        const parent = path.slice(0, -1);
        return [at(parent, `missing required key \`${String(path[path.length - 1])}\``, undefined, parent.length > 0)];
      }
      const expected = describeExpected(issue.expected);
      if (typeof value === 'number' && !Number.isFinite(value)) {
        return [at(path, `${name}: expected a finite number, got ${yamlType(value)}`, 'NaN and infinities are never valid here')];
      }
      return [at(path, `${name}: expected ${expected}, got ${yamlType(value)} (${showValue(value)})`)];
    }
    case 'too_small':
    case 'too_big': {
      return [at(path, `${name}: ${rangeMessage(issue, value)}`)];
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => String(v));
      const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
      return [at(path, `${name}: ${showValue(value)} is not one of ${options.map((o) => JSON.stringify(o)).join(', ')}`, guess ? `did you mean "${guess}"?` : undefined)];
    }
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? 'invalid key';
      return [at(path, `key \`${String(path[path.length - 1])}\`: ${inner}`, undefined, true)];
    }
    case 'invalid_union':
      // Our unions carry a message that already names the key.
      return [at(path, issue.message)];
    case 'invalid_format':
    case 'custom':
      return [at(path, path.length ? `${name}: ${issue.message}` : issue.message)];
    default:
      return [at(path, `${name}: ${issue.message}`)];
  }
}

function describeExpected(t: string): string {
  switch (t) {
    case 'object': return 'a mapping';
    case 'array': case 'tuple': return 'a list';
    case 'int': return 'an integer';
    case 'number': return 'a number';
    case 'string': return 'a string';
    case 'boolean': return 'true or false';
    default: return t;
  }
}

function rangeMessage(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>, value: unknown): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum);
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'array') {
    const n = Array.isArray(value) ? value.length : 0;
    return small ? `needs at least ${bound} item${bound === 1 ? '' : 's'}, has ${n}` : `allows at most ${bound} items, has ${n}`;
  }
  if (issue.origin === 'string') {
    return small ? (bound <= 1 ? 'must not be empty' : `needs at least ${bound} characters`) : `allows at most ${bound} characters`;
  }
  const op = small ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';
  return `must be ${op} ${formatBound(bound)}, got ${showValue(value)}`;
}

function formatBound(n: number): string {
  if (n === Number.MAX_SAFE_INTEGER) return '2^53 − 1';
  if (n === -Number.MAX_SAFE_INTEGER) return '−(2^53 − 1)';
  return String(n);
}

function keyName(path: readonly PathSegment[]): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return `\`${String(path[i])}\`${typeof path[path.length - 1] === 'number' ? `[${path[path.length - 1]}]` : ''}`;
  return 'value';
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(v, seg)) return undefined;
    v = (v as Record<string, unknown>)[seg as string];
  }
  return v;
}

/** The keys the schema accepts at `path` (for "did you mean"). */
export function knownKeys(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const seg of path) {
    if (!s) return [];
    if (s instanceof z.ZodObject) s = unwrap(s.shape[String(seg)] as z.ZodType | undefined);
    else if (s instanceof z.ZodArray) s = unwrap(s.element as z.ZodType);
    else if (s instanceof z.ZodRecord) s = unwrap(s.valueType as z.ZodType);
    else if (s instanceof z.ZodTuple) s = unwrap((s.def.items as z.ZodType[])[Number(seg)]);
    else return [];
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function unwrap(s: z.ZodType | undefined): z.ZodType | undefined {
  let cur = s;
  for (let i = 0; i < 10 && cur; i++) {
    if (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable || cur instanceof z.ZodDefault) cur = cur.unwrap() as z.ZodType;
    else if (cur instanceof z.ZodPipe) cur = cur.in as z.ZodType;
    else break;
  }
  return cur;
}
