/**
 * The part of a bioimage.io model description (`rdf.yaml` /
 * `bioimageio.yaml`, format 0.5, or 0.4 read as 0.5) that running a 2D model needs: its input and
 * output axes, its declared processing, its weights and the files they name.
 * Everything else in the description is kept as read (`raw`).
 */
import { parse as parseYaml } from 'yaml';
import { ArgumentError } from '../core/errors.js';
import { fromFormat04 } from './format04.js';

/** One axis of a tensor as a package declares it. */
export interface RdfAxis {
  /** `batch`, `channel`, `space`, `time` or `index`. */
  readonly type: string;
  /** The axis id (defaults: `batch`, `channel`, `x` for space axes, as the spec says). */
  readonly id: string;
  /** A fixed size, `{ min, step }`, or a reference `{ tensor_id, axis_id, offset }`; absent for a free batch. */
  readonly size?: number | { readonly min: number; readonly step: number } | { readonly tensor_id: string; readonly axis_id: string; readonly offset?: number };
  /** Channel names (channel axes): their number is the channel count. */
  readonly channel_names?: readonly string[];
  /** Output pixels per side to crop (space axes of outputs). */
  readonly halo?: number;
  /** Physical scale of a pixel (space axes; default 1). */
  readonly scale?: number;
}

/** A declared pre- or postprocessing step: `id` and its `kwargs`. */
export interface ProcessingStep {
  readonly id: string;
  readonly kwargs?: Readonly<Record<string, unknown>>;
}

/** A file the package names, with its hash. */
export interface RdfFile {
  readonly source: string;
  readonly sha256?: string;
}

/** An input or output tensor of the model. */
export interface RdfTensor {
  readonly id: string;
  readonly axes: readonly RdfAxis[];
  readonly test_tensor?: RdfFile;
  readonly sample_tensor?: RdfFile;
  /** Input tensors: what is applied before the network. */
  readonly preprocessing?: readonly ProcessingStep[];
  /** Output tensors: what is applied after it. */
  readonly postprocessing?: readonly ProcessingStep[];
}

/** One weights entry (`weights.onnx`, `weights.tensorflow_js`, ...). */
export interface RdfWeights extends RdfFile {
  readonly parent?: string;
  readonly opset_version?: number;
}

