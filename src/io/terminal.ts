// Text from specs, models, file names and error messages, made safe for a terminal or a CI log:
// no control character reaches the stream raw (no escape sequence runs, no carriage return
// overwrites a line) and nothing can start a line with `::` (a GitHub Actions workflow command).

// C0 and C1 controls, DEL, and the bidirectional overrides that make text read other than it is.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** Controls escaped, newlines included (as `\x0a`, so one value stays on one line). */
export function escapeControls(s: string): string {
  return s.replace(/\n/g, '\\x0a').replace(CONTROL, escapeChar);
}

/**
 * One terminal line: line breaks become ⏎ (a multi-line message must not look like further
 * output) and other controls are shown escaped.
 */
export function oneLine(s: string): string {
  return s.replace(/\r\n|\r|\n/g, ' ⏎ ').replace(CONTROL, escapeChar);
}

/** Several lines we laid out ourselves: controls escaped within each line, none starting with `::`. */
export function safeLines(s: string): string {
  return s
    .split('\n')
    .map((line) => line.replace(CONTROL, escapeChar).replace(/^::/, '\\x3a:'))
    .join('\n');
}
