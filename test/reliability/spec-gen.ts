// Hostile spec texts for the fuzz test and for scripts/fuzz-specs.ts: arbitrary YAML values in
// every field of the shipped specs, text edits, alias bombs, deep nesting, huge strings,
// NaN/Infinity/-0 and unicode ids; and the one verdict every text must get.
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadSpecText } from '../../src/kinds/load.ts';
import { SpecError } from '../../src/suite/issues.ts';
import { planRun } from '../../src/run/plan.ts';
import { pathsOf } from './workspace.ts';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** The shipped specs that load as they are (a spec under work by someone else is left out). */
export const BASES = fs.readdirSync(path.join(repo, 'specs')).filter((f) => f.endsWith('.yaml')).map((f) => {
  const file = path.join(repo, 'specs', f);
  return { file, text: fs.readFileSync(file, 'utf8') };
}).filter((s) => {
  try {
    loadSpecText(s.file, s.text);
    return true;
  } catch {
    return false;
  }
}).map((s) => ({ ...s, value: YAML.parse(s.text) as unknown }));


const special = fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1e308, -1e-320, 2 ** 53 + 1, '.nan', '.inf', '-.inf', '~', 'null', 'yes', 'NO', '0x1F', '1_000', '0o17', '2001-12-14');
const unicodeId = fc.oneof(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), fc.constantFrom('\u202eevil', 'é\u0301', '💥💥', '\u0000', 'a\u200bb', 'ǅ', '\ud800', 'id:', '- x', '#', 'zoo:../../x'));
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.anything({ maxDepth: 3, withNullPrototype: false, withBigInt: false, withDate: false, withTypedArray: false, withSparseArray: false, withMap: false, withSet: false }) },
  { weight: 2, arbitrary: special },
  { weight: 2, arbitrary: unicodeId },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }).map((d) => JSON.parse(`${'['.repeat(d)}${']'.repeat(d)}`)) },
);

/** One hostile spec: a name for the tally and its text. */
export interface Case { kind: string; file: string; text: string }

const valueCase = fc.record({ which: fc.nat(), edits: fc.array(fc.record({ pick: fc.nat(), value: anyValue, asKey: fc.boolean() }), { minLength: 1, maxLength: 4 }) }).map(({ which, edits }): Case => {
  const base = BASES[which % BASES.length];
  let root: any = structuredClone(base.value);
  for (const e of edits) {
    const paths = pathsOf(root);
    const p = paths[e.pick % paths.length];
    if (p.length === 0) {
      root = e.value;
      continue;
    }
    const parent = p.slice(0, -1).reduce((o: any, k) => o[k], root);
    const last = p[p.length - 1];
    if (e.asKey && !Array.isArray(parent) && typeof e.value === 'string') {
      Object.defineProperty(parent, e.value, { value: parent[last], enumerable: true, configurable: true, writable: true });
      delete parent[last];
    } else parent[last] = e.value;
  }
  let text: string;
  try {
    // undefined (a root replaced by undefined) stringifies to undefined: an empty file.
    text = YAML.stringify(root, { aliasDuplicateObjects: false }) ?? '';
  } catch {
    text = String(root);
  }
  return { kind: 'value', file: base.file, text };
});

const textCase = fc.record({
  which: fc.nat(),
  edits: fc.array(fc.record({ at: fc.nat(), del: fc.nat(12), ins: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(':', '- ', '\n', '\r\n', '\t', '{', '}', '[', ']', '&a ', '*a', '*nope', '<<: *a\n', '!!binary ', '!!js/function ', '!tag ', '%YAML 1.1\n', '"', "'", '#', '---\n', '...\n', '? ', '|', '>-', '\ufeff', '\u0000', '\u00a0')) }), { minLength: 1, maxLength: 6 }),
}).map(({ which, edits }): Case => {
  const base = BASES[which % BASES.length];
  let text = base.text;
  for (const e of edits) {
    const at = e.at % (text.length + 1);
    text = text.slice(0, at) + e.ins + text.slice(at + e.del);
  }
  return { kind: 'text', file: base.file, text };
});

