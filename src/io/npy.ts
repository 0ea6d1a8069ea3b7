// NumPy's .npy format (versions 1–3), read into a float32 tensor: how maps, multispectral images and
// fixed model inputs made by another tool (Captum, a notebook) reach the gate. Every header field is
// checked; a file that claims more data than it holds, or a dtype we cannot read, is refused with the file named.
import { badInput } from '../errors.ts';

/** A tensor as engine/tensor.ts spells it (spelt here: io sits below the engine). */
interface Tensor {
  dims: number[];
  data: Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const HINT = 'write it with numpy.save(path, array.astype("float32")) (a plain, non-object array)';

/** Readers per dtype kind and size; `<` little, `>` big, `|` not applicable (one byte). */
const READERS: Record<string, { size: number; read: (v: DataView, at: number, little: boolean) => number }> = {
  f4: { size: 4, read: (v, at, le) => v.getFloat32(at, le) },
  f8: { size: 8, read: (v, at, le) => v.getFloat64(at, le) },
  f2: { size: 2, read: (v, at, le) => half(v.getUint16(at, le)) },
  i1: { size: 1, read: (v, at) => v.getInt8(at) },
  u1: { size: 1, read: (v, at) => v.getUint8(at) },
  b1: { size: 1, read: (v, at) => (v.getUint8(at) ? 1 : 0) },
  i2: { size: 2, read: (v, at, le) => v.getInt16(at, le) },
  u2: { size: 2, read: (v, at, le) => v.getUint16(at, le) },
  i4: { size: 4, read: (v, at, le) => v.getInt32(at, le) },
  u4: { size: 4, read: (v, at, le) => v.getUint32(at, le) },
  i8: { size: 8, read: (v, at, le) => Number(v.getBigInt64(at, le)) },
  u8: { size: 8, read: (v, at, le) => Number(v.getBigUint64(at, le)) },
};

/** IEEE half precision to a number (numpy's float16). */
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** The array in `bytes` (a whole .npy file) as float32, C order; `where` names the file in errors, `code` is theirs. */
export function parseNpy(bytes: Uint8Array, where: string, code = 'E_NPY_FORMAT'): Tensor {
  const bad = (msg: string) => badInput(code, msg, where, HINT);
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw bad('not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major < 1 || major > 3) throw bad(`.npy version ${major}.${bytes[7]} is not one we read (1, 2 or 3)`);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (start + headerLen > bytes.length) throw bad(`the header claims ${headerLen} bytes but the file ends first`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([<>|=])([a-z])(\d+)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeText) throw bad(`unreadable header ${JSON.stringify(header.trim().slice(0, 120))}`);
  const reader = READERS[`${descr[2]}${descr[3]}`];
  if (!reader) throw bad(`dtype ${descr[1]}${descr[2]}${descr[3]} is not a number type we read (float16/32/64, integers, bool)`);
  const dims = shapeText[1].split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw bad(`shape (${shapeText[1]}) is not a tuple of sizes`);
  const count = dims.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLen;
  if (dataStart + count * reader.size > bytes.length) {
    throw bad(`shape (${dims.join(', ')}) needs ${count * reader.size} bytes of data, the file holds ${bytes.length - dataStart}`);
  }
  // '=' is the writer's native order; every machine numpy runs on today is little-endian.
  const little = descr[1] !== '>';
  const flat = new Float32Array(count);
  for (let i = 0; i < count; i++) flat[i] = reader.read(view, dataStart + i * reader.size, little);
  return { dims, data: fortran[1] === 'True' ? fromFortran(flat, dims) : flat };
}

/** Column-major values reordered to row-major. */
function fromFortran(src: Float32Array, dims: number[]): Float32Array {
  const out = new Float32Array(src.length);
  const n = dims.length;
  const idx = new Array<number>(n).fill(0);
  for (let f = 0; f < src.length; f++) {
    // f walks the first axis fastest; write at the row-major offset of the same index.
    let c = 0;
    for (let k = 0; k < n; k++) c = c * dims[k] + idx[k];
    out[c] = src[f];
    for (let k = 0; k < n; k++) {
      if (++idx[k] < dims[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** A .npy file of `t` (float32, little-endian, C order): for tests and for users' fixtures. */
export function encodeNpy(t: Tensor): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${t.dims.join(', ')}${t.dims.length === 1 ? ',' : ''}), }`;
  // The data starts on a 64-byte boundary, the header ends with a newline (as numpy writes it).
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = header + ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + t.data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const view = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < t.data.length; i++) view.setFloat32(i * 4, t.data[i], true);
  return out;
}
