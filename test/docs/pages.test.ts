// The docs' non-shell content, checked so it cannot drift from the code: every YAML block parses;
// every spec in a block is schema-valid, and the full specs of docs/*.md are the example files
// verbatim, which `neurogate validate` checks against the models; the CI page carries the workflow
// file verbatim and the workflow has the steps it promises; each kind's page names every metric
// its probe produces; links, anchors and pictures resolve.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { docFiles, fences, repo, SHELL_LANGS, type Fence } from './markdown.ts';
import { suiteKeys, suiteSchema } from '../../src/kinds/schema.ts';
import { entryKinds } from '../../src/kinds/index.ts';
import { ACTIVATION_METRICS } from '../../src/probes/neuron/activation.ts';
import { TUNING_METRICS } from '../../src/probes/neuron/tuning-probe.ts';
import { FEATUREVIZ_METRICS } from '../../src/probes/neuron/featureviz-probe.ts';
import { methods } from '../../src/probes/attribution/methods/index.ts';
import { maskMetricNames, maskMetrics } from '../../src/probes/attribution/metrics/index.ts';
import { EditSchema, PatchSchema } from '../../src/probes/circuit/schema.ts';
import { PATCH_METRICS } from '../../src/probes/circuit/patch.ts';
import { REIMPL_METRICS } from '../../src/reimpl/schema.ts';
import { KINDS } from '../../src/stimuli/index.ts';
import { DOC_KINDS, EXAMPLES } from '../../scripts/docs-screenshots.ts';

const read = (rel: string) => fs.readFileSync(path.join(repo, rel), 'utf8');
const pages = docFiles();
const blocks: Fence[] = pages.flatMap((f) => fences(f, read(f)));
const at = (b: Fence) => `${b.file}:${b.line}`;
const SPEC_KEYS = new Set(suiteKeys());
const ENTRY_KINDS = entryKinds().map((k) => k.key);

