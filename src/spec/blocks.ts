/**
 * Spec-producing building blocks with deterministic layer names
 * (`enc2_conv1`, `dec3_upconv`, ...). `unet()` is assembled from these, and a
 * custom graph can be too.
 */
import type {
  ConvNode,
  HiddenActivation,
  Initializer,
  OutputActivation,
  Padding,
  SpecNode,
  Upsampling,
} from './nodes.js';

/** A run of nodes and the name of the node that carries its result. */
export interface Block {
  readonly nodes: readonly SpecNode[];
  readonly output: string;
}

/** Settings shared by every 3x3 convolution of a network. */
export interface ConvSettings {
  readonly padding: Padding;
  readonly activation: HiddenActivation;
  readonly batchNorm: boolean;
  readonly initializer: Initializer;
}

/** Batch-norm hyper-parameters used by the blocks (the Keras defaults). */
export const BATCH_NORM_DEFAULTS = Object.freeze({ momentum: 0.99, epsilon: 1e-3 });

/**
 * One convolution followed by its activation; with batch norm the conv has no
 * bias and is followed by `<name>_bn` and `<name>_act`.
 *
 * @example
 * ```ts
 * convUnit({ name: 'enc1_conv1', input: 'image', filters: 64, kernelSize: 3,
 *   padding: 'valid', activation: 'relu', batchNorm: false, initializer: 'heNormal' });
 * ```
 */
export function convUnit(
  options: ConvSettings & { readonly name: string; readonly input: string; readonly filters: number; readonly kernelSize: number },
): Block {
  const { name, input, filters, kernelSize, padding, activation, batchNorm, initializer } = options;
  const conv: ConvNode = {
    kind: 'conv',
    name,
    input,
    filters,
    kernelSize,
    padding,
    activation: batchNorm ? 'linear' : activation,
    useBias: !batchNorm,
    initializer,
  };
  if (!batchNorm) return { nodes: [conv], output: name };
  return {
    nodes: [
      conv,
      { kind: 'batchNorm', name: `${name}_bn`, input: name, ...BATCH_NORM_DEFAULTS },
      { kind: 'activation', name: `${name}_act`, input: `${name}_bn`, activation },
    ],
    output: `${name}_act`,
  };
}

/**
 * Two 3x3 conv units named `<prefix>_conv1`, `<prefix>_conv2`, then optional `<prefix>_dropout`.
 *
 * @example
 * ```ts
 * doubleConv({ prefix: 'enc1', input: 'image', filters: 64, padding: 'valid', activation: 'relu',
 *   batchNorm: false, initializer: 'heNormal' }).output; // 'enc1_conv2'
 * ```
 */
export function doubleConv(
  options: ConvSettings & { readonly prefix: string; readonly input: string; readonly filters: number; readonly dropout?: number },
): Block {
  const { prefix, input, filters, dropout = 0, ...settings } = options;
  const first = convUnit({ ...settings, name: `${prefix}_conv1`, input, filters, kernelSize: 3 });
  const second = convUnit({ ...settings, name: `${prefix}_conv2`, input: first.output, filters, kernelSize: 3 });
  const nodes = [...first.nodes, ...second.nodes];
  if (dropout <= 0) return { nodes, output: second.output };
  const name = `${prefix}_dropout`;
  return { nodes: [...nodes, { kind: 'dropout', name, input: second.output, rate: dropout }], output: name };
}

/**
 * A residual unit (He et al. 2016, as in ResUNet and nnU-Net's residual
 * encoder): two 3x3 convs, the second without activation (`<prefix>_conv1`,
 * `<prefix>_conv2`), added to the input (`<prefix>_add`), then the activation
 * (`<prefix>_act`) and optional drop-out. With `project` the input passes a
 * 1x1 conv (`<prefix>_shortcut`) to `filters` channels; with valid padding it
 * is first trimmed by 2 px per side (`<prefix>_shortcut_trim`), what the two
 * convs remove. With batch norm the convs are bias-free and normalised.
 *
 * @example
 * ```ts
 * residualBlock({ prefix: 'enc1', input: 'image', filters: 64, project: true, padding: 'same',
 *   activation: 'relu', batchNorm: true, initializer: 'heNormal' }).output; // 'enc1_act'
 * ```
 */
