// Rotating a sampled kernel by resampling: the check that a family really is rotated copies of one
// prototype (unit k turned by one step should be unit k+1), usable on any conv weight whose input
// channels carry orientations — hand-built or trained.
import type { Tensor } from '../engine/tensor.ts';
import { toPrototypeFrame, wrapDelta, type InputChannel } from './family.ts';

/** One output unit's kernel [inputs, k, k] out of a Conv weight [out, inputs, k, k] (a copy). */
export function unitKernel(w: Tensor, unit: number): Tensor {
  const [, c, kh, kw] = w.dims;
  const per = c * kh * kw;
  return { dims: [c, kh, kw], data: w.data.slice(unit * per, (unit + 1) * per) };
}

/** Bilinear sample of one channel plane at fractional grid coordinates; 0 outside the kernel. */
function bilinear(plane: Float32Array, k: number, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= k || yy >= k ? 0 : plane[yy * k + xx]);
  return (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0)) + fy * ((1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1));
}

/**
 * The kernel turned by `deg` counter-clockwise on screen: R(d, c) = K(R₋θ d, c′) where c′ is the
 * input channel of the same variant whose orientation is c's minus θ (linearly interpolated between
 * the two nearest channels when θ is not a whole number of channel steps). Input channels with one
 * orientation per variant (e.g. a grey input) only turn in space.
 */
export function rotateKernel(kernel: Tensor, deg: number, inputs: readonly InputChannel[]): Tensor {
  const [c, k, k2] = kernel.dims;
  if (k !== k2) throw new RangeError(`rotateKernel: kernel must be square, got [${kernel.dims}]`);
  if (inputs.length !== c) throw new RangeError(`rotateKernel: ${c} input channels but ${inputs.length} channel descriptions`);
  const half = (k - 1) / 2;
  const kk = k * k;
  // Channels of each variant sorted by orientation: the axis the orientation shift moves along.
  const byVariant = new Map<number, number[]>();
  inputs.forEach((ch, i) => {
    const v = ch.variant ?? 0;
    if (!byVariant.has(v)) byVariant.set(v, []);
    byVariant.get(v)!.push(i);
  });
  for (const list of byVariant.values()) list.sort((a, b) => inputs[a].orientation - inputs[b].orientation);
  // Where each output channel reads from: one or two source channels with linear weights.
  const sources = inputs.map((ch) => {
    const list = byVariant.get(ch.variant ?? 0)!;
    if (list.length === 1) return [{ ch: list[0], w: 1 }];
    const step = ch.period / list.length;
    const target = wrapDelta(ch.orientation - deg - inputs[list[0]].orientation, ch.period);
    const pos = (((target / step) % list.length) + list.length) % list.length;
    const i0 = Math.floor(pos);
    const f = pos - i0;
    return [{ ch: list[i0 % list.length], w: 1 - f }, { ch: list[(i0 + 1) % list.length], w: f }];
  });
  const out = new Float32Array(c * kk);
  for (let ky = 0; ky < k; ky++) {
    for (let kx = 0; kx < k; kx++) {
      const [x, y] = toPrototypeFrame(kx - half, ky - half, deg);
      for (let ch = 0; ch < c; ch++) {
        let v = 0;
        for (const s of sources[ch]) if (s.w) v += s.w * bilinear(kernel.data.subarray(s.ch * kk, (s.ch + 1) * kk), k, x + half, y + half);
        out[ch * kk + ky * k + kx] = v;
      }
    }
  }
  return { dims: [c, k, k], data: out };
}

/**
 * ‖a − b‖ / ‖b‖ over the kernel's inscribed disc (radius (k − 1)/2 cells), every channel: the
 * resampling error metric. Corners are left out because a turned square brings in cells from
 * outside the kernel there.
 */
export function discRelativeError(a: Tensor, b: Tensor): number {
  const [c, k] = b.dims;
  const half = (k - 1) / 2;
  let num = 0;
  let den = 0;
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < k; y++) {
      for (let x = 0; x < k; x++) {
        if ((x - half) ** 2 + (y - half) ** 2 > half * half + 1e-9) continue;
        const i = ch * k * k + y * k + x;
        num += (a.data[i] - b.data[i]) ** 2;
        den += b.data[i] ** 2;
      }
    }
  }
  return den > 0 ? Math.sqrt(num / den) : Math.sqrt(num);
}