/** Billion laughs: each level an anchor listing the previous one `width` times. */
const aliasBomb = fc.record({ depth: fc.integer({ min: 2, max: 12 }), width: fc.integer({ min: 2, max: 12 }), where: fc.constantFrom('suite', 'id', 'units', 'top') }).map(({ depth, width, where }): Case => {
  const lines = ['a0: &a0 [lol]'];
  for (let i = 1; i <= depth; i++) lines.push(`a${i}: &a${i} [${Array(width).fill(`*a${i - 1}`).join(', ')}]`);
  const bomb = `*a${depth}`;
  const body = where === 'suite' ? `suite: ${bomb}\nneurons: [{ id: x, layer: l, unit: 0, image: i.png, expect: { activation: { min: 0 } } }]`
    : where === 'id' ? `suite: s\nmodel: zoo:mobilenet_v2\nneurons:\n  - id: ${bomb}\n    layer: Conv1\n    unit: 0\n    image: x.png\n    expect: { activation: { min: 0 } }`
      : where === 'units' ? `suite: s\nmodel: zoo:mobilenet_v2\nneurons:\n  - id: x\n    layer: Conv1\n    units: ${bomb}\n    image: x.png\n    expect: { activation: { min: 0 } }`
        : `bomb: ${bomb}`;
  return { kind: 'alias-bomb', file: path.join(repo, 'specs', 'bomb.yaml'), text: `${lines.join('\n')}\n${body}\n` };
});

const deepNesting = fc.record({ depth: fc.integer({ min: 50, max: 5000 }), style: fc.constantFrom('flow-seq', 'flow-map', 'block-seq', 'block-map') }).map(({ depth, style }): Case => {
  const d = style.startsWith('block') ? Math.min(depth, 1000) : depth;
  const text = style === 'flow-seq' ? `suite: s\nneurons: ${'['.repeat(d)}${']'.repeat(d)}\n`
    : style === 'flow-map' ? `suite: s\nneurons: ${'{a: '.repeat(d)}1${'}'.repeat(d)}\n`
      : style === 'block-seq' ? `suite: s\nneurons:\n${Array.from({ length: d }, (_, i) => `${' '.repeat(i * 2)}- `).join('\n')}x\n`
        : `suite: s\nmodel:\n${Array.from({ length: d }, (_, i) => `${' '.repeat(i * 2 + 2)}k${i}:`).join('\n')} x\n`;
  return { kind: 'deep', file: path.join(repo, 'specs', 'deep.yaml'), text };
});

export const caseArb: fc.Arbitrary<Case> = fc.oneof(
  { weight: 5, arbitrary: valueCase },
  { weight: 4, arbitrary: textCase },
  { weight: 1, arbitrary: aliasBomb },
  { weight: 1, arbitrary: deepNesting },
);

/** Huge strings (10 MB) in a few places: too big for the size limit, or a giant id or path. */
export function hugeCases(bytes = 10 * 2 ** 20): Case[] {
  const big = 'x'.repeat(bytes);
  const file = path.join(repo, 'specs', 'huge.yaml');
  return [
    { kind: 'huge', file, text: `suite: ${big}\n` },
    { kind: 'huge', file, text: `suite: s\nmodel: zoo:mobilenet_v2\nneurons:\n  - id: "${big}"\n    layer: Conv1\n    unit: 0\n    image: x.png\n    expect: { activation: { min: 0 } }\n` },
    { kind: 'huge', file, text: `# ${big}\nsuite: s\n` },
    { kind: 'huge', file, text: `${'\n'.repeat(bytes)}suite: [` },
  ];
}

/**
 * Load and plan one case. Returns 'ok' or 'refused'; throws (failing the property or the script)
 * on a crash, an internal error, or a refusal without `file:line:col` on every issue.
 */
export function verdict(c: Case): 'ok' | 'refused' {
  try {
    planRun([loadSpecText(c.file, c.text)]);
    return 'ok';
  } catch (e) {
    if (!(e instanceof SpecError)) throw new Error(`${c.kind}: not a SpecError: ${(e as Error)?.stack ?? e}`);
    if (e.kind !== 'bad_input' || e.issues.length === 0) throw new Error(`${c.kind}: SpecError without issues or not bad input`);
    const lines = c.text.split('\n').length;
    for (const i of e.issues) {
      const m = /^(.+):(\d+):(\d+)$/.exec(i.where);
      if (!m || !m[1].endsWith(path.basename(c.file))) throw new Error(`${c.kind}: issue not at file:line:col: ${i.where}`);
      if (Number(m[2]) < 1 || Number(m[2]) > lines + 1 || Number(m[3]) < 1) throw new Error(`${c.kind}: ${i.where} outside the text (${lines} lines)`);
      if (!i.message) throw new Error(`${c.kind}: empty message at ${i.where}`);
    }
    return 'refused';
  }
}
