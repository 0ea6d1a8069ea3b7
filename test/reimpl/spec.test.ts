import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseYaml, locate, type PathSegment } from '../../src/suite/yaml.ts';
import { sourceText, whereAt } from '../../src/suite/source.ts';
import { issueAt, type SpecIssue } from '../../src/suite/issues.ts';
import { zodIssues } from '../../src/suite/zod-issues.ts';
import { ReimplEntrySchema, REIMPL_METRICS } from '../../src/reimpl/schema.ts';
import { prepareReimpl } from '../../src/reimpl/prepare.ts';
import { measureReimpl } from '../../src/reimpl/probe.ts';
import { buildCurveNet } from '../../src/reimpl/network.ts';
import { createForwardEngine } from '../../src/probe/forward.ts';
import { createActivationCache } from '../../src/probe/cache.ts';
import { makeRng } from '../../src/util/rng.ts';

/** One `reimpl:` entry read from YAML the way the spec loader reads a suite: parse, validate, place issues. */
function entryFrom(text: string) {
  const src = sourceText('entry.yaml', text);
  const { doc, value } = parseYaml(src);
  const parsed = ReimplEntrySchema.safeParse(value);
  if (!parsed.success) return { issues: zodIssues(parsed.error.issues, ReimplEntrySchema, value, doc, src) };
  const spec = {
    where: (p: readonly PathSegment[], key = false) => whereAt(src, locate(doc, p, { key }).start),
    issue: (p: readonly PathSegment[], message: string, hint?: string, key = false) => {
      const s = locate(doc, p, { key });
      return issueAt(src, s.start, s.end, message, hint);
    },
  };
  return { issues: [] as SpecIssue[], at: { spec, path: [] as PathSegment[], entry: parsed.data } };
}

const SWEEP = 'stimulus: { curve: { orientation: { from: 0, to: 360, step: 10 }, radius: [16, 24], width: 5 } }';
const net = buildCurveNet();

test('schema: a full entry parses; mistakes are reported at their line', () => {
  const ok = entryFrom(`id: a\nlayer: curves\nunits: [0, 6, 12]\nhandbuilt: { params: { curves: { orientations: 16 } } }\n${SWEEP}\nexpect: { matched.aligned_correlation: { min: 0.7 }, ablation.echo_increase: { min: 0.1 } }\n`);
  assert.equal(ok.issues, []);
  const bad = entryFrom(`id: a\nlayer: curves\nunits: [3, 3]\nhandbuilt: { params: { curves: { orientatons: 16 } } }\nablation: false\n${SWEEP}\nexpect: { ablation.echo_increase: { min: 0.1 } }\n`);
  const text = bad.issues.map((i) => `${i.where} ${i.message}`).join('\n');
  assert.match(text, /entry\.yaml:4:.*orientatons/);
  assert.ok(bad.issues.length >= 1, text);
  const twice = entryFrom(`id: a\nlayer: curves\nunits: [3, 3]\n${SWEEP}\nablation: false\nexpect: { ablation.echo_increase: { min: 0.1 } }\n`);
  const t2 = twice.issues.map((i) => `${i.where} ${i.message}`).join('\n');
  assert.match(t2, /entry\.yaml:3:.*listed twice/);
  assert.match(t2, /entry\.yaml:6:.*ablation: false/);
  for (const m of ['matched.aligned_correlation', 'reimpl.echo', 'ablation.echo_increase']) assert.ok((REIMPL_METRICS as readonly string[]).includes(m));
});

test('prepare: units outside the layer, a partial sweep and bad hand-built parameters are issues at their place', async () => {
  const e = entryFrom(`id: a\nlayer: curves\nunits: [0, 99]\nhandbuilt: { params: { curves: { kernel: 14 } } }\nstimulus: { curve: { orientation: { from: 0, to: 180, step: 10 }, radius: 20 } }\nexpect: { reimpl.echo: { max: 0.1 } }\n`);
  assert.ok(e.at);
  const issues: SpecIssue[] = [];
  const p = await prepareReimpl(e.at!, net.model, issues);
  assert.is(p, undefined);
  const text = issues.map((i) => `${i.where} ${i.message}`).join('\n');
  assert.match(text, /entry\.yaml:3:.*unit 99 does not exist/);
  assert.match(text, /entry\.yaml:5:.*whole circle/);
  assert.match(text, /entry\.yaml:4:.*curves\.kernel/);
});

test('the network compared with itself: every unit matches itself, correlation 1, no lag, no peak distance', async () => {
  const e = entryFrom(`id: self\nlayer: curves\nunits: [0, 4, 8, 12, 16, 20]\nhandbuilt: { units: [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22] }\nablation: false\n${SWEEP}\nexpect: { matched.aligned_correlation: { min: 0.99 } }\n`);
  const issues: SpecIssue[] = [];
  const p = await prepareReimpl(e.at!, net.model, issues);
  assert.equal(issues, []);
  const engine = createForwardEngine(net.model, 'cpu', { cache: createActivationCache(), batchSize: 32 });
  const out = await measureReimpl(p!, engine, makeRng(1));
  const pairs = out.params.pairs as { hand: number; trained: number; similarity: number; lagDeg: number; peakDistanceDeg: number; radiusCorrelation: number | null }[];
  assert.is(pairs.length, 6);
  for (const x of pairs) {
    assert.is(x.hand, x.trained, `hand ${x.hand} ↔ trained ${x.trained}`);
    assert.ok(x.similarity > 1 - 1e-6 && x.lagDeg === 0 && x.peakDistanceDeg < 1e-6);
    assert.ok(x.radiusCorrelation === null || x.radiusCorrelation > 1 - 1e-6);
  }
  assert.is(out.measurements['matched.count'], 6);
  assert.equal(out.cases, pairs.map((x) => `curves ${x.hand} ↔ curves ${x.trained}`));
  assert.ok(!('ablation.echo' in out.measurements), 'no ablation when it is off');
  const plots = (out.artifacts ?? []).filter((a) => a.type === 'plot' && a.name.startsWith('match-'));
  assert.is(plots.length, 6);
});

test.run();