export function residualBlock(
  options: ConvSettings & { readonly prefix: string; readonly input: string; readonly filters: number; readonly project: boolean; readonly dropout?: number },
): Block {
  const { prefix, input, filters, project, dropout = 0, ...settings } = options;
  const first = convUnit({ ...settings, name: `${prefix}_conv1`, input, filters, kernelSize: 3 });
  const secondName = `${prefix}_conv2`;
  const nodes: SpecNode[] = [
    ...first.nodes,
    { kind: 'conv', name: secondName, input: first.output, filters, kernelSize: 3, padding: settings.padding, activation: 'linear', useBias: !settings.batchNorm, initializer: settings.initializer },
  ];
  let residual = secondName;
  if (settings.batchNorm) {
    residual = `${secondName}_bn`;
    nodes.push({ kind: 'batchNorm', name: residual, input: secondName, ...BATCH_NORM_DEFAULTS });
  }
  let shortcut = input;
  if (settings.padding === 'valid') {
    shortcut = `${prefix}_shortcut_trim`;
    nodes.push({ kind: 'trim', name: shortcut, input, pixels: 2 });
  }
  if (project) {
    const projection = `${prefix}_shortcut`;
    nodes.push({ kind: 'conv', name: projection, input: shortcut, filters, kernelSize: 1, padding: 'valid', activation: 'linear', useBias: !settings.batchNorm, initializer: settings.initializer });
    shortcut = projection;
    if (settings.batchNorm) {
      shortcut = `${projection}_bn`;
      nodes.push({ kind: 'batchNorm', name: shortcut, input: projection, ...BATCH_NORM_DEFAULTS });
    }
  }
  nodes.push({ kind: 'add', name: `${prefix}_add`, inputs: [residual, shortcut] }, { kind: 'activation', name: `${prefix}_act`, input: `${prefix}_add`, activation: settings.activation });
  if (dropout <= 0) return { nodes, output: `${prefix}_act` };
  const name = `${prefix}_dropout`;
  return { nodes: [...nodes, { kind: 'dropout', name, input: `${prefix}_act`, rate: dropout }], output: name };
}

/**
 * An additive attention gate on a skip connection (Oktay et al. 2018, in
 * the form MONAI's AttentionUnet uses): 1x1 convs of the skip
 * (`<prefix>_att_theta`) and of the gating signal, the upsampled decoder map
 * of the same size (`<prefix>_att_phi`), both to `channels`; their sum
 * (`<prefix>_att_add`) through ReLU (`<prefix>_att_relu`), a 1x1 conv to one
 * channel (`<prefix>_att_psi`) and a sigmoid (`<prefix>_att_sigmoid`) give a
 * coefficient per pixel that scales every channel of the skip
 * (`<prefix>_att_gate`). With batch norm each 1x1 conv is normalised.
 *
 * @example
 * ```ts
 * attentionGate({ prefix: 'dec1', skip: 'enc1_conv2', gating: 'dec1_upconv', channels: 32,
 *   batchNorm: false, initializer: 'heNormal' }).output; // 'dec1_att_gate'
 * ```
 */
export function attentionGate(options: {
  readonly prefix: string;
  readonly skip: string;
  readonly gating: string;
  readonly channels: number;
  readonly batchNorm: boolean;
  readonly initializer: Initializer;
}): Block {
  const { prefix, skip, gating, channels, batchNorm, initializer } = options;
  const nodes: SpecNode[] = [];
  const pointwise = (name: string, input: string, filters: number): string => {
    nodes.push({ kind: 'conv', name, input, filters, kernelSize: 1, padding: 'valid', activation: 'linear', useBias: !batchNorm, initializer });
    if (!batchNorm) return name;
    nodes.push({ kind: 'batchNorm', name: `${name}_bn`, input: name, ...BATCH_NORM_DEFAULTS });
    return `${name}_bn`;
  };
  const p = `${prefix}_att`;
  const theta = pointwise(`${p}_theta`, skip, channels);
  const phi = pointwise(`${p}_phi`, gating, channels);
  nodes.push({ kind: 'add', name: `${p}_add`, inputs: [theta, phi] }, { kind: 'activation', name: `${p}_relu`, input: `${p}_add`, activation: 'relu' });
  const psi = pointwise(`${p}_psi`, `${p}_relu`, 1);
  nodes.push({ kind: 'activation', name: `${p}_sigmoid`, input: psi, activation: 'sigmoid' }, { kind: 'multiply', name: `${p}_gate`, input: skip, gate: `${p}_sigmoid` });
  return { nodes, output: `${p}_gate` };
}

