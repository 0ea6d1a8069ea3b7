// `npm run bench:gpu-bundle`: packs what bench/gpu-check.sh needs on a Linux machine with an NVIDIA
// GPU but no network and no Node.js — this Node binary, onnxruntime-node's linux-x64 files, the
// Vulkan loader and the node_modules the GPU check loads — into bench/gpu-bundle/ (< 64 MiB).
//   npm run bench:gpu-bundle [-- --out DIR] [--vulkan libvulkan.so.1|libvulkan1.deb] [--no-fetch] [--force] [--level 0-9] [--limit-mib 64]
// The bundle travels next to a copy of the repo (which it does not hold); see bench/README.md.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const MiB = 2 ** 20;
/** Issue #12's limit, and the device tool's limit on what travels (repo included). */
export const LIMIT_BYTES = 64 * MiB;

/** What the GPU check runs (bench/gpu-check.sh): the bundle carries what these sections load. */
export const GPU_CHECK_RUN = 'bench/run.ts --quick --sections convstack,autodiff,attribution';
/** The zoo models those sections load with --quick (bench/run.ts); nsfwjs's other models stay behind. */
export const ZOO_MODELS = ['mobilenet_v2'];

/** Root dependencies the GPU check never loads, with the reason (their own dependencies go too unless needed elsewhere). */
const LEFT_OUT_PACKAGES: Record<string, string> = {
  '@tensorflow/tfjs': 'tfjs-wasm is the reference of the engine section only: a cpu-only section the GPU check does not run',
  '@tensorflow/tfjs-backend-wasm': 'as @tensorflow/tfjs',
  'onnxruntime-node': 'travels on its own, in onnxruntime-node.tar.xz, with its linux-x64 binaries only',
};

/** devDependencies the GPU check needs at run time. */
const DEV_TOOLS_CARRIED = ['tsx'];

/** Left out of node_modules.tar.xz but carried in an archive of their own: their dependencies still go in. */
const TRAVELS_APART: Record<string, true> = { 'onnxruntime-node': true };

/** Files no running program reads: source maps, type declarations. */
const DEAD_FILE = /\.(map|d\.ts|d\.mts|d\.cts)$/;

class BundleError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
  }
}

interface Entry {
  /** File name inside the bundle. */
  file: string;
  what: string;
  bytes: number;
  sha256: string;
  /** Bytes once unpacked. */
  unpackedBytes: number;
  /** Hash of the inputs: the entry is rebuilt only when it changes (or with --force). */
  sourceKey: string;
}

function sha256File(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(8 * MiB);
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

function need(cmd: string, hint: string): void {
  if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) throw new BundleError(`\`${cmd}\` is not on the PATH`, hint);
}

/** Run `producer | xz -<level> > out`; resolves when both have exited cleanly. */
function xzInto(out: string, level: number, producer?: { cmd: string; args: string[]; cwd?: string }, input?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = fs.createWriteStream(out);
    const xz = spawn('xz', ['-T0', `-${level}`, '-c', ...(input ? [input] : [])], { stdio: [producer ? 'pipe' : 'ignore', 'pipe', 'inherit'] });
    xz.stdout!.pipe(sink);
    const waits: Promise<void>[] = [new Promise((res, rej) => sink.on('finish', res).on('error', rej))];
    const exited = (p: ReturnType<typeof spawn>, name: string) => new Promise<void>((res, rej) => {
      p.on('error', rej);
      p.on('close', (code) => (code === 0 ? res() : rej(new BundleError(`${name} exited with ${code} while writing ${out}`))));
    });
    waits.push(exited(xz, 'xz'));
    if (producer) {
      const p = spawn(producer.cmd, producer.args, { cwd: producer.cwd, stdio: ['ignore', 'pipe', 'inherit'] });
      p.stdout.pipe(xz.stdin!);
      waits.push(exited(p, producer.cmd));
    }
    Promise.all(waits).then(() => resolve(), reject);
  });
}

