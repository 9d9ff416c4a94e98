/**
 * Where a bioimage.io package's files come from: paths inside a package and
 * the files of a zip, in Node or in a page (no tfjs, no Node built-ins).
 */
import { unzipSync } from 'fflate';
import { ArgumentError } from '../core/errors.js';

/** The names a package's description goes by, in the order they are looked for. */
export const RDF_NAMES = ['rdf.yaml', 'bioimageio.yaml'] as const;

/** A package's files, read on demand: a folder, a zip, or files in a browser. */
export interface PackageSource {
  /** Where the package came from, for messages. */
  readonly location: string;
  /** A file's bytes by its path inside the package, or undefined when it is not there. */
  read(path: string): Promise<Uint8Array | undefined>;
}

/**
 * A path inside a package as it names a file (`a/./b//c` as `a/b/c`), or
 * undefined when it leaves the package: absolute, a drive letter, a
 * backslash, or a `..` above its top.
 *
 * @example
 * ```ts
 * packagePath('weights/./model.onnx'); // 'weights/model.onnx'
 * packagePath('../secret');            // undefined
 * ```
 */
export function packagePath(path: string): string | undefined {
  if (path === '' || path.startsWith('/') || /^[a-zA-Z]:/.test(path) || path.includes('\\')) return undefined;
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) return undefined;
  }
  return parts.length === 0 ? undefined : parts.join('/');
}

/**
 * A package's files from the bytes of its zip (the description at the top, or
 * one folder down in a zip of a folder), in Node or in a page.
 *
 * @throws {@link ArgumentError} naming `location` for bytes that are not a zip, or an entry whose path leaves the package.
 * @example
 * ```ts
 * const pkg = await openBioimageio(zipPackageSource(bytes, 'nuclei.zip'), ort);
 * ```
 */
export function zipPackageSource(bytes: Uint8Array, location: string): PackageSource {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (error) {
    throw new ArgumentError('model', 'must be a readable zip (a bioimage.io package)', `${location} (${(error as Error).message})`);
  }
  const names = Object.keys(entries).filter((n) => !n.endsWith('/'));
  const outside = names.find((n) => packagePath(n) === undefined);
  if (outside !== undefined) throw new ArgumentError(`${location}: ${outside}`, 'must be a path inside the package (no absolute paths or ..)', outside);
  // A zip of a folder: the description sits one folder down.
  const top = names.some((n) => RDF_NAMES.includes(n as (typeof RDF_NAMES)[number])) ? '' : (names.find((n) => RDF_NAMES.some((r) => n.endsWith(`/${r}`)) && n.split('/').length === 2)?.split('/')[0] ?? '');
  const files = new Map(names.map((n) => [packagePath(n)!, entries[n]!]));
  const prefix = top === '' ? '' : `${top}/`;
  return {
    location,
    read: async (path) => {
      const inside = packagePath(path);
      return inside === undefined ? undefined : files.get(prefix + inside);
    },
  };
}
