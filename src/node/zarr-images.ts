/**
 * OME-Zarr images (NGFF v0.4 on Zarr v2, v0.5 on Zarr v3) read a band of rows at a time through
 * zarrita, an optional peer: the first multiscale's full-resolution level, axes `y` and `x` with
 * an optional channel axis `c` and singleton `t` and `z`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArgumentError } from '../core/errors.js';
import type { ImageArray, TypedArray } from '../core/image.js';
import type { ImageRows } from '../infer/stream.js';
import { importOptional } from './optional.js';

type Zarrita = typeof import('zarrita');

/** The data types read: they become the typed arrays of an image array. */
const DTYPES = ['uint8', 'uint16', 'int16', 'float32', 'float64'] as const;

/** A folder as a Zarr store (keys are paths below it). */
function folderStore(root: string) {
  return {
    async get(key: `/${string}`): Promise<Uint8Array | undefined> {
      try {
        return new Uint8Array(await readFile(join(root, ...key.split('/').filter((part) => part !== ''))));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
  };
}

/** Whether `path` names an OME-Zarr image (a folder ending in `.zarr`). */
export function isZarrPath(path: string): boolean {
  return /\.zarr\/?$/i.test(path);
}

/**
 * An OME-Zarr image read a band of rows at a time: the first multiscale's first dataset (full
 * resolution), only the chunks a band needs. Axes: `y` and `x`, optionally `c` (channels) and `t`
 * and `z` of size 1; data types uint8, uint16, int16, float32, float64.
 *
 * @throws {@link ArgumentError} naming `argument` for a folder that is not OME-Zarr, unexpected axes or a data type not read.
 * @example
 * ```ts
 * const slide = await zarrRows('slide.ome.zarr');
 * const band = await slide.read(0, 256); // rows 0..255, channels last
 * ```
 */
export async function zarrRows(path: string, options: { readonly argument?: string } = {}): Promise<ImageRows> {
  const argument = options.argument ?? 'path';
  const zarr = await importOptional<Zarrita>('zarrita', 'reading OME-Zarr images', 'npm install zarrita');
  const store = folderStore(path);
  let group: Awaited<ReturnType<typeof zarr.open.v3>>;
  try {
    group = await zarr.open(store, { kind: 'group' });
  } catch (error) {
    throw new ArgumentError(argument, `must be an OME-Zarr image (a Zarr group with multiscales metadata), and this folder does not open as a Zarr group (${(error as Error).message})`, path);
  }
  const attrs = group.attrs as { multiscales?: unknown; ome?: { multiscales?: unknown; version?: string } };
  const multiscales = (attrs.ome?.multiscales ?? attrs.multiscales) as { axes?: unknown; datasets?: { path?: unknown }[] }[] | undefined;
  const first = Array.isArray(multiscales) ? multiscales[0] : undefined;
  const datasetPath = first?.datasets?.[0]?.path;
  if (first === undefined || typeof datasetPath !== 'string') throw new ArgumentError(argument, 'must be an OME-Zarr image: a group whose attributes hold multiscales with at least one dataset', path);
  let array: Awaited<ReturnType<typeof zarr.open.v3>> & { shape: number[]; dtype: string };
  try {
    array = (await zarr.open(group.resolve(datasetPath), { kind: 'array' })) as typeof array;
  } catch (error) {
    throw new ArgumentError(argument, `must hold its full-resolution level at '${datasetPath}', and that array does not open (${(error as Error).message})`, path);
  }
  // Axes by name: v0.4 and v0.5 give objects with a name; older files give plain strings.
  const names = Array.isArray(first.axes) ? first.axes.map((a) => (typeof a === 'string' ? a : (a as { name?: unknown }).name)) : undefined;
  const shape = array.shape;
  if (names === undefined || names.length !== shape.length || !names.every((n) => typeof n === 'string')) {
    throw new ArgumentError(`${argument} axes`, `must name each of the ${shape.length} dimensions of level '${datasetPath}'`, names ?? first.axes);
  }
  const axes = names as string[];
  const unknown = axes.filter((n) => !['t', 'c', 'z', 'y', 'x'].includes(n));
  const y = axes.indexOf('y');
  const x = axes.indexOf('x');
  const c = axes.indexOf('c');
  if (unknown.length > 0 || y < 0 || x < 0 || new Set(axes).size !== axes.length) {
    throw new ArgumentError(`${argument} axes`, 'must be y and x with optional c, t and z (each once)', `${axes.join(', ')} in ${path}`);
  }
  for (const name of ['t', 'z']) {
    const at = axes.indexOf(name);
    if (at >= 0 && shape[at] !== 1) throw new ArgumentError(`${argument} axes`, `must have ${name} of size 1 (one 2-D image; give one ${name === 't' ? 'time point' : 'plane'})`, `${name} of size ${shape[at]} in ${path}`);
  }
  if (!(DTYPES as readonly string[]).includes(array.dtype)) throw new ArgumentError(`${argument} dtype`, `must be one of ${DTYPES.join(', ')}`, `${array.dtype} in ${path}`);
  const height = shape[y]!;
  const width = shape[x]!;
  const channels = c < 0 ? 1 : shape[c]!;
  return {
    width,
    height,
    channels,
    async read(y0, y1): Promise<ImageArray<TypedArray>> {
      const selection = axes.map((name) => (name === 'y' ? zarr.slice(y0, y1) : name === 'x' || name === 'c' ? null : 0));
      let chunk: { data: ArrayLike<number>; shape: number[]; stride: number[] };
      try {
        chunk = (await zarr.get(array as never, selection)) as unknown as typeof chunk;
      } catch (error) {
        throw new ArgumentError(argument, `must be an image whose rows ${y0}..${y1 - 1} decode (${(error as Error).message})`, path);
      }
      // The kept axes in their stored order; the result channels-last.
      const kept: string[] = axes.filter((name) => name === 'y' || name === 'x' || name === 'c');
      const stride = (name: string) => (kept.includes(name) ? chunk.stride[kept.indexOf(name)]! : 0);
      const [sy, sx, sc] = [stride('y'), stride('x'), stride('c')];
      const rows = y1 - y0;
      const out: TypedArray =
        array.dtype === 'uint8' ? new Uint8Array(rows * width * channels) : array.dtype === 'uint16' ? new Uint16Array(rows * width * channels) : array.dtype === 'int16' ? new Int16Array(rows * width * channels) : new Float32Array(rows * width * channels);
      for (let r = 0; r < rows; r++) for (let i = 0; i < width; i++) for (let k = 0; k < channels; k++) out[(r * width + i) * channels + k] = chunk.data[r * sy + i * sx + k * sc]!;
      return { data: out, width, height: rows, channels };
    },
  };
}
