/**
 * Opening a bioimage.io package from wherever its files are (a folder or zip
 * in Node, files picked in a page): read the description, check every hash,
 * and run its ONNX weights as a tile predictor.
 */
import * as tf from '@tensorflow/tfjs';
import { unzipSync } from 'fflate';
import { ArgumentError } from '../core/errors.js';
import { loadModel, type LoadedModel } from '../compile/persist.js';
import type { OwnedTilePredictor } from '../infer/predictor.js';
import type { OrtSessionLike, OrtTensorConstructor } from '../onnx/predictor.js';
import { readNpy } from './npy.js';
import { packageLayout, packagePredictor, runPackage, tfjsUnetConfig, verifyPackage, type PackageCheck, type PackageLayout } from './package.js';
import { parseModelRdf, type ModelRdf } from './rdf.js';
import { RDF_NAMES, type PackageSource } from './sources.js';

/** An ONNX Runtime module (`onnxruntime-node` or `onnxruntime-web`), as far as packages need it. */
export interface OrtRuntime {
  readonly InferenceSession: {
    /** Opens a session of an ONNX model's bytes with session options (threads, execution providers). */
    create(bytes: Uint8Array, options?: Record<string, unknown>): Promise<OrtSessionLike>;
  };
  readonly Tensor: OrtTensorConstructor;
}

/** A package opened for prediction. */
export interface BioimageioModel {
  /** The description. */
  readonly rdf: ModelRdf;
  /** Its tile layout. */
  readonly layout: PackageLayout;
  /** Which files were checked against their hashes, and which the package lacks. */
  readonly check: PackageCheck;
  /** The network as a tile predictor for `predictTiled`; `dispose()` releases the session. */
  readonly predictor: OwnedTilePredictor;
  /** Runs the package on its own test input and compares with its test output: the largest absolute difference (before `predictor.dispose()`). */
  test(): Promise<{ readonly maxAbsDifference: number; readonly shape: readonly number[] }>;
}

/**
 * Reads a package's description from `source`: `rdf.yaml`, else
 * `bioimageio.yaml`, else the one file ending in `.bioimageio.yaml`.
 *
 * @example
 * ```ts
 * const { rdf, name } = await readRdf(source);
 * ```
 */
export async function readRdf(source: PackageSource, names: readonly string[] = RDF_NAMES): Promise<{ rdf: ModelRdf; name: string }> {
  for (const name of names) {
    const bytes = await source.read(name);
    if (bytes !== undefined) return { rdf: parseModelRdf(new TextDecoder().decode(bytes), `${source.location}: ${name}`), name };
  }
  throw new ArgumentError('model', `must be a bioimage.io package holding ${names.join(' or ')}`, source.location);
}

/**
 * Opens a bioimage.io model package (format 0.5) for prediction: parses its
 * description, checks the SHA-256 of every file it has, refuses what cannot
 * run here before anything runs (no ONNX weights, another axis layout, a
 * processing step not applied here), and opens its ONNX weights in the given
 * runtime.
 *
 * @param source - the package's files.
 * @param ort - `onnxruntime-node` or `onnxruntime-web`.
 * @param options - session options for `InferenceSession.create` (threads...).
 * @throws {@link ArgumentError} naming the file or field for each of those.
 * @example
 * ```ts
 * const pkg = await openBioimageio(source, ort);
 * const { probabilities } = await predictTiled(pkg.predictor, image);
 * await pkg.predictor.dispose();
 * ```
 */
