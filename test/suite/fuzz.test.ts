// Mutated versions of the shipped specs never crash the loader: whatever the mutation (dropped
// keys, wrong types, random strings, huge numbers, NaN/Infinity, unicode ids, broken text), the
// result is a loaded spec or a bad-input SpecError whose every issue reads file:line:col.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { loadSpecText } from '../../src/kinds/load.ts';
import { SpecError } from '../../src/suite/issues.ts';
import { planRun } from '../../src/run/plan.ts';
import { FC_SEED } from '../seed.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const SHIPPED = fs.readdirSync(path.join(root, 'specs')).filter((f) => f.endsWith('.yaml')).map((f) => {
  const file = path.join(root, 'specs', f);
  const text = fs.readFileSync(file, 'utf8');
  return { file, text, value: YAML.parse(text) as unknown };
});

type Path = (string | number)[];

function pathsOf(v: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...pathsOf(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...prefix, k]));
  return out;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Values a careless or hostile spec might hold. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '../../etc/passwd', 'zoo:', 'zoo:nope', 'center', 'max', '__proto__', 'constructor', '💥', 'é\u0301', '\u202e', 'a/b'),
  fc.integer(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e308, -1e308, 2 ** 53, 2 ** 64, 5e-324),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), fc.string(), fc.double()), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string(), fc.double()), { maxKeys: 4 }),
  fc.integer({ min: 1, max: 60 }).map((d) => JSON.parse(`${'['.repeat(d)}${']'.repeat(d)}`)),
);

type Mutation =
  | { op: 'drop'; pick: number }
  | { op: 'replace'; pick: number; value: unknown }
  | { op: 'add'; pick: number; key: string; value: unknown }
  | { op: 'rename'; pick: number; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('replace' as const), pick: fc.nat(), value: junk }),
  fc.record({ op: fc.constant('add' as const), pick: fc.nat(), key: fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('id', 'unit', 'expect', 'activation', 'near', 'mostly', 'k', 'repeat', '__proto__')), value: junk }),
  fc.record({ op: fc.constant('rename' as const), pick: fc.nat(), key: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }) }),
);

function apply(value: unknown, muts: Mutation[]): unknown {
  let root = clone(value);
  for (const m of muts) {
    const paths = pathsOf(root);
    const p = paths[m.pick % paths.length];
    if (p.length === 0) {
      if (m.op === 'replace') root = m.value;
      continue;
    }
    const parent = p.slice(0, -1).reduce<any>((o, k) => o[k], root);
    const last = p[p.length - 1];
    const target = parent[last];
    if (m.op === 'drop') Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last];
    else if (m.op === 'replace') parent[last] = m.value;
    else if (m.op === 'add' && target && typeof target === 'object' && !Array.isArray(target)) Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    else if (m.op === 'rename' && !Array.isArray(parent)) {
      const v = parent[last];
      delete parent[last];
      Object.defineProperty(parent, m.key, { value: v, enumerable: true, configurable: true, writable: true });
    }
  }
  return root;
}

/** Load and plan; return 'ok' or check the SpecError's shape. Anything else escapes and fails the property. */
function loadsOrExplains(file: string, text: string): 'ok' | 'refused' {
  const lines = text.split('\n').length;
  try {
    planRun([loadSpecText(file, text)]);
    return 'ok';
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    assert.is(e.kind, 'bad_input');
    assert.ok(e.issues.length > 0);
    for (const i of e.issues) {
      const m = /^(.+):(\d+):(\d+)$/.exec(i.where);
      assert.ok(m, `not file:line:col: ${i.where}`);
      assert.ok(m![1].endsWith(path.basename(file)), i.where);
      const line = Number(m![2]);
      assert.ok(line >= 1 && line <= lines + 1, `line ${line} outside 1..${lines + 1}`);
      assert.ok(Number(m![3]) >= 1);
      assert.ok(i.message.length > 0);
    }
    return 'refused';
  }
}

test('structural mutations (dropped keys, wrong types, junk values, renamed keys) load or fail with file:line:col', () => {
  const seen = { ok: 0, refused: 0 };
  fc.assert(fc.property(fc.nat(SHIPPED.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, muts) => {
    const spec = SHIPPED[which];
    const text = YAML.stringify(apply(spec.value, muts));
    seen[loadsOrExplains(spec.file, text)]++;
  }), { seed: FC_SEED, numRuns: 1200 });
  console.log(`structural mutations: ${seen.ok} still valid, ${seen.refused} refused`);
  assert.ok(seen.refused > 600, 'most mutations must be caught');
});

test('text mutations (inserted, deleted and replaced characters) load or fail with file:line:col', () => {
  const edit = fc.record({ at: fc.nat(), del: fc.nat(6), ins: fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom(':', '- ', '\n', '\t', '{', '[', '&a ', '*a', '!!binary ', '"', '#', '---\n', '  ', '\u00a0')) });
  fc.assert(fc.property(fc.nat(SHIPPED.length - 1), fc.array(edit, { minLength: 1, maxLength: 3 }), (which, edits) => {
    const spec = SHIPPED[which];
    let text = spec.text;
    for (const e of edits) {
      const at = e.at % (text.length + 1);
      text = text.slice(0, at) + e.ins + text.slice(at + e.del);
    }
    loadsOrExplains(spec.file, text);
  }), { seed: FC_SEED, numRuns: 600 });
});

test('the unmutated shipped specs load and plan', () => {
  for (const s of SHIPPED) assert.is(loadsOrExplains(s.file, s.text), 'ok', s.file);
});

test.run();
