// The project a path belongs to: the nearest folder above it holding package.json or .git (what a
// CI checkout trusts), else the folder itself. Paths the gate follows must stay inside it.
import fs from 'node:fs';
import path from 'node:path';
import { realPath } from './guarded-fs.ts';

export function projectRoot(dir: string): string {
  const start = realPath(dir) ?? path.resolve(dir);
  for (let d = start; ; ) {
    if (fs.existsSync(path.join(d, 'package.json')) || fs.existsSync(path.join(d, '.git'))) return d;
    const up = path.dirname(d);
    if (up === d) return start;
    d = up;
  }
}
