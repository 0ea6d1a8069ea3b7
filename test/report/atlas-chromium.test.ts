// The neuron atlas end to end: a featureviz entry with `atlas:` on the shapes CNN, run by the
// runner, written by writeReports and opened in headless Chromium — one row per target with its
// visualization, its top scenes and its concept, every picture decoded at its size, offline.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runSpecs } from '../../src/run/index.ts';
import { writeReports } from '../../src/report/index.ts';
import { sharedChromium } from './chromium.ts';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const chromium = sharedChromium();
test.after(() => chromium.close());

test('the atlas renders one row per unit: visualization, top-k scene thumbnails with overlays, best concept', async () => {
  const { report } = await runSpecs({ paths: [path.join(repo, 'test', 'fixtures', 'specs', 'featureviz')], filter: /\/atlas$/ });
  const [entry] = report.suites[0].entries;
  assert.is(entry.id, 'atlas');
  const rows = (entry.params.atlas as { rows: { label: string; concept: string | null; iou: number | null; examples: string[] }[] }).rows;
  assert.equal(rows.map((r) => r.label), ['unit 3', 'unit 5']);
  rows.forEach((r) => assert.is(r.examples.length, 3));
  const { html } = await writeReports(report, { dir: path.join(repo, 'reports', 'atlas-e2e'), stream: null });
  const page = await (await chromium.get()).context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(html!).href;
  await page.goto(url, { waitUntil: 'load' });
  const dom = await page.evaluate(() => [...document.querySelectorAll('figure[data-artifact="atlas"] table.atlas tbody tr')].map((tr) => {
    const cells = [...tr.querySelectorAll('td')];
    // No named helper inside evaluate: the test transpiler would wrap it in a __name the page lacks.
    const [viz, top] = [cells[1], cells[2]].map((td) => [...td.querySelectorAll('img')].map((i) => ({ ok: (i as HTMLImageElement).complete, w: (i as HTMLImageElement).naturalWidth, h: (i as HTMLImageElement).naturalHeight, shownH: (i as HTMLImageElement).getBoundingClientRect().height, title: i.getAttribute('title') })));
    return { unit: cells[0].textContent, viz, top, concept: cells[3].textContent };
  }));
  assert.equal(problems, []);
  assert.equal(requests.filter((u) => !u.startsWith('data:')), [url]);
  assert.equal(dom.map((r) => r.unit), ['unit 3', 'unit 5']);
  dom.forEach((r, i) => {
    assert.equal(r.viz.map((v) => [v.ok, v.w, v.h]), [[true, 64, 64]], 'the 64² visualization');
    assert.equal(r.top.map((v) => [v.ok, v.w, v.h]), [[true, 224, 224], [true, 224, 224], [true, 224, 224]], 'three scenes at the model’s input size');
    // Every picture of a row shows at one height, so the row reads across.
    assert.ok([...r.viz, ...r.top].every((v) => Math.abs(v.shownH - 96) < 1), JSON.stringify(r));
    r.top.forEach((v, k) => assert.match(v.title!, new RegExp(`^#${k + 1}: ${rows[i].examples[k]} \\(max `)));
    const c = rows[i];
    assert.is(r.concept, c.concept ? `${c.concept} (IoU ${c.iou!.toFixed(3)})` : '—');
  });
  await page.close();
});

test.run();
