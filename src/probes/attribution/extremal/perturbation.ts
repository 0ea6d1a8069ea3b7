// Applying a mask through a perturbation pyramid (TorchRay's `Perturbation.apply`): the mask value
// picks a pyramid level by linear interpolation, 1 = the input, 0 = the most perturbed level;
// and the adjoint that turns the input gradient into the mask gradient (level index held fixed).

/**
 * x[c,p] = (1−w)·P_k[c,p] + w·P_{min(k+1,L−1)}[c,p] with t = m[p]·(L−1), k = ⌊t⌋ (clamped to
 * 0…L−1, in float32 like TorchRay), w = t − k. `mask` holds H·W values in [0, 1]; `out` receives C·H·W values.
 */
export function applyPyramid(pyramid: readonly Float32Array[], mask: ArrayLike<number>, HW: number, out: Float32Array): void {
  const L = pyramid.length;
  const C = out.length / HW;
  for (let p = 0; p < HW; p++) {
    const t = Math.fround(mask[p] * (L - 1));
    let k = Math.floor(t);
    if (k < 0) k = 0;
    else if (k > L - 1) k = L - 1;
    const w = t - k;
    const P0 = pyramid[k];
    const P1 = pyramid[k + 1 < L ? k + 1 : L - 1];
    for (let i = p; i < C * HW; i += HW) out[i] = (1 - w) * P0[i] + w * P1[i];
  }
}

/** dE/dm[p] = (L−1)·Σ_c dE/dx[c,p]·(P_{k+1} − P_k)[c,p]; accumulates (scaled by `sign`) into gMask. */
export function applyPyramidAdjoint(pyramid: readonly Float32Array[], mask: ArrayLike<number>, HW: number, gInput: Float32Array, gMask: Float64Array, sign = 1): void {
  const L = pyramid.length;
  const C = gInput.length / HW;
  for (let p = 0; p < HW; p++) {
    const t = Math.fround(mask[p] * (L - 1));
    let k = Math.floor(t);
    if (k < 0) k = 0;
    else if (k > L - 1) k = L - 1;
    // The top level has no level above it: its interpolation weight has no effect.
    if (k === L - 1) continue;
    const P0 = pyramid[k];
    const P1 = pyramid[k + 1];
    let s = 0;
    for (let i = p; i < C * HW; i += HW) s += gInput[i] * (P1[i] - P0[i]);
    gMask[p] += sign * (L - 1) * s;
  }
}

/**
 * applyPyramid for the optimisation loop: writes the perturbed image into `out`, mirrored left–right
 * when `flip` (TorchRay's jitter, so no second pass flips it), and keeps each pixel's lower level k
 * in `levels` for levelAdjoint (which then needs neither the mask nor a floor per pixel).
 */
export function perturbKeepingLevels(pyramid: readonly Float32Array[], mask: ArrayLike<number>, H: number, W: number, flip: boolean, out: Float32Array, levels: Uint8Array): void {
  const L = pyramid.length;
  if (L > 256) throw new RangeError(`perturbKeepingLevels: ${L} levels do not fit a byte`);
  const HW = H * W;
  const C = out.length / HW;
  for (let y = 0, p = 0; y < H; y++) {
    for (let x = 0; x < W; x++, p++) {
      const t = Math.fround(mask[p] * (L - 1));
      let k = Math.floor(t);
      if (k < 0) k = 0;
      else if (k > L - 1) k = L - 1;
      levels[p] = k;
      const w = t - k;
      const P0 = pyramid[k];
      const P1 = pyramid[k + 1 < L ? k + 1 : L - 1];
      const q = flip ? y * W + W - 1 - x : p;
      for (let c = 0; c < C; c++) out[c * HW + q] = (1 - w) * P0[c * HW + p] + w * P1[c * HW + p];
    }
  }
}

/**
 * The adjoint of perturbKeepingLevels: applyPyramidAdjoint with the levels it kept, reading the
 * input gradient mirrored when `flip` (it is the gradient of the mirrored image).
 */
export function levelAdjoint(pyramid: readonly Float32Array[], levels: Uint8Array, H: number, W: number, flip: boolean, gInput: Float32Array, gMask: Float64Array, sign = 1): void {
  const L = pyramid.length;
  const HW = H * W;
  const C = gInput.length / HW;
  for (let y = 0, p = 0; y < H; y++) {
    for (let x = 0; x < W; x++, p++) {
      const k = levels[p];
      // The top level has no level above it: its interpolation weight has no effect.
      if (k === L - 1) continue;
      const P0 = pyramid[k];
      const P1 = pyramid[k + 1];
      const q = flip ? y * W + W - 1 - x : p;
      let s = 0;
      for (let c = 0; c < C; c++) s += gInput[c * HW + q] * (P1[c * HW + p] - P0[c * HW + p]);
      gMask[p] += sign * (L - 1) * s;
    }
  }
}
