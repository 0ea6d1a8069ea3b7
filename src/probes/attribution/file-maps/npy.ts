// Attribution maps from .npy files: the shared reader (io/npy.ts), its errors coded as map-format errors.
import { parseNpy as parseAnyNpy } from '../../../io/npy.ts';
import type { Tensor } from '../../../engine/tensor.ts';

export { encodeNpy } from '../../../io/npy.ts';

export const parseNpy = (bytes: Uint8Array, where: string): Tensor => parseAnyNpy(bytes, where, 'E_MAP_FORMAT');
