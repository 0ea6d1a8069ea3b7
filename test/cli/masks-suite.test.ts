// The shipped attribution suite (specs/mobilenet_v2-masks.yaml) as CI runs it: every method on the
// two photographs through `neurogate run`, exit 0, and the report holds what the issue promised —
// extremal masks at three areas keeping their share of the score, each method's deletion AUC against
// a random map, the randomisation outcome per method, and a heatmap per map.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-masks-suite-'));

test('specs/mobilenet_v2-masks.yaml runs green: areas, kept fractions, deletion vs random, MPRT, heatmaps', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', 'specs/mobilenet_v2-masks.yaml', '--report-dir', tmp, '--json', '--quiet'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, timeout: 900_000 });
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const report = JSON.parse(fs.readFileSync(path.join(tmp, 'neurogate-report.json'), 'utf8'));
  const entries = report.suites[0].entries as { id: string; kind: string; measurements: Record<string, unknown>; params: Record<string, unknown>; artifacts: { type: string }[] }[];
  assert.ok(entries.every((e) => e.kind === 'masks'));
  const byId = Object.fromEntries(entries.map((e) => [e.id, e]));
  const ex = byId['extremal-areas'];
  assert.equal(ex.params.areas, [0.05, 0.1, 0.2]);
  // Two images × three areas; larger masks keep more of the score (TorchRay's monotonicity).
  const kept = ex.measurements.preserved_fraction as number[];
  assert.is(kept.length, 6);
  for (const img of [0, 3]) assert.ok(kept[img] <= kept[img + 1] + 0.05 && kept[img + 1] <= kept[img + 2] + 0.05, JSON.stringify(kept));
  for (const id of ['gradient', 'gradient-x-input', 'integrated-gradients', 'smoothgrad', 'grad-cam', 'occlusion', 'rise']) {
    assert.is((byId[id].measurements.deletion_auc_vs_random as number[]).length, 2, id);
    assert.ok(byId[id].artifacts.some((a) => a.type === 'image'), `${id}: heatmap`);
  }
  for (const id of ['gradient', 'gradient-x-input', 'integrated-gradients', 'smoothgrad', 'grad-cam']) assert.is((byId[id].measurements.mprt_final as number[]).length, 2, id);
  // The stochastic methods took the suite seed and say so.
  assert.is(byId.rise.params.seed, 7);
  assert.is(byId.smoothgrad.params.seed, 7);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
