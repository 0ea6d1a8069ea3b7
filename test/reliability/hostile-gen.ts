// Hostile inputs by class, for the long run (scripts/fuzz-hostile.ts) and its seeded sample in
// npm test: each case builds what an attacker of a CI gate could commit (link trees, FIFOs, sizes,
// non-finite values, control characters), feeds it to the real opener or loader, and judges the
// outcome. A verdict is `accepted` or `refused` (bad input); anything else throws a Violation.
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { readGuarded } from '../../src/io/guarded-fs.ts';
import { findFiles } from '../../src/util/find-files.ts';
import { loadSpecFile, loadSpecText } from '../../src/kinds/load.ts';
import { SpecError } from '../../src/suite/issues.ts';
import { decodeImage, MAX_IMAGE_SIDE } from '../../src/stimuli/image.ts';
import { checkInputSize, INPUT_LIMITS } from '../../src/models/input-size.ts';
import { limitOptions, MAX_TIMEOUT_S } from '../../src/cli/run.ts';
import { compareOrBless, openGoldenStore, goldenRelPath } from '../../src/golden/index.ts';
import { formatNumericGolden } from '../../src/golden/store.ts';
import { oneLine, safeLines } from '../../src/io/terminal.ts';
import { writeInside } from '../../src/util/atomic.ts';
import { NeurogateError } from '../../src/errors.ts';

export type Verdict = 'accepted' | 'refused';
export const CLASSES = ['symlinks', 'fifos', 'sizes', 'non-finite', 'control-characters'] as const;
export type HostileClass = (typeof CLASSES)[number];

/** A crash, a hang stand-in, a silent pass, a read or write outside, or a raw control byte. */
export class Violation extends Error {}

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const OUTSIDE_MARK = 'OUTSIDE-SECRET';

/** One sandbox per run: `root` is the project (package.json), `away` is the rest of the machine. */
export interface Sandbox { dir: string; root: string; away: string; n: number }

export function sandbox(): Sandbox {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ng-hostile-')));
  const root = path.join(dir, 'project');
  const away = path.join(dir, 'away');
  fs.mkdirSync(root);
  fs.mkdirSync(away);
  fs.writeFileSync(path.join(root, 'package.json'), '{}');
  fs.writeFileSync(path.join(away, 'secret.yaml'), `# ${OUTSIDE_MARK}\nsuite: s\n`);
  return { dir, root, away, n: 0 };
}

/** Judge `f`: a NeurogateError of kind bad_input is a refusal; any other throw is a crash. */
function judge(f: () => unknown): Verdict {
  try {
    f();
    return 'accepted';
  } catch (e) {
    if (e instanceof Violation) throw e;
    if (e instanceof SpecError) return 'refused';
    if (e instanceof NeurogateError && e.kind === 'bad_input') return 'refused';
    throw new Violation(`crash: ${(e as Error)?.stack ?? String(e)}`);
  }
}

// ---- symlinks -------------------------------------------------------------------------------------

interface LinkCase { links: { name: string; to: 'inside' | 'outside' | 'dangling' | 'dir-in' | 'dir-out' | 'self' | 'chain' }[]; allowOutside: boolean }

const linkArb: fc.Arbitrary<LinkCase> = fc.record({
  links: fc.array(fc.record({
    name: fc.stringMatching(/^[a-z]{1,6}$/).map((s) => `${s}.yaml`),
    to: fc.constantFrom('inside', 'outside', 'dangling', 'dir-in', 'dir-out', 'self', 'chain'),
  }), { minLength: 1, maxLength: 5 }),
  allowOutside: fc.boolean(),
});

