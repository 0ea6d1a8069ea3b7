// The air-gapped GPU check's refusals (no bundle, a broken bundle, bad options, no GPU) and the
// bundle's package selection — all without building the bundle, which takes minutes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runtimePackages } from '../../scripts/gpu-bundle.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const script = path.join(root, 'bench', 'gpu-check.sh');
const BUNDLE_FILES = ['node.xz', 'onnxruntime-node.tar.xz', 'node_modules.tar.xz', 'vulkan.tar.xz'];

function check(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync('bash', [script, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 30_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ng-gpu-check-test-'));
}

/** A bundle of the right shape: node.xz holds a shell script that answers --version, the archives are empty tars. */
function fakeBundle(dir: string): void {
  const sh = (cmd: string) => assert.is(spawnSync('sh', ['-c', cmd], { cwd: dir }).status, 0, cmd);
  fs.writeFileSync(path.join(dir, 'node'), '#!/bin/sh\necho v0.0.0-fake\n');
  sh('xz -c node > node.xz && rm node && mkdir empty');
  for (const f of BUNDLE_FILES.slice(1)) sh(`tar -cf - -C empty . | xz -c > ${f}`);
  sh(`rmdir empty && sha256sum ${BUNDLE_FILES.join(' ')} > SHA256SUMS`);
}

test('the script parses (bash -n)', () => {
  const r = spawnSync('bash', ['-n', script], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
});

test('no bundle: exit 2 and the command that makes one', () => {
  const dir = tempDir();
  try {
    const r = check(['--bundle', dir]);
    assert.is(r.code, 2, r.out);
    assert.match(r.out, /no bundle/);
    assert.match(r.out, /npm run bench:gpu-bundle/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an unknown option: exit 2 and the usage', () => {
  const r = check(['--frobnicate']);
  assert.is(r.code, 2);
  assert.match(r.out, /unknown option --frobnicate/);
  assert.match(r.out, /--cpu-only/);
});

test('a bundle that does not match its checksums is refused before anything is unpacked', () => {
  const dir = tempDir();
  try {
    fakeBundle(dir);
    fs.appendFileSync(path.join(dir, 'node_modules.tar.xz'), 'x');
    const r = check(['--bundle', dir]);
    assert.is(r.code, 2, r.out);
    assert.match(r.out, /does not match its SHA256SUMS/);
    assert.not.match(r.out, /unpacking/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('no NVIDIA GPU: exit 3 before anything is unpacked, with the --cpu-only hint', () => {
  if (fs.existsSync('/dev/nvidia0')) {
    console.log('this machine has /dev/nvidia0: the no-GPU refusal cannot be shown here');
    return;
  }
  const dir = tempDir();
  const bin = tempDir();
  try {
    fakeBundle(dir);
    // A PATH without nvidia-smi: only the tools the script needs up to that point.
    for (const t of ['bash', 'xz', 'tar', 'sha256sum', 'date', 'dirname', 'sed', 'tr', 'grep', 'ldconfig']) {
      const found = spawnSync('sh', ['-c', `command -v ${t}`], { encoding: 'utf8' }).stdout.trim();
      if (found) fs.symlinkSync(found, path.join(bin, t));
    }
    const r = check(['--bundle', dir], { PATH: bin });
    assert.is(r.code, 3, r.out);
    assert.match(r.out, /no NVIDIA GPU/);
    assert.match(r.out, /--cpu-only/);
    assert.not.match(r.out, /unpacking/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(bin, { recursive: true, force: true });
  }
});

test('--cpu-only gets past the GPU checks to the bundle\'s node', () => {
  const dir = tempDir();
  try {
    fakeBundle(dir);
    // The fake node answers --version and nothing else: the bench run after it must fail, with exit 1.
    const r = check(['--bundle', dir, '--cpu-only'], { NG_CPU_TIMEOUT: '20' });
    assert.match(r.out, /node v0\.0\.0-fake from the bundle/);
    assert.not.match(r.out, /no NVIDIA GPU/);
    assert.is(r.code, 1, r.out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the bundle carries the runtime closure, not the test tools, the tfjs reference or onnxruntime-node itself', () => {
  const { dirs, skipped } = runtimePackages(root);
  const names = dirs.map((d) => d.replace(/^node_modules\//, ''));
  for (const needed of ['tsx', 'esbuild', 'onnx-proto', 'protobufjs', 'onnxruntime-common', 'zod', 'yaml', 'nsfwjs', 'pngjs']) {
    assert.ok(names.includes(needed), `${needed} is carried`);
  }
  for (const gone of ['typescript', 'uvu', 'fast-check', '@tensorflow/tfjs', '@tensorflow/tfjs-core', 'playwright-core', 'onnxruntime-node']) {
    assert.not.ok(names.includes(gone), `${gone} stays behind`);
  }
  assert.equal(skipped.sort(), ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'onnxruntime-node']);
  // esbuild's platform binary comes along, or tsx cannot run.
  assert.ok(names.some((n) => n.startsWith('@esbuild/linux-x64')), names.join(' '));
});

test.run();
