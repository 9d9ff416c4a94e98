/**
 * The job a queue worker's thread runs (BullMQ's sandboxed processor, see `queue.ts`): predict one
 * image file. The model is opened once per thread and kept for the next jobs.
 */
import { workerData } from 'node:worker_threads';
import type { SandboxedJob } from 'bullmq';
import { ArgumentError } from '../core/errors.js';
import type { OwnedTilePredictor } from '../infer/predictor.js';
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
  try {
    return await predictImageFile(await predictor, job.data.image, job.data.out, job.data.options);
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
