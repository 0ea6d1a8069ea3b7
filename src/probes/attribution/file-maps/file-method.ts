// Your own maps: `method: { file: "maps/{image}.npy" }` gates maps another tool made (Captum,
// Zennit, a notebook) with every metric that reads the map. The maps are read and checked when the
// entry is prepared (shape, finiteness), so a bad file stops the run with exit 2 before any model runs.
import path from 'node:path';
import { z } from 'zod';
import type { Tensor } from '../../../engine/tensor.ts';
import { badInput, NeurogateError } from '../../../errors.ts';
import { readGuarded } from '../../../io/guarded-fs.ts';
import { scoreOne } from '../forward.ts';
import { resizeBilinear } from '../maps.ts';
import { describeMethod } from '../method.ts';
import { checkInput } from '../subject.ts';
import type { Method } from '../types.ts';
import { parseNpy } from './npy.ts';

export interface FileMapOptions {
  /** Path template of each image's map, relative to the spec file. */
  path: string;
  /** Bilinearly resize maps whose spatial size differs from the model input (a 7×7 CAM). */
  resize: boolean;
  /** The image's map, read at preparation (not a spec option). */
  map?: Tensor;
}

export const FILE_MAP_DEFAULTS: Partial<FileMapOptions> = { resize: false };

/** Largest map file read: a 3×1024×1024 float64 map is 24 MiB. */
export const MAX_MAP_BYTES = 256 * 2 ** 20;

/** The placeholders a path template may use, each from one image of the entry. */
export const PLACEHOLDERS = {
  image: 'the image’s file name without its extension (cat for images/cat.png)',
  name: 'the image’s path as the entry names it, without its extension (images/cat)',
  index: 'the image’s position in the entry, from 0',
} as const;

/** The template filled for one image; throws on a placeholder it does not know. */
export function mapPath(template: string, imageName: string, index: number): string {
  const noExt = imageName.replace(/\.[^./\\]*$/, '');
  const values: Record<string, string> = { image: path.basename(noExt), name: noExt, index: String(index) };
  return template.replace(/\{([^{}]*)\}/g, (_, key: string) => {
    if (!(key in values)) throw badInput('E_MAP_TEMPLATE', `unknown placeholder {${key}} in the map path "${template}"`, undefined, `use ${Object.keys(PLACEHOLDERS).map((k) => `{${k}}`).join(', ')}`);
    return values[key];
  });
}

/**
 * One map file read through the guarded opener and checked against the model input [C, H, W]:
 * [H, W], [1, H, W] or [C, H, W] (leading 1s are dropped); with `resize`, any spatial size.
 * NaN or ±Inf anywhere is refused: a metric on such a map would be meaningless.
 */
export function readFileMap(abs: string, inputDims: readonly [number, number, number], opts: { resize: boolean; root?: string; allowOutside?: boolean }): Tensor {
  const bytes = readGuarded(abs, { what: `map ${path.basename(abs)}`, code: 'MAP', maxBytes: MAX_MAP_BYTES, root: opts.root, allowOutside: opts.allowOutside, missingHint: 'paths resolve relative to the spec file; {image} is the image’s file name without its extension' });
  const t = parseNpy(bytes, abs);
  const [C, H, W] = inputDims;
  const dims = [...t.dims];
  while (dims.length > 2 && dims[0] === 1) dims.shift();
  const expected = `[${H}, ${W}] or [${C}, ${H}, ${W}]`;
  const planes = dims.length === 2 ? 1 : dims[0];
  if (dims.length < 2 || dims.length > 3 || (dims.length === 3 && planes !== C)) {
    throw badInput('E_MAP_SHAPE', `map has shape [${t.dims.join(', ')}], the model input needs ${expected}`, abs, 'save one map per image: spatial [H, W], or per channel [C, H, W] as the model sees the input');
  }
  const [h, w] = dims.slice(-2);
  if (h === 0 || w === 0) throw badInput('E_MAP_SHAPE', `map has shape [${t.dims.join(', ')}]: it is empty`, abs, `save a map of ${expected}`);
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i])) {
      const at = unravel(i, t.dims);
      throw badInput('E_MAP_NAN', `map holds ${t.data[i]} at [${at.join(', ')}]${countNonFinite(t.data) > 1 ? ` (${countNonFinite(t.data)} values are not finite)` : ''}`, abs, 'every value of a map must be a finite number; fix the method that wrote it');
    }
  }
  if (h === H && w === W) return { dims: planes === 1 ? [H, W] : [C, H, W], data: t.data };
  if (!opts.resize) throw badInput('E_MAP_SHAPE', `map is ${h}×${w}, the model input is ${H}×${W}`, abs, 'save it at the input size, or set `resize: true` to upsample it bilinearly');
  return { dims: planes === 1 ? [H, W] : [C, H, W], data: resizeBilinear(t.data, planes, h, w, H, W) };
}

function countNonFinite(data: Float32Array): number {
  let n = 0;
  for (const v of data) if (!Number.isFinite(v)) n++;
  return n;
}

function unravel(i: number, dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  for (let k = dims.length - 1; k >= 0; k--) {
    out[k] = i % dims[k];
    i = Math.floor(i / dims[k]);
  }
  return out;
}

export const fileMapMethod: Method<FileMapOptions> = async (subject, input, target, options = {}) => {
  checkInput(subject, input);
  const o = { ...FILE_MAP_DEFAULTS, ...options };
  if (!o.map) throw new NeurogateError('a file map is read when its entry is prepared; none was given to the method', { code: 'E_MAP_NOT_LOADED', kind: 'internal' });
  const { score } = await scoreOne(subject, target, input);
  return {
    method: 'file',
    target,
    map: o.map,
    params: { path: o.path ?? null, resize: o.resize ?? false },
    score,
    evaluations: { forward: 1, backward: 0 },
  };
};

export const fileMapDescriptor = describeMethod<FileMapOptions>({
  name: 'file',
  defaults: FILE_MAP_DEFAULTS,
  shorthand: 'path',
  options: {
    path: { schema: z.string().min(1).max(1000), description: `Path of each image’s map (.npy, [H, W] or [C, H, W]) relative to the spec file, with placeholders ${Object.entries(PLACEHOLDERS).map(([k, v]) => `{${k}}: ${v}`).join('; ')}`, required: true },
    resize: { schema: z.boolean(), description: 'Upsample maps smaller than the model input bilinearly (else their size must match)' },
  },
  passes: () => 1,
  run: fileMapMethod,
});