/** A parsed model description. */
export interface ModelRdf {
  readonly name: string;
  readonly format_version: string;
  readonly inputs: readonly RdfTensor[];
  readonly outputs: readonly RdfTensor[];
  readonly weights: Readonly<Record<string, RdfWeights>>;
  /** The whole description as read (a format 0.4 one with its tensors and attachments in the shape of 0.5). */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** Weight formats of the spec; this library runs `onnx`. */
export const WEIGHT_FORMATS = ['onnx', 'torchscript', 'pytorch_state_dict', 'tensorflow_saved_model_bundle', 'keras_hdf5', 'tensorflow_js'] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function axisOf(value: unknown, where: string): RdfAxis {
  if (!isObject(value) || typeof value.type !== 'string') throw new ArgumentError(where, "must be an axis with a 'type' (batch, channel, space, ...)", value);
  const type = value.type;
  const id = typeof value.id === 'string' ? value.id : type === 'space' ? 'x' : type;
  return { ...(value as object), type, id } as RdfAxis;
}

function tensorOf(value: unknown, where: string, file: string): RdfTensor {
  if (!isObject(value) || !Array.isArray(value.axes)) {
    const found = isObject(value) && typeof value.axes === 'string' ? `axes as a string ('${value.axes}'): a format 0.4 description` : value;
    throw new ArgumentError(`${file}: ${where}.axes`, 'must be a list of axis objects (format 0.5)', found);
  }
  const axes = value.axes.map((a, i) => axisOf(a, `${file}: ${where}.axes[${i}]`));
  return { ...(value as object), id: typeof value.id === 'string' ? value.id : where, axes } as RdfTensor;
}

/**
 * Parses a model description (YAML) of format 0.5.x, or 0.4.x (read as its
 * 0.5 equivalent), and checks the fields running it needs; names the file and
 * the field when one is wrong.
 *
 * @param text - the `rdf.yaml` / `bioimageio.yaml` text.
 * @param file - its name, for errors.
 * @throws {@link ArgumentError} for text that is not YAML, not a model, of a format other than 0.4 or 0.5, or lacking inputs, outputs or weights.
 * @example
 * ```ts
 * const rdf = parseModelRdf(await readFile('bioimageio.yaml', 'utf8'));
 * rdf.inputs[0].axes.map((a) => a.id); // ['batch', 'channel', 'y', 'x']
 * ```
 */
export function parseModelRdf(text: string, file = 'rdf.yaml'): ModelRdf {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ArgumentError(file, 'must be a YAML model description', `unparsable YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (!isObject(parsed)) throw new ArgumentError(file, 'must be a YAML mapping (a bioimage.io model description)', parsed);
  if (parsed.type !== 'model') throw new ArgumentError(`${file}: type`, "must be 'model'", parsed.type);
  const version = String(parsed.format_version ?? '');
  if (!/^0\.[45]\.\d+$/.test(version)) {
    throw new ArgumentError(`${file}: format_version`, 'must be 0.4.x or 0.5.x (older descriptions: update them with bioimageio.spec, `bioimageio update-format`)', parsed.format_version);
  }
  const raw = version.startsWith('0.4.') ? fromFormat04(parsed, file) : parsed;
  for (const key of ['inputs', 'outputs'] as const) {
    if (!Array.isArray(raw[key]) || raw[key].length === 0) throw new ArgumentError(`${file}: ${key}`, 'must be a non-empty list of tensors', raw[key]);
  }
  if (!isObject(raw.weights) || Object.keys(raw.weights).length === 0) throw new ArgumentError(`${file}: weights`, 'must name at least one weights format', raw.weights);
  const weights: Record<string, RdfWeights> = {};
  for (const [format, entry] of Object.entries(raw.weights)) {
    if (entry === null || entry === undefined) continue;
    if (!isObject(entry) || typeof entry.source !== 'string') throw new ArgumentError(`${file}: weights.${format}.source`, 'must be a file name or URL', isObject(entry) ? entry.source : entry);
    weights[format] = entry as unknown as RdfWeights;
  }
  return {
    name: typeof raw.name === 'string' ? raw.name : 'unnamed model',
    format_version: version,
    inputs: (raw.inputs as unknown[]).map((t, i) => tensorOf(t, `inputs[${i}]`, file)),
    outputs: (raw.outputs as unknown[]).map((t, i) => tensorOf(t, `outputs[${i}]`, file)),
    weights,
    raw,
  };
}

/**
 * Every local file a description names (weights, test and sample tensors,
 * covers, documentation, attachments), with its declared hash when it has
 * one. URLs are left out: this library never fetches.
 *
 * @example
 * ```ts
 * for (const f of rdfFiles(rdf)) console.log(f.source, f.sha256);
 * ```
 */
export function rdfFiles(rdf: ModelRdf): RdfFile[] {
  const files: RdfFile[] = [];
  const add = (f: unknown) => {
    if (typeof f === 'string') files.push({ source: f });
    else if (isObject(f) && typeof f.source === 'string') {
      const hash = f.sha256;
      if (hash !== undefined && hash !== null && !(typeof hash === 'string' && /^[0-9a-fA-F]{64}$/.test(hash))) {
        throw new ArgumentError(`sha256 of ${f.source}`, 'must be 64 hexadecimal digits', hash);
      }
      files.push({ source: f.source, ...(typeof hash === 'string' ? { sha256: hash } : {}) });
    }
  };
  for (const t of [...rdf.inputs, ...rdf.outputs]) {
    add(t.test_tensor);
    add(t.sample_tensor);
  }
  for (const w of Object.values(rdf.weights)) {
    add(w);
    const extra = w as unknown as Record<string, unknown>;
    add(extra.external_data);
    if (isObject(extra.architecture)) add(extra.architecture);
  }
  const raw = rdf.raw;
  if (Array.isArray(raw.covers)) raw.covers.forEach(add);
  add(raw.documentation);
  if (Array.isArray(raw.attachments)) raw.attachments.forEach(add);
  return files.filter((f) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(f.source));
}