export async function openBioimageio(source: PackageSource, ort: OrtRuntime, options: { readonly names?: readonly string[]; readonly session?: Record<string, unknown> } = {}): Promise<BioimageioModel> {
  const { rdf } = await readRdf(source, options.names);
  const onnx = rdf.weights.onnx;
  if (onnx === undefined) {
    throw new ArgumentError(`${source.location}: weights`, 'must include onnx weights (this library runs ONNX; convert others with bioimageio.core)', Object.keys(rdf.weights).join(', '));
  }
  const input = rdf.inputs[0]!;
  const output = rdf.outputs[0]!;
  const testFiles = [input.test_tensor?.source, output.test_tensor?.source].filter((s): s is string => s !== undefined);
  const check = await verifyPackage(rdf, source, [onnx.source]);
  const bytes = (await source.read(onnx.source))!;
  // A test tensor's size is one the authors ran: a safe default tile.
  const testInput = input.test_tensor === undefined || check.absent.includes(input.test_tensor.source) ? undefined : await source.read(input.test_tensor.source);
  const probe = testInput === undefined ? undefined : readNpy(testInput, `${source.location}: ${input.test_tensor!.source}`);
  const layoutProbe = packageLayout(rdf);
  const referenceSize = probe?.shape[layoutProbe.inputAxes.indexOf('x')];
  const layout = referenceSize === undefined ? layoutProbe : packageLayout(rdf, referenceSize);
  // One session serves the tiles and the test (call `test()` before `predictor.dispose()`).
  const session = await ort.InferenceSession.create(bytes, options.session ?? {});
  const predictor = packagePredictor(rdf, session, ort.Tensor, layout);
  return {
    rdf,
    layout,
    check,
    predictor,
    async test() {
      const [inBytes, outBytes] = await Promise.all(testFiles.map((f) => source.read(f)));
      if (testFiles.length < 2 || inBytes === undefined || outBytes === undefined) throw new ArgumentError(`${source.location}: test_tensor`, 'must be in the package for inputs[0] and outputs[0]', testFiles.join(', ') || 'none');
      const x = readNpy(inBytes, testFiles[0]);
      const expected = readNpy(outBytes, testFiles[1]);
      const { data, shape } = await runPackage(rdf, session, ort.Tensor, x);
      if (shape.join() !== expected.shape.join()) throw new ArgumentError(`${source.location}: ${testFiles[1]}`, `must have the output's shape (${shape.join(', ')})`, expected.shape.join(', '));
      let max = 0;
      for (let i = 0; i < data.length; i++) max = Math.max(max, Math.abs(data[i]! - expected.data[i]!));
      return { maxAbsDifference: max, shape };
    },
  };
}

/**
 * The tfjs model inside a package written by this library (its
 * `tensorflow_js` weights, `config['tfjs-unet']` present), to fine-tune or
 * to run on a tfjs backend. Other packages' networks are ONNX graphs that do
 * not map onto a spec: they are refused with the reason.
 *
 * @throws {@link ArgumentError} naming the package for one not written by tfjs-unet, or without its tfjs weights.
 * @example
 * ```ts
 * const { model, spec, info } = await packageModel(source);
 * ```
 */
export async function packageModel(source: PackageSource, names: readonly string[] = RDF_NAMES): Promise<LoadedModel> {
  const { rdf } = await readRdf(source, names);
  const tfjs = rdf.weights.tensorflow_js;
  if (tfjsUnetConfig(rdf) === undefined || tfjs === undefined) {
    throw new ArgumentError(
      'from',
      "must be a model this library can train: a model folder written by `tfjs-unet train`, or a bioimage.io package exported by tfjs-unet (with config['tfjs-unet'] and tensorflow_js weights); this package's network is an ONNX graph that maps onto no spec here, so it can predict (--model) but not be fine-tuned",
      source.location,
    );
  }
  await verifyPackage(rdf, source, [tfjs.source]);
  const entries = unzipSync((await source.read(tfjs.source))!);
  const json = entries['model.json'];
  if (json === undefined) throw new ArgumentError(`${source.location}: ${tfjs.source}`, 'must hold model.json and its weights', Object.keys(entries).join(', '));
  const modelJson = JSON.parse(new TextDecoder().decode(json)) as tf.io.ModelJSON;
  const manifest = modelJson.weightsManifest ?? [];
  const parts = manifest.flatMap((group) => group.paths.map((p) => entries[p]));
  if (parts.some((p) => p === undefined)) throw new ArgumentError(`${source.location}: ${tfjs.source}`, 'must hold every weights file model.json names', manifest.flatMap((g) => g.paths).join(', '));
  const weights = new Uint8Array(parts.reduce((n, p) => n + p!.length, 0));
  parts.reduce((at, p) => (weights.set(p!, at), at + p!.length), 0);
  const handler = tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: manifest.flatMap((g) => g.weights),
    weightData: weights.buffer,
    ...(modelJson.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: modelJson.userDefinedMetadata }),
  });
  return loadModel(handler);
}
