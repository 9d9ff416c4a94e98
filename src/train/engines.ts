/**
 * What each training engine can do, declared once: `train` checks a run's
 * options against it before any step, the CLI refuses or reroutes flags with
 * it, and the docs list it.
 */
import type * as tf from '@tensorflow/tfjs';
import { resolveLoss, type LossPreset, type LossTerm } from '../loss/losses.js';

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