/** A reproducible tar (sorted, owner and times fixed) of `files` (relative to `cwd`), compressed with xz. */
async function tarXz(out: string, cwd: string, files: string[], level: number): Promise<void> {
  const list = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ng-bundle-list-')), 'files');
  fs.writeFileSync(list, files.join('\0'));
  try {
    await xzInto(out, level, {
      cmd: 'tar',
      args: ['--no-recursion', '--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '--null', '-cf', '-', '-T', list],
      cwd,
    });
  } finally {
    fs.rmSync(path.dirname(list), { recursive: true, force: true });
  }
}

/** Every file and link under `dir` (relative to `base`), skipping nested node_modules and dead files. */
function walk(base: string, dir: string, keep: (rel: string) => boolean = () => true): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(base, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules') continue; // nested packages are visited as packages of their own
      if (keep(rel + '/')) out.push(...walk(base, rel, keep));
    } else if ((e.isFile() || e.isSymbolicLink()) && !DEAD_FILE.test(e.name) && keep(rel)) {
      out.push(rel);
    }
  }
  return out;
}

/** The package folders a runtime `require` can reach from the root's dependencies, minus LEFT_OUT_PACKAGES. */
export function runtimePackages(repo: string): { dirs: string[]; skipped: string[] } {
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
  const seen = new Set<string>();
  const skipped: string[] = [];
  const resolveDir = (name: string, from: string): string | undefined => {
    for (let d = from; ; d = path.dirname(d)) {
      const c = path.join(d, 'node_modules', name);
      if (fs.existsSync(path.join(c, 'package.json'))) return c;
      if (d === repo || path.dirname(d) === d) return undefined;
    }
  };
  const visit = (dir: string, carried = true) => {
    if (seen.has(dir)) return;
    if (carried) seen.add(dir);
    const p = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    for (const name of Object.keys(p.dependencies ?? {})) {
      const d = resolveDir(name, dir);
      if (!d) throw new BundleError(`${name} (needed by ${path.relative(repo, dir)}) is not installed`, 'run `npm ci` first');
      visit(d);
    }
    // Optional dependencies are the platform-specific ones (esbuild's binary): carry those installed.
    for (const name of Object.keys(p.optionalDependencies ?? {})) {
      const d = resolveDir(name, dir);
      if (d) visit(d);
    }
  };
  // The bench runs the TypeScript sources, so tsx (a devDependency: the package runs its build) travels too.
  for (const name of [...Object.keys(pkg.dependencies ?? {}), ...DEV_TOOLS_CARRIED]) {
    const d = resolveDir(name, repo);
    if (!d) throw new BundleError(`dependency ${name} is not installed`, 'run `npm ci` first');
    if (!(name in LEFT_OUT_PACKAGES)) visit(d);
    else if (name in TRAVELS_APART) visit(d, false); // its own files go in their own archive, its dependencies here
    if (name in LEFT_OUT_PACKAGES) skipped.push(name);
  }
  return { dirs: [...seen].map((d) => path.relative(repo, d)).sort(), skipped };
}

/** node_modules files that travel in node_modules.tar.xz. */
function nodeModulesFiles(repo: string): { files: string[]; packages: number; skipped: string[] } {
  const { dirs, skipped } = runtimePackages(repo);
  const files: string[] = [];
  for (const dir of dirs) {
    const keep = dir === path.join('node_modules', 'nsfwjs')
      ? (rel: string) => {
          const r = path.relative(dir, rel);
          if (r.startsWith(path.join('dist', 'browser'))) return false; // the browser bundle: no Node code loads it
          const m = /^dist\/models\/([^/]+)/.exec(r);
          return !m || ZOO_MODELS.includes(m[1]);
        }
      : undefined;
    files.push(...walk(repo, dir, keep));
  }
  return { files, packages: dirs.length, skipped };
}

