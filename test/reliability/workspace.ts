// A throwaway project for end-to-end tests: a temp folder with package.json (so it is its own
// project root for the path policy), the shapes CNN and its scenes copied in, and the real CLI.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
export const shapesDir = path.join(repo, 'test', 'fixtures', 'shapes_cnn');
const main = path.join(repo, 'src', 'cli', 'main.ts');
// `--import tsx` resolves from the working directory, which is the workspace: name it absolutely.
const tsx = import.meta.resolve('tsx');

export interface Workspace {
  dir: string;
  /** Write a file (folders created) and return its absolute path. */
  write(rel: string, data: string | Uint8Array): string;
  /** `neurogate …` run to completion in the workspace. */
  cli(...args: string[]): { code: number | null; out: string; err: string };
  /** `neurogate …` started in the workspace, for tests that signal it. */
  spawn(...args: string[]): ChildProcess;
}

export function workspace(prefix: string): Workspace {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `ng-rel-${prefix}-`)));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"reliability-fixture","private":true}\n');
  fs.mkdirSync(path.join(dir, 'models'));
  fs.mkdirSync(path.join(dir, 'images'));
  fs.copyFileSync(path.join(shapesDir, 'shapes_cnn.onnx'), path.join(dir, 'models', 'shapes_cnn.onnx'));
  for (const f of ['shape_0_disk.png', 'shape_1_square.png', 'shape_3_triangle.png']) fs.copyFileSync(path.join(shapesDir, f), path.join(dir, 'images', f));
  const env = { ...process.env, FORCE_COLOR: '0' };
  return {
    dir,
    write(rel, data) {
      const f = path.join(dir, rel);
      fs.mkdirSync(path.dirname(f), { recursive: true });
      fs.writeFileSync(f, data);
      return f;
    },
    cli(...args) {
      const r = spawnSync(process.execPath, ['--import', tsx, main, ...args], { cwd: dir, encoding: 'utf8', env, timeout: 180_000 });
      return { code: r.status, out: r.stdout, err: r.stderr };
    },
    spawn(...args) {
      return spawn(process.execPath, ['--import', tsx, main, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    },
  };
}

/** A one-entry spec on the shapes CNN's disk logit (5.91 on the disk scene). */
export function shapesSpec(opts: { model?: string; image?: string; expect?: string; suite?: string } = {}): string {
  return [
    `suite: ${opts.suite ?? 'reliability'}`,
    `model: ${opts.model ?? '../models/shapes_cnn.onnx'}`,
    'engine: { device: cpu }',
    'neurons:',
    '  - id: disk-logit',
    '    layer: logits',
    '    unit: 0',
    `    image: ${opts.image ?? '../images/shape_0_disk.png'}`,
    '    expect:',
    `      activation: ${opts.expect ?? '{ min: 3 }'}`,
    '',
  ].join('\n');
}

export type Path = (string | number)[];

/** Every path into a JSON-like value (the value itself first), for mutating one place at a time. */
export function pathsOf(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...prefix, k], out);
  return out;
}
