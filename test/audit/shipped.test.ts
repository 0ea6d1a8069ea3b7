// The shipped suites audited at a cost CI affords: a few mutants each (the full audit is
// `npm run audit`). Every check passes on its model, no equivalent mutant fails any check (nothing
// flaky), and the broken models are caught.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { auditSpecs, fragile } from '../../src/audit/run.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const FEW = ['noise-20%', 'swap-classes', 'preprocess-bgr', 'reexport', 'threads-*'];

for (const file of ['specs/shapes_cnn.yaml', 'specs/mobilenet_v2.yaml']) {
  test(`${file}: every check passes on its model, none is fragile, every broken model is caught`, async () => {
    const audit = await auditSpecs({ paths: [path.join(root, file)], mutants: FEW });
    const [s] = audit.suites;
    assert.ok(s.checks.length > 0);
    assert.ok(s.checks.every((c) => c.passesOriginal), JSON.stringify(s.checks.filter((c) => !c.passesOriginal)));
    assert.equal(fragile(s).map((c) => `${c.entry} · ${c.metric}`), []);
    assert.equal(s.mutants.filter((m) => m.skipped).map((m) => m.id), []);
    assert.is(s.score, 1, JSON.stringify(s.mutants.map((m) => [m.id, m.kills.length])));
  });
}

test.run();
