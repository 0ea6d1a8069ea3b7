// The project a path belongs to: the nearest folder above it holding package.json or .git (what a
// CI checkout trusts); without one, the working directory when the path lies inside it (a plain
// folder where `neurogate init` ran), never the filesystem root or the home folder; else the folder
// itself. Paths the gate follows must stay inside it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { realPath, within } from './guarded-fs.ts';

export function projectRoot(dir: string): string {
  const start = realOr(dir);
  for (let d = start; ; ) {
    if (fs.existsSync(path.join(d, 'package.json')) || fs.existsSync(path.join(d, '.git'))) return d;
    const up = path.dirname(d);
    if (up === d) return plainFolderRoot(start);
    d = up;
  }
}

/** No project marker anywhere above: the working directory if it holds the path and is not too wide. */
function plainFolderRoot(start: string): string {
  const cwd = realOr(process.cwd());
  const tooWide = path.dirname(cwd) === cwd || cwd === realOr(os.homedir());
  return !tooWide && within(cwd, start) ? cwd : start;
}

function realOr(p: string): string {
  return realPath(p) ?? path.resolve(p);
}
