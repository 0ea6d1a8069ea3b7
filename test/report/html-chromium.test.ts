// End to end: a report built by real code paths (shapes_cnn on onnxruntime, rendered stimuli,
// goldens) is written by writeReports and opened in headless Chromium: it must render without
// console errors or network requests, show every check, image and plot, and print with its
// folded sections open. A screenshot goes to reports/report-e2e.png.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { FC_SEED } from '../seed.ts';
import { reportArb } from './arbitrary.ts';
import { sharedChromium } from './chromium.ts';
import { buildRealisticReport } from './realistic-report.ts';
import { writeReports, toHtml } from '../../src/report/index.ts';
import { entryStatus } from '../../src/report/format.ts';
import type { RunReport } from '../../src/report/model.ts';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const outDir = path.join(repo, 'reports');

const chromium = sharedChromium();
test.after(() => chromium.close());

interface Watch { problems: string[]; requests: string[] }

/** A page that records console errors/warnings, uncaught exceptions and every request it makes. */
async function watchedPage(): Promise<{ page: Page; watch: Watch }> {
  const page = await (await chromium.get()).context.newPage();
  const watch: Watch = { problems: [], requests: [] };
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') watch.problems.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => watch.problems.push(`exception: ${e.message}`));
  page.on('request', (r) => watch.requests.push(r.url()));
  return { page, watch };
}

