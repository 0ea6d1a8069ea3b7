// The one way the gate reads a file: the path is resolved through every symlink and must stay
// inside the allowed root, the opened descriptor must be a regular file, and its size (fstat on
// that descriptor, so a swap after the check cannot grow it) is held to a limit before one byte is read.
import fs from 'node:fs';
import path from 'node:path';
import { badInput, NeurogateError } from '../errors.ts';
import { noteFile } from './reads.ts';

export interface ReadPolicy {
  /** What the file is, for messages: `model`, `image`, `spec file`, `golden`, … */
  what: string;
  /** Error codes are `E_<CODE>_MISSING | _NOT_FILE | _OUTSIDE | _TOO_BIG` (e.g. `MODEL`). */
  code: string;
  /** Largest size read, in bytes. */
  maxBytes: number;
  /** The flag that raises `maxBytes`, named in the hint. */
  flag?: string;
  /** The folder the real path must stay inside; none = the user named the file directly. */
  root?: string;
  /** --allow-outside: the root is not enforced. */
  allowOutside?: boolean;
  /** Hint for a missing file. */
  missingHint?: string;
}

/** Where a path really is, or undefined when some part of it does not exist. */
export function realPath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

/** Whether `file` lies inside `root` (both already real paths, or plain when missing). */
export function within(root: string, file: string): boolean {
  const rel = path.relative(root, file);
  // `..hidden.bin` is inside; only a `..` segment climbs out.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * Refuses a path whose real location leaves `root` (unless allowed). Returns the real path; a
 * missing file is reported as missing, never as outside.
 */
export function checkPath(file: string, policy: ReadPolicy): string {
  const abs = path.resolve(file);
  const real = realPath(abs);
  if (real === undefined) {
    throw badInput(`E_${policy.code}_MISSING`, `${policy.what} not found`, abs, policy.missingHint ?? 'check the path');
  }
  if (policy.root !== undefined && !policy.allowOutside) {
    const root = realPath(policy.root) ?? path.resolve(policy.root);
    if (!within(root, real)) {
      throw badInput(`E_${policy.code}_OUTSIDE`, `${policy.what} resolves to ${real}, outside ${root}`, abs,
        'keep it inside that folder (symlinks are followed), or pass --allow-outside if you trust where it points');
    }
  }
  return real;
}

/**
 * Open `file` under `policy` and read it whole. O_NONBLOCK makes opening a FIFO return at once
 * (instead of waiting for a writer), so the fstat that follows can refuse it.
 */
export function readGuarded(file: string, policy: ReadPolicy): Buffer {
  return withGuardedFile(file, policy, (fd, size, abs, real) => {
    if (size > policy.maxBytes) throw tooBig(abs, size, policy);
    const bytes = readBounded(fd, size, abs, policy);
    if (isInput(policy)) noteFile(real, bytes);
    return bytes;
  });
}

/**
 * Whether a read is an input of the work recording it (src/io/reads.ts). Converted-model and
 * catalog caches (`CACHE`) are derived from sources noted themselves; a spec file's text is parsed
 * into the suite and entry that key a cached result, so an edit elsewhere in it changes nothing.
 */
function isInput(policy: ReadPolicy): boolean {
  return policy.code !== 'CACHE' && policy.code !== 'SPEC';
}

/** The first `bytes` bytes of a file under `policy` (a header), whatever the file's size. */
export function readGuardedHead(file: string, policy: ReadPolicy, bytes: number): Buffer {
  return withGuardedFile(file, policy, (fd, _size, abs, real) => {
    if (isInput(policy)) noteFile(real);
    const head = Buffer.alloc(bytes);
    let n: number;
    try {
      n = fs.readSync(fd, head, 0, bytes, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return head.subarray(0, 0);
      throw openError(e, abs, policy);
    }
    return head.subarray(0, n);
  });
}

/** Opens the file the policy allows, refuses anything but a regular file, and hands the descriptor and its size on. */
function withGuardedFile<T>(file: string, policy: ReadPolicy, use: (fd: number, size: number, abs: string, real: string) => T): T {
  const abs = path.resolve(file);
  const real = checkPath(abs, policy);
  let fd: number;
  try {
    fd = fs.openSync(real, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw openError(e, abs, policy);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      throw badInput(`E_${policy.code}_NOT_FILE`, `${policy.what} is not a regular file (${kindOf(st)})`, abs, `give the path of a ${policy.what} file`);
    }
    return use(fd, st.size, abs, real);
  } finally {
    fs.closeSync(fd);
  }
}

export function readGuardedText(file: string, policy: ReadPolicy): string {
  return readGuarded(file, policy).toString('utf8');
}

// The file may grow between fstat and read (a log being appended): read at most the limit and
// one byte more, so growth past the limit is refused rather than read.
function readBounded(fd: number, size: number, where: string, policy: ReadPolicy): Buffer {
  const cap = Math.min(policy.maxBytes + 1, Math.max(size, 0) + 64 * 1024);
  let buf = Buffer.allocUnsafe(Math.max(Math.min(size + 1, cap), 1));
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (buf.length >= cap) break;
      const bigger = Buffer.allocUnsafe(Math.min(cap, buf.length * 2));
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
    let got: number;
    try {
      got = fs.readSync(fd, buf, n, buf.length - n, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
      throw openError(e, where, policy);
    }
    if (got === 0) break;
    n += got;
  }
  if (n > policy.maxBytes) throw tooBig(where, n, policy);
  return buf.subarray(0, n);
}

function tooBig(where: string, size: number, policy: ReadPolicy): NeurogateError {
  const raise = policy.flag ? `raise the limit with ${policy.flag} if it is meant to be this large` : 'use a smaller file';
  return badInput(`E_${policy.code}_TOO_BIG`, `${policy.what} is ${size} bytes, over the limit of ${policy.maxBytes}`, where, raise);
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a plain file';
}

function openError(e: unknown, where: string, policy: ReadPolicy): NeurogateError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return badInput(`E_${policy.code}_MISSING`, `${policy.what} not found`, where, policy.missingHint ?? 'check the path');
  if (code === 'EISDIR') return badInput(`E_${policy.code}_NOT_FILE`, `${policy.what} is not a regular file (a folder)`, where, `give the path of a ${policy.what} file`);
  return badInput(`E_${policy.code}_UNREADABLE`, `${policy.what} cannot be read (${code ?? (e as Error).message})`, where, 'check its permissions');
}
