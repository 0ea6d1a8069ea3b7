// The smaller reliability classes: the layer catalog is keyed by the importer's aliases as well as
// the graph, a writer killed mid-write leaves no temp file behind for long, two spec files cannot
// share one suite/entry id (and so one golden), and the scan header prints the formula it computes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { importOnnxFile } from '../../src/models/onnx-file.ts';
import { listLayers } from '../../src/models/catalog.ts';
import { writeInside } from '../../src/util/atomic.ts';
import { scoreFormula } from '../../src/cli/scan.ts';
import { shapesSpec, workspace } from './workspace.ts';

const ws = workspace('smaller');

test('same graph, different aliases: each model gets its own catalog, whatever was listed first', async () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-rel-cache-'));
  const before = process.env.NEUROGATE_CACHE_DIR;
  process.env.NEUROGATE_CACHE_DIR = cache;
  try {
    const plain = importOnnxFile(path.join(ws.dir, 'models', 'shapes_cnn.onnx'));
    const named = { ...plain, layerAliases: { stem: { tensor: '/stem/Conv_output_0', kind: 'Conv2D' } } };
    assert.is(named.net.hash, plain.net.hash, 'the export case: one graph, one hash');
    const first = (await listLayers(plain)).map((l) => l.name);
    const second = (await listLayers(named)).map((l) => l.name);
    assert.not.ok(first.includes('stem'));
    assert.ok(second.includes('stem'), second.join(', '));
    assert.is(fs.readdirSync(cache).filter((f) => f.startsWith('catalog-')).length, 2);
  } finally {
    if (before === undefined) delete process.env.NEUROGATE_CACHE_DIR;
    else process.env.NEUROGATE_CACHE_DIR = before;
    fs.rmSync(cache, { recursive: true, force: true });
  }
});

test('temp files of a writer that died are removed at the next write; a live writer\'s are kept', () => {
  const dir = path.join(ws.dir, 'r-temps');
  fs.mkdirSync(dir);
  // A pid that has certainly ended: a child we ran to completion.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const stale = path.join(dir, `.neurogate-report.json.${dead}.0.abcd1234.tmp`);
  const live = path.join(dir, `.neurogate-report.json.${process.pid}.99.abcd1234.tmp`);
  fs.writeFileSync(stale, 'half');
  fs.writeFileSync(live, 'in progress');
  writeInside(dir, 'neurogate-report.json', '{}');
  assert.not.ok(fs.existsSync(stale), 'stale temp file removed');
  assert.ok(fs.existsSync(live), 'a running writer\'s temp file is left alone');
  assert.is(fs.readFileSync(path.join(dir, 'neurogate-report.json'), 'utf8'), '{}');
});

test('two spec files with the same suite and entry id are refused at validate, naming both', () => {
  ws.write('specs-dup/a.yaml', shapesSpec({ suite: 'same' }));
  ws.write('specs-dup/b.yaml', shapesSpec({ suite: 'same' }));
  const r = ws.cli('validate', 'specs-dup', '--schema-only');
  assert.is(r.code, 2, r.out + r.err);
  assert.match(r.err, /specs-dup\/b\.yaml:\d+:\d+: entry "same\/disk-logit" is also defined in specs-dup\/a\.yaml/);
  ws.write('specs-dup/b.yaml', shapesSpec({ suite: 'other' }));
  assert.is(ws.cli('validate', 'specs-dup', '--schema-only').code, 0);
});

test('the scan header prints the score as computed: no (1 − echo) for lines and gratings', () => {
  assert.match(scoreFormula({ symmetric: false }), /\(1 − echo\)/);
  assert.not.match(scoreFormula({ symmetric: true }), /echo\)/);
  assert.match(scoreFormula({ symmetric: true }), /echo left out/);
});

test.run();
