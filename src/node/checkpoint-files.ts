/**
 * Checkpoints on disk (Node): `checkpoint.json` plus a content-named binary,
 * written crash-safely (binary first, then the JSON by atomic rename), so a
 * run killed at any moment leaves the previous checkpoint or the new one.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ArgumentError } from '../core/errors.js';
import { specFromJSON } from '../spec/json.js';
import { CHECKPOINT_FORMAT, type Checkpoint } from '../train/checkpoint.js';
import { writeFileAtomic } from './atomic.js';

/** Name of the checkpoint's JSON file. */
export const CHECKPOINT_JSON = 'checkpoint.json';

/** Saves and loads the checkpoint of one run directory. */
export interface CheckpointFiles {
  /** Writes `checkpoint` (replacing the previous one atomically). */
  save(checkpoint: Checkpoint): Promise<void>;
  /** The saved checkpoint, or undefined when there is none yet. */
  load(): Promise<Checkpoint | undefined>;
}

/**
 * Checkpoint files in directory `dir`, for `train({ checkpoint: { every, save }, resume })`.
 *
 * @example
 * ```ts
 * const files = fileCheckpoints('runs/exp1');
 * await train(model, data, { steps: 1000, checkpoint: { every: 50, save: files.save }, resume: await files.load() });
 * ```
 */
export function fileCheckpoints(dir: string): CheckpointFiles {
  return {
    async save(checkpoint: Checkpoint): Promise<void> {
      await mkdir(dir, { recursive: true });
      const bytes = new Uint8Array(checkpoint.data.buffer, checkpoint.data.byteOffset, checkpoint.data.byteLength);
      const dataFile = `checkpoint-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.bin`;
      await writeFileAtomic(join(dir, dataFile), bytes);
      const { data, ...rest } = checkpoint;
      await writeFileAtomic(join(dir, CHECKPOINT_JSON), JSON.stringify({ ...rest, dataFile, dataLength: data.length }));
      for (const name of await readdir(dir)) {
        if (/^checkpoint-[0-9a-f]{16}\.bin$/.test(name) && name !== dataFile) await rm(join(dir, name), { force: true });
      }
    },
    async load(): Promise<Checkpoint | undefined> {
      const path = join(dir, CHECKPOINT_JSON);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return undefined;
        throw error;
      }
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch (error) {
        throw new ArgumentError('checkpoint', `must be valid JSON (${(error as Error).message})`, path);
      }
      if (json.format !== CHECKPOINT_FORMAT || json.version !== 1) throw new ArgumentError('checkpoint.format', `must be '${CHECKPOINT_FORMAT}' version 1`, json.format);
      const dataFile = json.dataFile;
      if (typeof dataFile !== 'string' || !/^checkpoint-[0-9a-f]{16}\.bin$/.test(dataFile)) throw new ArgumentError('checkpoint.dataFile', 'must name the checkpoint binary', dataFile);
      const bytes = await readFile(join(dir, dataFile));
      if (bytes.byteLength !== 4 * Number(json.dataLength)) {
        throw new ArgumentError('checkpoint', `binary must hold ${4 * Number(json.dataLength)} bytes (truncated?)`, `${bytes.byteLength} bytes`);
      }
      const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      const { dataFile: _file, dataLength: _length, ...rest } = json;
      return { ...(rest as unknown as Omit<Checkpoint, 'data'>), spec: specFromJSON(json.spec), data };
    },
  };
}
