// `neurogate export <model> out.onnx [--edit <spec.yaml>#<circuit-id>]`: write the IR exactly as
// neurogate runs it (optionally with a circuits entry's edits applied), written atomically.
import path from 'node:path';
import fs from 'node:fs';
import { parse } from './args.ts';
import { loadModel } from '../models/load.ts';
import { encodeModel } from '../engine/onnx.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { badInput, EXIT } from '../errors.ts';
import { entriesOfKind, loadSpecFile } from '../kinds/load.ts';
import { circuitsKind } from '../probes/circuit/kind.ts';
import { editsOf } from '../probes/circuit/prepare.ts';
import { applyEdits } from '../probes/circuit/edits.ts';
import type { ImportedModel } from '../models/types.ts';

const USAGE = 'neurogate export <model> <out.onnx> [--edit <spec.yaml>#<circuit-id>]';

export async function exportCommand(argv: string[]): Promise<number> {
  const { positionals, values } = parse(argv, { edit: { type: 'string' } }, USAGE);
  if (positionals.length !== 2) throw badInput('E_ARGS', 'give a model and an output file', undefined, `usage: ${USAGE}`);
  const [ref, out] = positionals;
  if (!out.endsWith('.onnx')) throw badInput('E_ARGS', `output "${out}" should end in .onnx`, undefined, `usage: ${USAGE}`);
  const model = await loadModel(ref);
  const dir = path.dirname(path.resolve(out));
  if (!fs.existsSync(dir)) throw badInput('E_ARGS', `output folder ${dir} does not exist`, undefined, 'create it first');
  const ir = values.edit ? await edited(model, values.edit as string) : model.net.model;
  const bytes = encodeModel(ir);
  writeFileAtomic(path.resolve(out), bytes);
  console.log(`wrote ${out} (${(bytes.length / 1e6).toFixed(1)} MB, input "${model.input.name}" NCHW [N, ${model.input.channels}, ${model.input.height}, ${model.input.width}]${values.edit ? `, edited by ${values.edit}` : ''})`);
  return EXIT.pass;
}

/** The model with the edits of the named circuits entry applied (to a copy). */
async function edited(model: ImportedModel, ref: string) {
  const hash = ref.lastIndexOf('#');
  if (hash <= 0 || hash === ref.length - 1) throw badInput('E_ARGS', `--edit "${ref}" should be <spec.yaml>#<circuit-id>`, undefined, `usage: ${USAGE}`);
  const file = ref.slice(0, hash);
  const id = ref.slice(hash + 1);
  const spec = loadSpecFile(file);
  const entries = entriesOfKind(spec.suite, circuitsKind);
  const entry = entries.find((e) => e.id === id);
  if (!entry) throw badInput('E_ARGS', `${file} has no circuits entry "${id}"`, undefined, entries.length ? `its circuits: ${entries.map((e) => e.id).join(', ')}` : 'add a `circuits:` entry with `edit:`');
  return applyEdits(model.net.model, await editsOf(entry, model, spec.dir));
}
