/**
 * Named option sets as plain data, to pass to `unet()`.
 */
import { UNET_DEFAULTS, type UNetOptions } from './options.js';

/** The defaults of `unet()` are the paper's; the preset is them without the model name. */
function paper2015() {
  const { name: _name, ...options } = UNET_DEFAULTS;
  return Object.freeze(options) satisfies UNetOptions;
}

/**
 * Presets. `paper2015` is the network of Ronneberger et al. (2015): `unet()`'s
 * defaults (without the model name). `small` is a CPU-friendly variant
 * (depth 3, 16 base filters, batch norm) for quick experiments.
 *
 * @example
 * ```ts
 * const spec = unet(presets.paper2015);
 * ```
 */
export const presets = Object.freeze({
  paper2015: paper2015(),
  small: Object.freeze({
    depth: 3,
    baseFilters: 16,
    padding: 'valid',
    batchNorm: true,
    dropout: 0.2,
  } as const satisfies UNetOptions),
});