function symlinkCase(sb: Sandbox, c: LinkCase): Verdict {
  const dir = path.join(sb.root, `t${sb.n++}`);
  fs.mkdirSync(path.join(dir, 'real'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'real', 'inner.yaml'), 'suite: inner\n');
  fs.writeFileSync(path.join(dir, 'plain.yaml'), 'suite: plain\n');
  const specs = path.join(dir, 'specs');
  fs.mkdirSync(specs);
  fs.writeFileSync(path.join(specs, 'base.yaml'), 'suite: base\n');
  const made: string[] = [];
  for (const l of c.links) {
    const p = path.join(specs, l.name);
    if (fs.existsSync(p) || made.includes(l.name)) continue;
    const target = { inside: path.join(dir, 'plain.yaml'), outside: path.join(sb.away, 'secret.yaml'), dangling: path.join(dir, 'gone.yaml'),
      'dir-in': path.join(dir, 'real'), 'dir-out': sb.away, self: p, chain: made.length ? path.join(specs, made[0]) : path.join(dir, 'plain.yaml') }[l.to];
    fs.symlinkSync(target, p);
    made.push(l.name);
  }
  let found: string[] = [];
  const v = judge(() => {
    found = findFiles([specs], { accept: /\.ya?ml$/, missing: { code: 'E_SPEC_MISSING', hint: '' }, none: { code: 'E_SPEC_NONE', message: 'none', hint: '' }, allowOutside: c.allowOutside });
  });
  if (v === 'accepted') {
    // Never a silent skip: every entry of the folder whose name a spec may have is in the list
    // (a link to a folder contributes what is inside it).
    // Judged by real paths: two links to one folder run its specs once, which is no skip.
    const reals = found.map((f) => fs.realpathSync(f));
    for (const name of fs.readdirSync(specs)) {
      const rp = fs.realpathSync(path.join(specs, name));
      if (!reals.some((f) => f === rp || f.startsWith(`${rp}${path.sep}`))) {
        const emptyDir = fs.statSync(rp).isDirectory() && fs.readdirSync(rp).every((n) => !/\.ya?ml$/.test(n));
        if (!emptyDir) throw new Violation(`silent skip: ${name} (→ ${rp}) not found by discovery`);
      }
    }
    // Never outside, unless allowed.
    for (const f of found) {
      if (!c.allowOutside && !fs.realpathSync(f).startsWith(`${sb.root}${path.sep}`)) throw new Violation(`outside: ${f} → ${fs.realpathSync(f)}`);
      const text = readGuarded(f, { what: 'spec', code: 'SPEC', maxBytes: 1 << 20, root: c.allowOutside ? undefined : sb.root }).toString();
      if (!c.allowOutside && text.includes(OUTSIDE_MARK)) throw new Violation(`read outside through ${f}`);
    }
  }
  return v;
}

// ---- FIFOs, devices, folders where a file belongs --------------------------------------------------

interface FifoCase { as: 'spec' | 'image' | 'golden' | 'read'; kind: 'fifo' | 'fifo-link' | 'device' | 'folder' }

const fifoArb: fc.Arbitrary<FifoCase> = fc.record({
  as: fc.constantFrom('spec', 'image', 'golden', 'read'),
  kind: fc.constantFrom('fifo', 'fifo-link', 'device', 'folder'),
});

function plant(p: string, kind: FifoCase['kind'], sb: Sandbox): void {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  if (kind === 'fifo') execFileSync('mkfifo', [p]);
  else if (kind === 'fifo-link') {
    const f = path.join(sb.root, `fifo-${sb.n++}`);
    execFileSync('mkfifo', [f]);
    fs.symlinkSync(f, p);
  } else if (kind === 'device') fs.symlinkSync('/dev/zero', p);
  else fs.mkdirSync(p);
}

function fifoCase(sb: Sandbox, c: FifoCase): Verdict {
  const base = path.join(sb.root, `f${sb.n++}`);
  const p = c.as === 'golden' ? path.join(base, 'golden', goldenRelPath({ suite: 's', entry: 'e', name: 'm' }, 'json')) : path.join(base, `thing.${c.as === 'image' ? 'png' : 'yaml'}`);
  plant(p, c.kind, sb);
  // Every one of these would block (FIFO) or read forever (/dev/zero) if opened naively: a
  // verdict at all is the "no hang"; it must be a refusal.
  let v: Verdict;
  if (c.as === 'spec') v = judge(() => loadSpecFile(p));
  else if (c.as === 'image') v = judge(() => decodeImage(readGuarded(p, { what: 'image', code: 'IMAGE', maxBytes: 1 << 20, root: sb.root }), p));
  else if (c.as === 'read') v = judge(() => readGuarded(p, { what: 'file', code: 'FILE', maxBytes: 1 << 20 }));
  else {
    const store = openGoldenStore({ root: path.join(base, 'golden'), ci: false });
    const r = compareOrBless(store, { suite: 's', entry: 'e', name: 'm' }, 1, { atol: 1, rtol: 1 }, 'compare');
    if (r.passed) throw new Violation(`silent pass against a ${c.kind} golden`);
    v = 'refused';
  }
  if (v !== 'refused') throw new Violation(`a ${c.kind} as a ${c.as} was accepted`);
  return v;
}

// ---- sizes -------------------------------------------------------------------------------------------

type SizeCase =
  | { t: 'file'; size: number; limit: number }
  | { t: 'dims'; c: number; h: number; w: number }
  | { t: 'image'; w: number; h: number }
  | { t: 'timeout'; text: string }
  | { t: 'spec'; bytes: number };

