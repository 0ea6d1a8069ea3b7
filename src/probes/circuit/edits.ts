// Edits on the IR as pure functions: each takes a ModelProto and returns an edited deep copy
// (the input — a cached model — is never touched), so edits compose by plain chaining.
import { cloneModel, num, type ModelProto } from '../../engine/onnx.ts';
import { findInitializer, floatTensorProto, readWeight, replaceWeight } from '../../engine/graph.ts';
import { tensor } from '../../engine/tensor.ts';
import { badInput } from '../../errors.ts';
import { convGroup, sourceOf, type UnitSource } from './resolve.ts';

/** Units of a layer: the tensor name (IR or catalog tensor) and channel indices in it. */
export interface UnitRef {
  tensor: string;
  units: readonly number[];
}

/**
 * One edit. Weight edits (`scale`, `sign`, `rotate`) act on the Conv producing `to`'s units,
 * restricted to the input channels `from` of that Conv (all of them when omitted).
 */
export type Edit =
  | { op: 'ablate'; target: UnitRef; /** Constant output per unit (e.g. its mean over an image set); zero when omitted. */ values?: readonly number[] }
  | { op: 'scale'; to: UnitRef; from?: readonly number[]; factor: number }
  | { op: 'sign'; to: UnitRef; from?: readonly number[]; keep: 'positive' | 'negative' | 'flip' }
  | { op: 'rotate'; to: UnitRef; from?: readonly number[]; degrees: number }
  | { op: 'transplant'; to: UnitRef; source: ModelProto; /** The source's tensor for the same units (default: the same name). */ sourceTensor?: string };

export function applyEdits(model: ModelProto, edits: readonly Edit[]): ModelProto {
  let m = cloneModel(model);
  for (const e of edits) m = applyOne(m, e);
  return m;
}

export function applyEdit(model: ModelProto, e: Edit): ModelProto {
  return applyOne(cloneModel(model), e);
}

/** Mutates `m`, which is always a private copy. */
function applyOne(m: ModelProto, e: Edit): ModelProto {
  switch (e.op) {
    case 'ablate':
      ablate(m, e.target, e.values);
      return m;
    case 'scale':
      mapKernels(m, e.to, e.from, (k) => k.map((v) => v * e.factor));
      return m;
    case 'sign': {
      const f = e.keep === 'positive' ? (v: number) => (v > 0 ? v : 0) : e.keep === 'negative' ? (v: number) => (v < 0 ? v : 0) : (v: number) => -v;
      mapKernels(m, e.to, e.from, (k) => k.map(f));
      return m;
    }
    case 'rotate':
      mapKernels(m, e.to, e.from, (k, kh, kw) => rotateKernel(k, kh, kw, e.degrees));
      return m;
    case 'transplant':
      transplant(m, e.to, e.source, e.sourceTensor ?? e.to.tensor);
      return m;
  }
}

function sources(m: ModelProto, ref: UnitRef): UnitSource[] {
  if (!ref.units.length) throw badInput('E_CIRCUIT_EDIT', `an edit of "${ref.tensor}" names no units`, undefined, 'give at least one unit');
  return ref.units.map((u) => {
    const s = sourceOf(m, ref.tensor, u);
    if (convGroup(s.conv) !== 1) throw badInput('E_CIRCUIT_GROUPED', `unit ${u} of "${ref.tensor}" comes from a grouped Conv (${s.conv.name})`, undefined, 'edits of grouped/depthwise convolutions are not supported');
    return s;
  });
}

/**
 * Outputs to a constant: with a BatchNorm after the Conv, its scale goes to 0 and its shift to the
 * constant (BN output = value exactly, whatever the Conv computes); without one, the Conv's kernel
 * row goes to 0 and its bias to the value. Activations after it see the constant; a Relu keeps a
 * value ≥ 0 (a mean of Relu outputs is), so the named tensor holds exactly that value.
 */
function ablate(m: ModelProto, ref: UnitRef, values?: readonly number[]): void {
  if (values && values.length !== ref.units.length) throw badInput('E_CIRCUIT_EDIT', `ablation of "${ref.tensor}" gives ${values.length} values for ${ref.units.length} units`, undefined, 'one value per unit');
  sources(m, ref).forEach((s, i) => {
    const v = values?.[i] ?? 0;
    if (s.bn) {
      setEntry(m, s.bn.input[1], s.channel, 0);
      setEntry(m, s.bn.input[2], s.channel, v);
      return;
    }
    const w = readWeight(m, s.conv.input[1]);
    const per = w.data.length / w.dims[0];
    w.data.fill(0, s.channel * per, (s.channel + 1) * per);
    replaceWeight(m, s.conv.input[1], w);
    if (s.conv.input[2]) setEntry(m, s.conv.input[2], s.channel, v);
    else if (v !== 0) addBias(m, s, v);
  });
}

function setEntry(m: ModelProto, name: string, i: number, v: number): void {
  const t = readWeight(m, name);
  t.data[i] = v;
  replaceWeight(m, name, t);
}

/** A Conv without bias that must output a nonzero constant gets a bias initializer. */
function addBias(m: ModelProto, s: UnitSource, v: number): void {
  const out = num(findInitializer(m, s.conv.input[1])!.dims[0]);
  const name = `${s.conv.name || s.conv.output[0]}/neurogate_bias`;
  const b = findInitializer(m, name) ? readWeight(m, name) : tensor([out]);
  b.data[s.channel] = v;
  if (findInitializer(m, name)) replaceWeight(m, name, b);
  else {
    m.graph!.initializer.push(floatTensorProto(name, b));
    s.conv.input[2] = name;
  }
}

