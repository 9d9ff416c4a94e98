/**
 * What each training engine can do, declared once: `train` checks a run's
 * options against it before any step, the CLI refuses or reroutes flags with
 * it, and the docs list it.
 */
import type * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../core/errors.js';
import { resolveLoss, type LossPreset, type LossTerm } from '../loss/losses.js';
import type { OnnxRuntimeLike } from './engine.js';

/** The training engines: tfjs on the active backend, or the ONNX training graph in ONNX Runtime. */
export const ENGINE_NAMES = ['tfjs', 'onnx'] as const;
/** @see {@link ENGINE_NAMES} */
export type EngineName = (typeof ENGINE_NAMES)[number];

/** What an engine computes. */
export interface EngineCapabilities {
  /** One line: what runs the steps. */
  readonly description: string;
  /** The loss terms it computes. */
  readonly losses: readonly LossTerm['kind'][];
  /** Whether it takes a loss function of `(labels, logits, weights)`. */
  readonly lossFunctions: boolean;
  /** The optimizers it applies by name. */
  readonly optimizers: readonly ('sgd' | 'nesterov' | 'adam')[];
  /** Whether it takes a `tf.Optimizer` instance. */
  readonly tfOptimizers: boolean;
}

/** Every engine's capabilities. */
export const ENGINE_CAPABILITIES: { readonly [E in EngineName]: EngineCapabilities } = {
  tfjs: {
    description: 'tfjs autodiff and optimizers on the active backend',
    losses: ['crossEntropy', 'dice', 'focal'],
    lossFunctions: true,
    optimizers: ['sgd', 'nesterov', 'adam'],
    tfOptimizers: true,
  },
  onnx: {
    description: 'the training step compiled into one ONNX graph, run by ONNX Runtime',
    losses: ['crossEntropy', 'dice'],
    lossFunctions: false,
    optimizers: ['sgd', 'nesterov', 'adam'],
    tfOptimizers: false,
  },
};

/** A run's choices an engine may not support. */
export interface EngineNeeds {
  /** The loss: a preset, terms, or a function. */
  readonly loss?: LossPreset | readonly LossTerm[] | ((labels: tf.Tensor, logits: tf.Tensor, weights: tf.Tensor) => tf.Tensor);
  /** The optimizer, by name or as a tf.Optimizer. */
  readonly optimizer?: 'sgd' | 'nesterov' | 'adam' | tf.Optimizer;
}

/** What an engine cannot do for a run: the option at fault and one sentence on it. */
export interface Unsupported {
  readonly option: 'loss' | 'optimizer';
  readonly reason: string;
}

/**
 * What `engine` cannot do of these choices (the option, and a sentence naming
 * the engine that can), or undefined when it can do all.
 *
 * @example
 * ```ts
 * unsupported('onnx', { loss: 'focal' })?.reason; // 'the onnx engine computes crossEntropy and dice terms; focal runs on tfjs'
 * ```
 */
export function unsupported(engine: EngineName, needs: EngineNeeds): Unsupported | undefined {
  const can = ENGINE_CAPABILITIES[engine];
  const by = (test: (other: EngineCapabilities) => boolean) => ENGINE_NAMES.filter((e) => e !== engine && test(ENGINE_CAPABILITIES[e])).join(', ');
  if (typeof needs.loss === 'function') {
    return can.lossFunctions ? undefined : { option: 'loss', reason: `the ${engine} engine takes loss presets and terms, not a loss function (${by((o) => o.lossFunctions)} does)` };
  }
  if (needs.loss !== undefined) {
    const missing = resolveLoss(needs.loss).find((t) => !can.losses.includes(t.kind));
    if (missing !== undefined) return { option: 'loss', reason: `the ${engine} engine computes ${can.losses.join(' and ')} terms; ${missing.kind} runs on ${by((o) => o.losses.includes(missing.kind))}` };
  }
  if (needs.optimizer !== undefined && typeof needs.optimizer !== 'string' && !can.tfOptimizers) {
    return { option: 'optimizer', reason: `the ${engine} engine applies the optimizers ${can.optimizers.join(', ')} by name, not a tf.Optimizer (${by((o) => o.tfOptimizers)} does)` };
  }
  return undefined;
}

