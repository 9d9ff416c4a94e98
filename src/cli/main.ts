#!/usr/bin/env node
/**
 * The `tfjs-unet` command: tiles, plan, train, predict, evaluate, export, models, worker, demo.
 * Exit codes: 0 success, 1 failure, 2 usage error, 130 interrupted (checkpoint saved).
 */
import { ArgumentError } from '../core/errors.js';
import { InvalidTileSizeError } from '../geometry/errors.js';
import { appCommand, APP_HELP } from './app.js';
import { UsageError } from './args.js';
import { demoCommand, DEMO_HELP } from './demo.js';
import { exportCommand, EXPORT_HELP } from './export.js';
import { modelsCommand, MODELS_HELP } from './models.js';
import { evaluateCommand, EVALUATE_HELP, predictCommand, PREDICT_HELP } from './predict.js';
import { tiles, TILES_HELP } from './tiles.js';
import { workerCommand, WORKER_HELP } from './worker.js';
import { planCommand, PLAN_HELP, trainCommand, TRAIN_HELP } from './train.js';

const HELP = `Usage: tfjs-unet <command> [options]   (tfjs-unet <command> --help for details)

Commands:
  demo       train on synthetic cells and predict held-out images (no data needed)
  tiles      valid tile sizes, output sizes and margins of a U-Net
  plan       the plan train would follow for your data, time budget and machine
  train      train on a folder of images and masks within a time budget (--minutes)
  predict    segment images with a trained model (overlap-tile)
  evaluate   the ISBI 2012 challenge scores, pixel error, AP and panoptic quality against masks
  export     write a trained model as an ONNX file or a bioimage.io package (Fiji, napari, ...)
  models     the ready-made models (tfjs-unet-models) that --model and --from take by name
  worker     run the prediction jobs of a Redis queue (predict --queue), on any number of machines
  app        serve the web app: predict in the browser (WebGPU, WebGL, WebAssembly, ONNX Runtime Web)

Options for every command: --help, --verbose (stack traces on errors), --backend cpu|wasm|tensorflow
(wasm runs multi-threaded on all cores; predict and evaluate take --threads N)`;

const COMMANDS: Record<string, { run: (argv: readonly string[], print: (line: string) => void) => number | Promise<number>; help: string }> = {
  demo: { run: demoCommand, help: DEMO_HELP },
  tiles: { run: tiles, help: TILES_HELP },
  plan: { run: planCommand, help: PLAN_HELP },
  train: { run: trainCommand, help: TRAIN_HELP },
  predict: { run: predictCommand, help: PREDICT_HELP },
  evaluate: { run: evaluateCommand, help: EVALUATE_HELP },
  export: { run: exportCommand, help: EXPORT_HELP },
  models: { run: modelsCommand, help: MODELS_HELP },
  worker: { run: workerCommand, help: WORKER_HELP },
  app: { run: appCommand, help: APP_HELP },
};

export async function main(argv: readonly string[], print: (line: string) => void = (l) => console.log(l), printError: (line: string) => void = (l) => console.error(l)): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    print(HELP);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    printError(`tfjs-unet: unknown command '${name}'\n\n${HELP}`);
    return 2;
  }
  try {
    return await command.run(rest, print);
  } catch (error) {
    const verbose = rest.includes('--verbose');
    if (error instanceof UsageError) {
      printError(`tfjs-unet ${name}: ${error.message}\n\n${command.help}`);
      return 2;
    }
    printError(errorLine(name, error, verbose));
    return 1;
  }
}

/**
 * The line a failed command prints: the command, then the error's own sentence (without the
 * library's `tfjs-unet: ` prefix, which the command already says); the stack with `--verbose`.
 */
export function errorLine(command: string, error: unknown, verbose = false): string {
  const raw = error instanceof ArgumentError || error instanceof InvalidTileSizeError ? error.message : String((error as Error)?.message ?? error);
  const message = raw.replace(/^tfjs-unet: /, '');
  const stack = verbose && error instanceof Error && error.stack !== undefined ? `\n${error.stack}` : '';
  return `tfjs-unet ${command}: ${message}${stack}`;
}

// Run when executed as the bin (not when imported by tests).
const invoked = process.argv[1] ?? '';
if (/(?:^|[\\/])(?:tfjs-unet|cli(?:\.c?js)?|main\.ts)$/.test(invoked)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
