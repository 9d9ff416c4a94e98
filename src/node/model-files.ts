/**
 * A tfjs IO handler for a model directory on disk (Node): `model.json` plus
 * a content-named weights file, written crash-safely. The format is the
 * standard tfjs layers format (tfjs-node's `file://` loader reads it).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ArgumentError } from '../core/errors.js';
import { writeFileAtomic } from './atomic.js';
import { modelFolderFiles, weightBytes } from '../compile/persist.js';

/** Name of the topology file in a model directory. */
export const MODEL_JSON = 'model.json';

/** Bytes the weight specs need (float32/int32: 4 per value; quantised specs carry their own dtype). */
function expectedBytes(specs: readonly tf.io.WeightsManifestEntry[]): number {
  const bytesPer: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };
  return specs.reduce((n, s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const dtype = s.quantization?.dtype ?? s.dtype;
    return n + size * (bytesPer[dtype] ?? 4);
  }, 0);
}

/** What `model` arguments must name, in the words of the command that writes one. */
const A_MODEL_FOLDER = 'the model folder that `tfjs-unet train --out DIR` writes as DIR/model (or DIR itself)';

/**
 * The folder holding `model.json`: `dir`, or the `model` folder inside a
 * training run's folder (`train --out DIR` writes DIR/model). Anything else is
 * refused in one sentence naming the path and what to give instead.
 */
async function modelFolder(dir: string): Promise<string> {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined) throw new ArgumentError('model', `must be ${A_MODEL_FOLDER}, and nothing exists at this path`, dir);
  if (!info.isDirectory()) throw new ArgumentError('model', `must be ${A_MODEL_FOLDER}, and this is a file`, dir);
  if (await isFile(join(dir, MODEL_JSON))) return dir;
  if (await isFile(join(dir, 'model', MODEL_JSON))) return join(dir, 'model');
  throw new ArgumentError('model', `must be ${A_MODEL_FOLDER}, and this folder holds no ${MODEL_JSON}`, dir);
}

const isFile = (path: string): Promise<boolean> => stat(path).then((s) => s.isFile(), () => false);

/**
 * An IO handler that saves to and loads from directory `dir`. Saving writes
 * the weights to a new content-named file first, then replaces `model.json`
 * atomically, then removes stale weight files: a crash at any point leaves the
 * previous model or the new one, never a mix. Loading also takes a training
 * run's folder (`train --out DIR`) and reads its `model` folder; any other
 * path is refused naming it.
 *
 * @example
 * ```ts
 * await model.save(modelDirectory('runs/unet'));
 * const again = await tf.loadLayersModel(modelDirectory('runs/unet'));
 * ```
 */
export function modelDirectory(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new ArgumentError('model', 'must be a layers model (binary graph topologies are not supported)', 'ArrayBuffer topology');
      }
      await mkdir(dir, { recursive: true });
      const { modelJson, weightsFile, weights } = await modelFolderFiles(artifacts);
      await writeFileAtomic(join(dir, weightsFile), weights);
      await writeFileAtomic(join(dir, MODEL_JSON), modelJson);
      for (const name of await readdir(dir)) {
        if (/^weights-[0-9a-f]{16}\.bin$/.test(name) && name !== weightsFile) await rm(join(dir, name), { force: true });
      }
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs ?? []).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const folder = await modelFolder(dir);
      const path = join(folder, MODEL_JSON);
      let json: tf.io.ModelJSON;
      try {
        json = JSON.parse(await readFile(path, 'utf8')) as tf.io.ModelJSON;
      } catch (error) {
        const reason = error instanceof SyntaxError ? 'this one is not JSON' : `this one cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
        throw new ArgumentError('model', `must hold a tfjs layers ${MODEL_JSON}, and ${reason}`, path);
      }
      if (typeof json !== 'object' || json === null || typeof json.modelTopology !== 'object' || !Array.isArray(json.weightsManifest)) {
        throw new ArgumentError('model', `must hold a tfjs layers ${MODEL_JSON} (with modelTopology and weightsManifest), and this one is another kind of file: give ${A_MODEL_FOLDER}`, path);
      }
      const specs: tf.io.WeightsManifestEntry[] = [];
      const parts: Uint8Array[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const file of group.paths) {
          if (file.includes('/') || file.includes('\\') || file.startsWith('.')) {
            throw new ArgumentError('weightsManifest.paths', 'must name files inside the model directory', file);
          }
          parts.push(new Uint8Array(await readFile(join(folder, file))));
        }
      }
      const data = weightBytes(parts.map((p) => p.buffer.slice(p.byteOffset, p.byteOffset + p.byteLength) as ArrayBuffer));
      if (data.byteLength !== expectedBytes(specs)) {
        throw new ArgumentError('path', `must hold complete weights: ${expectedBytes(specs)} bytes expected (truncated or mismatched files?)`, `${data.byteLength} bytes in ${folder}`);
      }
      return {
        modelTopology: json.modelTopology,
        weightSpecs: specs,
        weightData: data.buffer as ArrayBuffer,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        ...(json.trainingConfig === undefined ? {} : { trainingConfig: json.trainingConfig }),
        ...(json.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: json.userDefinedMetadata }),
      };
    },
  };
}