test('every code fence has a language the tests know, and no fence hides from the reader', () => {
  const known = new Set<string>([...SHELL_LANGS, 'yaml', 'python', 'text', 'json', 'js', '']);
  for (const b of blocks) assert.ok(known.has(b.lang), `${at(b)}: fence language "${b.lang}" — use sh/bash/console (run by commands.test.ts) or one of ${[...known].join(', ')}`);
  // A fence indented 4+ spaces is not read as one (CommonMark), so its commands would escape the run.
  for (const f of pages) read(f).split('\n').forEach((l, i) => assert.not.match(l, /^ {4,}(```|~~~)/, `${f}:${i + 1}: indented fence`));
  // Bare and text blocks are for output and synopses: a runnable command there belongs in a sh block.
  for (const b of blocks.filter((x) => x.lang === '' || x.lang === 'text')) {
    for (const l of b.text.split('\n')) assert.not.match(l, /^\s*(\$ |npx |npm |node )/, `${at(b)}: "${l}" looks like a command; put it in a sh block`);
  }
});

test('every js block is lines of the API example that npm run test:package runs (docs/examples/api.mjs)', () => {
  const example = new Set(read('docs/examples/api.mjs').split('\n').map((l) => l.trim()));
  const js = blocks.filter((b) => b.lang === 'js');
  assert.ok(js.length >= 2, 'docs/api.md shows the import and the example');
  for (const b of js) for (const l of b.text.split('\n').map((x) => x.trim()).filter(Boolean)) {
    assert.ok(example.has(l) || /^import \{[^}]*\} from 'neurogate';$/.test(l), `${at(b)}: "${l}" is not in docs/examples/api.mjs`);
  }
});

test('every YAML block parses; every spec or spec fragment in one satisfies the spec schema', () => {
  let specs = 0;
  for (const b of blocks.filter((x) => x.lang === 'yaml')) {
    const doc = YAML.parseDocument(b.text);
    assert.equal(doc.errors.map((e) => e.message), [], `${at(b)} is not valid YAML`);
    const v = doc.toJS();
    const keys = v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
    if (!keys.some((k) => k === 'suite' || ENTRY_KINDS.includes(k) || k === 'preprocess')) continue;
    assert.ok(keys.every((k) => SPEC_KEYS.has(k)), `${at(b)}: keys ${keys.filter((k) => !SPEC_KEYS.has(k)).join(', ')} are not spec keys`);
    // A fragment (README's `circuits:` list, a `preprocess:` block) is checked as the suite it would sit in.
    const r = suiteSchema().safeParse({ suite: 'fragment', model: 'zoo:mobilenet_v2', ...v });
    assert.ok(r.success, `${at(b)}: ${r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    specs++;
  }
  assert.ok(specs >= 6, `${specs} spec blocks`);
});

test('the full specs of docs/*.md are the example files verbatim, and validate loads them against their models', () => {
  const examples = new Map(fs.readdirSync(path.join(repo, 'docs', 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => [read(`docs/examples/${f}`), `docs/examples/${f}`]));
  for (const b of blocks.filter((x) => x.lang === 'yaml' && x.file.startsWith('docs/') && /^suite:/m.test(x.text))) {
    assert.ok(examples.has(b.text), `${at(b)}: a full spec in a docs page must be a file of docs/examples/, copied verbatim (so it is validated and run)`);
  }
  for (const kind of DOC_KINDS) {
    const page = read(`docs/${kind}.md`);
    const ex = EXAMPLES.find((e) => e.kind === kind)!;
    assert.ok(fences(`docs/${kind}.md`, page).some((b) => b.text === read(ex.spec)), `docs/${kind}.md shows ${ex.spec} verbatim`);
    assert.ok(page.includes(`](img/${kind}.png)`), `docs/${kind}.md shows img/${kind}.png`);
  }
  const r = spawnSync(process.execPath, [path.join(repo, 'bin', 'neurogate.js'), 'validate', 'docs/examples/'], { cwd: repo, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 300_000 });
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^ok: 5 spec files, \d+ entries, \d+ expectations; layers, units and positions checked against the models/m);
});

test('each kind\'s page names every metric its probe produces and every option it documents', () => {
  const shapeKeys = (u: { options: readonly unknown[] }) => u.options.flatMap((o) => Object.keys((o as { shape: object }).shape));
  const want: Record<string, readonly string[]> = {
    neurons: [...ACTIVATION_METRICS, ...TUNING_METRICS, ...FEATUREVIZ_METRICS, ...KINDS],
    masks: [...maskMetricNames(), ...methods().map((d) => d.name), ...maskMetrics().map((d) => d.key)],
    circuits: [...shapeKeys(EditSchema as never), 'change', ...PATCH_METRICS, ...Object.keys(PatchSchema.shape)],
    reimpl: [...REIMPL_METRICS],
  };
  for (const [kind, names] of Object.entries(want)) {
    const page = read(`docs/${kind}.md`);
    const missing = names.filter((n) => !page.includes(`\`${n}\``) && !page.includes(`\`${n}:`));
    assert.equal(missing, [], `docs/${kind}.md does not explain ${missing.join(', ')}`);
  }
});

test('docs/ci.md carries docs/github-workflow.yml verbatim; the workflow caches, installs, gates and uploads', () => {
  const file = read('docs/github-workflow.yml');
  assert.ok(fences('docs/ci.md', read('docs/ci.md')).some((b) => b.lang === 'yaml' && b.text === file), 'docs/ci.md includes the workflow file verbatim');
  const wf = YAML.parse(file);
  const jobs = Object.values(wf.jobs) as { env?: Record<string, string>; steps: Record<string, any>[] }[];
  assert.is(jobs.length, 1);
  const { steps, env } = jobs[0];
  const index = (pred: (s: Record<string, any>) => boolean, what: string) => {
    const i = steps.findIndex(pred);
    assert.ok(i >= 0, `the workflow has no step that ${what}`);
    return i;
  };
  const uses = (action: string) => (s: Record<string, any>) => typeof s.uses === 'string' && s.uses.startsWith(`${action}@`);
  const checkout = index(uses('actions/checkout'), 'checks out');
  const node = index((s) => uses('actions/setup-node')(s) && String(s.with?.['node-version']) === '${{ matrix.node }}', 'sets up the matrix\'s Node');
  assert.equal((jobs[0] as { strategy?: { matrix?: { node?: number[] } } }).strategy?.matrix?.node, [20, 22, 24], 'tests Node 20, 22 and 24');
  const modules = index((s) => uses('actions/cache')(s) && s.with?.path === 'node_modules' && /hashFiles\('package-lock\.json'\)/.test(s.with?.key), 'caches node_modules on the lock file');
  // The converted-model cache: the folder NEUROGATE_CACHE_DIR points at (src/models/cache.ts reads it).
  const cacheDir = env?.NEUROGATE_CACHE_DIR ?? '';
  assert.match(read('src/models/cache.ts'), /process\.env\.NEUROGATE_CACHE_DIR/);
  const models = index((s) => uses('actions/cache')(s) && cacheDir === `\${{ github.workspace }}/${s.with?.path}`, 'caches the converted models where NEUROGATE_CACHE_DIR points');
  const install = index((s) => s.run === 'npm ci', 'runs npm ci');
  assert.is(steps[install].if, "steps.modules.outputs.cache-hit != 'true'", 'npm ci empties node_modules: it runs only when the cache missed');
  assert.is(steps[modules].id, 'modules');
  const gate = index((s) => s.run === 'npx neurogate run specs/', 'runs the gate');
  assert.not.ok(steps[gate]['continue-on-error'], 'the gate step must fail the job on exit 1');
  const upload = index((s) => uses('actions/upload-artifact')(s) && s.with?.path === 'reports/', 'uploads reports/');
  assert.is(steps[upload].if, 'always()', 'the report is uploaded when the gate fails too');
  // reports/ is where `run` writes by default, report.html among the files.
  assert.match(read('src/cli/run.ts'), /values\['report-dir'\] \?\? 'reports'/);
  assert.ok(checkout < node && node < modules && modules < install && models < gate && install < gate && gate < upload, 'steps in order: checkout, node, caches, install, gate, upload');
  // Its commands are the ones commands.test.ts accounts for (npm ci: .ci/run; the gate: the shipped-suite tests).
  assert.equal(steps.filter((s) => s.run).map((s) => s.run), ['npm ci', 'npx neurogate run specs/']);
  assert.match(read('docs/ci.md'), /\]\(ci-sharding\.md\)/, 'docs/ci.md links the sharding page');
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

test('relative links, anchors and pictures of the docs resolve; every picture in docs/img is shown', () => {
  const shown = new Set<string>();
  for (const f of pages) {
    const text = read(f).replace(/```[\s\S]*?```/g, '');
    for (const m of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)) {
      const [target, anchor] = m[1].split('#');
      if (/^[a-z]+:/.test(target)) continue;
      const file = target ? path.normalize(path.join(path.dirname(f), target)) : f;
      assert.ok(fs.existsSync(path.join(repo, file)), `${f}: link to ${m[1]}: ${file} does not exist`);
      if (file.startsWith('docs/img/')) shown.add(file);
      if (anchor) {
        const heads = read(file).replace(/```[\s\S]*?```/g, '').split('\n').filter((l) => /^#{1,6} /.test(l)).map((l) => slug(l.replace(/^#+ /, '')));
        assert.ok(heads.includes(anchor), `${f}: link to ${m[1]}: no heading with anchor #${anchor} in ${file}`);
      }
    }
  }
  const pictures = fs.readdirSync(path.join(repo, 'docs', 'img')).map((p) => `docs/img/${p}`);
  assert.equal(pictures.sort(), [...shown].sort(), 'docs/img holds exactly the pictures the docs show');
});

test.run();
