// The path policy of a spec: files it names stay inside its project. Shared by loading (models and
// images a spec names), preparation (images found later) and `init` (where it writes).
import fs from 'node:fs';
import path from 'node:path';

/**
 * The directory a spec's file references must stay inside: the nearest ancestor of the spec
 * holding package.json or .git (the project), else the spec's own directory. A project keeps its
 * specs in one folder and its models and images in others (specs/ next to test/fixtures/), so the
 * spec's own folder alone would be too narrow; the project is what a CI checkout trusts.
 */
export function specRoot(specDir: string): string {
  let dir = realOr(specDir);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) || fs.existsSync(path.join(dir, '.git'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return realOr(specDir);
    dir = up;
  }
}

/**
 * Whether `abs` (after following every symlink) lies inside `root`. A missing file is judged by
 * its path as written, so a later "not found" still names it.
 */
export function isInside(root: string, abs: string): boolean {
  const r = realOr(root);
  const t = realOr(abs);
  const rel = path.relative(r, t);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function realOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}
