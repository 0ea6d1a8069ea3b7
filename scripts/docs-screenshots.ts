// The pictures in docs/: runs each docs example spec (docs/examples/<kind>.yaml) with `neurogate run`,
// opens its report.html in headless Chromium (test/report/chromium.ts: the one npm installs, or
// NEUROGATE_CHROMIUM) and saves the entry that shows that spec kind's part of the report as <out>/<kind>.png.
//   npm run docs:screenshots                                   writes docs/img/<kind>.png
//   node --import tsx scripts/docs-screenshots.ts [out-dir] [kind…]
// test/docs/screenshots.test.ts runs the same code into a temp folder, so the committed pictures
// always come from a run that passes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium, type Browser } from '../test/report/chromium.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CLI = path.join(root, 'bin', 'neurogate.js');

export const DOC_KINDS = ['neurons', 'masks', 'circuits', 'reimpl'] as const;
export type DocKind = (typeof DOC_KINDS)[number];

export interface DocExample {
  kind: DocKind;
  /** The example spec, relative to the repository root (the docs run it from there). */
  spec: string;
  /** `suite/id` of the entry the picture shows. */
  entry: string;
}

// One entry per kind, chosen for a picture of readable size that still shows what the kind adds
// to the report (a polar tuning plot, a map over its image, weights edited vs original, matched pairs).
export const EXAMPLES: readonly DocExample[] = [
  { kind: 'neurons', spec: 'docs/examples/neurons.yaml', entry: 'docs-neurons/curve-79-faces-50-degrees' },
  { kind: 'masks', spec: 'docs/examples/masks.yaml', entry: 'docs-masks/integrated-gradients-on-the-square' },
  { kind: 'circuits', spec: 'docs/examples/circuits.yaml', entry: 'docs-circuits/positive-weights-only-bring-the-echo-back' },
  { kind: 'reimpl', spec: 'docs/examples/reimpl.yaml', entry: 'docs-reimpl/curves-vs-inception-mixed2' },
];

/** Width of the browser window: the report's column then fits a docs page without scaling. */
export const VIEWPORT = { width: 1200, height: 900 };

/** The `neurogate` arguments that run an example: exactly the command its docs page shows, plus where the report goes. */
export function exampleArgs(ex: DocExample, reportDir: string): string[] {
  return ['run', ex.spec, '--report-dir', reportDir];
}

export interface ExampleRun {
  code: number | null;
  output: string;
  seconds: number;
}

/** Runs one example spec as a user would (a child process, cwd = the repository root). */
export function runExample(ex: DocExample, reportDir: string): Promise<ExampleRun> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...exampleArgs(ex, reportDir)], { cwd: root, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output, seconds: (performance.now() - t0) / 1000 }));
  });
}

/** What the page showed of the entry when it was photographed. */
export interface EntryFacts {
  /** The article's class: `entry pass` for a passing entry. */
  cls: string;
  checkRows: number;
  images: number;
  plots: number;
  tables: number;
  /** Its box on the page, CSS pixels. */
  width: number;
  height: number;
}

export interface Shot {
  kind: DocKind;
  entry: string;
  png: string;
  run: ExampleRun;
  facts: EntryFacts;
}

/** Opens a report and saves one entry's element as a PNG; throws when the entry is not on the page. */
export async function shootEntry(browser: Browser, html: string, entry: string, png: string): Promise<EntryFacts> {
  const page = await browser.context.newPage();
  try {
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    const article = page.locator(`article.entry[data-entry="${entry.replace(/["\\]/g, '\\$&')}"]`);
    const found = await article.count();
    if (found !== 1) throw new Error(`${html}: ${found} entries named ${entry} (expected 1)`);
    const facts = await article.evaluate((a) => {
      const box = a.getBoundingClientRect();
      return {
        cls: a.className,
        checkRows: a.querySelectorAll('tr[data-check]').length,
        images: [...a.querySelectorAll('figure[data-artifact] img')].filter((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0).length,
        plots: a.querySelectorAll('figure[data-artifact] svg.plot').length,
        tables: a.querySelectorAll('figure[data-artifact] .table-box').length,
        width: box.width,
        height: box.height,
      };
    });
    fs.mkdirSync(path.dirname(png), { recursive: true });
    await article.screenshot({ path: png, animations: 'disabled' });
    return facts;
  } finally {
    await page.close();
  }
}

export interface ScreenshotOptions {
  /** Where `<kind>.png` go. */
  outDir: string;
  /** Kinds to photograph (default: all). */
  kinds?: readonly DocKind[];
  /** Where the example runs write their reports (default: a temp folder, removed afterwards). */
  workDir?: string;
  log?: (line: string) => void;
}

/**
 * Runs every chosen example and photographs its entry. A run that does not exit 0 is an error
 * carrying its output: a picture of a failing report must never reach the docs.
 */
export async function docsScreenshots(o: ScreenshotOptions): Promise<Shot[]> {
  const chosen = EXAMPLES.filter((e) => !o.kinds || o.kinds.includes(e.kind));
  const work = o.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ng-docs-shots-'));
  const log = o.log ?? (() => {});
  const browser = await launchChromium(VIEWPORT);
  const shots: Shot[] = [];
  try {
    for (const ex of chosen) {
      const reportDir = path.join(work, ex.kind);
      const run = await runExample(ex, reportDir);
      log(`${ex.spec}: exit ${run.code} in ${run.seconds.toFixed(1)} s`);
      if (run.code !== 0) throw new Error(`neurogate ${exampleArgs(ex, reportDir).join(' ')} exited ${run.code}, not 0:\n${run.output}`);
      const png = path.join(o.outDir, `${ex.kind}.png`);
      const facts = await shootEntry(browser, path.join(reportDir, 'report.html'), ex.entry, png);
      log(`${png}: ${ex.entry}, ${Math.round(facts.width)}×${Math.round(facts.height)} px`);
      shots.push({ kind: ex.kind, entry: ex.entry, png, run, facts });
    }
  } finally {
    await browser.close();
    if (!o.workDir) fs.rmSync(work, { recursive: true, force: true });
  }
  return shots;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [out = path.join(root, 'docs', 'img'), ...kinds] = process.argv.slice(2);
  const unknown = kinds.filter((k) => !(DOC_KINDS as readonly string[]).includes(k));
  if (unknown.length) {
    console.error(`unknown kind ${unknown.join(', ')}; kinds: ${DOC_KINDS.join(', ')}`);
    process.exit(2);
  }
  try {
    await docsScreenshots({ outDir: path.resolve(out), kinds: kinds.length ? (kinds as DocKind[]) : undefined, log: (l) => console.log(l) });
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
