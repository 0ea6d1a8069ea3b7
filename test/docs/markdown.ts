// The fenced code blocks of the docs and the shell commands in them, for the tests that run and
// check the docs (test/docs/*.test.ts). A helper, not a test file.
import fs from 'node:fs';
import path from 'node:path';

export const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** The documents whose blocks are run and checked: the README and every page of docs/. */
export function docFiles(): string[] {
  const docs = fs.readdirSync(path.join(repo, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

export interface Fence {
  /** Repository-relative path of the document. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word, lower-cased ('' for a bare fence). */
  lang: string;
  /** The block's text, each line ending in a newline. */
  text: string;
}

const OPEN = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;

/** Every fenced block of a CommonMark document, in order. An unclosed fence runs to the end, as CommonMark reads it. */
export function fences(file: string, markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]);
    if (!open) continue;
    const [, marker, info] = open;
    const indent = lines[i].length - lines[i].trimStart().length;
    const body: string[] = [];
    let j = i + 1;
    const closes = (l: string) => new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`).test(l);
    for (; j < lines.length && !closes(lines[j]); j++) body.push(lines[j].replace(new RegExp(`^ {0,${indent}}`), ''));
    out.push({ file, line: i + 1, lang: info.toLowerCase(), text: body.map((l) => `${l}\n`).join('') });
    i = j;
  }
  return out;
}

/** Fence languages whose commands the docs test runs. */
export const SHELL_LANGS = ['sh', 'bash', 'shell', 'console'] as const;

export interface Command {
  file: string;
  /** 1-based line of the command in the document. */
  line: number;
  /** The command as bash runs it: continuation lines joined, the trailing comment removed, spaces squeezed. */
  text: string;
  /** The exit code the doc states in the command's comment (`# exits 1: …`), else 0. */
  exit: number;
  /** ```console blocks: the output lines shown under the command (blank lines left out). */
  output?: string[];
}

/**
 * Where a shell comment starts in a line: a `#` at the start of a word (line start or after a
 * blank) outside quotes — so `spec.yaml#entry` and `'#'` stay part of the command.
 */
export function commentStart(line: string): number {
  let quote: string | null = null;
  // At the start of a word: after an unescaped blank (an escaped one, `a\ #b`, is part of the word).
  let wordStart = true;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
      wordStart = false;
    } else if (c === '\\') {
      i++;
      wordStart = false;
    } else if (c === '#' && wordStart) return i;
    else {
      if (c === '"' || c === "'") quote = c;
      wordStart = /\s/.test(c);
    }
  }
  return -1;
}

const EXIT_NOTE = /\bexits? (\d{1,3})\b/;

/**
 * The commands of a shell block. `sh`/`bash`/`shell`: every line that is not blank or only a
 * comment, with `\`-continued lines joined. `console`: the lines after a `$ ` prompt (and their
 * continuations); the lines up to the next prompt are the output the doc shows for it.
 */
export function commandsOf(f: Fence): Command[] {
  const lines = f.text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const out: Command[] = [];
  const prompt = f.lang === 'console';
  for (let i = 0; i < lines.length; i++) {
    let first = lines[i];
    if (prompt) {
      if (!first.startsWith('$ ')) continue;
      first = first.slice(2);
    }
    const start = i;
    const parts: string[] = [];
    let note = '';
    let line = first;
    for (;;) {
      const at = commentStart(line);
      const code = at < 0 ? line : line.slice(0, at);
      if (at >= 0) note += line.slice(at);
      const cont = at < 0 && /\\$/.test(code);
      parts.push(cont ? code.slice(0, -1) : code);
      if (!cont || i + 1 >= lines.length) break;
      line = lines[++i].replace(/^> /, '');
    }
    const text = parts.join(' ').replace(/\s+/g, ' ').trim();
    if (!text) continue;
    const stated = EXIT_NOTE.exec(note);
    const cmd: Command = { file: f.file, line: f.line + 1 + start, text, exit: stated ? Number(stated[1]) : 0 };
    if (prompt) {
      cmd.output = [];
      while (i + 1 < lines.length && !lines[i + 1].startsWith('$ ')) {
        const l = lines[++i];
        if (l.trim()) cmd.output.push(l);
      }
    }
    out.push(cmd);
  }
  return out;
}

/** Output as the docs compare it: durations vary from run to run, so `581 ms` and `1.2 s` read as `<time>`. */
export function normalizeOutput(line: string): string {
  return line.replace(/\b\d+(\.\d+)? (ms|s)\b/g, '<time>').trimEnd();
}

/** Every command of every shell block of the given documents, in document order. */
export function docCommands(files = docFiles()): Command[] {
  return files.flatMap((file) => fences(file, fs.readFileSync(path.join(repo, file), 'utf8'))
    .filter((f) => (SHELL_LANGS as readonly string[]).includes(f.lang))
    .flatMap(commandsOf));
}
