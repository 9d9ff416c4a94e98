/**
 * A trained model as a bioimage.io package (format 0.5): the description
 * whose axes, processing and weights let Fiji/deepImageJ, napari, ilastik and
 * bioimage.io's own tools run it as `predict` does here.
 */
import * as tf from '@tensorflow/tfjs';
import { strToU8, zipSync } from 'fflate';
import { stringify as toYaml } from 'yaml';
import type { Spec } from '../spec/graph.js';
import { ArgumentError } from '../core/errors.js';
import { cropImage, checkImageArray, type ImageArray, type TypedArray } from '../core/image.js';
import { boundaryIndex } from '../core/boundary.js';
import { normalizeImage, valueScale, type Normalization } from '../core/normalization.js';
import { specToJSON } from '../spec/json.js';
import { alignment, defaultInputSize, margin, outputSize, validInputSizes } from '../geometry/tiles.js';
import { modelInfoOf, specOf } from '../compile/metadata.js';
import { modelPredictor } from '../infer/predictor.js';
import { toOnnx, cropAmounts } from '../onnx/export.js';
import { OPSET } from '../onnx/proto.js';
import { decideClasses } from '../metrics/report.js';
import { overlay } from '../regions/overlay.js';
import { writeNpy } from './npy.js';
import { encodePng } from './png.js';
import { sha256 } from './package.js';
import type { ProcessingStep } from './rdf.js';

/** The format version packages are written in (the latest the shared schema knows). */
export const BIOIMAGEIO_FORMAT = '0.5.7';

/** A person credited in the package. */
export interface BioimageioAuthor {
  readonly name: string;
  readonly affiliation?: string;
  readonly github_user?: string;
  readonly orcid?: string;
}

/** Options of {@link toBioimageio}. */
export interface BioimageioExportOptions {
  /** The model's name (5 to 128 characters), e.g. "EM membranes U-Net (tfjs-unet)". */
  readonly name: string;
  /** One or two sentences: what it segments, in which images. */
  readonly description?: string;
  /** Who trained it (at least one). */
  readonly authors: readonly BioimageioAuthor[];
  /** An image like those it was trained on: the test input (a valid tile from its centre, mirrored beyond its edges when it is smaller) and the cover. */
  readonly sample: ImageArray<TypedArray>;
  /** SPDX licence of the weights. Default `MIT`. */
  readonly license?: string;
  /** Tags for the zoo's search. Default: `unet`, `segmentation`, `tfjs-unet`. */
  readonly tags?: readonly string[];
  /** Extra README text (Markdown) after the generated part. */
  readonly readme?: string;
  /** The ISO 8601 time the package is stamped with. Default: now. */
  readonly timestamp?: string;
  /** The tile size of the test tensors (valid for the spec). Default: the largest valid size up to 512 that fits in the sample. */
  readonly testSize?: number;
}

/** What {@link toBioimageio} returns. */
export interface BioimageioFiles {
  /** The package's files by name, `rdf.yaml` included. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** The description as written. */
  readonly rdf: Readonly<Record<string, unknown>>;
}

const CITATIONS = [
  { text: 'Ronneberger, O., Fischer, P., Brox, T. U-Net: Convolutional Networks for Biomedical Image Segmentation. MICCAI 2015.', doi: '10.1007/978-3-319-24574-4_28' },
  { text: 'tfjs-unet: the U-Net of Ronneberger et al. for TensorFlow.js.', url: 'https://www.npmjs.com/package/tfjs-unet' },
];

/**
 * The declared preprocessing that gives the network what `predict` gives it:
 * raw values divided by the type's scale, then the model's normalisation.
 *
 * @param normalization - the model's (`ModelInfo.normalization`).
 * @param scale - what raw values are divided by (255 for 8-bit images, 65535 for 16-bit, 1 for floats).
 * @param channels - input channels.
 * @example
 * ```ts
 * preprocessingFor({ kind: 'zscore' }, 255, 1);
 * // ensure_dtype float32, scale_linear 1/255, zero_mean_unit_variance over y and x, ensure_dtype float32
 * ```
 */
