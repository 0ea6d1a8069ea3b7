// fast-check generators for RunReports full of hostile strings (markup, quotes, control
// characters, lone surrogates, `]]>`) and awkward numbers, for the report writer properties.
import fc from 'fast-check';
import type { Artifact, CheckResult, EntryResult, RunReport, SuiteResult } from '../../src/report/model.ts';
import { encodePng } from '../../src/stimuli/image.ts';

const nasty = fc.constantFrom('<', '>', '&', '"', "'", '\r', '\n', '\r\n', '\t', '\u0000', '\u0008', '\u001f', '\uD800', '\uDFFF', ']]>', '\uFFFE', '\uFFFF', '&amp;', '<script>', '</style>', '-->', 'é', '😀', ' ', 'a');
export const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: nasty, maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const name = fc.oneof(hostileString, fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/));
export const awkwardNumber = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e-300, 1e300, 0.1 + 0.2));

const where = fc.tuple(name, fc.nat(999), fc.nat(99)).map(([f, l, c]) => `${f}:${l}:${c}`);

export const checkArb: fc.Arbitrary<CheckResult> = fc.record({
  metric: name,
  expectation: hostileString,
  threshold: fc.dictionary(name, fc.oneof(awkwardNumber, hostileString, fc.constant(null)), { maxKeys: 3 }),
  observed: fc.option(awkwardNumber, { nil: null }),
  baseline: fc.option(fc.option(awkwardNumber, { nil: null }), { nil: undefined }),
  passed: fc.boolean(),
  reason: fc.option(hostileString, { nil: undefined }),
  where: fc.option(where, { nil: undefined }),
}, { requiredKeys: ['metric', 'expectation', 'threshold', 'observed', 'passed'] });

// One real (tiny) PNG so image artifacts decode in a browser.
const png = encodePng({ width: 3, height: 2, data: Float32Array.from({ length: 18 }, (_, i) => i * 14) }).toString('base64');

const thumbArb = fc.record({ pngBase64: fc.constantFrom(png, 'not-base64<>"'), width: fc.constantFrom(3, 0), height: fc.constant(2), caption: fc.option(hostileString, { nil: undefined }) }, { requiredKeys: ['pngBase64', 'width', 'height'] });
const seriesArb = fc.record({ name: hostileString, x: fc.array(awkwardNumber, { maxLength: 12 }), y: fc.array(awkwardNumber, { maxLength: 12 }) });
export const artifactArb: fc.Arbitrary<Artifact> = fc.oneof(
  fc.record({ type: fc.constant('image' as const), name: hostileString, caption: fc.option(hostileString, { nil: undefined }), pngBase64: fc.constantFrom(png, 'not-base64<>"'), width: fc.constantFrom(3, 0), height: fc.constant(2) }, { requiredKeys: ['type', 'name', 'pngBase64', 'width', 'height'] }),
  fc.record({ type: fc.constant('plot' as const), name: hostileString, plot: fc.record({ kind: fc.constantFrom('polar' as const, 'line' as const, 'bar' as const), xLabel: fc.option(hostileString, { nil: undefined }), yLabel: fc.option(hostileString, { nil: undefined }), series: fc.array(seriesArb, { maxLength: 3 }), labels: fc.option(fc.array(hostileString, { maxLength: 6 }), { nil: undefined }) }, { requiredKeys: ['kind', 'series'] }) }, { requiredKeys: ['type', 'name', 'plot'] }),
  fc.record({ type: fc.constant('table' as const), name: hostileString, columns: fc.array(hostileString, { maxLength: 3 }), rows: fc.array(fc.array(fc.oneof(hostileString, awkwardNumber, fc.constant(null)), { maxLength: 3 }), { maxLength: 3 }) }),
  fc.record({ type: fc.constant('atlas' as const), name: hostileString, columns: fc.array(hostileString, { maxLength: 3 }), rows: fc.array(fc.array(fc.oneof(hostileString, fc.array(thumbArb, { maxLength: 2 })), { maxLength: 3 }), { maxLength: 3 }) }),
);

export const entryArb: fc.Arbitrary<EntryResult> = fc.record({
  id: name,
  kind: fc.constantFrom('neurons' as const, 'masks' as const, 'circuits' as const, 'reimpl' as const),
  where,
  params: fc.dictionary(name, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
  seed: fc.integer(),
  durationMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
  measurements: fc.dictionary(name, fc.oneof(awkwardNumber, fc.array(awkwardNumber, { maxLength: 4 }), hostileString, fc.constant(null)), { maxKeys: 3 }),
  checks: fc.array(checkArb, { maxLength: 4 }),
  artifacts: fc.array(artifactArb, { maxLength: 2 }),
  error: fc.option(fc.record({ code: name, message: hostileString, hint: fc.option(hostileString, { nil: undefined }) }, { requiredKeys: ['code', 'message'] }), { nil: undefined, freq: 4 }),
}, { requiredKeys: ['id', 'kind', 'where', 'params', 'seed', 'durationMs', 'measurements', 'checks', 'artifacts'] });

const model = fc.record({ ref: hostileString, hash: fc.stringMatching(/^[0-9a-f]{32}$/) });
export const suiteArb: fc.Arbitrary<SuiteResult> = fc.record({
  file: name,
  suite: name,
  model,
  baseline: fc.option(model, { nil: undefined }),
  entries: fc.array(entryArb, { minLength: 1, maxLength: 3 }),
}, { requiredKeys: ['file', 'suite', 'model', 'entries'] });

export const reportArb: fc.Arbitrary<RunReport> = fc.record({
  suites: fc.array(suiteArb, { maxLength: 3 }),
  seed: fc.integer(),
  startedAt: fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString()),
  durationMs: fc.double({ min: 0, max: 1e7, noNaN: true }),
  device: fc.record({ requested: hostileString, used: hostileString, reason: hostileString }),
  options: fc.dictionary(name, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
}).map(({ suites, seed, startedAt, durationMs, device, options }) => {
  const all = suites.flatMap((s) => s.entries);
  const checks = all.flatMap((e) => e.checks);
  const failed = checks.filter((c) => !c.passed).length;
  const errors = all.filter((e) => e.error).length;
  return {
    schemaVersion: 1 as const,
    tool: { name: 'neurogate' as const, version: '0.1.0' },
    startedAt,
    durationMs,
    environment: { node: 'v20', onnxruntime: '1.30.0', platform: 'linux-x64', cpus: 2 },
    seed,
    device,
    options,
    suites,
    summary: { suites: suites.length, entries: all.length, checks: checks.length, passed: checks.length - failed, failed, errors },
    exitCode: (errors ? 2 : failed ? 1 : 0) as 0 | 1 | 2,
  };
});
