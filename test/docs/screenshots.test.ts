// The pictures in docs/ come from the code, not from a hand: this runs scripts/docs-screenshots.ts
// (what `npm run docs:screenshots` runs) into a temp folder — every docs example spec through
// `neurogate run` (exit 0 asserted, which is what commands.test.ts counts on for the docs' own
// `npx neurogate run docs/examples/<kind>.yaml`), its report opened in Chromium, the kind's entry
// photographed — and checks each picture shows the entry. The committed docs/img/<kind>.png must
// exist with about the same size (fonts differ between machines, so no pixel comparison).
// The browser is the one npm installs (@sparticuz/chromium), or NEUROGATE_CHROMIUM when set.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { DOC_KINDS, EXAMPLES, VIEWPORT, docsScreenshots, type Shot } from '../../scripts/docs-screenshots.ts';
import { repo } from './markdown.ts';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-docs-img-'));

interface Picture { width: number; height: number; colours: number; background: number }

/** Size, number of distinct colours and the share of the most common colour. */
function picture(file: string): Picture {
  const png = PNG.sync.read(fs.readFileSync(file));
  const counts = new Map<number, number>();
  for (let i = 0; i < png.data.length; i += 4) {
    const key = (png.data[i] << 16) | (png.data[i + 1] << 8) | png.data[i + 2];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { width: png.width, height: png.height, colours: counts.size, background: Math.max(...counts.values()) / (png.width * png.height) };
}

let shots: Shot[] = [];

test('every docs example runs green and its entry is photographed from the report', async () => {
  shots = await docsScreenshots({ outDir: out, log: (l) => console.log(l) });
  assert.equal(shots.map((s) => s.kind), [...DOC_KINDS]);
  for (const s of shots) {
    assert.is(s.run.code, 0, s.run.output);
    assert.is(s.facts.cls, 'entry pass', `${s.entry} passes`);
    assert.ok(s.facts.checkRows >= 1, `${s.entry}: its checks are on the picture`);
    assert.ok(s.facts.images + s.facts.plots >= 1, `${s.entry}: a map, kernel or plot is on the picture`);
  }
  const byKind = Object.fromEntries(shots.map((s) => [s.kind, s.facts]));
  assert.ok(byKind.neurons.plots >= 2, 'neurons: tuning plots');
  assert.ok(byKind.masks.images >= 1, 'masks: the map over its image');
  assert.ok(byKind.circuits.images >= 2, 'circuits: weights edited and original');
  assert.ok(byKind.reimpl.plots >= 2 && byKind.reimpl.tables >= 2, 'reimpl: matched pairs and tables');
});

test('each picture is the entry: its size, not blank, not one colour', () => {
  assert.is(shots.length, EXAMPLES.length, 'the run above produced every picture');
  for (const s of shots) {
    const p = picture(s.png);
    // The element's own box (CSS px at device scale 1; a fractional edge rounds outwards), inside the window's width.
    assert.ok(Math.abs(p.width - s.facts.width) <= 2 && Math.abs(p.height - s.facts.height) <= 2, `${s.kind}: ${p.width}×${p.height} vs the element's ${s.facts.width}×${s.facts.height}`);
    assert.ok(p.width > 600 && p.width <= VIEWPORT.width, `${s.kind}: width ${p.width}`);
    assert.ok(p.height > 200 && p.height < 8000, `${s.kind}: height ${p.height}`);
    assert.ok(p.colours > 200, `${s.kind}: only ${p.colours} colours`);
    assert.ok(p.background < 0.95, `${s.kind}: ${(p.background * 100).toFixed(1)} % of it is one colour`);
  }
});

test('the committed docs/img pictures exist and have about the size a run gives today', () => {
  assert.is(shots.length, EXAMPLES.length, 'the run above produced every picture');
  for (const s of shots) {
    const committed = path.join(repo, 'docs', 'img', `${s.kind}.png`);
    assert.ok(fs.existsSync(committed), `${committed} is missing: run npm run docs:screenshots`);
    const c = picture(committed);
    const now = picture(s.png);
    assert.ok(Math.abs(c.width - now.width) <= 0.05 * now.width, `${s.kind}: committed width ${c.width}, today ${now.width}: run npm run docs:screenshots`);
    assert.ok(Math.abs(c.height - now.height) <= 0.25 * now.height, `${s.kind}: committed height ${c.height}, today ${now.height}: run npm run docs:screenshots`);
    assert.ok(c.colours > 200 && c.background < 0.95, `${s.kind}: the committed picture is blank`);
  }
});

test.after(() => fs.rmSync(out, { recursive: true, force: true }));
test.run();
