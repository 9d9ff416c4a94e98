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

/** A named network of the U-Net family, as data: its builder, options and what it is. */
export interface ArchitecturePreset {
  /** The registered builder (`'unet'`, `'resUnet'`, `'attentionUnet'`, `'unetPlusPlus'`). */
  readonly builder: string;
  /** The builder's options. */
  readonly options: Readonly<Record<string, unknown>>;
  /** What the network is, in one sentence. */
  readonly description: string;
  /** Where it comes from. */
  readonly reference: string;
}

/** Modern 2-D settings shared by the family presets: same padding, batch norm, base 32, depth 4, no drop-out. */
const MODERN = Object.freeze({ depth: 4, baseFilters: 32, padding: 'same', batchNorm: true, dropout: 0 } as const);

/**
 * The U-Net family as named presets, each with its builder, options,
 * description and reference; build one with `presetSpec(name)`. Their
 * parameter counts are pinned by the test suite.
 *
 * @example
 * ```ts
 * ARCHITECTURE_PRESETS.resEncUnet.description; // "nnU-Net's residual-encoder U-Net ..."
 * const spec = presetSpec('attentionUnet');
 * ```
 */
export const ARCHITECTURE_PRESETS = Object.freeze({
  paper2015: {
    builder: 'unet',
    options: presets.paper2015,
    description: "The paper's network: valid 3x3 convs, 2x2 up-convolutions, 64 base filters, depth 4, drop-out 0.5 (572 px in, 388 px out).",
    reference: 'Ronneberger, Fischer & Brox 2015, MICCAI, arXiv:1505.04597',
  },
  small: {
    builder: 'unet',
    options: presets.small,
    description: 'A CPU-sized valid U-Net for quick experiments: depth 3, 16 base filters, batch norm, drop-out 0.2.',
    reference: 'Ronneberger et al. 2015, scaled down',
  },
  unet: {
    builder: 'unet',
    options: MODERN,
    description: 'The U-Net in the form nnU-Net and MONAI train it in 2-D: same padding, batch norm, 32 base filters, depth 4.',
    reference: 'Isensee et al. 2021, Nature Methods 18:203 (nnU-Net)',
  },
  resUnet: {
    builder: 'resUnet',
    options: MODERN,
    description: 'A residual U-Net: every level is a residual unit (two 3x3 convs added to a 1x1-projected shortcut), encoder and decoder.',
    reference: 'Zhang, Liu & Wang 2018, IEEE GRSL 15:749 (ResUNet); He et al. 2016 (residual units)',
  },
  resEncUnet: {
    builder: 'resUnet',
    options: { ...MODERN, residualDecoder: false },
    description: "nnU-Net's residual-encoder U-Net in 2-D: residual units in the encoder and bottleneck, the plain decoder.",
    reference: 'Isensee et al. 2024, MICCAI, arXiv:2404.09556 (nnU-Net ResEnc)',
  },
  attentionUnet: {
    builder: 'attentionUnet',
    options: MODERN,
    description: 'The attention U-Net: additive attention gates on the skip connections, gated by the upsampled decoder map.',
    reference: 'Oktay et al. 2018, MIDL, arXiv:1804.03999',
  },
  unetPlusPlus: {
    builder: 'unetPlusPlus',
    options: MODERN,
    description: "U-Net++: nested, densely connected skip paths between encoder and decoder (Zhou's deep supervision on the nested maps: train with deepSupervision).",
    reference: 'Zhou et al. 2018, DLMIA, arXiv:1807.10165',
  },
} as const satisfies Record<string, ArchitecturePreset>);

/** The name of an {@link ARCHITECTURE_PRESETS} entry. */
export type ArchitecturePresetName = keyof typeof ARCHITECTURE_PRESETS;

/**
 * The members of the U-Net family, each by the one name it has as a preset,
 * a builder (`resEncUnet` is built by `resUnet` with `residualDecoder: false`),
 * a plan's architecture, the CLI's `--architecture` and in saved specs.
 *
 * @example
 * ```ts
 * ARCHITECTURES.includes('attentionUnet'); // true
 * ```
 */
export const ARCHITECTURES = ['unet', 'resUnet', 'resEncUnet', 'attentionUnet', 'unetPlusPlus'] as const;
/** @see {@link ARCHITECTURES} */
export type Architecture = (typeof ARCHITECTURES)[number];

/**
 * Names that versions before 0.2 wrote for family members (builder names in
 * saved specs, plan.json architectures, `--architecture` values), and the
 * name each has now; they still load.
 *
 * @example
 * ```ts
 * FORMER_ARCHITECTURE_NAMES['attention_unet']; // 'attentionUnet'
 * ```
 */
export const FORMER_ARCHITECTURE_NAMES: Readonly<Record<string, Architecture>> = Object.freeze({
  resunet: 'resUnet',
  'resenc-unet': 'resEncUnet',
  attention_unet: 'attentionUnet',
  'attention-unet': 'attentionUnet',
  unet_plus_plus: 'unetPlusPlus',
  'unet-plus-plus': 'unetPlusPlus',
});

/**
 * The current name of a family member or builder named the way this or an
 * earlier version wrote it (other names come back unchanged).
 *
 * @example
 * ```ts
 * currentArchitectureName('resenc-unet'); // 'resEncUnet'
 * currentArchitectureName('myNet'); // 'myNet'
 * ```
 */
export function currentArchitectureName(name: string): string {
  return Object.hasOwn(FORMER_ARCHITECTURE_NAMES, name) ? FORMER_ARCHITECTURE_NAMES[name]! : name;
}