const big = fc.oneof(fc.integer({ min: -10, max: 20_000 }), fc.constantFrom(0, -1, 2 ** 31, 2 ** 40, 2 ** 53, 1e15, 39_999_999), fc.double({ noNaN: false }));
const sizeArb: fc.Arbitrary<SizeCase> = fc.oneof(
  fc.record({ t: fc.constant('file' as const), size: fc.integer({ min: 0, max: 70_000 }), limit: fc.integer({ min: 0, max: 70_000 }) }),
  fc.record({ t: fc.constant('dims' as const), c: big, h: big, w: big }),
  fc.record({ t: fc.constant('image' as const), w: fc.oneof(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 20_000 })), h: fc.oneof(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 20_000 })) }),
  fc.record({ t: fc.constant('timeout' as const), text: fc.oneof(fc.double().map(String), fc.constantFrom('2147484', '1e300', '0x10', '1e3', ' 5', '-0', '604800', '604801'), fc.integer({ min: 1, max: 3e6 }).map(String)) }),
  fc.record({ t: fc.constant('spec' as const), bytes: fc.integer({ min: 2 ** 20 - 64, max: 2 ** 20 + 4096 }) }),
);

/** A PNG whose header says w × h (the size check runs on IHDR, before any pixel data). */
export function pngHeader(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type), data])));
    return Buffer.concat([len, Buffer.from(type), data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IEND', Buffer.alloc(0))]);
}

function sizeCase(sb: Sandbox, c: SizeCase): Verdict {
  const expect = (v: Verdict, ok: boolean, what: string) => {
    if ((v === 'accepted') !== ok) throw new Violation(`${what}: ${v}, expected ${ok ? 'accepted' : 'refused'}`);
    return v;
  };
  switch (c.t) {
    case 'file': {
      const f = path.join(sb.root, 'sized.bin');
      fs.writeFileSync(f, Buffer.alloc(c.size, 1));
      let got = -1;
      const v = judge(() => { got = readGuarded(f, { what: 'file', code: 'FILE', maxBytes: c.limit }).length; });
      if (v === 'accepted' && got !== c.size) throw new Violation(`read ${got} of ${c.size} bytes`);
      return expect(v, c.size <= c.limit, `${c.size} bytes, limit ${c.limit}`);
    }
    case 'dims': {
      const ok = [c.h, c.w].every((v) => Number.isSafeInteger(v) && v >= 1 && v <= INPUT_LIMITS.maxSide)
        && Number.isSafeInteger(c.c) && c.c >= 1 && c.c <= INPUT_LIMITS.maxChannels && c.h * c.w <= INPUT_LIMITS.maxPixels;
      return expect(judge(() => checkInputSize({ channels: c.c, height: c.h, width: c.w }, 'model')), ok, `input [${c.c}, ${c.h}, ${c.w}]`);
    }
    case 'image': {
      const over = c.w > MAX_IMAGE_SIDE || c.h > MAX_IMAGE_SIDE || c.w * c.h > 40_000_000;
      const v = judge(() => decodeImage(pngHeader(c.w, c.h), 'x.png'));
      // A header-only PNG is refused as corrupt when its size is fine: only an accepted oversize is wrong.
      if (over && v === 'accepted') throw new Violation(`${c.w}×${c.h} accepted`);
      return v;
    }
    case 'timeout': {
      const n = Number(c.text);
      const ok = c.text.trim() !== '' && Number.isFinite(n) && n > 0 && n <= MAX_TIMEOUT_S;
      return expect(judge(() => limitOptions({ timeout: c.text }, 'usage')), ok, `--timeout ${c.text}`);
    }
    case 'spec': {
      const f = path.join(sb.root, 'big.yaml');
      fs.writeFileSync(f, `suite: s\n# ${'x'.repeat(Math.max(0, c.bytes - 12))}\n`);
      const size = fs.statSync(f).size;
      const v = judge(() => loadSpecFile(f));
      if (size > 2 ** 20 && v !== 'refused') throw new Violation(`a ${size}-byte spec was read`);
      return v;
    }
  }
}

// ---- non-finite -----------------------------------------------------------------------------------

interface NonFiniteCase { actual: number[]; golden: number[]; atol: number; rtol: number; mode: 'compare' | 'bless' }

const nf = fc.constantFrom(NaN, Infinity, -Infinity);
const val = fc.oneof({ weight: 3, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }, { weight: 1, arbitrary: nf });
const nonFiniteArb: fc.Arbitrary<NonFiniteCase> = fc.integer({ min: 1, max: 6 }).chain((n) => fc.record({
  actual: fc.array(val, { minLength: n, maxLength: n }),
  golden: fc.array(val, { minLength: n, maxLength: n }),
  atol: fc.oneof(fc.double({ min: 0, max: 1e300, noNaN: true }), fc.constant(0)),
  rtol: fc.oneof(fc.double({ min: 0, max: 1e300, noNaN: true }), fc.constant(0)),
  mode: fc.constantFrom('compare' as const, 'bless' as const),
}));

function nonFiniteCase(sb: Sandbox, c: NonFiniteCase): Verdict {
  const store = openGoldenStore({ root: path.join(sb.root, `g${sb.n++}`), ci: false });
  const key = { suite: 's', entry: 'e', name: 'm', device: 'cpu' };
  fs.mkdirSync(path.join(store.root, 's', 'e'), { recursive: true });
  fs.writeFileSync(path.join(store.root, goldenRelPath(key, 'json')), formatNumericGolden(key, c.golden));
  const bad = [...c.actual, ...c.golden].some((v) => !Number.isFinite(v));
  const r = compareOrBless(store, key, c.actual, { atol: c.atol, rtol: c.rtol }, c.mode);
  if (c.mode === 'compare' && bad && r.passed) throw new Violation(`silent pass: ${c.actual} vs ${c.golden}`);
  if (c.mode === 'bless' && c.actual.some((v) => !Number.isFinite(v))) {
    if (r.passed || store.written.length) throw new Violation(`bless recorded ${c.actual}`);
  }
  return r.passed ? 'accepted' : 'refused';
}

// ---- control characters ---------------------------------------------------------------------------

const piece = fc.oneof(
  fc.constantFrom('\n', '\r', '\r\n', '\u001b[2J', '\u001b]0;t\u0007', '\u0000', '\u0008', '\u009b31m', '\u202e', '\u2066', '::error file=a::x', '::', '\t', '"', "'", ': ', '- ', '#'),
  fc.string({ unit: 'binary', maxLength: 4 }),
);
const hostileText = fc.array(piece, { minLength: 1, maxLength: 12 }).map((a) => a.join(''));
const controlArb = fc.record({ where: fc.constantFrom('suite', 'id', 'layer', 'raw-line', 'image', 'label'), text: hostileText });

function controlCase(sb: Sandbox, c: { where: string; text: string }): Verdict {
  const q = JSON.stringify(c.text);
  const yaml = c.where === 'raw-line'
    ? `suite: s\n${c.text}\nneurons: []\n`
    : `suite: ${c.where === 'suite' ? q : 's'}\nmodel: zoo:mobilenet_v2\nneurons:\n  - id: ${c.where === 'id' ? q : 'a'}\n    layer: ${c.where === 'layer' ? q : 'nope'}\n    unit: 0\n    image: ${c.where === 'image' ? q : 'missing.png'}\n    expect: { activation: { min: 0 } }\n`;
  let text = '';
  const v = judge(() => {
    try {
      loadSpecText(path.join(sb.root, 'specs', 'x.yaml'), yaml);
    } catch (e) {
      if (e instanceof SpecError) text = e.report(true);
      throw e;
    }
  });
  // oneLine's output is always printed after a prefix of ours, so only its line breaks matter.
  if (/[\n\r]/.test(oneLine(c.text)) || RAW_CONTROL.test(oneLine(c.text))) throw new Violation(`oneLine kept a break or control: ${JSON.stringify(oneLine(c.text))}`);
  for (const o of [text, safeLines(`${c.text}\n${c.text}`)]) {
    if (RAW_CONTROL.test(o)) throw new Violation(`raw control character printed: ${JSON.stringify(o)}`);
    if (/^::/m.test(o)) throw new Violation(`a line starts with :: — ${JSON.stringify(o)}`);
  }
  // The report writer takes the hostile name too, as a file it must keep inside its folder.
  judge(() => writeInside(path.join(sb.root, 'out'), `${c.text.replace(/[/\\]/g, '_').slice(0, 40) || 'x'}.json`, '{}'));
  for (const f of fs.readdirSync(sb.away)) if (f !== 'secret.yaml') throw new Violation(`wrote outside: ${f}`);
  return v;
}

// ---- one property per class ------------------------------------------------------------------------

export function classProperty(cls: HostileClass, sb: Sandbox, tally: Map<string, number>): fc.IPropertyWithHooks<[unknown]> {
  const count = (v: Verdict) => tally.set(`${cls}:${v}`, (tally.get(`${cls}:${v}`) ?? 0) + 1);
  const run = <T>(arb: fc.Arbitrary<T>, f: (sb: Sandbox, c: T) => Verdict) => fc.property(arb as fc.Arbitrary<unknown>, (c) => { count(f(sb, c as T)); });
  switch (cls) {
    case 'symlinks': return run(linkArb, symlinkCase);
    case 'fifos': return run(fifoArb, fifoCase);
    case 'sizes': return run(sizeArb, sizeCase);
    case 'non-finite': return run(nonFiniteArb, nonFiniteCase);
    case 'control-characters': return run(controlArb, controlCase);
  }
}
