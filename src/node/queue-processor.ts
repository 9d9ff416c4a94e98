/**
 * The job a queue worker's thread runs (BullMQ's sandboxed processor, see `queue.ts`): predict one
 * image file, one block of rows of a large one, or assemble a large one's outputs from its blocks.
 * The model is opened once per thread and kept for the next jobs.
 */
import { workerData } from 'node:worker_threads';
import type { SandboxedJob } from 'bullmq';
import { ArgumentError } from '../core/errors.js';
import type { OwnedTilePredictor } from '../infer/predictor.js';
import { assembleLargeImage, largeImageSize, predictLargeImageBlock } from './large-images.js';
import { openPredictor, predictImageFile, type PredictedFile } from './predict-files.js';
import type { PredictJobData } from './queue.js';

const predictors = new Map<string, Promise<OwnedTilePredictor>>();

/** The worker's thread count wins over the enqueuer's: it knows its machine (a forked processor gets it by environment). */
const threads = (workerData as { threads?: number } | null)?.threads ?? (process.env.TFJS_UNET_WORKER_THREADS === undefined ? undefined : Number(process.env.TFJS_UNET_WORKER_THREADS));

export default async function predictJob(job: SandboxedJob<PredictJobData, PredictedFile>): Promise<PredictedFile> {
  const options = { ...job.data.predictor, ...(threads === undefined ? {} : { threads }) };
  const key = JSON.stringify(options);
  let predictor = predictors.get(key);
  if (predictor === undefined) {
    predictor = openPredictor(options);
    predictors.set(key, predictor);
    predictor.catch(() => predictors.delete(key));
  }
  const { image, out, block, assemble } = job.data;
  try {
    if (block !== undefined) {
      const started = performance.now();
      await predictLargeImageBlock(await predictor, image, out, block, job.data.options);
      const { width } = await largeImageSize(image);
      return { image, width, height: block.to - block.from, files: [], seconds: (performance.now() - started) / 1000 };
    }
    if (assemble !== undefined) return await assembleLargeImage(await predictor, image, out, assemble.blocks, job.data.options);
    return await predictImageFile(await predictor, image, out, job.data.options);
  } catch (error) {
    // A bad input or model fails the same way every time: no retries (BullMQ reads the name).
    if (error instanceof ArgumentError) {
      const unrecoverable = new Error(error.message);
      unrecoverable.name = 'UnrecoverableError';
      throw unrecoverable;
    }
    throw error;
  }
}