/** The onnx engine with its runtime and session settings. */
export interface OnnxEngineChoice {
  /**
   * ONNX Runtime: its module (`import * as ort from 'onnxruntime-node'`), or
   * the name of one registered with {@link registerOnnxRuntime}
   * (`tfjs-unet/node` registers `'onnxruntime-node'`). Default: the first
   * registered.
   */
  readonly onnx?: OnnxRuntimeLike | string;
  /** ONNX Runtime's intra-op threads. Default: its own choice (the cores). */
  readonly threads?: number;
  /** ONNX Runtime's execution providers, in order of preference. Default: its CPU provider. */
  readonly executionProviders?: readonly string[];
}

/**
 * Which engine trains, the one type for it: `'tfjs'` (tfjs on the active
 * backend), `'onnx'` (the registered ONNX Runtime), or the onnx engine with a
 * runtime and session settings.
 *
 * @example
 * ```ts
 * const choices: EngineChoice[] = ['tfjs', 'onnx', { onnx: ort, threads: 2 }];
 * ```
 */
export type EngineChoice = EngineName | OnnxEngineChoice;

/** An {@link EngineChoice} with its runtime at hand. */
export type ResolvedEngine =
  | { readonly name: 'tfjs' }
  | { readonly name: 'onnx'; readonly runtime: OnnxRuntimeLike; readonly threads?: number; readonly executionProviders?: readonly string[] };

const onnxRuntimes = new Map<string, () => Promise<OnnxRuntimeLike>>();

/**
 * Makes an ONNX Runtime available to `engine: 'onnx'` under a name, loaded on
 * first use (a platform entry does this: `tfjs-unet/node` registers
 * onnxruntime-node). Registering a name again replaces its loader.
 *
 * @example
 * ```ts
 * registerOnnxRuntime('onnxruntime-web', () => import('onnxruntime-web'));
 * await train(model, data, { steps: 100, engine: { onnx: 'onnxruntime-web' } });
 * ```
 */
export function registerOnnxRuntime(name: string, load: () => Promise<OnnxRuntimeLike>): void {
  onnxRuntimes.set(name, load);
}

/**
 * The engine's name of a choice (`undefined` is `'tfjs'`).
 *
 * @example
 * ```ts
 * engineNameOf({ onnx: ort }); // 'onnx'
 * ```
 */
export function engineNameOf(choice: EngineChoice | undefined): EngineName {
  return choice === undefined || choice === 'tfjs' ? 'tfjs' : 'onnx';
}

/**
 * The choice with its runtime loaded: a registered ONNX Runtime is imported
 * here, and a missing one is an error naming `engine` and what to do.
 *
 * @throws {@link ArgumentError} when no ONNX Runtime of that name is registered.
 * @example
 * ```ts
 * (await resolveEngine('onnx')).name; // 'onnx', with tfjs-unet/node imported
 * ```
 */
export async function resolveEngine(choice: EngineChoice | undefined): Promise<ResolvedEngine> {
  if (choice === undefined || choice === 'tfjs') return { name: 'tfjs' };
  const { onnx, threads, executionProviders } = choice === 'onnx' ? ({} as OnnxEngineChoice) : choice;
  const settings = { ...(threads === undefined ? {} : { threads }), ...(executionProviders === undefined ? {} : { executionProviders }) };
  if (onnx !== undefined && typeof onnx !== 'string') return { name: 'onnx', runtime: onnx, ...settings };
  const load = onnx === undefined ? onnxRuntimes.values().next().value : onnxRuntimes.get(onnx);
  if (load === undefined) {
    const registered = [...onnxRuntimes.keys()];
    throw new ArgumentError(
      'engine',
      `must name a registered ONNX Runtime (${registered.length === 0 ? 'none is: import tfjs-unet/node, or pass { onnx: ort }' : registered.join(', ')})`,
      onnx ?? choice,
    );
  }
  return { name: 'onnx', runtime: await load(), ...settings };
}
