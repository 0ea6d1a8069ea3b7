// Every command in README.md and docs/*.md runs, so the docs cannot rot.
//
// The rule:
// - Every fenced ```sh / ```bash / ```shell / ```console block of those files is split into
//   commands (test/docs/markdown.ts: one per line, `\` continuations joined, trailing comments
//   dropped; in ```console blocks the lines after a `$ ` prompt); so is every `run:` step of
//   docs/github-workflow.yml, the workflow docs/ci.md ships.
// - Each command runs with bash, in document order, in one fresh copy of the repository (its
//   node_modules linked, so zoo conversions are shared), and must exit 0 — or the code its own
//   comment states, as in `npx neurogate run test/fixtures/specs/failing   # exits 1: …`; the
//   output a ```console block shows under a command must be among the lines it prints (durations aside).
// - The commands `npm test` cannot run are in RUN_ELSEWHERE below: a fixed list of exact command
//   strings, each naming what runs it instead and a check, made here, that this is still so
//   (installs and the test suite itself: .ci/run runs them on every push; the whole shipped suite
//   and the docs examples: other test files run exactly those commands, so CI does not run them
//   twice). A command neither listed nor passing fails; so does a listed one the docs no longer have.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { docCommands, normalizeOutput, repo, type Command } from './markdown.ts';
import { EXAMPLES, exampleArgs } from '../../scripts/docs-screenshots.ts';

const read = (rel: string) => fs.readFileSync(path.join(repo, rel), 'utf8');

