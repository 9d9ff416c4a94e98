/**
 * Options of the `unet()` builder: their types (literals preserved), the
 * paper's defaults, and runtime validation with Keras-style messages.
 */
import { checkBoolean, checkInteger, checkPositiveInteger, checkKnownKeys, checkNumber, checkOneOf, checkRecord, SpecError } from './errors.js';
import {
  HIDDEN_ACTIVATIONS,
  INITIALIZERS,
  OUTPUT_ACTIVATIONS,
  PADDINGS,
  UPSAMPLINGS,
  type HiddenActivation,
  type Initializer,
  type OutputActivation,
  type Padding,
  type Upsampling,
} from './nodes.js';

/** Allowed U-Net depths (number of 2x2 poolings). */
export const DEPTHS = [1, 2, 3, 4, 5, 6] as const;
/** @see {@link DEPTHS} */
export type Depth = (typeof DEPTHS)[number];

/** Options of {@link unet}; every one is optional and defaults to the paper's network. */
export interface UNetOptions {
  /** Channels of the input image. Default 1. */
  readonly inChannels?: number;
  /** Output channels: classes for softmax (>= 2), independent masks for sigmoid. Default 2. */
  readonly classes?: number;
  /** Number of 2x2 max-pool downsamplings, 1..6. Default 4. */
  readonly depth?: Depth;
  /** Filters of the first level; doubled at every level down. Default 64. */
  readonly baseFilters?: number;
  /** `'valid'` (paper: unpadded 3x3 convs, output smaller than input) or `'same'`. Default `'valid'`. */
  readonly padding?: Padding;
  /** Batch normalisation after every 3x3 conv (before its activation). Default false. */
  readonly batchNorm?: boolean;
  /** Drop-out rate at the end of the contracting path; 0 disables. Default 0.5. */
  readonly dropout?: number;
  /** `'transpose'` (the paper's 2x2 up-convolution), `'bilinear'` or `'nearest'` (+ 1x1 conv). Default `'transpose'`. */
  readonly upsampling?: Upsampling;
  /** Activation of the hidden convolutions. Default `'relu'`. */
  readonly activation?: HiddenActivation;
  /** Activation of the output. Default `'softmax'`. */
  readonly outputActivation?: OutputActivation;
  /** Kernel initialiser. Default `'heNormal'` (the paper's untruncated Gaussian, std sqrt(2/N)). */
  readonly initializer?: Initializer;
  /** Model name. Default `'unet'`. */
  readonly name?: string;
}

/** The paper's network (Ronneberger et al. 2015): every default of {@link unet}. */
export const UNET_DEFAULTS = Object.freeze({
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
  name: 'unet',
} as const satisfies Required<UNetOptions>);

/** The type of {@link UNET_DEFAULTS}: every option with its default's literal type. */
export type UNetDefaults = typeof UNET_DEFAULTS;


/**
 * The options of a built spec: every key present, with the literal types the
 * caller passed (or the defaults' literal types).
 */
export type ResolvedUNetOptions<O extends UNetOptions = UNetOptions> = {
  readonly [K in keyof UNetDefaults]: K extends keyof O
    ? undefined extends O[K]
      ? Exclude<O[K], undefined> | UNetDefaults[K]
      : O[K]
    : UNetDefaults[K];
};

const OPTION_KEYS = Object.keys(UNET_DEFAULTS) as readonly (keyof UNetDefaults)[];

/**
 * Checks options of untrusted origin and fills in the defaults.
 *
 * @throws {@link SpecError} naming the option, the rule and the value received.
 * @example
 * ```ts
 * resolveUNetOptions({ depth: 3 }).baseFilters; // 64
 * ```
 */
export function resolveUNetOptions(options: unknown = {}): ResolvedUNetOptions {
  const raw = checkRecord('options', options);
  checkKnownKeys('', raw, OPTION_KEYS);
  const pick = <K extends keyof UNetDefaults>(key: K): unknown => (raw[key] === undefined ? UNET_DEFAULTS[key] : raw[key]);
  const resolved = {
    inChannels: checkPositiveInteger('inChannels', pick('inChannels'), 4096),
    classes: checkPositiveInteger('classes', pick('classes'), 4096),
    depth: checkInteger('depth', pick('depth'), 1, 6) as Depth,
    baseFilters: checkPositiveInteger('baseFilters', pick('baseFilters'), 4096),
    padding: checkOneOf('padding', pick('padding'), PADDINGS),
    batchNorm: checkBoolean('batchNorm', pick('batchNorm')),
    dropout: checkNumber('dropout', pick('dropout'), 0, 1),
    upsampling: checkOneOf('upsampling', pick('upsampling'), UPSAMPLINGS),
    activation: checkOneOf('activation', pick('activation'), HIDDEN_ACTIVATIONS),
    outputActivation: checkOneOf('outputActivation', pick('outputActivation'), OUTPUT_ACTIVATIONS),
    initializer: checkOneOf('initializer', pick('initializer'), INITIALIZERS),
    name: pick('name'),
  };
  if (typeof resolved.name !== 'string' || !/^[A-Za-z][A-Za-z0-9_]{0,127}$/.test(resolved.name)) {
    throw new SpecError('name', 'must be letters, digits and underscores starting with a letter (at most 128)', resolved.name);
  }
  if (resolved.outputActivation === 'softmax' && resolved.classes < 2) {
    throw new SpecError(
      'classes',
      "must be >= 2 with outputActivation 'softmax' (a softmax over one channel is always 1; use outputActivation 'sigmoid' for one foreground channel)",
      resolved.classes,
    );
  }
  const topFilters = resolved.baseFilters * 2 ** resolved.depth;
  if (topFilters > 16384) {
    throw new SpecError(
      'baseFilters',
      `times 2^depth (the bottleneck width) must be at most 16384 (depth=${resolved.depth} gives ${topFilters})`,
      resolved.baseFilters,
    );
  }
  return Object.freeze(resolved) as ResolvedUNetOptions;
}
