// YAML text → plain JS value, refusing what a spec never needs and an attacker might send:
// several documents, custom tags, non-string keys, alias bombs, absurd nesting, huge files.
import { parseDocument, isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import { type SpecIssue, SpecError, issueAt } from './issues.ts';
import type { SourceText } from './source.ts';

export const YAML_LIMITS = {
  /** Specs are hand-written; a megabyte is already far beyond any real one. */
  maxBytes: 1024 * 1024,
  /** Collections nested deeper than this are refused (the schema needs 6). */
  maxDepth: 32,
  /** Alias expansions toJS may perform before giving up (the "billion laughs" guard). */
  maxAliasCount: 1000,
} as const;

/** Tags a spec may spell out; anything else (`!!binary`, `!custom`) is refused. */
const PLAIN_TAGS = new Set(['tag:yaml.org,2002:str', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:null', 'tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq']);

export interface ParsedYaml {
  doc: Document.Parsed;
  value: unknown;
}

const HINT_SYNTAX = 'check indentation (spaces, not tabs), quotes and brackets';

export function parseYaml(src: SourceText): ParsedYaml {
  if (src.text.length > YAML_LIMITS.maxBytes) {
    throw new SpecError([issueAt(src, 0, 1, `spec file is ${src.text.length} characters, over the limit of ${YAML_LIMITS.maxBytes}`, 'split it into several spec files')]);
  }
  const doc = parseDocument(src.text, {
    keepSourceTokens: true,
    uniqueKeys: true,
    stringKeys: true,
    prettyErrors: false,
    strict: true,
    // Anchors are counted again when toJS expands them; this bounds the parse itself.
    maxAliasCount: YAML_LIMITS.maxAliasCount,
  } as Parameters<typeof parseDocument>[1]);
  const issues: SpecIssue[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const [start, end] = e.pos;
    issues.push(issueAt(src, start, end, yamlMessage(e.code, e.message), e.code === 'DUPLICATE_KEY' ? 'each key may appear once per mapping' : HINT_SYNTAX));
  }
  if (issues.length) throw new SpecError(issues, 'E_SPEC_SYNTAX');
  checkShape(doc, src, issues);
  if (issues.length) throw new SpecError(issues, 'E_SPEC_SYNTAX');
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
  } catch (e) {
    // toJS throws only for alias expansion over the limit (or a broken alias, caught above).
    const at = firstAlias(doc) ?? 0;
    throw new SpecError([issueAt(src, at, at + 1, `aliases expand to too many nodes (${(e as Error).message})`, `a spec needs at most a few aliases; limit ${YAML_LIMITS.maxAliasCount}`)], 'E_SPEC_ALIAS');
  }
  return { doc, value };
}

function yamlMessage(code: string, message: string): string {
  // yaml's messages sometimes end with "at line …" even with prettyErrors off; we add our own place.
  const m = message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').replace(/\.$/, '');
  if (code === 'DUPLICATE_KEY') return 'duplicate key: map keys must be unique';
  if (code === 'MULTIPLE_DOCS') return 'a spec file holds one YAML document; this one has several (`---`)';
  return `YAML syntax: ${m.charAt(0).toLowerCase()}${m.slice(1)}`;
}

/** Depth and tag limits, walked with an explicit stack so a deep document cannot overflow it. */
function checkShape(doc: Document.Parsed, src: SourceText, issues: SpecIssue[]): void {
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    const n = node as Node;
    const [start, end] = n.range ?? [0, 1];
    if (n.tag && !PLAIN_TAGS.has(n.tag)) {
      issues.push(issueAt(src, start, end, `tag ${n.tag} is not allowed in a spec`, 'write a plain value without a !tag'));
      continue;
    }
    if (isMap(n) || isSeq(n)) {
      if (depth >= YAML_LIMITS.maxDepth) {
        issues.push(issueAt(src, start, Math.min(end, start + 1), `nesting deeper than ${YAML_LIMITS.maxDepth} levels`, 'a spec is never this deep; is the file generated wrongly?'));
        return;
      }
      for (const item of n.items as unknown[]) {
        if (isPair(item)) {
          stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
        } else stack.push({ node: item, depth: depth + 1 });
      }
    }
  }
}

function firstAlias(doc: Document.Parsed): number | undefined {
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const n = stack.pop();
    if (isAlias(n)) return n.range?.[0];
    if (isMap(n) || isSeq(n)) for (const it of n.items as unknown[]) isPair(it) ? stack.push(it.value, it.key) : stack.push(it);
  }
  return undefined;
}

export type PathSegment = string | number;

export interface Span {
  start: number;
  end: number;
}

/**
 * Where `path` points in the document: the value's span, or with `key: true` the key's span of the
 * last segment. Falls back to the nearest existing ancestor (a missing key points at its mapping).
 */
export function locate(doc: Document.Parsed, path: readonly PathSegment[], opts: { key?: boolean } = {}): Span {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  let best: Span = spanOf(node) ?? { start: 0, end: 1 };
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    let next: unknown;
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (pair) {
        keyNode = pair.key;
        next = pair.value ?? pair.key;
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      next = node.items[seg];
    }
    if (next === undefined || next === null) break;
    node = next;
    const s = i === path.length - 1 && opts.key && keyNode ? spanOf(keyNode) : spanOf(node);
    if (s) best = s;
    // Inside an alias the source has no place of its own: point at the alias.
    if (isAlias(node)) break;
  }
  return best;
}

function spanOf(n: unknown): Span | undefined {
  const r = (n as Node | undefined)?.range;
  if (!r) return undefined;
  // A null scalar written as nothing (`min:`) has an empty range; keep one character for the caret.
  return { start: r[0], end: Math.max(r[1], r[0] + 1) };
}
