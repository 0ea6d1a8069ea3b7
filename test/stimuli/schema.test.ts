// The spec fragment `stimulus:` accepts exactly what the renderers and sweeps accept, names the
// offending parameter, and exports descriptions for editors' JSON Schema.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { z } from 'zod';
import { stimulusSchema, stimulusFromSpec } from '../../src/suite/schema/stimulus.ts';
import { expandSweep, countSweep, defaults, KINDS, PARAMS, type NumberParam, type ParamInfo, type StimulusKind } from '../../src/stimuli/index.ts';
import { check } from './seed.ts';

test('the DESIGN sketch parses and expands to its 72 × 2 grid', () => {
  const spec = { curve: { orientation: { from: 0, to: 360, step: 5 }, radius: [20, 35], width: 5 } };
  const parsed = stimulusSchema.parse(spec);
  const { base, sweep } = stimulusFromSpec(parsed as never);
  const grid = expandSweep(base, sweep);
  assert.equal(grid.shape, [72, 2]);
  assert.is(grid.items[3].stimulus.kind === 'curve' && grid.items[3].stimulus.width, 5);
  // `curve:` with nothing after it in YAML: the curve with every default.
  const bare = stimulusFromSpec(stimulusSchema.parse({ curve: null }) as never);
  assert.equal(expandSweep(bare.base, bare.sweep).items.map((i) => i.stimulus), [defaults('curve')]);
});

function issues(v: unknown): Array<[string, string]> {
  const r = stimulusSchema.safeParse(v);
  return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
}

test('bad stimuli are refused at the parameter that is wrong', () => {
  assert.equal(issues({ curve: { radius: 0 } }).map((i) => i[0]), ['curve.radius']);
  assert.match(issues({ curve: { radius: 0 } })[0][1], '> 0');
  assert.equal(issues({ curve: { width: -1 } }).map((i) => i[0]), ['curve.width']);
  assert.equal(issues({ curve: { orientation: { from: 0, to: 360, step: 0 } } }).map((i) => i[0]), ['curve.orientation.step']);
  assert.equal(issues({ curve: { orientation: { from: 10, to: 0, step: 1 } } }).map((i) => i[0]), ['curve.orientation.to']);
  assert.equal(issues({ grating: { frequency: [0.1, 0.6] } }).map((i) => i[0]), ['grating.frequency.1']);
  assert.equal(issues({ curve: { radus: 3 } }).map((i) => i[0]), ['curve']);
  assert.equal(issues({ blank: { clutter: { strokes: 2.5 } } }).map((i) => i[0]), ['blank.clutter.strokes']);
  assert.equal(issues({ line: { ink: [255, 0, 0, 300] } }).map((i) => i[0]), ['line.ink.3']);
  assert.match(issues({})[0][1], 'name one stimulus kind');
  assert.match(issues({ curve: {}, line: {} })[0][1], 'one stimulus kind per entry');
  assert.match(issues({ spiral: {} })[0][1], 'spiral');
  const big = issues({ curve: { orientation: { from: 0, to: 360, step: 0.01 }, radius: [10, 20, 30] } });
  assert.equal(big.map((i) => i[0]), ['curve']);
  assert.match(big[0][1], '108000 stimuli, over the limit of 100000');
});

/** A value the table allows for a parameter (as a spec writes it: no RGB triples). */
function validValue(p: ParamInfo): fc.Arbitrary<unknown> {
  switch (p.type) {
    case 'number': {
      const lo = p.min ?? -1000;
      const hi = p.max ?? lo + 1000;
      const one = p.integer
        ? fc.integer({ min: Math.ceil(lo + (p.exclusiveMin ? 1 : 0)), max: Math.floor(Math.min(hi, lo + 1000)) })
        : fc.double({ min: lo, max: Math.min(hi, lo + 1000), noNaN: true, minExcluded: !!p.exclusiveMin });
      const range = fc.tuple(one, one, fc.double({ min: Math.min(hi, lo + 1000) / 50 + 1e-3, max: 1000, noNaN: true }))
        .map(([a, b, step]) => ({ from: Math.min(a, b), to: Math.max(a, b), step }));
      return fc.oneof(one, fc.array(one, { minLength: 1, maxLength: 4 }), range);
    }
    case 'boolean': return fc.boolean();
    case 'color': return fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom('#000', '#12abEF'));
    case 'polarity': return fc.constantFrom('dark-on-light', 'light-on-dark');
    case 'clutter': return fc.record({ strokes: fc.integer({ min: 0, max: 50 }), seed: fc.integer({ min: 0, max: 99 }) });
  }
}

const validSpec = fc.constantFrom(...KINDS).chain((kind) => {
  const table = PARAMS[kind] as Record<string, ParamInfo>;
  const fields = Object.fromEntries(Object.entries(table).map(([k, p]) => [k, validValue(p)]));
  return fc.record(fields, { requiredKeys: [] }).map((params) => ({ [kind]: params }));
});

test('every spec the schema accepts expands, to the size the schema counted', () => {
  check(fc.property(validSpec, (spec) => {
    const parsed = stimulusSchema.safeParse(spec);
    const { base, sweep } = stimulusFromSpec(spec as never);
    const n = countSweep(base.kind, sweep);
    if (n > 100_000) return; // refused by both, checked elsewhere
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
    // Expanding validates every value; past a few thousand items that only costs time.
    if (n <= 5000) assert.is(expandSweep(base, sweep).items.length, n);
    else expandSweep(base, { ...sweep, ...Object.fromEntries(Object.entries(sweep).map(([k, v]) => [k, Array.isArray(v) ? v.slice(0, 1) : v])) });
  }), 200);
});

test('the schema and the renderer agree on every number for every parameter', () => {
  const numeric = KINDS.flatMap((kind) => Object.entries(PARAMS[kind] as Record<string, ParamInfo>)
    .filter(([, p]) => p.type === 'number').map(([name, p]) => ({ kind, name, p: p as NumberParam })));
  const value = fc.oneof(fc.double(), fc.integer({ min: -5, max: 5 }), fc.constantFrom(0, 0.5, 1, 360, 1e7, 1e8, 2 ** 32));
  check(fc.property(fc.constantFrom(...numeric), value, ({ kind, name }, v) => {
    const bySchema = stimulusSchema.safeParse({ [kind]: { [name]: v } }).success;
    let byRenderer = true;
    try { expandSweep({ kind: kind as StimulusKind } as never, { [name]: v }); } catch { byRenderer = false; }
    assert.is(bySchema, byRenderer, `${kind}.${name} = ${v}`);
  }), 400);
});

test('the JSON Schema for editors carries a description for every parameter', () => {
  const js = z.toJSONSchema(stimulusSchema, { target: 'draft-7', io: 'input' }) as Record<string, any>;
  assert.is(js.maxProperties, 1);
  assert.equal(Object.keys(js.properties), [...KINDS]);
  for (const kind of KINDS) {
    // Each kind is "its parameters, or null" (`curve:` alone in YAML).
    const props = js.properties[kind].anyOf.find((o: { type?: string }) => o.type === 'object').properties as Record<string, { description?: string }>;
    assert.equal(Object.keys(props).sort(), Object.keys(PARAMS[kind]).sort());
    for (const [name, p] of Object.entries(props)) assert.ok((p.description ?? '').length > 10, `${kind}.${name}`);
  }
  assert.match(JSON.stringify(js.properties.curve), 'counter-clockwise from +x');
});

test.run();
