// specs/schema.json is generated from the zod schema: the committed file must match it, and the
// types the loader returns must be the ones the checks and probes consume.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { specJsonSchema, specJsonSchemaText } from '../../src/kinds/json-schema.ts';
import type { Expectation } from '../../src/suite/schema/expect.ts';
import type { ExpectationSpec } from '../../src/check/forms.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

test('committed specs/schema.json is up to date (run `npm run schema` after changing src/suite/schema)', () => {
  const committed = fs.readFileSync(path.join(root, 'specs', 'schema.json'), 'utf8');
  assert.ok(committed === specJsonSchemaText(), 'specs/schema.json is stale: run `npm run schema`');
});

test('the JSON Schema is draft-07, closed at every level editors complete, and documents the keys', () => {
  const s = specJsonSchema() as { $schema: string; additionalProperties: boolean; required: string[]; properties: Record<string, any> };
  assert.is(s.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.is(s.additionalProperties, false);
  assert.equal(s.required, ['suite']);
  const entry = s.properties.neurons.items;
  assert.is(entry.additionalProperties, false);
  for (const k of ['id', 'layer', 'unit', 'units', 'image', 'images', 'stimulus', 'position', 'reduce', 'expect']) assert.ok(k in entry.properties, k);
  const check = entry.properties.expect.additionalProperties;
  for (const k of ['min', 'max', 'between', 'near', 'tol', 'rtol', 'change', 'mostly', 'k']) assert.ok(typeof check.properties[k].description === 'string' || k === 'between' || k === 'change', `${k} has a description`);
});

test('every shipped spec points editors at the schema', () => {
  for (const f of fs.readdirSync(path.join(root, 'specs')).filter((f) => f.endsWith('.yaml'))) {
    const first = fs.readFileSync(path.join(root, 'specs', f), 'utf8').split('\n')[0];
    assert.is(first, '# yaml-language-server: $schema=./schema.json', f);
  }
});

// Compile-time: a parsed expectation is what the checks take (no conversion layer to drift).
const _sameShape = (e: Expectation): ExpectationSpec => e;
void _sameShape;

test.run();