/** onnxruntime-node's files with the linux-x64 binaries only. */
function onnxruntimeFiles(repo: string): string[] {
  const dir = path.join('node_modules', 'onnxruntime-node');
  if (!fs.existsSync(path.join(repo, dir, 'package.json'))) throw new BundleError('onnxruntime-node is not installed', 'run `npm ci` first');
  const files = walk(repo, dir, (rel) => {
    const m = /bin\/napi-v\d+\/([^/]+)(?:\/([^/]+))?/.exec(rel);
    return !m || (m[1] === 'linux' && (m[2] === undefined || m[2] === 'x64'));
  });
  if (!files.some((f) => f.endsWith(path.join('linux', 'x64', 'onnxruntime_binding.node')))) {
    throw new BundleError('onnxruntime-node has no linux-x64 binding (bin/napi-v*/linux/x64/onnxruntime_binding.node)', 'reinstall onnxruntime-node on a linux-x64 machine');
  }
  return files;
}

function sizeOfFiles(base: string, files: string[]): number {
  return files.reduce((s, f) => s + fs.lstatSync(path.join(base, f)).size, 0);
}

/** A key over names, sizes and modification times: cheap, and changes whenever an input does. */
function filesKey(base: string, files: string[], extra = ''): string {
  const h = createHash('sha256').update(extra);
  for (const f of files) {
    const st = fs.lstatSync(path.join(base, f));
    h.update(`${f}\0${st.size}\0${st.mtimeMs}\0`);
  }
  return h.digest('hex');
}

interface Found {
  file: string;
  source: string;
  copyright?: string;
}

/** Temp folders of unpacked and downloaded packages, removed when the script ends. */
const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}

/** Unpack a .deb into a fresh temp folder (dpkg-deb, else ar + tar). */
function unpackDeb(deb: string): string {
  const dir = tempDir('ng-bundle-deb-');
  if (spawnSync('dpkg-deb', ['-x', deb, dir]).status === 0) return dir;
  const r = spawnSync('sh', ['-c', 'ar p "$1" $(ar t "$1" | grep "^data.tar") | tar -x -C "$2" -f - --auto-compress 2>/dev/null || ar p "$1" data.tar.xz | tar -xJ -C "$2"', 'sh', deb, dir]);
  if (r.status !== 0) throw new BundleError(`could not unpack ${deb}`, 'install dpkg-deb (dpkg) or binutils (ar)');
  return dir;
}

function findInTree(dir: string, name: string): string | undefined {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const f = findInTree(p, name);
      if (f) return f;
    } else if (e.name === name) return p;
  }
  return undefined;
}

function fromDeb(deb: string, soname: string, pkg: string, source: string): Found | undefined {
  const dir = unpackDeb(deb);
  const lib = findInTree(dir, soname);
  if (!lib) return undefined;
  const copyright = path.join(dir, 'usr', 'share', 'doc', pkg, 'copyright');
  return { file: fs.realpathSync(lib), source, copyright: fs.existsSync(copyright) ? copyright : undefined };
}

/**
 * An x86-64 `soname` for the bundle: the explicit path, else the system's (ldconfig, the usual
 * folders), else the repo's `.gl/` (the device README's recipe), else `apt-get download <pkg>`.
 */
