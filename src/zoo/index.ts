export { readNpy, writeNpy, type NpyArray, type NpyDtype } from './npy.js';
export { parseModelRdf, rdfFiles, WEIGHT_FORMATS, type ModelRdf, type ProcessingStep, type RdfAxis, type RdfFile, type RdfTensor, type RdfWeights } from './rdf.js';
export { applyStep, applySteps, checkSteps, PROCESSING_STEPS } from './processing.js';
export { packageInfo, packageLayout, packagePredictor, reorder, runPackage, sha256, verifyPackage, type PackageCheck, type PackageLayout } from './package.js';
export { openBioimageio, packageModel, readRdf, type BioimageioModel, type OrtRuntime } from './load.js';
export { packagePath, RDF_NAMES, zipPackageSource, type PackageSource } from './sources.js';
export { BIOIMAGEIO_FORMAT, preprocessingFor, toBioimageio, zipPackage, type BioimageioAuthor, type BioimageioExportOptions, type BioimageioFiles } from './export.js';
export { encodePng } from './png.js';
