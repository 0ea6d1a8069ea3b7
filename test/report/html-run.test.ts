// End to end through the product: `neurogate run` on a shipped spec and the deliberately failing
// one writes its reports with writeReports; the HTML opens in headless Chromium without console
// errors or requests and shows every check of the JSON report and every image, decoded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from './chromium.ts';
import { runCommand } from '../../src/cli/run.ts';
import { parseReport } from '../../src/report/json.ts';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

test('neurogate run → report.html renders every check and image of its JSON report, offline', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-run-html-'));
  const code = await runCommand([path.join(repo, 'specs', 'shapes_cnn.yaml'), path.join(repo, 'test', 'fixtures', 'specs', 'failing', 'gate.yaml'), '--report-dir', dir, '--quiet']);
  assert.is(code, 1, 'the failing suite fails the gate');
  const report = parseReport(fs.readFileSync(path.join(dir, 'neurogate-report.json'), 'utf8'));
  const checks = report.suites.flatMap((s) => s.entries.flatMap((e) => e.checks));
  const images = report.suites.flatMap((s) => s.entries.flatMap((e) => e.artifacts.filter((a) => a.type === 'image')));
  assert.ok(checks.some((c) => !c.passed));

  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(path.join(dir, 'report.html')).href;
    await page.goto(url, { waitUntil: 'load' });
    const dom = await page.evaluate(() => ({
      verdict: document.querySelector('.banner')?.getAttribute('data-verdict'),
      rows: [...document.querySelectorAll('tr[data-check]')].map((r) => [r.getAttribute('data-check'), r.className]),
      images: [...document.querySelectorAll('figure[data-artifact] img')].map((i) => (i as HTMLImageElement).naturalWidth),
      failures: document.querySelectorAll('.failures li').length,
    }));
    assert.equal(problems, []);
    assert.equal(requests.filter((u) => !u.startsWith('data:')), [url]);
    assert.is(dom.verdict, 'FAIL');
    assert.equal(dom.rows, checks.map((c) => [c.metric, `check ${c.passed ? 'pass' : 'fail'}`]));
    assert.equal(dom.images, images.map((a) => (a as { width: number }).width));
    assert.ok(dom.failures >= 1);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