function findSharedLibrary(soname: string, pkg: string, opts: { explicit?: string; fetch: boolean }): Found | undefined {
  const docOf = (f: string): string | undefined => {
    const c = path.join('/usr/share/doc', pkg, 'copyright');
    return fs.existsSync(c) && f.startsWith('/usr/') ? c : undefined;
  };
  if (opts.explicit) {
    const p = path.resolve(opts.explicit);
    if (!fs.existsSync(p)) throw new BundleError(`${p} does not exist`, `pass the path of ${soname} or of a ${pkg}_*.deb`);
    if (p.endsWith('.deb')) {
      const f = fromDeb(p, soname, pkg, p);
      if (!f) throw new BundleError(`${p} holds no ${soname}`);
      return f;
    }
    return { file: fs.realpathSync(p), source: p };
  }
  const ldconfig = spawnSync('sh', ['-c', 'ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null'], { encoding: 'utf8' }).stdout ?? '';
  const listed = ldconfig.split('\n').filter((l) => l.trim().startsWith(`${soname} `) && l.includes('x86-64')).map((l) => l.split('=>').pop()!.trim());
  const usual = ['/usr/lib/x86_64-linux-gnu', '/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/local/lib'].map((d) => path.join(d, soname));
  for (const p of [...listed, ...usual]) {
    if (fs.existsSync(p)) return { file: fs.realpathSync(p), source: `this machine (${p})`, copyright: docOf(p) };
  }
  const gl = path.join(root, '.gl');
  if (fs.existsSync(gl)) {
    const unpacked = findInTree(gl, soname);
    if (unpacked && fs.existsSync(unpacked)) return { file: fs.realpathSync(unpacked), source: `repo .gl/ (${path.relative(root, unpacked)})` };
    const deb = fs.readdirSync(gl).find((f) => f.startsWith(`${pkg}_`) && f.endsWith('.deb'));
    if (deb) return fromDeb(path.join(gl, deb), soname, pkg, `repo .gl/${deb}`);
  }
  if (!opts.fetch) return undefined;
  const tmp = tempDir('ng-bundle-apt-');
  console.log(`  ${soname} is not on this machine: apt-get download ${pkg} (amd64)…`);
  const r = spawnSync('apt-get', ['-o', 'APT::Architecture=amd64', 'download', pkg], { cwd: tmp, encoding: 'utf8' });
  const deb = fs.readdirSync(tmp).find((f) => f.endsWith('.deb'));
  if (r.status !== 0 || !deb) {
    console.log(`  apt-get download ${pkg} failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
    return undefined;
  }
  return fromDeb(path.join(tmp, deb), soname, pkg, `apt-get download ${pkg} (${deb})`);
}

interface Manifest {
  /** false while the bundle is being written: then only `files` (what is done) is there. */
  complete: boolean;
  created: string;
  for: string;
  limitBytes: number;
  totalBytes: number;
  node: { version: string; execPath: string };
  onnxruntime: string;
  zooModels: string[];
  files: Entry[];
  leftOut: { what: string; why: string }[];
  libraries: Record<string, string>;
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({
    options: {
      out: { type: 'string', default: path.join(root, 'bench', 'gpu-bundle') },
      vulkan: { type: 'string' },
      'no-fetch': { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      level: { type: 'string', default: '9' },
      'limit-mib': { type: 'string', default: String(LIMIT_BYTES / MiB) },
    },
  });
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new BundleError(`this Node is ${process.platform}-${process.arch}; the GPU machine runs linux-x64`, 'build the bundle on a linux-x64 machine');
  }
  need('xz', 'install xz-utils');
  need('tar', 'install GNU tar');
  const level = Number(v.level);
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new BundleError(`--level must be 0…9, got ${v.level}`);
  const limit = Number(v['limit-mib']) * MiB;
  if (!(limit > 0)) throw new BundleError(`--limit-mib must be a positive number, got ${v['limit-mib']}`);
  const out = path.resolve(v.out!);
  fs.mkdirSync(out, { recursive: true });
  const old: Manifest | undefined = (() => {
    try {
      return JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    } catch {
      return undefined;
    }
  })();
  /** Build one entry unless the bundle already holds it from the same inputs. */
  const entry = async (file: string, what: string, sourceKey: string, unpackedBytes: number, build: (dst: string) => Promise<void>): Promise<Entry> => {
    const dst = path.join(out, file);
    const prev = old?.files.find((e) => e.file === file);
    if (!v.force && prev && prev.sourceKey === sourceKey && fs.existsSync(dst) && fs.statSync(dst).size === prev.bytes && sha256File(dst) === prev.sha256) {
      console.log(`  ${file}: unchanged, kept (${(prev.bytes / MiB).toFixed(1)} MiB)`);
      return prev;
    }
    const t0 = Date.now();
    const tmp = `${dst}.partial`;
    try {
      await build(tmp);
      fs.renameSync(tmp, dst);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
    const bytes = fs.statSync(dst).size;
    console.log(`  ${file}: ${(unpackedBytes / MiB).toFixed(1)} → ${(bytes / MiB).toFixed(1)} MiB in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return { file, what, bytes, sha256: sha256File(dst), unpackedBytes, sourceKey };
  };

  console.log(`writing ${path.relative(process.cwd(), out) || '.'} (xz -${level}; this takes a few minutes on 2 cores)`);
  const entries: Entry[] = [];
  const leftOut: Manifest['leftOut'] = [];
  // Written after each file, so that an interrupted run keeps what it finished; SHA256SUMS only at the end.
  fs.rmSync(path.join(out, 'SHA256SUMS'), { force: true });
  const keep = (e: Entry) => {
    entries.push(e);
    fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ complete: false, files: entries }, null, 2) + '\n');
  };

  // 1. Node: the very binary running this script.
  const nodeBin = process.execPath;
  const nodeSha = sha256File(nodeBin);
  keep(await entry('node.xz', `Node ${process.version} (${nodeBin}), linux-x64, xz-compressed`, nodeSha, fs.statSync(nodeBin).size,
    (dst) => xzInto(dst, level, undefined, nodeBin)));

  // 2. onnxruntime-node with its linux-x64 binaries only.
  const ortFiles = onnxruntimeFiles(root);
  const ortPkg = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8'));
  keep(await entry('onnxruntime-node.tar.xz', `onnxruntime-node ${ortPkg.version}: node_modules/onnxruntime-node with bin/napi-v*/linux/x64 only`,
    filesKey(root, ortFiles), sizeOfFiles(root, ortFiles), (dst) => tarXz(dst, root, ortFiles, level)));
  leftOut.push({ what: 'onnxruntime-node binaries for darwin, win32 and linux-arm64', why: 'the GPU machine is linux-x64' });

  // 3. The rest of node_modules that the GPU check's sections load.
  const nm = nodeModulesFiles(root);
  keep(await entry('node_modules.tar.xz', `node_modules: ${nm.packages} packages (the runtime dependencies' closure, less what is left out), no source maps or type declarations`,
    filesKey(root, nm.files, ZOO_MODELS.join(',')), sizeOfFiles(root, nm.files), (dst) => tarXz(dst, root, nm.files, level)));
  for (const name of nm.skipped) leftOut.push({ what: `${name} (and what only it needs)`, why: LEFT_OUT_PACKAGES[name] });
  leftOut.push({ what: 'devDependencies and optionalDependencies (typescript, uvu, fast-check, @types, tfjs-node)', why: 'tests and type checks only; the bench runs TypeScript through tsx' });
  leftOut.push({ what: `nsfwjs models other than ${ZOO_MODELS.join(', ')} (inception_v3 is ~31 MB of base64 weights), and nsfwjs's browser bundle`, why: `${GPU_CHECK_RUN} loads ${ZOO_MODELS.join(', ')} only` });
  leftOut.push({ what: '*.map, *.d.ts files', why: 'no running program reads them' });

  // 4. The Vulkan loader, and glvnd's dispatch library that NVIDIA's Vulkan driver library links against.
  const libraries: Record<string, string> = {};
  const vulkan = findSharedLibrary('libvulkan.so.1', 'libvulkan1', { explicit: v.vulkan ?? process.env.NEUROGATE_VULKAN_LOADER, fetch: !v['no-fetch'] });
  if (!vulkan) {
    throw new BundleError(`found no Vulkan loader (libvulkan.so.1): not in ldconfig, /usr/lib/x86_64-linux-gnu, /lib/x86_64-linux-gnu, /usr/lib64, /usr/local/lib or .gl/${v['no-fetch'] ? ' (and --no-fetch: apt-get was not tried)' : ', and apt-get download libvulkan1 did not work'}`,
      'install libvulkan1, or pass --vulkan /path/to/libvulkan.so.1 (or a libvulkan1_*.deb), or set NEUROGATE_VULKAN_LOADER');
  }
  libraries['libvulkan.so.1'] = vulkan.source;
  const glvnd = findSharedLibrary('libGLdispatch.so.0', 'libglvnd0', { fetch: !v['no-fetch'] });
  if (glvnd) libraries['libGLdispatch.so.0'] = glvnd.source;
  else console.log('  note: no libGLdispatch.so.0 found; the bundle carries the Vulkan loader only');
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'ng-bundle-libs-'));
  const staged: string[] = [];
  const put = (src: string, rel: string) => {
    fs.mkdirSync(path.dirname(path.join(stage, rel)), { recursive: true });
    fs.copyFileSync(src, path.join(stage, rel));
    staged.push(rel);
  };
  put(vulkan.file, 'vulkan/libvulkan.so.1');
  if (vulkan.copyright) put(vulkan.copyright, 'vulkan/copyright');
  if (glvnd) {
    put(glvnd.file, 'glvnd/libGLdispatch.so.0');
    if (glvnd.copyright) put(glvnd.copyright, 'glvnd/copyright');
  }
  const libKey = createHash('sha256').update(staged.map((f) => `${f}\0${sha256File(path.join(stage, f))}`).join('\0')).digest('hex');
  try {
    keep(await entry('vulkan.tar.xz', `vulkan/libvulkan.so.1 (${vulkan.source})${glvnd ? `, glvnd/libGLdispatch.so.0 (${glvnd.source})` : ''}`,
      libKey, sizeOfFiles(stage, staged), (dst) => tarXz(dst, stage, staged, level)));
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }

  const total = entries.reduce((s, e) => s + e.bytes, 0);
  const manifest: Manifest = {
    complete: true,
    created: new Date().toISOString(),
    for: GPU_CHECK_RUN,
    limitBytes: limit,
    totalBytes: total,
    node: { version: process.version, execPath: nodeBin },
    onnxruntime: ortPkg.version,
    zooModels: ZOO_MODELS,
    files: entries,
    leftOut,
    libraries,
  };
  console.log('\n  file                          MiB   unpacked MiB  sha256');
  for (const e of entries) console.log(`  ${e.file.padEnd(26)} ${(e.bytes / MiB).toFixed(2).padStart(7)} ${(e.unpackedBytes / MiB).toFixed(1).padStart(12)}   ${e.sha256.slice(0, 16)}…`);
  console.log(`  ${'total'.padEnd(26)} ${(total / MiB).toFixed(2).padStart(7)}   (limit ${limit / MiB} MiB)`);
  if (total > limit) {
    for (const e of entries) fs.rmSync(path.join(out, e.file), { force: true });
    fs.rmSync(path.join(out, 'manifest.json'), { force: true });
    throw new BundleError(`the bundle would be ${(total / MiB).toFixed(1)} MiB, over the ${limit / MiB} MiB limit; nothing was kept`,
      'leave more out (LEFT_OUT_PACKAGES, ZOO_MODELS in scripts/gpu-bundle.ts)');
  }
  fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  fs.writeFileSync(path.join(out, 'SHA256SUMS'), entries.map((e) => `${e.sha256}  ${e.file}\n`).join(''));
  // What travels to the device machine is this bundle plus the repo's own files, under one limit.
  const tracked = spawnSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' });
  if (tracked.status === 0) {
    const repoBytes = tracked.stdout.split('\0').filter(Boolean).reduce((s, f) => s + (fs.existsSync(path.join(root, f)) ? fs.lstatSync(path.join(root, f)).size : 0), 0);
    const both = total + repoBytes;
    console.log(`  with the repo's tracked files (${(repoBytes / MiB).toFixed(1)} MiB): ${(both / MiB).toFixed(1)} MiB${both > LIMIT_BYTES ? ' — OVER the 64 MiB a device run can carry' : ''}`);
  }
  console.log(`\nwrote ${path.relative(process.cwd(), path.join(out, 'manifest.json'))}; next, on the GPU machine: bash bench/gpu-check.sh`);
}

if (process.argv[1] && new URL(import.meta.url).pathname === process.argv[1]) {
  try {
    await main();
  } catch (e) {
    if (!(e instanceof BundleError)) throw e;
    console.error(`gpu-bundle: ${e.message}${e.hint ? ` — ${e.hint}` : ''}`);
    process.exitCode = 2;
  } finally {
    for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  }
}
