// What neurogate knows of a generator: an ONNX graph from a float latent vector (and optional
// per-layer noise inputs) to an image. The clean-room generator and any imported one share it.
import type { Net } from '../engine/session.ts';

export interface Generator {
  net: Net;
  /** The latent input, [N, size]. */
  latent: { name: string; size: number };
  /** Optional noise inputs, [N, …dims] each, fed zeros unless a probe draws them. */
  noise: { name: string; dims: number[] }[];
  /** The image output, NCHW. */
  image: { name: string; channels: number; height: number; width: number };
  /** Output values of black and white (a tanh generator: [−1, 1]); probes map them to 0..1. */
  range: [number, number];
}
