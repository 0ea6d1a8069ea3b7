// The .npy reader: what numpy writes comes back value for value (C and Fortran order, every number
// dtype, either byte order), and a damaged file is refused with the file named.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { encodeNpy, parseNpy } from '../../../../src/probes/attribution/file-maps/npy.ts';
import { errorOf } from '../../../helpers.ts';
import { FC_SEED } from '../../../seed.ts';

/** A .npy file with a header written by hand (as numpy would) and `data` after it. */
function npy(header: string, data: Uint8Array, version = 1): Uint8Array {
  const lenBytes = version === 1 ? 2 : 4;
  let h = header;
  h += ' '.repeat((64 - ((8 + lenBytes + h.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(8 + lenBytes + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(out.buffer);
  if (version === 1) v.setUint16(8, h.length, true);
  else v.setUint32(8, h.length, true);
  out.set(new TextEncoder().encode(h), 8 + lenBytes);
  out.set(data, 8 + lenBytes + h.length);
  return out;
}

test('property: any float32 array survives encode → parse, dims and values', () => {
  fc.assert(fc.property(
    fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }).chain((dims) =>
      fc.tuple(fc.constant(dims), fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: dims.reduce((a, b) => a * b, 1), maxLength: dims.reduce((a, b) => a * b, 1) }))),
    ([dims, values]) => {
      const t = parseNpy(encodeNpy({ dims, data: Float32Array.from(values) }), 'x.npy');
      assert.equal(t.dims, dims);
      assert.equal(Array.from(t.data), Array.from(Float32Array.from(values)));
    },
  ), { seed: FC_SEED, numRuns: 100 });
});

test('Fortran order is reordered to C order; float64 big-endian, int16 and version 2 headers read', () => {
  // [[0, 1, 2], [3, 4, 5]] stored column-major: 0 3 1 4 2 5.
  const f = new Uint8Array(6 * 4);
  [0, 3, 1, 4, 2, 5].forEach((x, i) => new DataView(f.buffer).setFloat32(i * 4, x, true));
  const t = parseNpy(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f), 'f.npy');
  assert.equal(t.dims, [2, 3]);
  assert.equal(Array.from(t.data), [0, 1, 2, 3, 4, 5]);
  const d = new Uint8Array(16);
  new DataView(d.buffer).setFloat64(0, -1.5, false);
  new DataView(d.buffer).setFloat64(8, 1e-3, false);
  assert.equal(Array.from(parseNpy(npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", d, 2), 'd.npy').data), [-1.5, Math.fround(1e-3)]);
  const s = new Uint8Array([0xff, 0xff, 7, 0]);
  assert.equal(Array.from(parseNpy(npy("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }", s), 's.npy').data), [-1, 7]);
  // float16 1.0 is 0x3c00, −2 is 0xc000.
  assert.equal(Array.from(parseNpy(npy("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", new Uint8Array([0, 0x3c, 0, 0xc0])), 'h.npy').data), [1, -2]);
});

test('damaged files are refused with the file named: magic, truncation, dtype, header', () => {
  const good = encodeNpy({ dims: [2, 2], data: new Float32Array(4) });
  const cases: [Uint8Array, RegExp][] = [
    [new TextEncoder().encode('PK\u0003\u0004 not numpy'), /not a \.npy file/],
    [good.subarray(0, good.length - 3), /needs 16 bytes of data, the file holds 13/],
    [npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), /unreadable header|not a number type/],
    [npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), /dtype <c8 is not a number type/],
    [npy("{'descr': '<f4', 'shape': (1,), }", new Uint8Array(4)), /unreadable header/],
  ];
  for (const [bytes, re] of cases) {
    const e = errorOf(() => parseNpy(bytes, 'maps/x.npy'));
    assert.is(e.code, 'E_MAP_FORMAT');
    assert.is(e.where, 'maps/x.npy');
    assert.match(e.message, re);
  }
});

test.run();
