/**
 * Ready-made models: bioimage.io packages trained by tfjs-unet on public
 * data, shipped in the optional npm package `tfjs-unet-models` (never
 * downloaded at run time), and named where a model path is asked for
 * (`predict --model em-membranes`).
 */
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ArgumentError } from '../core/errors.js';

/** The npm package that holds the ready-made models. */
export const READY_MADE_PACKAGE = 'tfjs-unet-models';

/** One ready-made model, as the package's `index.json` lists it. */
export interface ReadyMadeModel {
  /** What `--model` takes: lower-case letters, digits and dashes. */
  readonly name: string;
  /** The package file inside the models package (a bioimage.io zip). */
  readonly file: string;
  /** One sentence: what it segments. */
  readonly description: string;
  /** The data it was trained on and its terms. */
  readonly data: string;
  /** SPDX licence of the weights. */
  readonly license: string;
  /** The command that trained it. */
  readonly command: string;
  /** Scores on held-out images of its data (metric name to value). */
  readonly scores: Readonly<Record<string, number>>;
}

/** The folder of the installed models package, or null when it is not installed. */
function installedRoot(): string | null {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${READY_MADE_PACKAGE}/package.json`));
  } catch {
    return null;
  }
}

/**
 * The ready-made models in the models package at `root` (default: the
 * installed `tfjs-unet-models`; null: none).
 *
 * @returns the package folder and its models; undefined when the package is not installed.
 * @throws {@link ArgumentError} when the package's `index.json` is unreadable.
 * @example
 * ```ts
 * const found = await readyMadeModels();
 * for (const m of found?.models ?? []) console.log(m.name, m.description);
 * ```
 */
export async function readyMadeModels(root: string | null = installedRoot()): Promise<{ readonly root: string; readonly models: readonly ReadyMadeModel[] } | undefined> {
  if (root === null) return undefined;
  const path = join(root, 'index.json');
  let models: unknown;
  try {
    models = (JSON.parse(await readFile(path, 'utf8')) as { models?: unknown }).models;
  } catch (error) {
    throw new ArgumentError(path, 'must be the JSON list of ready-made models', (error as Error).message);
  }
  if (!Array.isArray(models)) throw new ArgumentError(path, 'must hold { "models": [...] }', typeof models);
  return { root, models: models as ReadyMadeModel[] };
}

/** What a ready-made model name looks like (and a path that exists never is one). */
const NAME = /^[a-z][a-z0-9-]*$/;

/**
 * The path a `--model` or `--from` value stands for: the value itself when
 * something exists there or it is no bare name, else the file of the
 * ready-made model of that name.
 *
 * @param value - a path, or a ready-made model's name (`em-membranes`).
 * @param argument - the argument's name, for errors (`model`, `from`).
 * @param root - the models package folder. Default: the installed `tfjs-unet-models` (null when it is not installed).
 * @throws {@link ArgumentError} for a bare name that no ready-made model has (listing those that exist), or when the models package is not installed.
 * @example
 * ```ts
 * const path = await modelPath('em-membranes', 'model'); // .../tfjs-unet-models/em-membranes.zip
 * ```
 */
export async function modelPath(value: string, argument: string, root: string | null = installedRoot()): Promise<string> {
  if (!NAME.test(value) || (await stat(value).then(() => true, () => false))) return value;
  const found = await readyMadeModels(root);
  if (found === undefined) {
    throw new ArgumentError(argument, `must be a model folder, an .onnx file, a bioimage.io package, or the name of a ready-made model (those need the ${READY_MADE_PACKAGE} package: npm install ${READY_MADE_PACKAGE}); nothing exists at this path`, value);
  }
  const model = found.models.find((m) => m.name === value);
  if (model === undefined) {
    throw new ArgumentError(argument, `must be a model path or a ready-made model's name (${found.models.map((m) => m.name).join(', ') || 'none installed'}); nothing exists at this path`, value);
  }
  return join(found.root, model.file);
}
