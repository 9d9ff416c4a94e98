/**
 * NumPy's `.npy` format (version 1-3), in which bioimage.io packages carry
 * their test tensors: a magic string, a Python-literal header with the dtype,
 * order and shape, then the raw little-endian data.
 */
import { ArgumentError } from '../core/errors.js';

/** A dense array read from or written to a `.npy` file (C order). */
export interface NpyArray {
  /** NumPy's dtype string without the byte order, e.g. `f4`, `u2`. */
  readonly dtype: NpyDtype;
  /** The shape, outermost axis first. */
  readonly shape: readonly number[];
  /** The values in C (row-major) order. */
  readonly data: Float32Array | Float64Array | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;
}

/** The dtypes read and written here. */
export type NpyDtype = 'f4' | 'f8' | 'u1' | 'i1' | 'u2' | 'i2' | 'u4' | 'i4' | 'b1';

const TYPES = {
  f4: Float32Array,
  f8: Float64Array,
  u1: Uint8Array,
  i1: Int8Array,
  u2: Uint16Array,
  i2: Int16Array,
  u4: Uint32Array,
  i4: Int32Array,
  b1: Uint8Array,
} as const;

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Reads a `.npy` file's bytes. Only little-endian (or single-byte) numeric
 * dtypes in C order; anything else is refused naming what was found.
 *
 * @param bytes - the file's contents.
 * @param name - what to call the file in errors.
 * @example
 * ```ts
 * const { shape, data } = readNpy(await readFile('test_input.npy')); // [1, 1, 512, 512], Float32Array
 * ```
 */
export function readNpy(bytes: Uint8Array, name = 'npy'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new ArgumentError(name, 'must be a NumPy .npy file (starting with \\x93NUMPY)', `${bytes.length} bytes not starting so`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([<>|=])([a-z]\d+)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (descr === null || fortran === null || shapeText === null) throw new ArgumentError(name, "must have a header with 'descr', 'fortran_order' and 'shape'", header.trim());
  const dtype = descr[2]! as NpyDtype;
  if (!(dtype in TYPES)) throw new ArgumentError(`${name} dtype`, `must be one of ${Object.keys(TYPES).join(', ')}`, descr[1]! + descr[2]!);
  if (descr[1] === '>' && dtype[1] !== '1') throw new ArgumentError(`${name} dtype`, 'must be little-endian', descr[1]! + descr[2]!);
  if (fortran[1] === 'True') throw new ArgumentError(`${name} order`, 'must be C order (fortran_order False)', 'Fortran order');
  const shape = shapeText[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const Type = TYPES[dtype];
  const offset = start + headerLength;
  const expected = count * Type.BYTES_PER_ELEMENT;
  if (bytes.length - offset !== expected) throw new ArgumentError(name, `must hold ${expected} bytes of data for shape (${shape.join(', ')}) of ${dtype}`, `${bytes.length - offset} bytes`);
  // Copy into an aligned buffer (the data's offset in the file need not be a multiple of the element size).
  const data = new Type(bytes.slice(offset, offset + expected).buffer);
  return { dtype, shape, data };
}

/**
 * Writes an array as a version 1.0 `.npy` file (little-endian, C order).
 *
 * @example
 * ```ts
 * const bytes = writeNpy({ dtype: 'f4', shape: [1, 1, 2, 2], data: Float32Array.of(0, 1, 2, 3) });
 * ```
 */
export function writeNpy(array: NpyArray): Uint8Array {
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (array.data.length !== count) throw new ArgumentError('array.data', `must hold ${count} values for shape (${array.shape.join(', ')})`, `${array.data.length} values`);
  const order = array.dtype[1] === '1' ? '|' : '<';
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${order}${array.dtype}', 'fortran_order': False, 'shape': ${shape}, }`;
  // The header (with magic, version and length) is padded with spaces to a multiple of 64 and ends in a newline.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + array.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength), total);
  return out;
}
