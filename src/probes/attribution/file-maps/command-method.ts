// Maps from your own program: `method: { command: [python, explain.py, "{input}", "{target}", "{out}"] }`
// runs it once per image (argv, no shell) and gates the float32 .npy it writes like a `file:` map.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Tensor } from '../../../engine/tensor.ts';
import { badInput, isNeurogateError } from '../../../errors.ts';
import { scoreOne } from '../forward.ts';
import { describeMethod } from '../method.ts';
import { checkInput } from '../subject.ts';
import type { Method, Target } from '../types.ts';
import { encodeNpy } from './npy.ts';
import { readFileMap } from './file-method.ts';

export interface CommandMapOptions {
  /** The program and its arguments, with placeholders; a string is split at whitespace. */
  command: string[] | string;
  /** Seconds one image may take before the command is killed. */
  timeout: number;
  /** Bilinearly resize maps whose spatial size differs from the model input. */
  resize: boolean;
  /** The directory the command runs in: the spec file's (set at preparation, not a spec option). */
  cwd?: string;
  /** The image's name in the entry and its position (the runner sets it for each image). */
  image?: { label: string; index: number };
}

export const COMMAND_MAP_DEFAULTS: Partial<CommandMapOptions> = { timeout: 60, resize: false };

/** How much of the command's stderr an error quotes: its last lines are where programs say what went wrong. */
const STDERR_TAIL = 2000;

/** The placeholders an argument may use. */
export const COMMAND_PLACEHOLDERS = {
  input: 'a .npy file of the model input, float32 [1, C, H, W], as the model sees it (preprocessed)',
  out: 'the .npy file the command must write: the map, [H, W] or [C, H, W]',
  target: 'the class index explained (the channel for a unit or channel target)',
  image: 'the image’s file name without its extension',
  name: 'the image’s path as the entry names it, without its extension',
  index: 'the image’s position in the entry, from 0',
} as const;

export function commandArgv(command: string[] | string): string[] {
  return typeof command === 'string' ? command.trim().split(/\s+/).filter((s) => s !== '') : command;
}

/** The placeholders of `argv` that are not ones we fill (checked at preparation, so a typo stops the run before the model loads). */
export function unknownPlaceholders(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of argv) for (const m of a.matchAll(/\{([^{}]*)\}/g)) if (!(m[1] in COMMAND_PLACEHOLDERS)) out.push(`{${m[1]}}`);
  return out;
}

export function fillArgv(argv: readonly string[], values: Record<keyof typeof COMMAND_PLACEHOLDERS, string>): string[] {
  return argv.map((a) => a.replace(/\{([^{}]*)\}/g, (whole, k: string) => (k in values ? values[k as keyof typeof values] : whole)));
}

export interface CommandOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stderr: string;
}

/** Runs argv (no shell) in `cwd`, killing it after `timeout` seconds; stderr's tail is kept for errors. */
export function runCommand(argv: readonly string[], cwd: string | undefined, timeout: number): Promise<CommandOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, shell: false, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let timedOut = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      stderr = (stderr + s).slice(-STDERR_TAIL);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout * 1000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(badInput('E_MAP_COMMAND', `cannot start "${argv[0]}": ${err.message}`, argv[0], 'give the program as it would be found on PATH, or its path relative to the spec file'));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, stderr });
    });
  });
}

/** `{target}` as a command reads it: the class, channel or detection class number; an element's index joined by commas; `direction` for a direction. */
function targetText(t: Target): string {
  switch (t.kind) {
    case 'class': case 'contrastive': return String(t.index);
    case 'unit': case 'channel': case 'region': return String(t.channel);
    case 'detection': return String(t.class);
    case 'element': return t.index.join(',');
    case 'direction': return 'direction';
  }
}

export const commandMapMethod: Method<CommandMapOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const o = { ...COMMAND_MAP_DEFAULTS, ...options } as CommandMapOptions;
  const argv = commandArgv(o.command ?? []);
  if (argv.length === 0) throw badInput('E_MAP_COMMAND', 'the command is empty', undefined, 'give the program and its arguments, e.g. [python, explain.py, "{input}", "{out}"]');
  const shown = argv.join(' ');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'neurogate-command-'));
  try {
    const inputFile = path.join(dir, 'input.npy');
    const out = path.join(dir, 'map.npy');
    fs.writeFileSync(inputFile, encodeNpy(input));
    const label = o.image?.label ?? 'image';
    const noExt = label.replace(/\.[^./\\]*$/, '');
    const filled = fillArgv(argv, { input: inputFile, out, target: targetText(target), image: path.basename(noExt), name: noExt, index: String(o.image?.index ?? 0) });
    const r = await runCommand(filled, o.cwd, o.timeout);
    const tail = r.stderr.trim() ? `; its stderr ends: ${r.stderr.trim().slice(-500)}` : '';
    if (r.timedOut) throw badInput('E_MAP_COMMAND', `the command did not finish within ${o.timeout} s on ${label}${tail}`, shown, 'raise `timeout:` or make the command faster');
    if (r.code !== 0) throw badInput('E_MAP_COMMAND', `the command exited with ${r.code ?? r.signal} on ${label}${tail}`, shown, 'run it by hand with the same arguments to see why');
    if (!fs.existsSync(out)) throw badInput('E_MAP_COMMAND', `the command exited 0 on ${label} but wrote no map to {out}`, shown, 'write the map with numpy.save(sys.argv[…], map.astype("float32")) to the path given for {out}');
    let map: Tensor;
    try {
      map = readFileMap(out, subject.inputDims, { resize: o.resize, allowOutside: true });
    } catch (err) {
      // The temporary file is gone once we return: name the command and the image instead.
      if (isNeurogateError(err) && err.kind === 'bad_input') throw badInput(err.code, `the command's map of ${label}: ${err.message}`, shown, err.hint);
      throw err;
    }
    const { score } = await scoreOne(subject, target, input);
    return { method: 'command', target, map, params: { command: argv.join(' '), timeout: o.timeout, resize: o.resize }, score, evaluations: { forward: 1, backward: 0 } };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

export const commandMapDescriptor = describeMethod<CommandMapOptions>({
  name: 'command',
  defaults: COMMAND_MAP_DEFAULTS,
  shorthand: 'command',
  perImage: true,
  options: {
    command: {
      schema: z.union([z.string().min(1).max(4000), z.array(z.string().max(4000)).min(1).max(200)]),
      description: `The program and its arguments, run once per image in the spec file's directory without a shell (a string is split at whitespace; use a list for arguments with spaces); placeholders ${Object.entries(COMMAND_PLACEHOLDERS).map(([k, v]) => `{${k}}: ${v}`).join('; ')}`,
      required: true,
    },
    timeout: { schema: z.number().gt(0).max(86_400), description: 'Seconds one image may take before the command is killed and the entry fails' },
    resize: { schema: z.boolean(), description: 'Upsample maps smaller than the model input bilinearly (else their size must match)' },
  },
  passes: () => 1,
  run: commandMapMethod,
});
