import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { writeReports, toJson, toJunit, toHtml, DEFAULT_NAMES, parseReport } from '../../src/report/index.ts';
import { NeurogateError } from '../../src/errors.ts';
import { smallReport } from './small-report.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ng-write-'));

function sink() {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, cb) { text += chunk; cb(); } });
  return { stream, text: () => text };
}

test('by default all three files land in the report folder, each exactly its renderer\'s output', async () => {
  const dir = path.join(tmp(), 'reports');
  const out = sink();
  const written = await writeReports(smallReport, { dir, stream: out.stream });
  assert.equal(Object.keys(written).sort(), ['html', 'json', 'junit']);
  assert.is(written.json, path.join(dir, DEFAULT_NAMES.json));
  assert.is(fs.readFileSync(written.json!, 'utf8'), toJson(smallReport));
  assert.is(fs.readFileSync(written.junit!, 'utf8'), toJunit(smallReport));
  assert.is(fs.readFileSync(written.html!, 'utf8'), toHtml(smallReport));
  assert.equal(parseReport(fs.readFileSync(written.json!, 'utf8')), JSON.parse(JSON.stringify(smallReport)));
  assert.equal(fs.readdirSync(dir).sort(), ['junit.xml', 'neurogate-report.json', 'report.html'], 'no temp files left');
  assert.match(out.text(), 'FAIL  curves › echo');
  assert.match(out.text(), `report: ${written.json}`, 'outside the working directory: absolute');
});

test('formats can be switched off or renamed (into subfolders); quiet prints failures and counts only; null prints nothing', async () => {
  const dir = tmp();
  const out = sink();
  const written = await writeReports(smallReport, { dir, json: 'runs/1/result.json', junit: false, html: 'index.html', quiet: true, stream: out.stream });
  assert.equal(written, { json: path.join(dir, 'runs/1/result.json'), html: path.join(dir, 'index.html') });
  assert.not.ok(fs.existsSync(path.join(dir, 'junit.xml')));
  assert.not.match(out.text(), 'curves › peak');
  assert.not.match(out.text(), 'report: ');
  assert.match(out.text(), /^ERROR  3 checks/m);
  const silent = sink();
  await writeReports(smallReport, { dir, stream: null, html: false, junit: false });
  assert.is(silent.text(), '');
});

test('the JUnit file has a testcase per check, each failed one with observed vs threshold, and the error', () => {
  const xml = toJunit(smallReport);
  assert.match(xml, '<testsuites name="neurogate" tests="4" failures="2" errors="1"');
  assert.match(xml, '<failure message="tuning.echo: observed 0.79996, expected ≤ 0.1 — above the maximum" type="check">');
  assert.match(xml, 'threshold: {"max":0.1}');
  assert.match(xml, 'baseline: 31');
  assert.match(xml, '<error message="layer &quot;mixed9&quot; not found — did you mean mixed2?" type="E_LAYER">');
  assert.match(xml, '<testcase name="echo › tuning.echo ≤ 0.1" classname="curves.echo" time="0.040">');
  assert.match(xml, 'at: specs/a.yaml:12:7');
  assert.match(xml, '<testcase name="broken" classname="curves.broken" time="0.000">');
  assert.match(xml, '<property name="model.hash" value="' + 'ab'.repeat(16) + '"/>');
});

test('report paths that escape the report folder are refused and nothing is written', async () => {
  const root = tmp();
  const dir = path.join(root, 'reports');
  for (const bad of ['../escape.json', 'a/../../escape.json', path.join(root, 'escape.json')]) {
    try {
      await writeReports(smallReport, { dir, json: bad, junit: false, html: false, stream: null });
      assert.unreachable(`accepted ${bad}`);
    } catch (e) {
      assert.is((e as NeurogateError).code, 'E_OUTPUT_PATH', bad);
    }
  }
  assert.equal(fs.readdirSync(root).filter((f) => f !== 'reports'), []);
});

test('rewriting a report replaces the file (new inode): a reader holding the old one keeps reading it whole', async () => {
  const dir = tmp();
  await writeReports(smallReport, { dir, junit: false, html: false, stream: null });
  const file = path.join(dir, DEFAULT_NAMES.json);
  const fd = fs.openSync(file, 'r');
  const before = fs.fstatSync(fd).ino;
  await writeReports({ ...smallReport, seed: 8 }, { dir, junit: false, html: false, stream: null });
  assert.is.not(fs.statSync(file).ino, before);
  assert.is(fs.readFileSync(fd, 'utf8'), toJson(smallReport));
  fs.closeSync(fd);
  assert.is(JSON.parse(fs.readFileSync(file, 'utf8')).seed, 8);
});

test.run();
