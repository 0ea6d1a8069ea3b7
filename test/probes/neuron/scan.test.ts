// Scan scoring (pure) and the `neurogate scan` command on a hand-made model saved as .onnx.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scoreUnits } from '../../../src/probes/neuron/scan.ts';
import { scanCommand } from '../../../src/cli/scan.ts';
import { encodeModel } from '../../../src/engine/onnx.ts';
import { NeurogateError } from '../../../src/errors.ts';
import { orientedModel } from './oriented-model.ts';
import { FC_SEED } from '../../seed.ts';

const angles = Array.from({ length: 36 }, (_, i) => i * 10);
const bump = (mu: number, k: number, base = 0) => angles.map((a) => base + Math.exp(k * (Math.cos(((a - mu) * Math.PI) / 180) - 1)));

/** Responses of units (columns) to the sweep then blank then 2 clutter images. */
function responses(cols: number[][]) {
  const items = cols[0].length;
  const data = new Float32Array(items * cols.length);
  cols.forEach((c, k) => c.forEach((v, i) => (data[i * cols.length + k] = v)));
  return { items, units: cols.map((_, k) => k), data };
}

const index = angles.map((_, i) => [i]);
const stats = (n: number, std = 0.2) => ({ mean: new Float64Array(n), std: new Float64Array(n).fill(std), samples: 100 });

test('a tuned unit without echo outranks a line-like unit (echo 1), a flat unit and one driven by the background', () => {
  const cols = [
    [...bump(120, 4).map((v) => v * 0.5), 0, 0, 0], // tuned, weaker
    [...angles.map((a) => Math.abs(Math.cos(((a - 30) * Math.PI) / 180)) ** 8), 0, 0, 0], // two bumps 180° apart
    [...angles.map(() => 1), 0, 0, 0], // flat
    [...bump(200, 4), 0.9, 0.9, 0.9], // driven by blank and clutter as much as by the curve
  ];
  const { rows } = scoreUnits(responses(cols), index, 0, angles, undefined, angles.length, stats(4));
  assert.is(rows[0].unit, 0);
  assert.ok(rows[0].score > 0);
  for (const r of rows.slice(1)) assert.ok(r.score < 0.5 * rows[0].score, `unit ${r.unit} score ${r.score}`);
  assert.equal(rows.map((r) => r.rank), [1, 2, 3, 4]);
});

test('scores do not change when a unit’s responses and its statistics are scaled together', () => {
  fc.assert(fc.property(fc.double({ min: 0, max: 359, noNaN: true }), fc.double({ min: 1, max: 20, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true }), (mu, k, s) => {
    const col = [...bump(mu, k), 0.01, 0.02, 0];
    const a = scoreUnits(responses([col]), index, 0, angles, undefined, angles.length, stats(1, 0.3)).rows[0];
    const b = scoreUnits(responses([col.map((v) => v * s)]), index, 0, angles, undefined, angles.length, stats(1, 0.3 * s)).rows[0];
    assert.ok(Math.abs(a.score - b.score) <= 1e-3 * (1 + a.score), `${a.score} vs ${b.score}`);
  }), { seed: FC_SEED, numRuns: 100 });
});

test('neurogate scan ranks the curve-template units of an .onnx model and prints JSON', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-scan-'));
  const file = path.join(dir, 'oriented.onnx');
  const m = orientedModel([
    { template: { kind: 'line', orientation: 0, length: 18, polarity: 'light-on-dark', width: 2 } },
    { template: { kind: 'curve', orientation: 60, radius: 9, span: 150, polarity: 'light-on-dark', width: 2 } },
  ]);
  fs.writeFileSync(file, encodeModel(m.net.model));
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  let code: number;
  try {
    code = await scanCommand([file, '--layer', 'relu', '--stimulus', 'curve', '--radius', '9', '--width', '2', '--polarity', 'light-on-dark', '--step', '10', '--top', '2', '--device', 'cpu', '--json']);
  } finally {
    console.log = log;
  }
  assert.is(code, 0);
  const out = JSON.parse(lines.join('\n'));
  assert.is(out.rows.length, 2);
  assert.is(out.rows[0].unit, 1);
  assert.ok(Math.abs(out.rows[0].peakDeg - 60) < 5 || Math.abs(out.rows[0].peakDeg - 60) > 355, `peak ${out.rows[0].peakDeg}`);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('scan refuses what it cannot do, with actionable messages', async () => {
  const expectBad = async (argv: string[], re: RegExp) => {
    try {
      await scanCommand(argv);
      assert.unreachable();
    } catch (e) {
      assert.ok(e instanceof NeurogateError && e.kind === 'bad_input', String(e));
      assert.match(`${(e as Error).message} ${(e as NeurogateError).hint ?? ''}`, re);
    }
  };
  await expectBad(['zoo:inception_v3'], /--layer is required/);
  await expectBad(['zoo:inception_v3', '--layer', 'mixed2', '--stimulus', 'circle'], /no orientation/);
  await expectBad(['zoo:inception_v3', '--layer', 'mixed2', '--top', '0'], /--top 0/);
  await expectBad(['zoo:inception_v3', '--layer', 'mixed2', '--stimulus', 'line', '--radius', '5'], /curve only/);
  await expectBad(['zoo:inception_v3', '--layer', 'mixed2', '--polarity', 'white'], /one of dark-on-light/);
});

test.run();