/** The convolutions of a level: the paper's two 3x3 convs, or a {@link residualBlock}. */
export const CONV_UNITS = ['double', 'residual'] as const;
/** @see {@link CONV_UNITS} */
export type ConvUnitKind = (typeof CONV_UNITS)[number];

/** A level's convolutions: {@link doubleConv} or {@link residualBlock} (projected unless `inChannels` equals `filters`). */
export function levelConvs(
  options: ConvSettings & { readonly prefix: string; readonly input: string; readonly filters: number; readonly dropout?: number; readonly unit?: ConvUnitKind; readonly inChannels?: number },
): Block {
  const { unit = 'double', inChannels, ...rest } = options;
  return unit === 'residual' ? residualBlock({ ...rest, project: inChannels !== rest.filters }) : doubleConv(rest);
}

/**
 * A contracting-path level: two 3x3 convs (`enc<level>_conv1/2`), optional
 * drop-out, then a 2x2 max-pool `enc<level>_pool`. `skip` is the feature map
 * before the pool, which the matching decoder level concatenates.
 *
 * @example
 * ```ts
 * const enc1 = encoderBlock({ level: 1, input: 'image', filters: 64,
 *   padding: 'valid', activation: 'relu', batchNorm: false, initializer: 'heNormal' });
 * enc1.skip;   // 'enc1_conv2'
 * enc1.output; // 'enc1_pool'
 * ```
 */
export function encoderBlock(
  options: ConvSettings & {
    readonly level: number;
    readonly input: string;
    readonly filters: number;
    readonly dropout?: number;
    /** `'residual'`: a {@link residualBlock} instead of two convs. Default `'double'`. */
    readonly unit?: ConvUnitKind;
    /** Channels of `input` (a residual unit projects its shortcut unless they equal `filters`). */
    readonly inChannels?: number;
  },
): Block & { readonly skip: string } {
  const { level, ...rest } = options;
  const convs = levelConvs({ ...rest, prefix: `enc${level}` });
  const pool = `enc${level}_pool`;
  return {
    nodes: [...convs.nodes, { kind: 'pool', name: pool, input: convs.output, size: 2 }],
    output: pool,
    skip: convs.output,
  };
}

/**
 * The bottom of the U: two 3x3 convs `bottleneck_conv1/2`, optional drop-out.
 *
 * @example
 * ```ts
 * bottleneck({ input: 'enc4_pool', filters: 1024, dropout: 0.5,
 *   padding: 'valid', activation: 'relu', batchNorm: false, initializer: 'heNormal' });
 * ```
 */
export function bottleneck(
  options: ConvSettings & { readonly input: string; readonly filters: number; readonly dropout?: number; readonly unit?: ConvUnitKind; readonly inChannels?: number },
): Block {
  return levelConvs({ ...options, prefix: 'bottleneck' });
}

/**
 * An expanding-path level: upsample x2 to `filters` channels, center-crop the
 * skip connection to match (valid padding only), concatenate `[skip, up]`, two
 * 3x3 convs. Upsampling `'transpose'` is the paper's 2x2 up-convolution
 * (`dec<level>_upconv`); `'bilinear'`/`'nearest'` are a fixed upsampling
 * (`dec<level>_upsample`) followed by a 1x1 conv (`dec<level>_upsample_conv`)
 * that halves the channels. With valid padding, bilinear upsampling is
 * trimmed by one pixel per side (`dec<level>_upsample_trim`): tfjs's bilinear
 * resize clamps at the bottom/right edge, and the trim removes the clamped
 * row so the network stays translation-equivariant (tiled = untiled).
 * With `attention` the (cropped) skip passes an {@link attentionGate} gated
 * by the upsampled map, with half the level's filters; with `unit:
 * 'residual'` the two convs are a {@link residualBlock}.
 *
 * @example
 * ```ts
 * decoderBlock({ level: 4, input: 'bottleneck_dropout', skip: 'enc4_dropout', filters: 512,
 *   upsampling: 'transpose', padding: 'valid', activation: 'relu', batchNorm: false, initializer: 'heNormal' });
 * ```
 */
