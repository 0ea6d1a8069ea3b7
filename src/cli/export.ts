// `neurogate export <model> out.onnx`: write the IR exactly as neurogate runs it, so users
// can inspect it (Netron) or run it elsewhere; written atomically.
import path from 'node:path';
import fs from 'node:fs';
import { parse } from './args.ts';
import { loadModel } from '../models/load.ts';
import { encodeModel } from '../engine/onnx.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { badInput, EXIT } from '../errors.ts';

const USAGE = 'neurogate export <model> <out.onnx>';

export async function exportCommand(argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {}, USAGE);
  if (positionals.length !== 2) throw badInput('E_ARGS', 'give a model and an output file', undefined, `usage: ${USAGE}`);
  const [ref, out] = positionals;
  if (!out.endsWith('.onnx')) throw badInput('E_ARGS', `output "${out}" should end in .onnx`, undefined, `usage: ${USAGE}`);
  const model = await loadModel(ref);
  const dir = path.dirname(path.resolve(out));
  if (!fs.existsSync(dir)) throw badInput('E_ARGS', `output folder ${dir} does not exist`, undefined, 'create it first');
  const bytes = encodeModel(model.net.model);
  writeFileAtomic(path.resolve(out), bytes);
  console.log(`wrote ${out} (${(bytes.length / 1e6).toFixed(1)} MB, input "${model.input.name}" NCHW [N, ${model.input.channels}, ${model.input.height}, ${model.input.width}])`);
  return EXIT.pass;
}
