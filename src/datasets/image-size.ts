// An image's width and height read from its header (PNG IHDR, JPEG SOFn) without decoding the pixels,
// so checking a manifest of thousands of images costs a few bytes each. Undefined when unsure.
import { readGuardedHead, type ReadPolicy } from '../io/guarded-fs.ts';

/** The policy (root, --allow-outside) is the caller's: the same file is read through it again when decoded. */
export function imageSize(file: string, policy: Pick<ReadPolicy, 'root' | 'allowOutside'> = {}): { width: number; height: number } | undefined {
  return sizeOf(readGuardedHead(file, { what: 'image', code: 'IMAGE', maxBytes: Number.MAX_SAFE_INTEGER, ...policy }, 64 * 1024));
}

export function sizeOf(b: Uint8Array): { width: number; height: number } | undefined {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    return { width: v.getUint32(16), height: v.getUint32(20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const m = b[i + 1];
      if (m === 0xff) {
        i++;
        continue;
      }
      const len = v.getUint16(i + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size. An EXIF orientation
      // swaps it on display, so such files are left to the decoder (undefined).
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return { height: v.getUint16(i + 5), width: v.getUint16(i + 7) };
      if (m === 0xe1) return undefined;
      i += 2 + len;
    }
  }
  return undefined;
}
