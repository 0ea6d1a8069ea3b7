// Which files and folders a piece of work read, each with the content hash it had when read: the
// result cache (src/run/result-cache.ts) keys an entry's stored output on them. Nothing is noted outside recordReads.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Reads by `file:<real path>` / `folder:<path>` → sha256 of what was seen. `complete` turns false
 * when the work used something loaded earlier while nobody recorded: what it depends on is then
 * unknown, and its result must not be reused.
 */
export interface ReadLog {
  reads: Map<string, string>;
  complete: boolean;
}

const current = new AsyncLocalStorage<ReadLog>();

export function newReadLog(): ReadLog {
  return { reads: new Map(), complete: true };
}

/** Runs `work` (and everything it awaits) with its reads going to `log`; without a log, just runs it. */
export function recordReads<T>(log: ReadLog | undefined, work: () => T): T {
  return log ? current.run(log, work) : work();
}

/** Whether anything is recording (a loader keeps a log of its own only then: hashing costs). */
export function recording(): boolean {
  return current.getStore() !== undefined;
}

/** A file was read whole (`bytes`) or in part (then it is hashed whole from disk now). */
export function noteFile(realPath: string, bytes?: Uint8Array): void {
  const log = current.getStore();
  if (!log) return;
  log.reads.set(`file:${realPath}`, bytes ? sha256(bytes) : fileDigest(realPath));
}

/** A folder was listed (or looked for): adding or removing a file in it changes what a walk finds. */
export function noteFolder(dir: string): void {
  const log = current.getStore();
  if (!log) return;
  log.reads.set(`folder:${path.resolve(dir)}`, folderDigest(dir));
}

/**
 * Replays the reads of a memoised load into the current log (each user of the memo depends on
 * them); `undefined` — loaded while nobody recorded — makes the current log incomplete.
 */
export function noteReads(from: ReadLog | undefined): void {
  const log = current.getStore();
  if (!log || log === from) return;
  if (!from) {
    log.complete = false;
    return;
  }
  addReads(log, from);
}

/** The digest a read of `key` (as a ReadLog writes it) would record now, for checking a stored log. */
export function digestNow(key: string): string {
  if (key.startsWith('file:')) return fileDigest(key.slice(5));
  if (key.startsWith('folder:')) return folderDigest(key.slice(7));
  return 'unknown';
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const ABSENT = 'absent';

/** sha256 of a file's bytes, streamed in 1 MiB pieces (models are large); `absent` when it cannot be read. */
export function fileDigest(file: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return ABSENT;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) return ABSENT;
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(2 ** 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
    return h.digest('hex');
  } catch {
    return ABSENT;
  } finally {
    fs.closeSync(fd);
  }
}

/** sha256 of a folder's sorted names and entry types (not their contents: files read are noted apart). */
export function folderDigest(dir: string): string {
  let names: fs.Dirent[];
  try {
    names = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return ABSENT;
  }
  const lines = names.map((d) => `${d.isDirectory() ? 'd' : d.isFile() ? 'f' : 'o'} ${d.name}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** Adds `from`'s reads to `into` (outside any recording: the runner joins a spec's reads to each entry's). */
export function addReads(into: ReadLog, from: ReadLog): void {
  for (const [k, v] of from.reads) into.reads.set(k, v);
  if (!from.complete) into.complete = false;
}
