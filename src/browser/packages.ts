/**
 * bioimage.io packages chosen in a page: a zip, or the files of an unpacked
 * package folder, as the `PackageSource` that `openBioimageio` and
 * `packageModel` read.
 */
import { ArgumentError } from '../core/errors.js';
import { packagePath, RDF_NAMES, zipPackageSource, type PackageSource } from '../zoo/sources.js';

const isZip = (file: File) => /\.zip$/i.test(file.name);
const isDescription = (path: string) => RDF_NAMES.includes(path as (typeof RDF_NAMES)[number]);

/**
 * Whether chosen files look like a bioimage.io package: a zip, or a description file among them.
 *
 * @example
 * ```ts
 * const files = Array.from(input.files!);
 * const predictor = isPackage(files) ? (await openBioimageio(await packageFiles(files), ort)).predictor : undefined;
 * ```
 */
export function isPackage(files: readonly File[]): boolean {
  return files.some((f) => isZip(f) || isDescription(f.name));
}

/**
 * The files of a bioimage.io package chosen in a page: one `.zip`, or the
 * files of the unpacked folder (`<input type="file" multiple>` or
 * `webkitdirectory`; paths below the chosen folder are kept).
 *
 * @throws {@link ArgumentError} naming the files for a choice of several zips, or of no description file.
 * @example
 * ```ts
 * const pkg = await openBioimageio(await packageFiles(Array.from(input.files!)), ort);
 * const { probabilities } = await predictTiled(pkg.predictor, image);
 * ```
 */
export async function packageFiles(files: readonly File[]): Promise<PackageSource> {
  const zips = files.filter(isZip);
  if (zips.length > 1 || (zips.length === 1 && files.length > 1)) {
    throw new ArgumentError('files', 'must be one bioimage.io zip, or the files of one unpacked package', files.map((f) => f.name).join(', '));
  }
  if (zips.length === 1) return zipPackageSource(new Uint8Array(await zips[0]!.arrayBuffer()), zips[0]!.name);
  // A folder chosen whole names its files `folder/sub/file`: the package's paths are below `folder`.
  const byPath = new Map<string, File>();
  for (const file of files) {
    const path = packagePath(file.webkitRelativePath === '' ? file.name : file.webkitRelativePath.split('/').slice(1).join('/'));
    if (path !== undefined) byPath.set(path, file);
  }
  if (![...byPath.keys()].some(isDescription)) {
    throw new ArgumentError('files', `must include the package's description (${RDF_NAMES.join(' or ')})`, files.map((f) => f.name).join(', '));
  }
  return {
    location: files.find((f) => f.webkitRelativePath)?.webkitRelativePath.split('/')[0] ?? 'the chosen files',
    read: async (path) => {
      const inside = packagePath(path);
      const file = inside === undefined ? undefined : byPath.get(inside);
      return file === undefined ? undefined : new Uint8Array(await file.arrayBuffer());
    },
  };
}
