// What init writes by hand is YAML that reads back as the values it meant: any string, number or
// nesting in flow style, comments beside lines and wrapped above them never changing a value.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import YAML from 'yaml';
import { flow, num, scalar, wrap, yamlLines } from '../../src/init/yaml-text.ts';
import { FC_SEED } from '../seed.ts';

const key = fc.string({ minLength: 1, maxLength: 12 });
const leaf = fc.oneof(fc.string({ maxLength: 20 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean());
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 4 })),
})).v;

/** flow() writes numbers to 6 significant digits; compare with that rounding applied. */
function rounded(v: unknown): unknown {
  if (typeof v === 'number') return Number(num(v));
  if (Array.isArray(v)) return v.map(rounded);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rounded(x)]));
  return v;
}

test('any value written in flow style parses back to itself (numbers to 6 significant digits)', () => {
  fc.assert(fc.property(value, (v) => {
    assert.equal(YAML.parse(`x: ${flow(v)}\n`).x, rounded(v));
  }), { seed: FC_SEED, numRuns: 500 });
});

test('a scalar is plain only when YAML reads it back as the same string', () => {
  fc.assert(fc.property(fc.string({ maxLength: 30 }), (s) => {
    const w = scalar(s);
    assert.is(YAML.parse(`k: ${w}`).k, s, `wrote ${w}`);
  }), { seed: FC_SEED, numRuns: 1000 });
  // The names specs are full of stay readable.
  for (const s of ['zoo:mobilenet_v2', '/b1/Relu_1_output_0', 'dense_3:preact', '../images/chelsea.png', 'NCHW']) assert.is(scalar(s), s);
  for (const s of ['true', 'null', '1.5', 'a: b', 'x #y', '- a', 'key:']) assert.is.not(scalar(s), s);
});

test('comments beside and above lines never change a value, and wrapped comments keep every word', () => {
  fc.assert(fc.property(fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), value, fc.string({ maxLength: 120 }), fc.string({ maxLength: 300 })), { minLength: 1, maxLength: 6, selector: (r) => r[0] }), (rows) => {
    const y = yamlLines();
    const want: Record<string, unknown> = {};
    for (const [k, v, beside, above] of rows) {
      y.comment(0, above.replace(/[\r\n]/g, ' '));
      y.kv(0, k, v, beside.replace(/[\r\n]/g, ' '));
      want[k] = rounded(v);
    }
    const text = y.text();
    assert.equal(YAML.parse(text), want);
    for (const line of text.split('\n').filter((l) => l.startsWith('#'))) assert.ok(line.length <= 100 || !line.slice(2).includes(' '), `comment line too long: ${line}`);
  }), { seed: FC_SEED, numRuns: 300 });
});

test('wrap keeps the words in order and each line within the width unless one word is longer', () => {
  fc.assert(fc.property(fc.array(fc.stringMatching(/^[a-z]{1,15}$/), { maxLength: 40 }), fc.integer({ min: 5, max: 60 }), (words, width) => {
    const lines = wrap(words.join(' '), width);
    assert.equal(lines.join(' ').split(' ').filter(Boolean), words);
    for (const l of lines) assert.ok(l.length <= width || !l.includes(' '), `"${l}" is over ${width}`);
  }), { seed: FC_SEED, numRuns: 500 });
});

test('numbers that cannot be written are refused, not written as text YAML would misread', () => {
  for (const x of [Number.NaN, Infinity, -Infinity]) assert.throws(() => num(x));
  assert.is(num(-0), '0');
  assert.is(num(0.1 + 0.2), '0.3');
});

test.run();