export function preprocessingFor(normalization: Normalization, scale: number, channels: number): ProcessingStep[] {
  const steps: ProcessingStep[] = [{ id: 'ensure_dtype', kwargs: { dtype: 'float32' } }];
  if (normalization.kind === 'percentiles') {
    // clamp(v / s, lo, hi) mapped to 0..1 is the linear map of v / s to 0..1 followed by a clip to [0, 1].
    const gain = normalization.low.map((lo, c) => 1 / (scale * (normalization.high[c]! - lo)));
    const offset = normalization.low.map((lo, c) => -lo / (normalization.high[c]! - lo));
    steps.push({ id: 'scale_linear', kwargs: channels === 1 ? { gain: gain[0]!, offset: offset[0]! } : { axis: 'channel', gain, offset } });
    steps.push({ id: 'clip', kwargs: { min: 0, max: 1 } });
  } else {
    if (scale !== 1) steps.push({ id: 'scale_linear', kwargs: { gain: 1 / scale, offset: 0 } });
    // Per image and channel, as the library's z-score (its floor on the deviation, 1e-8, is below any real image's).
    if (normalization.kind === 'zscore') steps.push({ id: 'zero_mean_unit_variance', kwargs: { axes: ['y', 'x'], eps: 1e-8 } });
  }
  steps.push({ id: 'ensure_dtype', kwargs: { dtype: 'float32' } });
  return steps;
}

/** Valid input sizes as `min + n * step` when every such size is valid, else undefined. */
function sizeRule(spec: Spec): { min: number; step: number } | undefined {
  const P = alignment(spec);
  const sizes = validInputSizes(spec, { min: 1, max: 4096 }).filter((s) => outputSize(spec, s) >= 1);
  if (sizes.length < 3) return undefined;
  const min = sizes[0]!;
  const step = sizes[1]! - min;
  const regular = sizes.every((s, i) => s === min + i * step) && step % P === 0 && step > 0;
  // The exported graph's crops must not depend on the size for the size to be free.
  const crops = cropAmounts(spec, min);
  const constant = [...cropAmounts(spec, sizes[2]!)].every(([k, v]) => crops.get(k) === v);
  return regular && constant ? { min, step } : undefined;
}

/** A `size` x `size` window of `image` at (x0, y0), mirrored where it reaches past the image. */
function mirroredWindow(image: ImageArray<TypedArray>, x0: number, y0: number, size: number): ImageArray<TypedArray> {
  const C = image.channels ?? 1;
  const data = new (image.data.constructor as new (n: number) => TypedArray)(size * size * C);
  for (let y = 0; y < size; y++) {
    const sy = boundaryIndex(y0 + y, image.height, 'mirror');
    for (let x = 0; x < size; x++) {
      const sx = boundaryIndex(x0 + x, image.width, 'mirror');
      for (let c = 0; c < C; c++) data[(y * size + x) * C + c] = image.data[(sy * image.width + sx) * C + c]!;
    }
  }
  return { data, width: size, height: size, channels: C };
}

async function tfjsZip(model: tf.LayersModel): Promise<Uint8Array> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => ((saved = artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  const a = saved!;
  const weights = a.weightData instanceof ArrayBuffer ? new Uint8Array(a.weightData) : new Uint8Array(await new Blob(a.weightData as ArrayBuffer[]).arrayBuffer());
  const json = {
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs ?? [] }],
    ...(a.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: a.userDefinedMetadata }),
  };
  return zipSync({ 'model.json': strToU8(JSON.stringify(json)), 'weights.bin': weights }, { level: 6, mtime: new Date('2000-01-01T00:00:00Z') });
}

/**
 * Builds a bioimage.io model package (format 0.5) from a trained model: ONNX
 * weights (primary, NCHW), the tfjs model (`tensorflow_js`, its child), test
 * tensors computed by the tfjs model on a tile of `sample`, a cover (the
 * prediction's contour over the tile), a README, the citations, and the
 * SHA-256 of every file. The axes say what the geometry is: input sizes
 * `min + n * step` (the valid tile sizes), the output sized by reference to
 * the input minus the margin on both sides. The preprocessing is the model's
 * own normalisation; the output is the softmax probabilities; the calibrated
 * threshold, object settings and spec travel in `config['tfjs-unet']`.
 *
 * @param model - a trained model with its spec in its metadata (`loadModel`).
 * @param spec - its spec. Default: the one in its metadata.
 * @param options - name, authors, a sample image, licence, tags.
 * @returns the files by name; zip them (or use `exportBioimageio` from `tfjs-unet/node`).
 * @throws {@link ArgumentError} for a model trained at a scale below 1, a sample under 2x2 pixels or of another channel count, or missing name/authors.
 * @example
 * ```ts
 * const { files } = await toBioimageio(model, undefined, { name: 'EM membranes U-Net', authors: [{ name: 'Ada' }], sample: image });
 * ```
 */
