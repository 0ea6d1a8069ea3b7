// Lucid's Fourier image parameterization: an image is the inverse real 2-D DFT (orthonormal) of a
// half spectrum whose coefficients are scaled by 1 / max(frequency, 1 / max(h, w)), divided by 4.
// Linear, so the gradient is its exact adjoint (transpose), computed here without approximation.
//
// The map (per channel, kx = 0 … ⌊w/2⌋, α = 1 for the DC and — for even w — Nyquist column, else 2):
//   x[y, x] = 1/(4·√(hw)) · Σ_kx α_kx Σ_ky s[ky, kx]·(R cos θ − I sin θ),  θ = 2π(ky·y/h + kx·x/w)
// which is what numpy/TensorFlow irfft2d compute from (R + iI): a complex inverse DFT along y,
// then a real one along x that reads only the real part of the DC (and Nyquist) column.

export interface FourierPlan {
  h: number;
  w: number;
  /** Half-spectrum width ⌊w/2⌋ + 1. */
  wf: number;
  /** Per-coefficient scale s[ky·wf + kx], including the 1/(4√(hw)) normalization and α. */
  scale: Float64Array;
  cosY: Float64Array;
  sinY: Float64Array;
  cosX: Float64Array;
  sinX: Float64Array;
}

/** |frequency| of each half-spectrum coefficient, in cycles per pixel (numpy fftfreq convention). */
export function rfftFreqs(h: number, w: number): Float64Array {
  const wf = Math.floor(w / 2) + 1;
  const out = new Float64Array(h * wf);
  for (let ky = 0; ky < h; ky++) {
    const fy = (ky < Math.ceil(h / 2) ? ky : ky - h) / h;
    for (let kx = 0; kx < wf; kx++) out[ky * wf + kx] = Math.hypot(fy, kx / w);
  }
  return out;
}

export function fourierPlan(h: number, w: number, decayPower = 1): FourierPlan {
  if (!(Number.isInteger(h) && Number.isInteger(w) && h > 0 && w > 0)) throw new RangeError(`fourierPlan: size ${h}×${w} must be positive integers`);
  const wf = Math.floor(w / 2) + 1;
  const freqs = rfftFreqs(h, w);
  const norm = 1 / (4 * Math.sqrt(h * w));
  const scale = new Float64Array(h * wf);
  const floor = 1 / Math.max(h, w);
  for (let ky = 0; ky < h; ky++) {
    for (let kx = 0; kx < wf; kx++) {
      const alpha = kx === 0 || (w % 2 === 0 && kx === w / 2) ? 1 : 2;
      scale[ky * wf + kx] = (alpha * norm) / Math.max(freqs[ky * wf + kx], floor) ** decayPower;
    }
  }
  const table = (n: number, m: number, f: (a: number) => number) => {
    const t = new Float64Array(n * m);
    for (let k = 0; k < n; k++) for (let j = 0; j < m; j++) t[k * m + j] = f((2 * Math.PI * ((k * j) % m)) / m);
    return t;
  };
  // cosY[ky·h + y], cosX[kx·w + x]: angles reduced mod the period first, so tables are exact to rounding.
  return { h, w, wf, scale, cosY: table(h, h, Math.cos), sinY: table(h, h, Math.sin), cosX: table(wf, w, Math.cos), sinX: table(wf, w, Math.sin) };
}

/** Spectrum (re, im: [channels, h, wf]) → image [channels, h, w]. */
export function spectrumToImage(p: FourierPlan, re: Float64Array, im: Float64Array, channels: number): Float64Array {
  const { h, w, wf, scale, cosY, sinY, cosX, sinX } = p;
  const out = new Float64Array(channels * h * w);
  const yr = new Float64Array(h * wf);
  const yi = new Float64Array(h * wf);
  const sr = new Float64Array(h * wf);
  const si = new Float64Array(h * wf);
  for (let c = 0; c < channels; c++) {
    const off = c * h * wf;
    yr.fill(0);
    yi.fill(0);
    // Along y: Y[y, kx] = Σ_ky s·(R + iI)·e^{+iθy}; the inner loop runs along kx (contiguous).
    for (let k = 0; k < h * wf; k++) {
      sr[k] = re[off + k] * scale[k];
      si[k] = im[off + k] * scale[k];
    }
    for (let y = 0; y < h; y++) {
      const row = y * wf;
      for (let ky = 0; ky < h; ky++) {
        const cy = cosY[ky * h + y];
        const sy = sinY[ky * h + y];
        const src = ky * wf;
        for (let kx = 0; kx < wf; kx++) {
          const r = sr[src + kx];
          const i = si[src + kx];
          yr[row + kx] += r * cy - i * sy;
          yi[row + kx] += r * sy + i * cy;
        }
      }
    }
    // Along x: x[y, x] = Σ_kx Re(Y[y, kx]·e^{+iθx}).
    const o = c * h * w;
    for (let y = 0; y < h; y++) {
      for (let kx = 0; kx < wf; kx++) {
        const a = yr[y * wf + kx];
        const b = yi[y * wf + kx];
        for (let x = 0; x < w; x++) out[o + y * w + x] += a * cosX[kx * w + x] - b * sinX[kx * w + x];
      }
    }
  }
  return out;
}

/** The adjoint: image gradient [channels, h, w] → spectrum gradients (re, im). */
export function imageToSpectrumGrad(p: FourierPlan, g: Float64Array, channels: number): { re: Float64Array; im: Float64Array } {
  const { h, w, wf, scale, cosY, sinY, cosX, sinX } = p;
  const re = new Float64Array(channels * h * wf);
  const im = new Float64Array(channels * h * wf);
  const gr = new Float64Array(h * wf);
  const gi = new Float64Array(h * wf);
  for (let c = 0; c < channels; c++) {
    const o = c * h * w;
    for (let y = 0; y < h; y++) {
      for (let kx = 0; kx < wf; kx++) {
        let a = 0;
        let b = 0;
        for (let x = 0; x < w; x++) {
          const v = g[o + y * w + x];
          a += v * cosX[kx * w + x];
          b -= v * sinX[kx * w + x];
        }
        gr[y * wf + kx] = a;
        gi[y * wf + kx] = b;
      }
    }
    const off = c * h * wf;
    for (let ky = 0; ky < h; ky++) {
      const dst = off + ky * wf;
      for (let y = 0; y < h; y++) {
        const cy = cosY[ky * h + y];
        const sy = sinY[ky * h + y];
        const row = y * wf;
        for (let kx = 0; kx < wf; kx++) {
          const a = gr[row + kx];
          const b = gi[row + kx];
          re[dst + kx] += a * cy + b * sy;
          im[dst + kx] += -a * sy + b * cy;
        }
      }
      for (let kx = 0; kx < wf; kx++) {
        re[dst + kx] *= scale[ky * wf + kx];
        im[dst + kx] *= scale[ky * wf + kx];
      }
    }
  }
  return { re, im };
}