export function decoderBlock(
  options: ConvSettings & {
    readonly level: number;
    readonly input: string;
    readonly skip: string;
    readonly filters: number;
    readonly upsampling: Upsampling;
    /** Gate the skip connection with an {@link attentionGate}. Default false. */
    readonly attention?: boolean;
    /** `'residual'`: a {@link residualBlock} after the concatenation. Default `'double'`. */
    readonly unit?: ConvUnitKind;
  },
): Block {
  const { level, input, skip, filters, upsampling, attention = false, unit = 'double', ...settings } = options;
  const prefix = `dec${level}`;
  const up = upsample(prefix, input, filters, upsampling, settings);
  const nodes: SpecNode[] = [...up.nodes];
  let skipInput = skip;
  if (settings.padding === 'valid') {
    skipInput = `${prefix}_crop`;
    nodes.push({ kind: 'crop', name: skipInput, input: skip, reference: up.output });
  }
  if (attention) {
    const gate = attentionGate({ prefix, skip: skipInput, gating: up.output, channels: Math.max(1, Math.floor(filters / 2)), batchNorm: settings.batchNorm, initializer: settings.initializer });
    nodes.push(...gate.nodes);
    skipInput = gate.output;
  }
  nodes.push({ kind: 'concat', name: `${prefix}_concat`, inputs: [skipInput, up.output] });
  // The skip has `filters` channels in a U-Net (its encoder level's), the upsampled map `filters` too.
  const convs = levelConvs({ ...settings, prefix, input: `${prefix}_concat`, filters, unit, inChannels: 2 * filters });
  return { nodes: [...nodes, ...convs.nodes], output: convs.output };
}

/** Upsampling x2 to `filters` channels, as the decoder levels do it (`<prefix>_upconv`, or `<prefix>_upsample` [+ `_trim`] + `_upsample_conv`). */
export function upsample(prefix: string, input: string, filters: number, mode: Upsampling, settings: ConvSettings): Block {
  if (mode === 'transpose') {
    const name = `${prefix}_upconv`;
    return {
      nodes: [{ kind: 'upconv', name, input, filters, factor: 2, initializer: settings.initializer }],
      output: name,
    };
  }
  const nodes: SpecNode[] = [{ kind: 'upsample', name: `${prefix}_upsample`, input, factor: 2, interpolation: mode }];
  let current = `${prefix}_upsample`;
  if (mode === 'bilinear' && settings.padding === 'valid') {
    nodes.push({ kind: 'trim', name: `${prefix}_upsample_trim`, input: current, pixels: 1 });
    current = `${prefix}_upsample_trim`;
  }
  const conv = convUnit({ ...settings, name: `${prefix}_upsample_conv`, input: current, filters, kernelSize: 1 });
  return { nodes: [...nodes, ...conv.nodes], output: conv.output };
}

/**
 * The 1x1 convolution to `classes` channels (`head_conv`, linear) and the
 * output activation (`output`).
 *
 * @example
 * ```ts
 * outputBlock({ input: 'dec1_conv2', classes: 2, activation: 'softmax', initializer: 'heNormal' });
 * ```
 */
export function outputBlock(options: {
  readonly input: string;
  readonly classes: number;
  readonly activation: OutputActivation;
  readonly initializer: Initializer;
}): Block {
  const { input, classes, activation, initializer } = options;
  return {
    nodes: [
      {
        kind: 'conv',
        name: 'head_conv',
        input,
        filters: classes,
        kernelSize: 1,
        padding: 'valid',
        activation: 'linear',
        useBias: true,
        initializer,
      },
      { kind: 'output', name: 'output', input: 'head_conv', activation },
    ],
    output: 'output',
  };
}