/** The commands .ci/run executes (comments and blank lines dropped), and whether it stops at the first failure. */
function ciScript(): { lines: string[]; strict: boolean } {
  const lines = read('.ci/run').split('\n').map((l) => l.replace(/(^|\s)#.*$/, '').trim()).filter(Boolean);
  return { lines, strict: lines.some((l) => /^set -[a-z]*e/.test(l)) };
}

function ciRuns(command: string): void {
  const ci = ciScript();
  assert.ok(ci.strict, '.ci/run must stop at the first failing command (set -e)');
  assert.ok(ci.lines.includes(command), `.ci/run no longer runs \`${command}\`:\n${ci.lines.join('\n')}`);
}

/** The test files test/run.ts would pick for `npm test -- <words>` (its discovery: *.test.ts outside fixtures/). */
function testFiles(dir = path.join(repo, 'test')): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

function sourceHas(rel: string, ...needles: string[]): void {
  const src = read(rel);
  for (const n of needles) assert.ok(src.includes(n), `${rel} no longer contains ${n}: update RUN_ELSEWHERE in test/docs/commands.test.ts`);
}

interface Elsewhere {
  /** What runs the command instead, for the reader of a failure. */
  runBy: string;
  /** Throws when that is no longer so. */
  check(): void;
}

const shippedRunners: Elsewhere = {
  runBy: 'test/cli/merge-reports-shipped.test.ts runs the same flow (`run specs --shard i/3` through scripts/shards-local.ts, then the merge) on the shipped suites, leaving out the two parts test/cli/run.test.ts and test/cli/masks-suite.test.ts run; this sketch of the CI matrix would re-run the whole shipped suite (minutes)',
  check: () => sourceHas('test/cli/merge-reports-shipped.test.ts', "import { runShardsLocally } from '../../scripts/shards-local.ts'", "runShardsLocally({ shards: 3, args: ['specs'"),
};

const packageCheck: Elsewhere = {
  runBy: 'npm run test:package (test/package/install.check.ts): npm pack, a fresh project, this install from the tarball, init, validate and run through npx — minutes of install, so not inside npm test',
  check() {
    assert.is(JSON.parse(read('package.json')).scripts['test:package'], 'node --import tsx test/package/install.check.ts');
    sourceHas('test/package/install.check.ts', 'INSTALL_FROM_TARBALL = `ONNXRUNTIME_NODE_INSTALL=skip npm install -D ./${tarball}`', "'npx neurogate init --model model.onnx --image disk.png'", "sh('npx neurogate run', project)");
  },
};

// README's two `init` walkthroughs: the init tests run the same init (same model bytes, images and
// options; only the --out folder differs, a temporary one, hence --allow-outside), validate and run
// the spec it writes, asserting exit 0 each time, and check far more of what it wrote than an exit code.
const initMobilenet: Elsewhere = {
  runBy: "test/init/init-mobilenet.test.ts, which runs this init (zoo:mobilenet_v2, chelsea.png) and the run of the spec it writes, asserting exit 0 — a minute of scanning and auditing that CI need not pay twice",
  check: () => sourceHas('test/init/init-mobilenet.test.ts', "neurogate('init', '--model', 'zoo:mobilenet_v2', '--image', 'test/fixtures/images/chelsea.png', '--out', SPEC", "neurogate('run', SPEC", 'assert.is(run.code, 0'),
};
const initShapes: Elsewhere = {
  runBy: 'test/init/init-shapes-cnn.test.ts, which runs this init on test/fixtures/shapes_cnn/shapes_cnn.onnx (the file this README copies to model.onnx) with the same two images, then validate and run of the written spec, asserting exit 0 each time',
  check() {
    sourceHas('test/init/init-shapes-cnn.test.ts', "'--image', `${FIX}/shape_0_disk.png`, '--image', `${FIX}/shape_1_square.png`, '--out', SPEC", "neurogate('validate', SPEC", "neurogate('run', SPEC", 'assert.is(v.code, 0', 'assert.is(run.code, 0');
    const copy = commands.find((c) => c.text.startsWith('cp ') && c.text.endsWith(' model.onnx'));
    assert.is(copy?.text, 'cp test/fixtures/shapes_cnn/shapes_cnn.onnx model.onnx', 'the model the README inits is the shapes CNN the init test uses');
  },
};

const RUN_ELSEWHERE: Record<string, Elsewhere> = {
  'npx neurogate init --model zoo:mobilenet_v2 --image test/fixtures/images/chelsea.png --out my-specs/mobilenet_v2.yaml': initMobilenet,
  'npx neurogate run my-specs/mobilenet_v2.yaml --report-dir reports/my-specs': initMobilenet,
  'npx neurogate init --model model.onnx --image test/fixtures/shapes_cnn/shape_0_disk.png --image test/fixtures/shapes_cnn/shape_1_square.png --out my-specs/model.yaml': initShapes,
  'npx neurogate validate my-specs/model.yaml': initShapes,
  'npx neurogate run my-specs/model.yaml': initShapes,
  // docs/install.md: what a user types in their own repository.
  'ONNXRUNTIME_NODE_INSTALL=skip npm install -D neurogate': packageCheck,
  'npx neurogate init --model model.onnx --image disk.png': packageCheck,
  'npx neurogate run': packageCheck,
  'npm install': {
    runBy: '.ci/run as `npm ci`, which installs exactly package-lock.json and fails when it disagrees with package.json — so `npm install` gets the same tree',
    check() {
      ciRuns('npm ci');
      const pkg = JSON.parse(read('package.json'));
      const lock = JSON.parse(read('package-lock.json'));
      assert.ok(lock.lockfileVersion >= 2, 'package-lock.json v2+ records the root package');
      for (const k of ['dependencies', 'devDependencies', 'optionalDependencies']) {
        assert.equal(lock.packages[''][k] ?? {}, pkg[k] ?? {}, `package-lock.json's ${k} differ from package.json's: run npm install and commit the lock file`);
      }
    },
  },
  'npm ci': { runBy: '.ci/run', check: () => ciRuns('npm ci') },
  'npm test': { runBy: '.ci/run (this test is one of the files it runs)', check: () => ciRuns('npm test') },
  'npm test -- engine zoo': {
    runBy: '.ci/run: `npm test` runs every test file, these words run a part of them',
    check() {
      ciRuns('npm test');
      for (const w of ['engine', 'zoo']) assert.ok(testFiles().some((f) => f.includes(w)), `\`npm test -- ${w}\` would match no test file`);
    },
  },
  'npm run bench': {
    runBy: 'nothing in npm test: it measures performance for minutes; `npx tsc --noEmit` (run here) type-checks it',
    check() {
      assert.is(JSON.parse(read('package.json')).scripts.bench, 'node --import tsx bench/run.ts');
      assert.ok(fs.existsSync(path.join(repo, 'bench', 'run.ts')));
      assert.ok(JSON.parse(read('tsconfig.json')).include.includes('bench'), 'tsconfig.json type-checks bench/');
    },
  },
  'npx neurogate run specs/': {
    runBy: 'test/cli/run.test.ts (every shipped suite but the attribution suite) and test/cli/masks-suite.test.ts (the attribution suite), each asserting exit 0',
    check() {
      const filter = '^(?!mobilenet-v2-masks/)';
      sourceHas('test/cli/run.test.ts', `neurogate('run', 'specs/', '--filter', '${filter}'`, 'assert.is(r.code, 0');
      sourceHas('test/cli/masks-suite.test.ts', "'run', 'specs/mobilenet_v2-masks.yaml'", 'assert.is(r.status, 0');
      // Together they run exactly specs/: the filter leaves out one suite, the one the other test runs.
      const suites = fs.readdirSync(path.join(repo, 'specs')).filter((f) => f.endsWith('.yaml')).map((f) => ({ f, suite: YAML.parse(read(`specs/${f}`)).suite as string }));
      const left = suites.filter((s) => !new RegExp(filter).test(`${s.suite}/entry`));
      assert.equal(left.map((s) => s.f), ['mobilenet_v2-masks.yaml']);
    },
  },
  // docs/ci-sharding.md's sketch of a four-machine CI run.
  'neurogate run specs/ --shard 1/4 --report-dir reports/shard-1 --json': shippedRunners,
  'neurogate merge-reports shards/ --report-dir reports': shippedRunners,
  'node --import tsx scripts/shards-local.ts 4 specs --report-dir reports': shippedRunners,
  ...Object.fromEntries(EXAMPLES.map((ex) => [`npx neurogate run ${ex.spec}`, {
    runBy: 'test/docs/screenshots.test.ts, which runs every docs example through scripts/docs-screenshots.ts and asserts exit 0',
    check() {
      assert.equal(exampleArgs(ex, 'DIR'), ['run', ex.spec, '--report-dir', 'DIR'], 'the screenshot run is this command plus a report folder');
      sourceHas('test/docs/screenshots.test.ts', 'docsScreenshots(', 'assert.is(s.run.code, 0');
    },
  } satisfies Elsewhere])),
};

/** The `run:` steps of the GitHub workflow the CI page ships: commands of the docs like the others. */
function workflowCommands(): Command[] {
  const file = 'docs/github-workflow.yml';
  const text = read(file);
  const lines = text.split('\n');
  const jobs = Object.values(YAML.parse(text).jobs) as { steps: { run?: string }[] }[];
  return jobs.flatMap((j) => j.steps.flatMap((s) => (s.run ? [{ file, line: lines.findIndex((l) => l.trim() === `run: ${s.run}`) + 1, text: s.run.trim(), exit: 0 }] : [])));
}

const commands = [...docCommands(), ...workflowCommands()];

test('the docs have shell commands, and every command the fixed list names is still in them', () => {
  assert.ok(commands.length >= 15, `${commands.length} commands found`);
  const texts = new Set(commands.map((c) => c.text));
  for (const c of Object.keys(RUN_ELSEWHERE)) assert.ok(texts.has(c), `RUN_ELSEWHERE lists \`${c}\`, which no doc has any more: remove it`);
});

for (const [command, e] of Object.entries(RUN_ELSEWHERE)) {
  test(`not run here: \`${command}\` — run by ${e.runBy}`, () => e.check());
}

// The copy: git's working tree as the developer has it, minus what is not source (node_modules is
// linked, reports and caches start empty) and minus what the docs' own commands create, which a
// developer who followed the README has lying around untracked.
const SKIP = new Set(['node_modules', '.git', 'reports', 'scratch', '.cache']);
const DOC_OUTPUTS = new Set(['my-specs', 'model.onnx', 'mobilenet_v2.onnx']);
/** Files this large are build or GPU bundles, not anything a docs command reads. */
const MAX_COPIED = 2 * 1024 * 1024;

function copyRepo(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ng-docs-commands-')));
  fs.cpSync(repo, dir, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(repo, src);
      if (rel === '') return true;
      const parts = rel.split(path.sep);
      if (parts.some((p) => SKIP.has(p)) || DOC_OUTPUTS.has(parts[0])) return false;
      const st = fs.lstatSync(src);
      return st.isDirectory() || st.size <= MAX_COPIED;
    },
  });
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

const workspace = copyRepo();
const env = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
let seconds = 0;

function runDocCommand(c: Command): void {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', c.text], { cwd: workspace, env, encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  const took = (performance.now() - t0) / 1000;
  seconds += took;
  console.log(`${took.toFixed(1).padStart(6)} s  ${c.text}`);
  const tail = (s: string) => s.split('\n').slice(-40).join('\n');
  assert.is(r.status, c.exit, `${c.file}:${c.line}: \`${c.text}\` exited ${r.status ?? r.signal}, the doc says ${c.exit}\n--- stdout\n${tail(r.stdout ?? '')}\n--- stderr\n${tail(r.stderr ?? '')}`);
  // The output a ```console block shows must be what the command prints (durations aside).
  const printed = new Set(`${r.stdout}\n${r.stderr}`.split('\n').map(normalizeOutput));
  for (const l of c.output ?? []) assert.ok(printed.has(normalizeOutput(l)), `${c.file}:${c.line}: the doc shows the line\n  ${l}\nwhich \`${c.text}\` no longer prints:\n${tail(r.stdout ?? '')}`);
}

for (const c of commands) {
  if (RUN_ELSEWHERE[c.text]) continue;
  test(`${c.file}:${c.line}  ${c.text}${c.exit ? `  (exit ${c.exit})` : ''}`, () => runDocCommand(c));
}

test.after(() => {
  console.log(`docs commands: ${seconds.toFixed(1)} s in ${workspace}`);
  fs.rmSync(workspace, { recursive: true, force: true });
});
test.run();
