// .npy files: what NumPy writes (hand-built headers), round trips, and refusals naming what was found.
import { describe, expect, it } from 'vitest';
import { readNpy, writeNpy } from '../../src/index.js';

/** A .npy file as NumPy 1.x writes it: magic, version 1.0, header padded to 64 bytes with a newline. */
function numpyBytes(descr: string, shape: string, data: Uint8Array, fortran = 'False'): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
  header = header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, 10 + header.length);
  return out;
}

describe('readNpy / writeNpy', () => {
  it('reads float32 and uint16 arrays as NumPy lays them out', () => {
    const f = readNpy(numpyBytes('<f4', '(2, 3)', new Uint8Array(Float32Array.of(0, 1.5, -2, 3, 4, 5).buffer)));
    expect(f.shape).toEqual([2, 3]);
    expect(Array.from(f.data)).toEqual([0, 1.5, -2, 3, 4, 5]);
    const u = readNpy(numpyBytes('<u2', '(3,)', new Uint8Array(Uint16Array.of(1, 65535, 300).buffer)));
    expect(u.dtype).toBe('u2');
    expect(Array.from(u.data)).toEqual([1, 65535, 300]);
    const b = readNpy(numpyBytes('|u1', '()', Uint8Array.of(7)));
    expect(b.shape).toEqual([]);
    expect(Array.from(b.data)).toEqual([7]);
  });

  it('writes what it reads, with a header padded to 64 bytes', () => {
    const data = Float32Array.from({ length: 24 }, (_, i) => i / 3);
    const bytes = writeNpy({ dtype: 'f4', shape: [1, 2, 3, 4], data });
    expect((bytes.length - 24 * 4) % 64).toBe(0);
    expect(bytes).toEqual(numpyBytes('<f4', '(1, 2, 3, 4)', new Uint8Array(data.buffer)));
    const back = readNpy(bytes);
    expect(back.shape).toEqual([1, 2, 3, 4]);
    expect(back.data).toEqual(data);
    expect(readNpy(writeNpy({ dtype: 'u1', shape: [3], data: Uint8Array.of(1, 2, 3) })).shape).toEqual([3]);
  });

  it('refuses other files, Fortran order, big-endian data and truncated data, naming the file', () => {
    expect(() => readNpy(new TextEncoder().encode('not an npy file'), 'x.npy')).toThrow(/`x.npy` must be a NumPy .npy file/);
    expect(() => readNpy(numpyBytes('<f4', '(2,)', new Uint8Array(8), 'True'), 'x.npy')).toThrow(/must be C order/);
    expect(() => readNpy(numpyBytes('>f4', '(2,)', new Uint8Array(8)), 'x.npy')).toThrow(/must be little-endian/);
    expect(() => readNpy(numpyBytes('<c8', '(2,)', new Uint8Array(16)), 'x.npy')).toThrow(/`x.npy dtype` must be one of/);
    expect(() => readNpy(numpyBytes('<f4', '(3,)', new Uint8Array(8)), 'x.npy')).toThrow(/must hold 12 bytes of data for shape \(3\) of f4.*8 bytes/);
  });
});
