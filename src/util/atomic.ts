// Writing files so that readers only ever see the old or the new content (temp file in the same
// directory, fsync, rename), and only inside a given root: no `..`, no symlinked folders out of it.
// Reports and goldens both write through here.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { badInput } from '../errors.ts';
import { projectRoot } from '../io/project-root.ts';
import { realPath, within } from '../io/guarded-fs.ts';

/**
 * The absolute path of `name` inside `root`. `name` is relative to root (or absolute but inside
 * it); any `..` segment is refused, even one that would land back inside, so a path reads as what it is.
 */
export function resolveInside(root: string, name: string, what = 'output file'): string {
  const rootAbs = path.resolve(root);
  if (name === '' || name.includes('\0')) throw badInput('E_OUTPUT_PATH', `${what} has an empty or invalid name: ${JSON.stringify(name)}`, undefined, 'give a file name such as report.html');
  if (name.split(/[\\/]+/).includes('..')) {
    throw badInput('E_OUTPUT_PATH', `${what} "${name}" contains "..": it must stay inside ${rootAbs}`, undefined, `write inside ${root} or choose another root directory`);
  }
  const abs = path.resolve(rootAbs, name);
  const rel = path.relative(rootAbs, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw badInput('E_OUTPUT_PATH', `${what} "${name}" is outside ${rootAbs}`, undefined, `give a path relative to ${root}`);
  }
  if (/[\\/]$/.test(name)) throw badInput('E_OUTPUT_PATH', `${what} "${name}" names a folder, not a file`, undefined, 'give a file name');
  return abs;
}

/**
 * Creates the folders between root and the file one level at a time, refusing any that is a
 * symlink (it could point anywhere). The root itself may be a symlink: that is the user's choice.
 */
export function ensureParentInside(root: string, file: string, what = 'output file'): void {
  const rootAbs = path.resolve(root);
  refuseLinksOut(rootAbs, what);
  fs.mkdirSync(rootAbs, { recursive: true });
  const parts = path.relative(rootAbs, path.dirname(file)).split(path.sep).filter(Boolean);
  let dir = rootAbs;
  for (const p of parts) {
    dir = path.join(dir, p);
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (!st) {
      fs.mkdirSync(dir);
      continue;
    }
    if (st.isSymbolicLink()) {
      throw badInput('E_OUTPUT_SYMLINK', `${what}: ${dir} is a symbolic link; refusing to write through it`, undefined, `remove the link or write elsewhere inside ${rootAbs}`);
    }
    if (!st.isDirectory()) throw badInput('E_OUTPUT_PATH', `${what}: ${dir} is not a folder`, undefined, 'remove it or choose another name');
  }
  try {
    if (fs.lstatSync(file).isDirectory()) throw badInput('E_OUTPUT_PATH', `${what}: ${file} is a folder`, undefined, 'remove it or choose another file name');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/**
 * A folder on the way to the root that is a symlink must stay inside the project it sits in: a
 * committed `reports/` or `golden/` link would otherwise make every CI run write elsewhere. A
 * folder named by its real path is the user's choice and is not judged.
 */
function refuseLinksOut(rootAbs: string, what: string): void {
  const parts = rootAbs.split(path.sep).filter(Boolean);
  let dir = path.parse(rootAbs).root;
  for (const p of parts) {
    dir = path.join(dir, p);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch {
      return; // the rest is created by us, as folders
    }
    if (!st.isSymbolicLink()) continue;
    const project = projectRoot(path.dirname(dir));
    const target = realPath(dir);
    if (target === undefined || !within(project, target)) {
      throw badInput('E_OUTPUT_SYMLINK', `${what}: ${dir} is a symbolic link to ${target ?? 'nothing'}, outside the project ${project}; refusing to write through it`, undefined,
        `remove the link (a checkout must not write elsewhere), or name the real folder${target ? ` (${target})` : ''} directly`);
    }
  }
}

let counter = 0;

/**
 * Temp files of writers that died mid-write (SIGKILL during fsync) are removed at the next write
 * to the same file: their process is gone, so nothing will ever rename them.
 */
function removeStaleTemps(dir: string, base: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const prefix = `.${base}.`;
  for (const n of names) {
    if (!n.startsWith(prefix) || !n.endsWith('.tmp')) continue;
    const pid = Number(n.slice(prefix.length).split('.')[0]);
    if (!Number.isSafeInteger(pid) || pid === process.pid || alive(pid)) continue;
    try {
      fs.unlinkSync(path.join(dir, n));
    } catch {
      // Another writer cleaned it first.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Write `data` to `file` atomically. The temp file is created exclusively (O_EXCL, so never
 * through a planted symlink) next to the target, flushed, then renamed over it; rename replaces
 * a symlink at the target rather than following it. On any failure the temp file is removed and
 * the old file, if any, is untouched.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  removeStaleTemps(dir, path.basename(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${counter++}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', 0o666);
  try {
    try {
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // Already renamed or never created: nothing to clean.
    }
    throw e;
  }
  syncDir(dir);
}

/** The rename itself is durable only once the folder is flushed; not every platform allows it. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // EISDIR / EPERM on some platforms: the write is still atomic, only less durable.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** resolveInside + ensureParentInside + writeFileAtomic: the one call writers use. */
export function writeInside(root: string, name: string, data: string | Uint8Array, what = 'output file'): string {
  const file = resolveInside(root, name, what);
  try {
    ensureParentInside(root, file, what);
    writeFileAtomic(file, data);
  } catch (e) {
    throw fsError(e, file, what);
  }
  return file;
}

/** What each filesystem failure means to the user, and what to do. */
const FS_FIXES: Record<string, [string, string]> = {
  EACCES: ['permission denied', 'make the folder writable, or choose another with --report-dir'],
  EPERM: ['operation not permitted', 'make the folder writable, or choose another with --report-dir'],
  EROFS: ['the file system is read-only', 'write to a writable folder (--report-dir)'],
  ENOSPC: ['no space left on the device', 'free some space or write elsewhere (--report-dir)'],
  EDQUOT: ['disk quota exceeded', 'free some space or write elsewhere (--report-dir)'],
  ENOTDIR: ['a part of the path is a file, not a folder', 'remove that file or choose another folder (--report-dir)'],
  EISDIR: ['the target is a folder', 'remove it or choose another name'],
  EEXIST: ['a file is in the way of a folder', 'remove it or choose another folder (--report-dir)'],
  ENAMETOOLONG: ['the path is too long', 'choose a shorter folder'],
  EMFILE: ['too many open files', 'raise the limit (ulimit -n) and run again'],
  EIO: ['an input/output error from the device', 'check the disk and run again'],
};

/**
 * A failed write is the environment's doing (a read-only folder, a full disk), never an internal
 * error: it becomes bad input naming the path and the fix.
 */
export function fsError(e: unknown, file: string, what: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || !(e as NodeJS.ErrnoException).syscall) return e;
  const [why, fix] = FS_FIXES[code] ?? [`the system refused (${code})`, 'check the folder and run again'];
  const at = (e as NodeJS.ErrnoException).path ?? file;
  return badInput('E_OUTPUT_FS', `cannot write the ${what}: ${why} (${code} on ${at})`, file, fix);
}
