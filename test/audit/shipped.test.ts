// The shipped suites audited at a cost CI affords: a few mutants each (the full audit is
// `npm run audit`). Every check passes on its model, no equivalent mutant fails any check (nothing
// flaky), and the broken models are caught.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { auditSpecs, fragile } from '../../src/audit/run.ts';
import { openGoldenStore } from '../../src/golden/index.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
// Golden expectations compare with the committed goldens, as `neurogate run` does from the repository root.
const golden = { store: openGoldenStore({ root: path.join(root, 'golden'), outDir: fs.mkdtempSync(path.join(os.tmpdir(), 'ng-audit-shipped-')) }), mode: 'compare' as const };
const FEW = ['noise-20%', 'swap-classes', 'preprocess-bgr', 'reexport', 'threads-*'];

for (const file of ['specs/shapes_cnn.yaml', 'specs/mobilenet_v2.yaml']) {
  test(`${file}: every check passes on its model, none is fragile, every broken model is caught`, async () => {
    const audit = await auditSpecs({ paths: [path.join(root, file)], mutants: FEW, golden });
    const [s] = audit.suites;
    assert.ok(s.checks.length > 0);
    assert.ok(s.checks.every((c) => c.passesOriginal), JSON.stringify(s.checks.filter((c) => !c.passesOriginal)));
    assert.equal(fragile(s).map((c) => `${c.entry} · ${c.metric}`), []);
    assert.equal(s.mutants.filter((m) => m.skipped).map((m) => m.id), []);
    assert.is(s.score, 1, JSON.stringify(s.mutants.map((m) => [m.id, m.kills.length])));
  });
}

test.run();
