/**
 * Named option sets as plain data, to pass to `unet()`.
 */
import type { UNetOptions } from './options.js';

/**
 * Presets. `paper2015` is the network of Ronneberger et al. (2015), identical
 * to `unet()`'s defaults, spelled out. `small` is a CPU-friendly variant
 * (depth 3, 16 base filters, batch norm) for quick experiments.
 *
 * @example
 * ```ts
 * const spec = unet(presets.paper2015);
 * ```
 */
export const presets = Object.freeze({
  paper2015: Object.freeze({
    inChannels: 1,
    classes: 2,
    depth: 4,
    baseFilters: 64,
    padding: 'valid',
    batchNorm: false,
    dropout: 0.5,
    upsampling: 'transpose',
    activation: 'relu',
    outputActivation: 'softmax',
    initializer: 'heNormal',
  } as const satisfies UNetOptions),
  small: Object.freeze({
    depth: 3,
    baseFilters: 16,
    padding: 'valid',
    batchNorm: true,
    dropout: 0.2,
  } as const satisfies UNetOptions),
});
