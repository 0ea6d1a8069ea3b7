// Writing YAML by hand, for specs a person will read and edit: values in flow style on one line,
// a comment beside each line saying what it means, comments aligned so the file reads as a table.
import { parse } from 'yaml';

/**
 * A string as YAML: plain when it is made of name characters and the parser specs are loaded with
 * reads it back as that same string (not a number, boolean or null), else double-quoted (JSON is valid YAML).
 */
export function scalar(s: string): string {
  const plain = /^[A-Za-z0-9_./][A-Za-z0-9_./:@-]*$/.test(s) && !s.endsWith(':') && readsAs(s) === s;
  return plain ? s : JSON.stringify(s);
}

function readsAs(s: string): unknown {
  try {
    return parse(`k: [${s}]`).k[0];
  } catch {
    return undefined;
  }
}

/** A number short enough to read: six significant digits, no trailing noise. */
export function num(x: number, digits = 6): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} into a spec`);
  const v = Number(x.toPrecision(digits));
  return String(Object.is(v, -0) ? 0 : v);
}

/** Any plain value in YAML flow style: `{ a: 1, b: [2, 3] }`. */
export function flow(v: unknown): string {
  if (typeof v === 'number') return num(v);
  if (typeof v === 'string') return scalar(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(flow).join(', ')}]`;
  if (v && typeof v === 'object') {
    const parts = Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => `${scalar(k)}: ${flow(x)}`);
    return parts.length ? `{ ${parts.join(', ')} }` : '{}';
  }
  throw new TypeError(`cannot write ${String(v)} into a spec`);
}

export interface YamlLines {
  /** `# text` lines (each string one line) at an indentation. */
  comment(indent: number, ...text: string[]): YamlLines;
  line(indent: number, text: string, comment?: string): YamlLines;
  /** `key: value` with the value in flow style. */
  kv(indent: number, key: string, value: unknown, comment?: string): YamlLines;
  blank(): YamlLines;
  text(): string;
}

/** Comment lines longer than this wrap at spaces. */
const COMMENT_WIDTH = 100;

/** Words into lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  out.push(line);
  return out;
}

/** Lines of a YAML file with comments beside them, aligned at a common column. */
export function yamlLines(): YamlLines {
  const lines: { text: string; comment?: string }[] = [];
  const self: YamlLines = {
    comment(indent, ...text) {
      for (const t of text) {
        const lead = /^ */.exec(t)![0]; // keep a line's own indentation (lists in comments)
        for (const part of t ? wrap(t.slice(lead.length), COMMENT_WIDTH - indent - 2 - lead.length) : ['']) lines.push({ text: `${' '.repeat(indent)}#${part ? ` ${lead}${part}` : ''}` });
      }
      return self;
    },
    line(indent, text, comment) {
      lines.push({ text: `${' '.repeat(indent)}${text}`, comment });
      return self;
    },
    kv(indent, key, value, comment) {
      return self.line(indent, `${scalar(key)}: ${flow(value)}`, comment);
    },
    blank() {
      lines.push({ text: '' });
      return self;
    },
    text() {
      const widths = lines.filter((l) => l.comment).map((l) => l.text.length);
      // Align at the longest commented line, unless a few very long lines would push every comment far right.
      const col = Math.min(Math.max(0, ...widths), 64) + 2;
      return `${lines.map((l) => (l.comment ? `${l.text.padEnd(col)} # ${l.comment}` : l.text).trimEnd()).join('\n')}\n`;
    },
  };
  return self;
}
