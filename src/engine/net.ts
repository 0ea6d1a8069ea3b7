// Making a Net (IR + identity) from a ModelProto: the hash is over the encoded bytes, so two
// equal graphs share sessions and every weight edit gets a new identity.
import { createHash } from 'node:crypto';
import { encodeModel, type ModelProto } from './onnx.ts';
import type { Net } from './session.ts';

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

export function makeNet(model: ModelProto, where: string): Net {
  return { model, hash: hashBytes(encodeModel(model)), where };
}
