export { writeFileAtomic } from './atomic.js';
export { CHECKPOINT_JSON, fileCheckpoints, type CheckpointFiles } from './checkpoint-files.js';
export {
  decodeMask,
  IMAGE_EXTENSIONS,
  listImages,
  loadDataset,
  MAX_CLASS_INDEX,
  pageCount,
  readImage,
  readMask,
  writeImage,
  type Dataset,
  type DatasetOptions,
  type FileImage,
  type FileMask,
  type MaskEncoding,
  type ReadOptions,
} from './images.js';
export { MODEL_JSON, modelDirectory } from './model-files.js';
export { exportOnnx, loadOnnxPredictor, type OnnxExportTarget, type OnnxPredictorOptions } from './onnx-files.js';
export { exportBioimageio, isBioimageioPackage, loadBioimageioModel, loadStartingModel, packageAt } from './zoo-files.js';
export { modelPath, READY_MADE_PACKAGE, readyMadeModels, type ReadyMadeModel } from './ready-made.js';
export {
  chooseBackend,
  openPredictor,
  PREDICT_ENGINES,
  predictImage,
  predictImageFile,
  type PredictedFile,
  type PredictFileOptions,
  type PredictorOptions,
} from './predict-files.js';
export {
  DEFAULT_QUEUE_NAME,
  predictOnQueue,
  startWorker,
  type PredictionWorker,
  type PredictJobData,
  type QueueEvent,
  type QueueLocation,
  type QueuePredictOptions,
  type QueueRun,
  type WorkerEvent,
  type WorkerOptions,
} from './queue.js';
export { assembleLargeImage, imageRows, predictLargeImageBlock, predictLargeImageFile, STREAM_PIXELS } from './large-images.js';
export { openTiffWriter, type TiffWriter, type TiffWriterOptions } from './tiff-writer.js';
export { zarrRows } from './zarr-images.js';
export { appFolder, serveApp, type ServeAppOptions } from './app-server.js';
