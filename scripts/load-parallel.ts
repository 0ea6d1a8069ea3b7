// Load check the README records: the shipped suite run twice at once, into two report folders,
// each under /usr/bin/time for its peak RSS; both must exit 0 with identical stable reports.
// usage: node --import tsx scripts/load-parallel.ts [spec paths…]   (default: specs)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseReport, stableJson } from '../src/report/json.ts';

const paths = process.argv.slice(2).length ? process.argv.slice(2) : ['specs'];
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-load-'));

function one(name: string): Promise<{ code: number | null; peakKiB: number; seconds: number; dir: string }> {
  const dir = path.join(out, name);
  const t0 = performance.now();
  return new Promise((resolve) => {
    // %M: the process's maximum resident set size in KiB (GNU time).
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_RSS_KIB=%M', process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'run', ...paths, '--device', 'cpu', '--report-dir', dir, '--json', '--quiet'], { stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      const peak = Number(/PEAK_RSS_KIB=(\d+)/.exec(err)?.[1] ?? NaN);
      if (code !== 0) process.stderr.write(err);
      resolve({ code, peakKiB: peak, seconds: Math.round((performance.now() - t0) / 100) / 10, dir });
    });
  });
}

const runs = await Promise.all([one('a'), one('b')]);
const reports = runs.map((r) => parseReport(fs.readFileSync(path.join(r.dir, 'neurogate-report.json'), 'utf8')));
const same = stableJson(reports[0]) === stableJson(reports[1]);
console.log(JSON.stringify({
  paths,
  exitCodes: runs.map((r) => r.code),
  checks: reports.map((r) => r.summary),
  identicalStableJson: same,
  peakRssMiB: runs.map((r) => Math.round(r.peakKiB / 1024)),
  seconds: runs.map((r) => r.seconds),
  cpus: os.cpus().length,
}, null, 1));
process.exitCode = runs.every((r) => r.code === 0) && same ? 0 : 1;
