// `neurogate init --model <file|zoo:name> [--image <file>…] [--out <spec.yaml>]`: write a starter spec
// whose every expectation was measured on the model, and which passes when run. Exit 0 · 2 · 3.
import fs from 'node:fs';
import path from 'node:path';
import { DEVICES, type Device } from '../engine/session.ts';
import { badInput, EXIT } from '../errors.ts';
import { checkOutput, initSpec } from '../init/index.ts';
import { applyImageLimits } from '../probe/limits.ts';
import { isInside, specRoot } from '../suite/paths.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { parse } from './args.ts';
import { limitOptions } from './run.ts';
import { oneLine } from '../io/terminal.ts';

const USAGE = 'neurogate init --model <file|zoo:name> [--image <file>]… [--out <spec.yaml>] [--device cpu|auto|webgpu|cuda] [--force] [--allow-outside] [--max-model-bytes <n>] [--quiet] [--debug]';

export async function initCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    model: { type: 'string' },
    image: { type: 'string', multiple: true },
    out: { type: 'string' },
    device: { type: 'string' },
    force: { type: 'boolean' },
    'allow-outside': { type: 'boolean' },
    'max-model-bytes': { type: 'string' },
    quiet: { type: 'boolean' },
  }, USAGE);
  if (positionals.length) throw badInput('E_ARGS', `unexpected argument "${positionals[0]}"`, undefined, `usage: ${USAGE}`);
  const model = values.model;
  if (!model) throw badInput('E_ARGS', '--model is required', undefined, `usage: ${USAGE}`);
  const device = (values.device ?? 'cpu') as Device;
  if (!(DEVICES as readonly string[]).includes(device)) throw badInput('E_ARGS', `--device ${device} is not one of ${DEVICES.join(', ')}`, undefined, `usage: ${USAGE}`);
  const images = values.image ?? [];
  const out = path.resolve(values.out ?? path.join('specs', `${defaultName(model)}.yaml`));
  checkOutput(out, values.force === true);
  const limits = limitOptions(values, USAGE);
  applyImageLimits(limits);

  // The written spec must load under the same path policy `run` applies; say so now, not after a minute of measuring.
  const files = [...(model.startsWith('zoo:') ? [] : [path.resolve(model)]), ...images.map((i) => path.resolve(i))];
  for (const f of files) if (!fs.existsSync(f)) throw badInput('E_ARGS', `${f === path.resolve(model) ? 'model' : 'image'} not found: ${f}`, undefined, 'paths are relative to the working directory');
  const root = specRoot(path.dirname(out));
  const outside = files.filter((f) => !isInside(root, f));
  if (outside.length && values['allow-outside'] !== true) {
    throw badInput('E_INIT_OUTSIDE', `the spec would name files outside its project root ${root}: ${outside.join(', ')}`, undefined,
      'write the spec inside the project that holds the model and images (--out), or pass --allow-outside (and run the spec with --allow-outside too)');
  }

  const log = values.quiet ? undefined : (line: string) => console.error(`neurogate init: ${oneLine(line)}`);
  const result = await initSpec({ model, images, out, device, log, limits });
  fs.mkdirSync(path.dirname(out), { recursive: true });
  writeFileAtomic(out, result.text);
  const shown = path.relative(process.cwd(), out) || out;
  const flag = outside.length ? ' --allow-outside' : '';
  console.log(`wrote ${shown}: ${result.entries} entries, ${result.checks} checks, all passing, each failing on a broken copy of the model (mutation score ${result.score.killed}/${result.score.total}; measured, audited and run in ${result.seconds.toFixed(1)} s)`);
  if (result.dropped.length) console.log(`dropped ${result.dropped.length} drafted check${result.dropped.length === 1 ? '' : 's'}:\n${result.dropped.map((d) => `  ${d}`).join('\n')}`);
  if (result.masksSkipped) console.log(`no attribution check: ${result.masksSkipped}`);
  console.log(`next: npx neurogate run ${shown}${flag}`);
  return EXIT.pass;
}

function defaultName(model: string): string {
  const base = model.startsWith('zoo:') ? model.slice(4) : path.basename(model.replace(/[\\/]model\.json$/i, '')).replace(/\.(onnx|json)$/i, '');
  return base.replace(/[^A-Za-z0-9_.-]+/g, '-') || 'model';
}
