/**
 * bioimage.io packages on disk: a folder, a zip, or the path of its
 * description; exporting a trained model as one (a zip or a folder).
 */
import type * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Spec } from '../spec/graph.js';
import { ArgumentError } from '../core/errors.js';
import { openBioimageio, packageModel, type BioimageioModel } from '../zoo/load.js';
import { packagePath, RDF_NAMES, zipPackageSource, type PackageSource } from '../zoo/sources.js';
import { loadModel, type LoadedModel } from '../compile/persist.js';
import { modelDirectory } from './model-files.js';
import { toBioimageio, zipPackage, type BioimageioExportOptions, type BioimageioFiles } from '../zoo/export.js';
import { importOnnxRuntime } from './onnx-files.js';
import { writeFileAtomic } from './atomic.js';

const isZip = (bytes: Uint8Array) => bytes[0] === 0x50 && bytes[1] === 0x4b;

function folderSource(dir: string): PackageSource {
  return {
    location: dir,
    async read(path) {
      const inside = packagePath(path);
      if (inside === undefined) throw new ArgumentError(`${dir}: ${path}`, 'must be a path inside the package (no absolute paths or ..)', path);
      return readFile(join(dir, inside)).then(
        (b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength),
        () => undefined,
      );
    },
  };
}

/**
 * The files of a package at `path`: a folder holding `rdf.yaml` or
 * `bioimageio.yaml`, a zip of one, or the description file itself.
 *
 * @throws {@link ArgumentError} naming the path when nothing is there or it is none of these.
 * @example
 * ```ts
 * const { source, names } = await packageAt('models/unet2d_nuclei_broad.zip');
 * ```
 */
export async function packageAt(path: string): Promise<{ source: PackageSource; names: readonly string[] }> {
  const st = await stat(path).catch(() => undefined);
  if (st === undefined) throw new ArgumentError('model', 'must be a bioimage.io package (a folder, a zip, or its rdf.yaml), and nothing exists at this path', path);
  if (st.isDirectory()) return { source: folderSource(path), names: RDF_NAMES };
  if (/\.ya?ml$/i.test(path)) return { source: folderSource(dirname(path)), names: [basename(path)] };
  const bytes = new Uint8Array(await readFile(path));
  if (!isZip(bytes)) throw new ArgumentError('model', 'must be a bioimage.io package: a folder, a .zip, or its rdf.yaml / bioimageio.yaml', path);
  return { source: zipPackageSource(bytes, path), names: RDF_NAMES };
}

/**
 * Whether `path` looks like a bioimage.io package (a zip, a YAML
 * description, or a folder holding one), so commands can tell it from a
 * model folder or an `.onnx` file.
 *
 * @example
 * ```ts
 * if (await isBioimageioPackage(path)) pkg = await loadBioimageioModel(path);
 * ```
 */
export async function isBioimageioPackage(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  if (st === undefined) return false;
  if (st.isDirectory()) {
    for (const name of RDF_NAMES) if (await stat(join(path, name)).then((s) => s.isFile(), () => false)) return true;
    return false;
  }
  if (/\.ya?ml$/i.test(path)) return true;
  const head = await readFile(path).then((b) => b.subarray(0, 2), () => new Uint8Array(0));
  return isZip(head);
}

/**
 * Opens a bioimage.io model package (folder, zip or `rdf.yaml` /
 * `bioimageio.yaml`) for prediction with `onnxruntime-node`: every file's
 * SHA-256 is checked, the declared processing is applied, and its ONNX weights
 * run through the same overlap-tile code as this library's own models.
 *
 * @param path - the package.
 * @param options - ONNX Runtime intra-op threads (default: all cores).
 * @throws {@link ArgumentError} naming the file or field: a wrong hash, a missing file, no ONNX weights, an unsupported step or axis layout, paths outside the zip.
 * @example
 * ```ts
 * const pkg = await loadBioimageioModel('unet2d_nuclei_broad.zip');
 * const { probabilities, labels } = await predictTiled(pkg.predictor, image);
 * await pkg.predictor.dispose();
 * ```
 */
export async function loadBioimageioModel(path: string, options: { readonly threads?: number } = {}): Promise<BioimageioModel> {
  const { source, names } = await packageAt(path);
  const ort = await importOnnxRuntime('bioimage.io packages');
  const threads = options.threads ?? availableParallelism();
  return openBioimageio(source, ort, { names, session: { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' } });
}

/**
 * Writes a trained model as a bioimage.io package (see `toBioimageio`): a zip
 * when `path` ends in `.zip`, else a folder. Crash-safe: the zip is written
 * to a temporary file and renamed; in a folder the description is written
 * last, so a folder without `rdf.yaml` is not a package.
 *
 * @example
 * ```ts
 * await exportBioimageio(model, spec, { path: 'membranes.zip', name: 'EM membranes U-Net', authors: [{ name: 'Ada' }], sample: image });
 * ```
 */
export async function exportBioimageio(model: tf.LayersModel, spec: Spec | undefined, options: BioimageioExportOptions & { readonly path: string }): Promise<BioimageioFiles> {
  const { path, ...rest } = options;
  if (typeof path !== 'string' || path === '') throw new ArgumentError('path', 'must be a .zip file or a folder path', path);
  const built = await toBioimageio(model, spec, rest);
  if (path.toLowerCase().endsWith('.zip')) {
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, zipPackage(built.files));
  } else {
    await mkdir(path, { recursive: true });
    for (const [name, bytes] of built.files) if (name !== 'rdf.yaml') await writeFileAtomic(join(path, name), bytes);
    await writeFileAtomic(join(path, 'rdf.yaml'), built.files.get('rdf.yaml')!);
  }
  return built;
}

/**
 * A model to start training from (`train --from`): a model folder (or the
 * run folder) written by `tfjs-unet train`, or a bioimage.io package exported
 * by tfjs-unet. Packages from elsewhere are refused with the reason (their
 * ONNX graphs map onto no spec of this library).
 *
 * @example
 * ```ts
 * const { model, spec, info } = await loadStartingModel('membranes.zip');
 * ```
 */
export async function loadStartingModel(path: string): Promise<LoadedModel> {
  if (await isBioimageioPackage(path)) {
    const { source, names } = await packageAt(path);
    return packageModel(source, names);
  }
  return loadModel(modelDirectory(path));
}
