// The shipped attribution suite (specs/mobilenet_v2-masks.yaml) as CI runs it: every method on the
// two photographs through `neurogate run specs/` (test/cli/shipped-run.ts: the run this `npm test`
// computes once for every file asserting on the shipped suites), exit 0, and the report holds what
// the issue promised — extremal masks at three areas keeping their share of the score, each method's
// deletion AUC against a random map, the randomisation outcome per method, and a heatmap per map.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { shippedReport, shippedRun } from './shipped-run.ts';

test('specs/mobilenet_v2-masks.yaml runs green: areas, kept fractions, deletion vs random, MPRT, heatmaps', () => {
  const r = shippedRun();
  assert.is(r.code, 0, `${r.out}\n${r.err}`);
  const suite = shippedReport().suites.find((s) => s.suite === 'mobilenet-v2-masks');
  assert.ok(suite, 'the attribution suite is in the shipped run');
  assert.is(suite.file.split('\\').join('/'), 'specs/mobilenet_v2-masks.yaml');
  const entries = suite.entries as unknown as { id: string; kind: string; measurements: Record<string, unknown>; params: Record<string, unknown>; artifacts: { type: string }[] }[];
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

test.run();
