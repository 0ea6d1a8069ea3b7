import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FC_SEED } from '../seed.ts';
import { reportArb } from './arbitrary.ts';
import { buildRealisticReport } from './realistic-report.ts';
import { toJson, stripVolatile, stableJson, parseReport } from '../../src/report/json.ts';
import { NeurogateError } from '../../src/errors.ts';
import type { RunReport } from '../../src/report/model.ts';

/** The same data with every object's keys inserted in a shuffled order. */
function shuffleKeys(v: unknown, rnd: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, rnd));
  if (v === null || typeof v !== 'object') return v;
  const keys = Object.keys(v);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  return Object.fromEntries(keys.map((k) => [k, shuffleKeys((v as Record<string, unknown>)[k], rnd)]));
}

test('key order is canonical: the same report built in any key order serialises to the same bytes', () => {
  fc.assert(fc.property(reportArb, fc.integer(), (r, s) => {
    let state = s >>> 0;
    const rnd = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    assert.is(toJson(shuffleKeys(r, rnd) as RunReport), toJson(r));
  }), { seed: FC_SEED, numRuns: 100 });
});

test('toJson holds exactly what JSON.stringify would (only the order differs), and reads back', () => {
  fc.assert(fc.property(reportArb, (r) => {
    const text = toJson(r);
    assert.ok(text.endsWith('}\n'));
    assert.equal(JSON.parse(text), JSON.parse(JSON.stringify(r)));
    assert.equal(Object.keys(JSON.parse(text)).slice(0, 3), ['schemaVersion', 'tool', 'startedAt']);
    assert.equal(parseReport(text), JSON.parse(text));
  }), { seed: FC_SEED, numRuns: 100 });
});

test('stripVolatile removes startedAt and every durationMs, and nothing else', () => {
  fc.assert(fc.property(reportArb, fc.double({ noNaN: true }), fc.date({ noInvalidDate: true }), (r, ms, when) => {
    const other: RunReport = { ...r, startedAt: when.toISOString(), durationMs: ms, suites: r.suites.map((s) => ({ ...s, entries: s.entries.map((e) => ({ ...e, durationMs: ms })) })) };
    assert.is(stableJson(other), stableJson(r));
    const stable = JSON.parse(stableJson(r));
    assert.not.ok('startedAt' in stable || 'durationMs' in stable);
    for (const s of stable.suites) for (const e of s.entries) assert.not.ok('durationMs' in e);
    const full = JSON.parse(toJson(r));
    delete full.startedAt;
    delete full.durationMs;
    for (const s of full.suites) for (const e of s.entries) delete e.durationMs;
    assert.equal(stable, full);
    // The input is not modified.
    assert.ok('startedAt' in r);
  }), { seed: FC_SEED, numRuns: 100 });
  const r = { startedAt: 'x', durationMs: 1, suites: [] } as unknown as RunReport;
  assert.equal(stripVolatile(r), { suites: [] } as unknown as ReturnType<typeof stripVolatile>);
});

test('same seed twice on the real model: byte-identical JSON apart from timestamps and durations', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-det-'));
  const a = (await buildRealisticReport({ tmp })).report;
  const b = (await buildRealisticReport({ tmp })).report;
  assert.is(stableJson(a), stableJson(b));
  // The stripped fields really were different, so the comparison above meant something.
  assert.is.not(toJson(a), toJson(b));
  // Hashes, seeds and every hyperparameter are in the source of truth.
  const j = JSON.parse(toJson(a)) as RunReport;
  assert.match(j.suites[0].model.hash, /^[0-9a-f]{32}$/);
  assert.ok(j.suites[0].entries[0].params.layer);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('parseReport refuses other schema versions and non-JSON, with codes', () => {
  const code = (fn: () => unknown) => { try { fn(); return 'none'; } catch (e) { return (e as NeurogateError).code; } };
  assert.is(code(() => parseReport('{"schemaVersion":2,"suites":[]}')), 'E_REPORT_VERSION');
  assert.is(code(() => parseReport('[1]')), 'E_REPORT_VERSION');
  assert.is(code(() => parseReport('{')), 'E_REPORT_JSON');
});

test.run();
