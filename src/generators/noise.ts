// Layer-wise noise (StyleGAN's per-layer stochastic inputs): redrawing the noise fed at one layer
// should change the image only at that layer's scale. The change is measured as the share of the
// difference image's energy in the frequency band between that input's Nyquist frequency and the
// next coarser input's (square bands, max(|fx|, |fy|) in cycles per pixel).
import { makeRng, type Rng } from '../util/rng.ts';
import type { Chain } from './chain.ts';
import { scores, type Judge } from './judge.ts';
import { noiseFeeds, runItems, sampleLatents, type RunContext } from './sample.ts';

export interface NoiseResult {
  /** Per noise input, coarsest first: its name, band [lo, hi) and the share of the change inside it. */
  inputs: { name: string; band: [number, number]; scaleEffect: number; judgeChange?: number }[];
}

/** Power of the 2-D DFT of a h × w real image (separable, O(hw(h + w))), indexed [ky * w + kx]. */
export function powerSpectrum(img: Float64Array, h: number, w: number): Float64Array {
  const re = new Float64Array(h * w);
  const im = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let k = 0; k < w; k++) {
      let sr = 0;
      let si = 0;
      for (let x = 0; x < w; x++) {
        const a = (-2 * Math.PI * k * x) / w;
        sr += img[y * w + x] * Math.cos(a);
        si += img[y * w + x] * Math.sin(a);
      }
      re[y * w + k] = sr;
      im[y * w + k] = si;
    }
  }
  const out = new Float64Array(h * w);
  for (let k = 0; k < w; k++) {
    for (let ky = 0; ky < h; ky++) {
      let sr = 0;
      let si = 0;
      for (let y = 0; y < h; y++) {
        const a = (-2 * Math.PI * ky * y) / h;
        const c = Math.cos(a);
        const s = Math.sin(a);
        sr += re[y * w + k] * c - im[y * w + k] * s;
        si += re[y * w + k] * s + im[y * w + k] * c;
      }
      out[ky * w + k] = sr * sr + si * si;
    }
  }
  return out;
}

/** Share of the spectrum's energy (DC excluded) with max(|fx|, |fy|) in [lo, hi). */
export function bandShare(power: Float64Array, h: number, w: number, lo: number, hi: number): number {
  let inside = 0;
  let total = 0;
  for (let ky = 0; ky < h; ky++) {
    for (let kx = 0; kx < w; kx++) {
      if (kx === 0 && ky === 0) continue;
      const f = Math.max(Math.min(kx, w - kx) / w, Math.min(ky, h - ky) / h);
      total += power[ky * w + kx];
      if (f >= lo && (f < hi || hi >= 0.5)) inside += power[ky * w + kx];
    }
  }
  return total === 0 ? 0 : inside / total;
}

export async function noiseScales(chain: Chain, samples: number, rng: Rng, ctx: RunContext, judges: readonly Judge[] = []): Promise<NoiseResult> {
  const gen = chain.generator;
  const { height: h, width: w, channels: c } = gen.image;
  // Coarsest first: an input's Nyquist frequency is half its side over the image's.
  const order = [...gen.noise].sort((a, b) => a.dims[a.dims.length - 1] - b.dims[b.dims.length - 1]);
  const nyq = order.map((n) => Math.min(0.5, n.dims[n.dims.length - 1] / (2 * w)));
  const z = sampleLatents(rng, samples, gen.latent.size);
  const seedA = Math.floor(rng() * 2 ** 31);
  const seedB = Math.floor(rng() * 2 ** 31);
  const taps = [...new Set([gen.image.name, ...judges.map((j) => j.tensor)])];
  const base = await runItems(chain.net, { [gen.latent.name]: z, ...noiseFeeds(gen, samples, Object.fromEntries(gen.noise.map((n) => [n.name, makeRng(seedA)]))) }, taps, ctx);
  const inputs: NoiseResult['inputs'] = [];
  for (const [k, inp] of order.entries()) {
    // Same draws everywhere except the one input redrawn with another seed.
    const draws = Object.fromEntries(gen.noise.map((n) => [n.name, makeRng(n.name === inp.name ? seedB : seedA)]));
    const other = await runItems(chain.net, { [gen.latent.name]: z, ...noiseFeeds(gen, samples, draws) }, taps, ctx);
    const band: [number, number] = [k === 0 ? 0 : nyq[k - 1], nyq[k]];
    let share = 0;
    for (let i = 0; i < samples; i++) {
      const d = new Float64Array(h * w);
      for (let ch = 0; ch < c; ch++) for (let p = 0; p < h * w; p++) d[p] += (other[gen.image.name].data[(i * c + ch) * h * w + p] - base[gen.image.name].data[(i * c + ch) * h * w + p]) / c;
      share += bandShare(powerSpectrum(d, h, w), h, w, band[0], band[1]);
    }
    const entry: NoiseResult['inputs'][number] = { name: inp.name, band, scaleEffect: share / samples };
    if (judges.length) {
      const [a] = scores(judges.slice(0, 1), base, samples);
      const [b] = scores(judges.slice(0, 1), other, samples);
      const scale = a.reduce((s, v) => s + Math.abs(v), 0) / samples || 1;
      entry.judgeChange = a.reduce((s, v, i) => s + Math.abs(b[i] - v), 0) / samples / scale;
    }
    inputs.push(entry);
  }
  return { inputs };
}