test('the HTML report of a real run renders offline: every check, image and plot present, no console errors, no requests', async () => {
  const { report, tmp } = await buildRealisticReport();
  const dir = path.join(outDir, 'e2e');
  const { html } = await writeReports(report, { dir, stream: null });
  const { page, watch } = await watchedPage();
  const url = pathToFileURL(html!).href;
  await page.goto(url, { waitUntil: 'load' });

  assert.equal(watch.problems, []);
  // The page itself is the only request: images are inline data, there is nothing else to fetch.
  assert.equal(watch.requests.filter((u) => !u.startsWith('data:')), [url]);

  const entries = report.suites.flatMap((s) => s.entries);
  const checks = entries.flatMap((e) => e.checks);
  const dom = await page.evaluate(() => ({
    verdict: document.querySelector('.banner')?.getAttribute('data-verdict'),
    rows: [...document.querySelectorAll('tr[data-check]')].map((tr) => ({ metric: tr.getAttribute('data-check'), cls: tr.className, text: (tr as HTMLElement).innerText })),
    articles: [...document.querySelectorAll('article.entry')].map((a) => ({ entry: a.getAttribute('data-entry'), cls: a.className })),
    images: [...document.querySelectorAll('figure[data-artifact] img')].map((i) => ({ name: i.closest('figure')!.getAttribute('data-artifact'), ok: (i as HTMLImageElement).complete, w: (i as HTMLImageElement).naturalWidth, h: (i as HTMLImageElement).naturalHeight })),
    plots: [...document.querySelectorAll('figure[data-artifact] svg.plot')].map((s) => ({ name: s.closest('figure')!.getAttribute('data-artifact'), kind: s.getAttribute('class'), series: s.querySelectorAll('.series').length, width: s.getBoundingClientRect().width })),
    failures: [...document.querySelectorAll('.failures li')].map((li) => (li as HTMLElement).innerText),
    errors: document.querySelectorAll('[data-error]').length,
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    folded: document.querySelectorAll('details:not([open])').length,
  }));

  assert.is(dom.verdict, 'ERROR');
  assert.is(dom.rows.length, checks.length);
  checks.forEach((c, i) => {
    assert.is(dom.rows[i].metric, c.metric);
    assert.is(dom.rows[i].cls, `check ${c.passed ? 'pass' : 'fail'}`);
  });
  assert.ok(dom.rows.some((r) => r.cls.includes('fail') && /margin\.min[\s\S]*≥ 12[\s\S]*5\.\d+[\s\S]*FAIL/.test(r.text)), 'the failing check shows observed vs threshold');
  assert.equal(dom.articles.map((a) => a.entry), report.suites.flatMap((s) => s.entries.map((e) => `${s.suite}/${e.id}`)));
  assert.equal(dom.articles.map((a) => a.cls), entries.map((e) => `entry ${entryStatus(e)}`));

  const images = entries.flatMap((e) => e.artifacts.filter((a) => a.type === 'image'));
  assert.ok(images.length >= 6, `${images.length} images`);
  assert.equal(dom.images.map((i) => i.name), images.map((a) => a.name));
  images.forEach((a, i) => assert.equal([dom.images[i].ok, dom.images[i].w, dom.images[i].h], [true, (a as { width: number }).width, (a as { height: number }).height], `image ${a.name} decoded at its size`));
  const plots = entries.flatMap((e) => e.artifacts.flatMap((a) => (a.type === 'plot' ? [a] : [])));
  assert.equal(dom.plots.map((p) => p.name), plots.map((a) => a.name));
  plots.forEach((a, i) => {
    assert.match(dom.plots[i].kind!, `plot-${a.plot.kind}`);
    assert.ok(dom.plots[i].series >= a.plot.series.length, `${a.name}: ${dom.plots[i].series} series drawn`);
    assert.ok(dom.plots[i].width > 200, `${a.name} is ${dom.plots[i].width}px wide`);
  });
  assert.ok(plots.some((p) => p.plot.kind === 'polar'));

  const failing = entries.filter((e) => entryStatus(e) !== 'pass');
  assert.is(dom.failures.length, failing.length);
  assert.ok(dom.failures.some((f) => f.includes('margin.min: observed 5.') && f.includes('expected ≥ 12')));
  assert.is(dom.errors, 1);
  assert.ok(dom.overflow <= 0, `page scrolls sideways by ${dom.overflow}px`);

  // Printing opens every folded section (the inline script runs: the CSP admits it by hash).
  assert.ok(dom.folded > 0);
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  assert.is(await page.evaluate(() => document.querySelectorAll('details:not([open])').length), 0);
  await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
  assert.is(await page.evaluate(() => document.querySelectorAll('details:not([open])').length), dom.folded);

  fs.mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: path.join(outDir, 'report-e2e.png'), fullPage: true });
  assert.equal(watch.problems, []);
  await page.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('hostile strings in a report stay text: nothing injected runs or loads', async () => {
  const { page, watch } = await watchedPage();
  await page.goto(pathToFileURL(path.join(repo, 'test', 'fixtures', 'images', 'LICENSES.md')).href);
  const evil = '<img src="http://127.0.0.1:9/x" onerror="window.pwned=1"><script>window.pwned=2</script></style></svg>]]>"\'';
  const report: RunReport = JSON.parse(JSON.stringify((await import('./small-report.ts')).smallReport));
  const e = report.suites[0].entries[1];
  e.id = evil;
  e.checks[0].metric = evil;
  e.checks[0].reason = evil;
  e.params = { [evil]: evil };
  e.artifacts = [{ type: 'plot', name: evil, plot: { kind: 'bar', labels: [evil], xLabel: evil, series: [{ name: evil, x: [0], y: [1] }] } }];
  report.suites[0].suite = evil;
  await page.setContent(toHtml(report));
  const dom = await page.evaluate(() => ({
    pwned: (window as unknown as { pwned?: number }).pwned,
    scripts: document.querySelectorAll('script').length,
    imgs: document.querySelectorAll('img').length,
    title: document.querySelector('article.entry.fail h3')?.textContent,
  }));
  assert.equal(dom, { pwned: undefined, scripts: 1, imgs: 0, title: evil });
  assert.equal(watch.requests.filter((u) => u.startsWith('http')), []);
  await page.close();
});

test('any report renders: one article per entry, one row per check, no console errors', async () => {
  const { page, watch } = await watchedPage();
  await fc.assert(fc.asyncProperty(reportArb, async (r) => {
    await page.setContent(toHtml(r));
    const got = await page.evaluate(() => ({
      articles: document.querySelectorAll('article.entry').length,
      rows: document.querySelectorAll('tr[data-check]').length,
      scripts: document.querySelectorAll('script').length,
    }));
    const entries = r.suites.flatMap((s) => s.entries);
    assert.equal(got, { articles: entries.length, rows: entries.reduce((n, e) => n + e.checks.length, 0), scripts: 1 });
  }), { seed: FC_SEED, numRuns: 40 });
  assert.equal(watch.problems, []);
  assert.equal(watch.requests.filter((u) => !u.startsWith('data:') && !u.startsWith('file:')), []);
  await page.close();
});

test.run();
