// Image files under a folder in sorted order (hidden folders skipped), and glob patterns as
// regular expressions over `/`-separated relative paths.
import fs from 'node:fs';
import path from 'node:path';
import { noteFolder } from '../io/reads.ts';

const IMAGE = /\.(png|jpe?g|npy)$/i;

export function walkImages(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  noteFolder(dir); // a file added here changes the dataset: a cached result must see it
  const names = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const d of names) {
    if (d.name.startsWith('.')) continue;
    const p = path.join(dir, d.name);
    if (d.isDirectory()) {
      if (recursive) out.push(...walkImages(p, true));
    } else if (IMAGE.test(d.name) && fs.statSync(p).isFile()) out.push(p);
  }
  return out;
}

/** `*` any name part, `?` one character, `**` any folders (zero or more), `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more folders; a trailing `**` anything.
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) {
        re += '\\{';
        continue;
      }
      re += `(?:${glob.slice(i + 1, end).split(',').map(escape).join('|')})`;
      i = end;
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

function escape(s: string): string {
  return s.replace(/[.+^$()|[\]\\*?{}]/g, '\\$&');
}
