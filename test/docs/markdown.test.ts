// The reader of the docs' code blocks (test/docs/markdown.ts): what it extracts is what the docs
// tests run, so a command it missed would escape them. Properties over generated documents, and
// the cases the docs actually use.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { FC_SEED } from '../seed.ts';
import { commandsOf, commentStart, docCommands, fences, normalizeOutput } from './markdown.ts';

const word = fc.stringMatching(/^[a-z0-9][a-z0-9_.\/:=-]{0,11}$/);
// Words that look like comments but are not: a `#` inside a word, a quoted `#`.
const tricky = fc.constantFrom('spec.yaml#entry', "'#'", '"a # b"', 'x#y');
const commandArb = fc.record({
  words: fc.array(fc.oneof({ weight: 5, arbitrary: word }, { weight: 1, arbitrary: tricky }), { minLength: 1, maxLength: 8 }),
  exit: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  comment: fc.option(fc.constantFrom('the main job', 'see #12', 'writes reports/'), { nil: undefined }),
  // Split the command over lines with `\` after this many words (0: one line).
  breakAfter: fc.nat({ max: 7 }),
});
type Cmd = typeof commandArb extends fc.Arbitrary<infer T> ? T : never;

function render(c: Cmd, prompt: boolean): { lines: string[]; text: string } {
  const first = c.breakAfter > 0 && c.breakAfter < c.words.length ? c.words.slice(0, c.breakAfter).join(' ') : c.words.join(' ');
  const rest = c.breakAfter > 0 && c.breakAfter < c.words.length ? c.words.slice(c.breakAfter).join(' ') : '';
  const notes = [c.exit !== undefined ? `exits ${c.exit}` : '', c.comment ?? ''].filter(Boolean).join(': ');
  const tail = notes ? `   # ${notes}` : '';
  const lines = rest
    ? [`${prompt ? '$ ' : ''}${first} \\`, `${prompt ? '> ' : ''}  ${rest}${tail}`]
    : [`${prompt ? '$ ' : ''}${first}${tail}`];
  return { lines, text: c.words.join(' ') };
}

test('every command written into a shell block comes back: text, continuation and stated exit code', () => {
  fc.assert(fc.property(fc.array(commandArb, { minLength: 1, maxLength: 6 }), fc.constantFrom('sh', 'bash', 'console'), fc.boolean(), (cmds, lang, extras) => {
    const prompt = lang === 'console';
    const body: string[] = [];
    for (const c of cmds) {
      if (extras) body.push('', prompt ? 'some output line' : '# a comment line');
      body.push(...render(c, prompt).lines);
    }
    const doc = ['# Title', '', 'Prose with `inline code` and a # sign.', '', '```yaml', 'key: value   # not a command', '$ not a command either', '```', '', `\`\`\`${lang}`, ...body, '```', '', 'The end.'].join('\n');
    const fs_ = fences('doc.md', doc);
    assert.equal(fs_.map((f) => f.lang), ['yaml', lang]);
    const got = commandsOf(fs_[1]);
    assert.equal(got.map((c) => c.text), cmds.map((c) => render(c, prompt).text));
    assert.equal(got.map((c) => c.exit), cmds.map((c) => c.exit ?? 0));
    // In a console block the lines up to the next prompt are the command's output (here: the extras before the next one).
    assert.equal(got.map((c) => c.output), cmds.map((_, i) => (prompt ? (extras && i + 1 < cmds.length ? ['some output line'] : []) : undefined)));
    for (const c of got) assert.ok(c.line > fs_[1].line && doc.split('\n')[c.line - 1].includes(c.text.split(' ')[0]), `line ${c.line} of the document holds the command`);
  }), { seed: FC_SEED, numRuns: 300 });
});

test('fences: longer markers nest shorter ones, tildes work, an unclosed fence runs to the end', () => {
  const doc = ['````md', '```sh', 'echo inner', '```', '````', '~~~bash', 'echo tilde', '~~~', '```sh', 'echo unclosed'].join('\n');
  const f = fences('d.md', doc);
  assert.equal(f.map((x) => [x.lang, x.line]), [['md', 1], ['bash', 6], ['sh', 9]]);
  assert.is(f[0].text, '```sh\necho inner\n```\n');
  assert.equal(commandsOf(f[2]).map((c) => c.text), ['echo unclosed']);
});

test('console output is compared without its durations', () => {
  assert.is(normalizeOutput('pass  s › e  1 check  450 ms  '), 'pass  s › e  1 check  <time>');
  assert.is(normalizeOutput('PASS  2 checks · seed 0 · 1.5 s'), 'PASS  2 checks · seed 0 · <time>');
  assert.is(normalizeOutput('observed 4.4768 < min 6'), 'observed 4.4768 < min 6');
});

test('a comment starts only at a word boundary outside quotes', () => {
  assert.is(commentStart('npx neurogate export m.onnx --edit a.yaml#id'), -1);
  const quoted = "echo '# not' # yes";
  assert.is(commentStart(quoted), quoted.lastIndexOf('#'));
  const escaped = 'echo "a \\" # still quoted" # here';
  assert.is(commentStart(escaped), escaped.lastIndexOf('#'));
  assert.is(commentStart('# whole line'), 0);
  assert.is(commentStart('echo a\\ #b'), -1);
});

test('the docs as written: the README\'s first commands and a stated exit code are read as meant', () => {
  const all = docCommands();
  assert.equal(all.slice(0, 3).map((c) => [c.file, c.text]), [['README.md', 'npm install'], ['README.md', 'npm test'], ['README.md', 'npx neurogate run specs/']]);
  const failing = all.find((c) => c.text.startsWith('npx neurogate run test/fixtures/specs/failing'));
  assert.is(failing?.exit, 1);
  assert.ok(all.every((c) => !c.text.includes('#') || /\S#/.test(c.text)), 'no comment text left in a command');
});

test.run();
