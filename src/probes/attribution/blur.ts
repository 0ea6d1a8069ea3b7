// Gaussian blur as TorchRay's `imsmooth` computes it (separable, half-width ⌈4σ⌉, zero padding,
// kernel normalised to sum 1) and the blur pyramid of extremal perturbation built from it.
// `blurPlanes` is the plain JS definition; `blurMany` runs the same convolutions in onnxruntime
// (one cached graph per list of σ), which is what large images and pyramids use.
import { createModel, floatTensorProto, node } from '../../engine/graph.ts';
import { makeNet } from '../../engine/net.ts';
import { run, type ConcreteDevice, type Net } from '../../engine/session.ts';

/** TorchRay's 1-D kernel: exp(−(i / (√2·σ + ε))²) for i in −⌈4σ⌉…⌈4σ⌉, normalised. σ = 0 gives [1]. */
export function gaussianKernel(sigma: number): Float64Array {
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new RangeError(`gaussianKernel: sigma must be ≥ 0, got ${sigma}`);
  const width = Math.ceil(4 * sigma);
  const k = new Float64Array(2 * width + 1);
  const denom = Math.SQRT2 * sigma + 1.1920929e-7;
  let s = 0;
  for (let i = -width; i <= width; i++) {
    const z = i / denom;
    k[i + width] = Math.exp(-z * z);
    s += k[i + width];
  }
  for (let i = 0; i < k.length; i++) k[i] /= s;
  return k;
}

/**
 * Blur each of `planes` H×W planes (e.g. C channels) with a Gaussian of std `sigma`: vertical
 * pass then horizontal, zero outside the image (so borders darken towards 0, as in TorchRay).
 */
export function blurPlanes(data: Float32Array, planes: number, H: number, W: number, sigma: number): Float32Array {
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const out = new Float32Array(data.length);
  if (r === 0) {
    out.set(data);
    return out;
  }
  const tmp = new Float64Array(H * W);
  for (let p = 0; p < planes; p++) {
    const off = p * H * W;
    tmp.fill(0);
    // Vertical: each source row adds k-weighted copies into the rows it reaches.
    for (let y = 0; y < H; y++) {
      const d0 = Math.max(-r, -y);
      const d1 = Math.min(r, H - 1 - y);
      for (let d = d0; d <= d1; d++) {
        const w = k[d + r];
        const src = off + (y + d) * W;
        const dst = y * W;
        for (let x = 0; x < W; x++) tmp[dst + x] += w * data[src + x];
      }
    }
    // Horizontal.
    for (let y = 0; y < H; y++) {
      const row = y * W;
      for (let x = 0; x < W; x++) {
        const d0 = Math.max(-r, -x);
        const d1 = Math.min(r, W - 1 - x);
        let s = 0;
        for (let d = d0; d <= d1; d++) s += k[d + r] * tmp[row + x + d];
        out[off + row + x] = s;
      }
    }
  }
  return out;
}

const blurNets = new Map<string, Net>();

function blurNet(sigmas: readonly number[]): Net {
  const key = sigmas.join(',');
  let net = blurNets.get(key);
  if (!net) {
    const nodes = [];
    const inits = [];
    for (let i = 0; i < sigmas.length; i++) {
      const k = gaussianKernel(sigmas[i]);
      const r = (k.length - 1) / 2;
      const kf = Float32Array.from(k);
      inits.push(floatTensorProto(`kv${i}`, { dims: [1, 1, k.length, 1], data: kf }), floatTensorProto(`kh${i}`, { dims: [1, 1, 1, k.length], data: kf }));
      nodes.push(
        node('Conv', ['x', `kv${i}`], [`v${i}`], { pads: { ints: [r, 0, r, 0] } }),
        node('Conv', [`v${i}`, `kh${i}`], [`y${i}`], { pads: { ints: [0, r, 0, r] } }),
      );
    }
    const model = createModel({
      name: 'gaussian-blur',
      inputs: [{ name: 'x', dims: ['N', 1, 'H', 'W'] }],
      outputs: sigmas.map((_, i) => ({ name: `y${i}` })),
      nodes,
      initializers: inits,
    });
    net = makeNet(model, `gaussian blur σ = ${key}`);
    blurNets.set(key, net);
  }
  return net;
}

/**
 * The same blur as `blurPlanes` for several σ at once, by onnxruntime (float32 convolutions, as
 * TorchRay's conv2d). σ = 0 returns a copy.
 */
export async function blurMany(data: Float32Array, planes: number, H: number, W: number, sigmas: readonly number[], device: ConcreteDevice = 'cpu'): Promise<Float32Array[]> {
  const positive = sigmas.filter((s) => s > 0);
  const out = new Map<number, Float32Array>();
  if (positive.length) {
    const unique = [...new Set(positive)];
    const res = await run(blurNet(unique), { x: { dims: [planes, 1, H, W], data } }, unique.map((_, i) => `y${i}`), { device });
    unique.forEach((s, i) => out.set(s, Float32Array.from(res[`y${i}`].data)));
  }
  return sigmas.map((s) => (s > 0 ? out.get(s)! : Float32Array.from(data)));
}

/** TorchRay's σ for each pyramid level: maxBlur·(1 − l/(L−1)). */
export function pyramidSigmas(levels: number, maxBlur: number): number[] {
  return Array.from({ length: levels }, (_, l) => (1 - l / (levels - 1)) * maxBlur);
}

/**
 * TorchRay's perturbation pyramid: level l (0…L−1) is the input blurred with
 * σ_l = maxBlur·(1 − l/(L−1)) (`blur`), or scaled by l/(L−1) (`fade`). Level L−1 is the input.
 */
export function perturbationPyramid(input: Float32Array, C: number, H: number, W: number, levels: number, kind: 'blur' | 'fade', maxBlur: number): Float32Array[] {
  if (!Number.isInteger(levels) || levels < 2) throw new RangeError(`perturbation pyramid needs ≥ 2 levels, got ${levels}`);
  if (kind === 'blur') return pyramidSigmas(levels, maxBlur).map((s) => blurPlanes(input, C, H, W, s));
  return Array.from({ length: levels }, (_, l) => input.map((v) => v * (l / (levels - 1))));
}

/** The same pyramid with the blurs run by onnxruntime. */
export async function perturbationPyramidFast(input: Float32Array, C: number, H: number, W: number, levels: number, kind: 'blur' | 'fade', maxBlur: number, device: ConcreteDevice = 'cpu'): Promise<Float32Array[]> {
  if (kind !== 'blur') return perturbationPyramid(input, C, H, W, levels, kind, maxBlur);
  if (!Number.isInteger(levels) || levels < 2) throw new RangeError(`perturbation pyramid needs ≥ 2 levels, got ${levels}`);
  return blurMany(input, C, H, W, pyramidSigmas(levels, maxBlur), device);
}