/** Apply f to every [kh, kw] kernel from input channels `from` into the given output units. */
function mapKernels(m: ModelProto, ref: UnitRef, from: readonly number[] | undefined, f: (k: Float32Array, kh: number, kw: number) => Float32Array): void {
  const byWeight = new Map<string, number[]>();
  for (const s of sources(m, ref)) {
    const list = byWeight.get(s.conv.input[1]) ?? [];
    list.push(s.channel);
    byWeight.set(s.conv.input[1], list);
  }
  for (const [name, outs] of byWeight) {
    const w = readWeight(m, name);
    const [, cin, kh, kw] = w.dims;
    const ins = from ?? Array.from({ length: cin }, (_, i) => i);
    for (const i of ins) if (!Number.isInteger(i) || i < 0 || i >= cin) throw badInput('E_NO_UNIT', `input channel ${i} does not exist for ${name} (it reads ${cin} channels)`, undefined, `pick channels 0..${cin - 1}`);
    for (const o of new Set(outs)) {
      for (const i of new Set(ins)) {
        const at = (o * cin + i) * kh * kw;
        w.data.set(f(w.data.slice(at, at + kh * kw), kh, kw), at);
      }
    }
    replaceWeight(m, name, w);
  }
}

/**
 * Rotate a kernel counter-clockwise as seen on screen (x right, y down), matching the stimuli's
 * orientation convention. Multiples of 90° permute entries exactly (square kernels); other angles
 * resample bilinearly about the kernel centre with zeros outside.
 */
export function rotateKernel(k: Float32Array, kh: number, kw: number, degrees: number): Float32Array {
  const turns = ((Math.round(degrees / 90) % 4) + 4) % 4;
  const out = new Float32Array(kh * kw);
  if (Math.abs(degrees / 90 - Math.round(degrees / 90)) < 1e-9) {
    if (turns % 2 === 1 && kh !== kw) throw badInput('E_CIRCUIT_ROTATE', `cannot rotate a ${kh}×${kw} kernel by ${degrees}°`, undefined, 'quarter turns need square kernels');
    for (let r = 0; r < kh; r++) {
      for (let c = 0; c < kw; c++) {
        // Source index of output (r, c) after `turns` quarter turns.
        let sr = r;
        let sc = c;
        for (let t = 0; t < turns; t++) [sr, sc] = [sc, kh - 1 - sr];
        out[r * kw + c] = k[sr * kw + sc];
      }
    }
    return out;
  }
  const th = (degrees * Math.PI) / 180;
  const cy = (kh - 1) / 2;
  const cx = (kw - 1) / 2;
  const at = (y: number, x: number) => (y >= 0 && y < kh && x >= 0 && x < kw ? k[y * kw + x] : 0);
  for (let r = 0; r < kh; r++) {
    for (let c = 0; c < kw; c++) {
      const xo = c - cx;
      const yo = r - cy;
      // Inverse of the screen-CCW rotation (dx, dy) → (dx cos + dy sin, −dx sin + dy cos).
      const dx = xo * Math.cos(th) - yo * Math.sin(th);
      const dy = xo * Math.sin(th) + yo * Math.cos(th);
      const x = dx + cx;
      const y = dy + cy;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      out[r * kw + c] = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
    }
  }
  return out;
}

/** Copy the units' kernels (and bias and BN entries) from the same-shaped layer of another model. */
function transplant(m: ModelProto, ref: UnitRef, source: ModelProto, sourceTensor: string): void {
  const dst = sources(m, ref);
  const src = sources(source, { tensor: sourceTensor, units: ref.units });
  dst.forEach((d, i) => {
    const s = src[i];
    const wd = readWeight(m, d.conv.input[1]);
    const ws = readWeight(source, s.conv.input[1]);
    const per = wd.data.length / wd.dims[0];
    if (ws.data.length / ws.dims[0] !== per || ws.dims.slice(1).some((x, k) => x !== wd.dims[k + 1])) {
      throw badInput('E_CIRCUIT_TRANSPLANT', `cannot transplant unit ${ref.units[i]}: kernels [${ws.dims.slice(1)}] and [${wd.dims.slice(1)}] differ`, undefined, 'transplant between layers of the same shape');
    }
    wd.data.set(ws.data.subarray(s.channel * per, (s.channel + 1) * per), d.channel * per);
    replaceWeight(m, d.conv.input[1], wd);
    const pairs: [string | undefined, string | undefined][] = [[d.conv.input[2], s.conv.input[2]]];
    for (let k = 1; k <= 4; k++) pairs.push([d.bn?.input[k], s.bn?.input[k]]);
    for (const [dn, sn] of pairs) {
      if (!dn && !sn) continue;
      if (!dn || !sn) throw badInput('E_CIRCUIT_TRANSPLANT', `cannot transplant unit ${ref.units[i]}: one model has a bias/BatchNorm the other lacks`, undefined, 'transplant between identically built layers');
      setEntry(m, dn, d.channel, readWeight(source, sn).data[s.channel]);
    }
  });
}
