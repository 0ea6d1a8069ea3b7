// Files a command line names: files as given, folders searched recursively in sorted order (so
// every run visits them alike) for names a pattern accepts; the same file named twice counts once.
// Symlinks inside a searched folder are followed, never skipped: one leading out of the project
// is refused, so a folder cannot hide a spec (or a shard report) from the gate.
import fs from 'node:fs';
import path from 'node:path';
import { badInput } from '../errors.ts';
import { projectRoot } from '../io/project-root.ts';
import { realPath, within } from '../io/guarded-fs.ts';

export interface FindFiles {
  /** Which file names a folder search keeps. */
  accept: RegExp;
  /** Folder names never searched (hidden folders are always skipped). */
  skip?: readonly string[];
  /** Error code and hint for a path that does not exist, and for a folder holding no file. */
  missing: { code: string; hint: string };
  none: { code: string; message: string; hint: string };
  /** --allow-outside: links may lead out of the searched folder's project. */
  allowOutside?: boolean;
}

export function findFiles(args: readonly string[], how: FindFiles): string[] {
  const out: string[] = [];
  for (const a of args) {
    let st: fs.Stats;
    try {
      st = fs.statSync(a);
    } catch {
      throw badInput(how.missing.code, 'no such file or directory', a, how.missing.hint);
    }
    if (!st.isDirectory()) {
      out.push(a);
      continue;
    }
    const found = walk(a, how);
    if (found.length === 0) throw badInput(how.none.code, how.none.message, a, how.none.hint);
    out.push(...found);
  }
  const seen = new Set<string>();
  // One file reached through several links runs once: it is one spec (one golden, one report id).
  return out.filter((f) => {
    const abs = realPath(f) ?? path.resolve(f);
    if (seen.has(abs)) return false;
    seen.add(abs);
    return true;
  });
}

function walk(dir: string, how: FindFiles, root = projectRoot(dir), seen = new Set<string>()): string[] {
  const real = realPath(dir) ?? path.resolve(dir);
  if (seen.has(real)) return []; // a link back up the tree: already searched
  seen.add(real);
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return entries.flatMap((e) => {
    if (e.name.startsWith('.') || how.skip?.includes(e.name)) return [];
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p, how, root, seen);
    if (e.isFile()) return how.accept.test(e.name) ? [p] : [];
    if (!e.isSymbolicLink()) return [];
    const target = realPath(p);
    if (target === undefined) {
      if (!how.accept.test(e.name)) return [];
      throw badInput(how.missing.code, 'is a symbolic link to nothing (its target does not exist)', p, 'remove the link or restore its target');
    }
    if (!how.allowOutside && !within(root, target)) {
      throw badInput('E_LINK_OUTSIDE', `is a symbolic link to ${target}, outside the project ${root}`, p,
        'replace the link by the file, keep its target inside the project, or pass --allow-outside');
    }
    const st = fs.statSync(target);
    if (st.isDirectory()) return walk(p, how, root, seen);
    return st.isFile() && how.accept.test(e.name) ? [p] : [];
  });
}