export async function toBioimageio(model: tf.LayersModel, spec: Spec | undefined = specOf(model), options: BioimageioExportOptions): Promise<BioimageioFiles> {
  if (spec === undefined) throw new ArgumentError('spec', 'is required for a model that carries no spec in its metadata', undefined);
  if (typeof options.name !== 'string' || options.name.trim().length < 5 || options.name.length > 128) throw new ArgumentError('name', 'must be 5 to 128 characters', options.name);
  if (!Array.isArray(options.authors) || options.authors.length === 0 || !options.authors.every((a) => typeof a?.name === 'string' && a.name !== '')) {
    throw new ArgumentError('authors', 'must name at least one author ({ name })', options.authors);
  }
  const info = modelInfoOf(model);
  if ((info.scale ?? 1) !== 1) throw new ArgumentError('model', 'must work at scale 1 (bioimage.io axes cannot say that images are shrunk before the network)', `scale ${info.scale}`);
  const sample = options.sample;
  const channels = checkImageArray('sample', sample);
  const inputNode = spec.nodes[0]!;
  const C = inputNode.kind === 'input' ? inputNode.channels : 1;
  if (channels !== C) throw new ArgumentError('sample', `must have ${C} channel(s) like the model's input`, `${channels} channel(s)`);
  const m = margin(spec);
  const rule = sizeRule(spec);
  // Sizes that are no progression (crops that depend on the size): one fixed tile, the model's own or the spec's default.
  const fixed = rule === undefined ? (model.inputs[0]!.shape[1] ?? defaultInputSize(spec)) : undefined;
  if (sample.width < 2 || sample.height < 2) throw new ArgumentError('sample', 'must be at least 2x2 pixels (a smaller one is mirrored up to a tile)', `${sample.width}x${sample.height}`);
  const fits = Math.min(sample.width, sample.height, 512);
  const candidates = rule !== undefined ? validInputSizes(spec, { min: 1, max: Math.max(fits, rule.min) }).filter((s) => (s - rule.min) % rule.step === 0) : fixed !== undefined ? [fixed] : [];
  const T = options.testSize ?? candidates[candidates.length - 1];
  if (T === undefined || !candidates.includes(T)) {
    throw new ArgumentError('testSize', `must be a valid tile size of the model (${rule === undefined ? fixed : `${rule.min} + n * ${rule.step}`})`, options.testSize);
  }
  const O = outputSize(spec, T);
  const K = model.outputs[0]!.shape[3]!;

  // The test tile from the sample's centre (mirrored beyond a sample smaller than the tile, as predict extends images), and the tfjs model's output for it.
  const tile = mirroredWindow(sample, Math.floor((sample.width - T) / 2), Math.floor((sample.height - T) / 2), T);
  const normalization = info.normalization ?? { kind: 'scale' as const };
  const networkInput = normalizeImage(tile, normalization);
  const runner = modelPredictor(model, spec);
  const out = await runner.predict(networkInput.data, 1, T).finally(() => runner.dispose());
  const toChannelsFirst = (data: ArrayLike<number>, size: number, k: number) => Float32Array.from({ length: size * size * k }, (_, i) => data[(i % (size * size)) * k + Math.floor(i / (size * size))]!);
  const testInput = writeNpy({ dtype: 'f4', shape: [1, C, T, T], data: toChannelsFirst(tile.data, T, C) });
  const testOutput = writeNpy({ dtype: 'f4', shape: [1, K, O, O], data: toChannelsFirst(out, O, K) });

  // The cover: the prediction's contour over the part of the tile it covers.
  const window = cropImage(tile as ImageArray<Float32Array>, m, m, O, O);
  const { predicted } = decideClasses(out, K, info.threshold ?? 0.5);
  const cover = encodePng(overlay(window, predicted));

  const onnx = toOnnx(model, spec, { layout: 'NCHW', ...(rule === undefined && fixed !== undefined ? { inputSize: fixed } : {}) });
  const tfjs = await tfjsZip(model);
  const channelNames = (n: number, prefix: string) => Array.from({ length: n }, (_, c) => `${prefix}${c}`);
  const classNames = K === 2 ? ['background', 'foreground'] : channelNames(K, 'class');
  const size = rule ?? T;
  const readme = [
    `# ${options.name}`,
    '',
    options.description ?? 'A U-Net trained with tfjs-unet.',
    '',
    `Input: ${C} channel(s), square tiles of ${rule === undefined ? `${T}` : `${rule.min} + n * ${rule.step}`} px; output: ${K} class probabilities (softmax)${m > 0 ? `, ${2 * m} px smaller than the input (valid convolutions: the output covers the input's centre)` : ''}.`,
    `Preprocessing: the intensity normalisation the model was trained with (${normalization.kind}).`,
    info.threshold === undefined ? '' : `Masks: foreground where its probability exceeds ${info.threshold} (the threshold calibrated on held-out images; config.tfjs-unet.threshold).`,
    '',
    'Made with `tfjs-unet export --format bioimageio`; `tfjs-unet predict --model` runs this package as it is.',
    options.readme === undefined ? '' : `\n${options.readme}`,
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');

  const files = new Map<string, Uint8Array>([
    ['weights.onnx', onnx],
    ['tfjs-model.zip', tfjs],
    ['test_input.npy', testInput],
    ['test_output.npy', testOutput],
    ['cover.png', cover],
    ['README.md', strToU8(`${readme}\n`)],
  ]);
  const hash = async (name: string) => sha256(files.get(name)!);
  const rdf: Record<string, unknown> = {
    format_version: BIOIMAGEIO_FORMAT,
    type: 'model',
    name: options.name,
    description: options.description ?? 'A U-Net trained with tfjs-unet.',
    authors: options.authors.map((a) => ({ ...a })),
    cite: CITATIONS,
    license: options.license ?? 'MIT',
    tags: [...(options.tags ?? ['unet', 'segmentation', 'tfjs-unet'])],
    covers: ['cover.png'],
    documentation: 'README.md',
    timestamp: options.timestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    inputs: [
      {
        id: 'input',
        description: `${C}-channel image, raw values${valueScale(sample.data) === 1 ? '' : ` (${valueScale(sample.data) === 255 ? '8' : '16'}-bit)`}`,
        axes: [
          { type: 'batch' },
          { type: 'channel', channel_names: channelNames(C, 'channel') },
          { type: 'space', id: 'y', size: typeof size === 'number' ? size : { min: size.min, step: size.step } },
          { type: 'space', id: 'x', size: typeof size === 'number' ? size : { min: size.min, step: size.step } },
        ],
        test_tensor: { source: 'test_input.npy', sha256: await hash('test_input.npy') },
        preprocessing: preprocessingFor(normalization, valueScale(sample.data), C),
      },
    ],
    outputs: [
      {
        id: 'probabilities',
        description: `class probabilities (softmax over ${K} classes)`,
        axes: [
          { type: 'batch' },
          { type: 'channel', channel_names: classNames },
          { type: 'space', id: 'y', size: { tensor_id: 'input', axis_id: 'y', offset: -2 * m } },
          { type: 'space', id: 'x', size: { tensor_id: 'input', axis_id: 'x', offset: -2 * m } },
        ],
        test_tensor: { source: 'test_output.npy', sha256: await hash('test_output.npy') },
        data: { type: 'float32', range: [0, 1] },
      },
    ],
    weights: {
      onnx: { source: 'weights.onnx', sha256: await hash('weights.onnx'), opset_version: OPSET },
      tensorflow_js: { source: 'tfjs-model.zip', sha256: await hash('tfjs-model.zip'), parent: 'onnx', tensorflow_version: tf.version.tfjs, comment: 'TensorFlow.js layers model (model.json and weights.bin) as tfjs-unet saves it; the version is TensorFlow.js.' },
    },
    // Covers and documentation are plain names in the spec: as attachments they get their hashes too.
    attachments: [
      { source: 'cover.png', sha256: await hash('cover.png') },
      { source: 'README.md', sha256: await hash('README.md') },
    ],
    config: {
      'tfjs-unet': {
        spec: JSON.parse(specToJSON(spec)) as unknown,
        ...(info.threshold === undefined ? {} : { threshold: info.threshold }),
        ...(info.instances === undefined ? {} : { instances: info.instances }),
        ...(info.tta === undefined ? {} : { tta: info.tta }),
        normalization,
      },
    },
  };
  const text = `# bioimage.io model description written by tfjs-unet\n${toYaml(rdf, { lineWidth: 0 })}`;
  files.set('rdf.yaml', strToU8(text));
  return { files, rdf };
}

/**
 * The files as one zip (the form the zoo uploads and `predict --model` reads).
 *
 * @example
 * ```ts
 * const zip = zipPackage((await toBioimageio(model, spec, options)).files);
 * ```
 */
export function zipPackage(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  // A fixed time stamp: the same package zips to the same bytes.
  return zipSync(Object.fromEntries(files), { level: 6, mtime: new Date('2000-01-01T00:00:00Z') });
}
