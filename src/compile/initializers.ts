/**
 * Kernel initialisers as built-in tfjs initialisers (so saved models load
 * with plain `tf.loadLayersModel`).
 */
import * as tf from '@tensorflow/tfjs';
import type { Initializer } from '../spec/nodes.js';

/**
 * The paper's He initialisation: standard deviation sqrt(2 / N), N the
 * number of incoming connections of one output unit.
 *
 * @example
 * ```ts
 * heStddev(9 * 64); // 0.0589: a 3x3 conv reading 64 channels
 * ```
 */
export function heStddev(fanIn: number): number {
  return Math.sqrt(2 / fanIn);
}

/**
 * A tfjs initialiser for a kernel with `fanIn` incoming connections per
 * output unit. `'heNormal'` is an untruncated Gaussian (tfjs's own
 * `heNormal` truncates at two standard deviations without rescaling, which
 * shrinks the variance by about 23%, and counts a transposed convolution's
 * fan-in as kernel area x output channels; the paper draws from a plain
 * Gaussian over the true incoming connections).
 */
export function kernelInitializer(kind: Initializer, fanIn: number, seed: number | undefined): ReturnType<typeof tf.initializers.randomNormal> {
  return kind === 'heNormal'
    ? tf.initializers.randomNormal({ mean: 0, stddev: heStddev(fanIn), ...(seed === undefined ? {} : { seed }) })
    : tf.initializers.glorotUniform(seed === undefined ? {} : { seed });
}
