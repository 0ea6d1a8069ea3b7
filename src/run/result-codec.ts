// Probe outputs as JSON that reads back exactly: NaN, ±Infinity and −0 (a measurement may be any
// of them) and typed arrays (images, maps) are tagged; anything else that is not plain data is
// refused, so the result cache never stores a value it would hand back changed.

const TAG = '\u0000ng';

type Tagged = { [TAG]: 'num'; v: 'NaN' | 'Infinity' | '-Infinity' | '-0' } | { [TAG]: 'typed'; type: TypedName; b64: string };

const TYPED = {
  Float32Array, Float64Array, Int8Array, Int16Array, Int32Array, Uint8Array, Uint8ClampedArray, Uint16Array, Uint32Array,
} as const;
type TypedName = keyof typeof TYPED;

export class Unencodable extends Error {}

/** A JSON-able copy of `v`; throws Unencodable on a value it cannot give back exactly. */
export function encodeValue(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { [TAG]: 'num', v: 'NaN' };
    if (v === Infinity) return { [TAG]: 'num', v: 'Infinity' };
    if (v === -Infinity) return { [TAG]: 'num', v: '-Infinity' };
    if (Object.is(v, -0)) return { [TAG]: 'num', v: '-0' };
    return v;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    // A for loop, not map: map skips holes, which JSON would then write as null.
    for (let i = 0; i < v.length; i++) {
      if (!(i in v) || v[i] === undefined) throw new Unencodable('a list with a hole');
      out.push(encodeValue(v[i]));
    }
    return out;
  }
  if (ArrayBuffer.isView(v)) {
    const view: ArrayBufferView = v;
    const b64 = Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
    const name = view.constructor.name as TypedName;
    if (TYPED[name] !== view.constructor) throw new Unencodable(`a ${view.constructor.name}`);
    return { [TAG]: 'typed', type: name, b64 };
  }
  const proto = typeof v === 'object' ? Object.getPrototypeOf(v) : undefined;
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as object)) {
      if (k === TAG) throw new Unencodable('an object with the reserved tag key');
      // JSON drops undefined properties; so do the reports built from these values.
      if (x !== undefined) setOwn(out, k, encodeValue(x));
    }
    return out;
  }
  throw new Unencodable(`a value of type ${typeof v === 'object' ? (v as object).constructor?.name ?? 'object' : typeof v}`);
}

/** The value `encodeValue` was given, from its parsed JSON; throws on a tag it does not know. */
export function decodeValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(decodeValue);
  const o = v as Record<string, unknown>;
  if (TAG in o) return untag(o as Tagged);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) setOwn(out, k, decodeValue(x));
  return out;
}

/** `o[k] = v`, also for k = `__proto__` (a key like any other in parsed JSON). */
function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function untag(t: Tagged): unknown {
  if (t[TAG] === 'num') {
    const n = { NaN, Infinity, '-Infinity': -Infinity, '-0': -0 }[t.v];
    if (n === undefined) throw new Error(`unknown number tag ${String(t.v)}`);
    return n;
  }
  if (t[TAG] === 'typed') {
    const Ctor = TYPED[t.type];
    if (!Ctor || typeof t.b64 !== 'string') throw new Error(`unknown typed array ${String(t.type)}`);
    const bytes = Buffer.from(t.b64, 'base64');
    if (bytes.length % Ctor.BYTES_PER_ELEMENT !== 0) throw new Error(`a ${t.type} of ${bytes.length} bytes`);
    // Copied into its own buffer: Buffer.from may share a pool with a misaligned offset.
    const buf = new ArrayBuffer(bytes.length);
    new Uint8Array(buf).set(bytes);
    return new Ctor(buf);
  }
  throw new Error(`unknown tag ${String((t as Record<string, unknown>)[TAG])}`);
}
