/**
 * The U-Net family beyond the paper's network, built from the same blocks
 * and recorded with their own builder names so their specs round-trip:
 * `resUnet` (residual units; nnU-Net's residual-encoder variant with
 * `residualDecoder: false`) and `attentionUnet` (attention gates on the
 * skips). Both take every `unet()` option, valid or same padding.
 */
import { checkBoolean, checkRecord } from './errors.js';
import { graph, type Spec } from './graph.js';
import { resolveUNetOptions, type ResolvedUNetOptions, type UNetOptions } from './options.js';
import { unetNodes, type UNetNodes } from './unet.js';
import { bottleneck, encoderBlock, levelConvs, outputBlock, upsample, type ConvSettings } from './blocks.js';
import type { SpecNode } from './nodes.js';

/** Options of {@link resUnet}: every `unet()` option, plus where the residual units go. */
export interface ResUNetOptions extends UNetOptions {
  /** Residual units in the decoder too (ResUNet, default true), or only in the encoder and bottleneck (nnU-Net's ResEnc U-Net). */
  readonly residualDecoder?: boolean;
}

/** The options a {@link resUnet} spec records. */
export type ResolvedResUNetOptions = ResolvedUNetOptions & { readonly residualDecoder: boolean };

/**
 * Checks {@link ResUNetOptions} of untrusted origin and fills in the defaults (`unet()`'s, name `'resUnet'`).
 *
 * @throws {@link SpecError} naming the option.
 * @example
 * ```ts
 * resolveResUNetOptions({ depth: 3 }).residualDecoder; // true
 * ```
 */
export function resolveResUNetOptions(options: unknown = {}): ResolvedResUNetOptions {
  const { residualDecoder = true, ...rest } = checkRecord('options', options);
  const base = resolveUNetOptions({ ...rest, name: rest.name ?? 'resUnet' });
  return Object.freeze({ ...base, residualDecoder: checkBoolean('residualDecoder', residualDecoder) });
}

/**
 * A residual U-Net: every level's two convs become a residual unit (two 3x3
 * convs added to a 1x1-projected shortcut, then the activation; see
 * `residualBlock`), in the encoder and the bottleneck, and in the decoder
 * unless `residualDecoder` is false (then it is nnU-Net's residual-encoder
 * U-Net). Valid padding trims the shortcut by what the convs remove, so
 * tiles stitch exactly as in the paper's network.
 *
 * @param options - `unet()`'s options and `residualDecoder`.
 * @throws {@link SpecError} naming a bad option.
 * @example
 * ```ts
 * const spec = resUnet({ depth: 4, baseFilters: 32, padding: 'same', batchNorm: true });
 * spec.builder; // 'resUnet'
 * ```
 */
export function resUnet(options: ResUNetOptions = {}): Spec<ResolvedResUNetOptions> {
  const o = resolveResUNetOptions(options);
  const { nodes, output } = resUnetNodes(o);
  return graph({ name: o.name, nodes, output, builder: 'resUnet', options: o });
}

/** The nodes of {@link resUnet}. */
export function resUnetNodes(o: ResolvedResUNetOptions): UNetNodes {
  return unetNodes(o, { encoder: 'residual', decoder: o.residualDecoder ? 'residual' : 'double', attention: false });
}

/**
 * Checks `unet()` options of untrusted origin for {@link attentionUnet} and fills in the defaults (name `'attentionUnet'`).
 *
 * @throws {@link SpecError} naming the option.
 * @example
 * ```ts
 * resolveAttentionUNetOptions({}).name; // 'attentionUnet'
 * ```
 */
export function resolveAttentionUNetOptions(options: unknown = {}): ResolvedUNetOptions {
  const rest = checkRecord('options', options);
  return resolveUNetOptions({ ...rest, name: rest.name ?? 'attentionUnet' });
}

/**
 * The attention U-Net (Oktay et al. 2018): the paper's U-Net whose skip
 * connections pass additive attention gates, gated by the upsampled decoder
 * map (see `attentionGate`), so the decoder learns where in the skip to
 * look.
 *
 * @param options - `unet()`'s options.
 * @throws {@link SpecError} naming a bad option.
 * @example
 * ```ts
 * const spec = attentionUnet({ depth: 4, baseFilters: 32, padding: 'same', batchNorm: true });
 * spec.nodes.filter((n) => n.kind === 'multiply').length; // 4 gates
 * ```
 */
export function attentionUnet(options: UNetOptions = {}): Spec<ResolvedUNetOptions> {
  const o = resolveAttentionUNetOptions(options);
  const { nodes, output } = attentionUnetNodes(o);
  return graph({ name: o.name, nodes, output, builder: 'attentionUnet', options: o });
}

/** The nodes of {@link attentionUnet}. */
export function attentionUnetNodes(o: ResolvedUNetOptions): UNetNodes {
  return unetNodes(o, { encoder: 'double', decoder: 'double', attention: true });
}

/**
 * Checks `unet()` options of untrusted origin for {@link unetPlusPlus} and fills in the defaults (name `'unetPlusPlus'`).
 *
 * @throws {@link SpecError} naming the option.
 * @example
 * ```ts
 * resolveUNetPlusPlusOptions({ depth: 3 }).name; // 'unetPlusPlus'
 * ```
 */
export function resolveUNetPlusPlusOptions(options: unknown = {}): ResolvedUNetOptions {
  const rest = checkRecord('options', options);
  return resolveUNetOptions({ ...rest, name: rest.name ?? 'unetPlusPlus' });
}

/**
 * U-Net++ (Zhou et al. 2018): the encoder of the U-Net, and between every
 * encoder level and the decoder a column of nested convolution blocks, so a
 * skip connection reaches the decoder through the features of every coarser
 * path. Node `x<i>_<j>` (level i from 0 at full resolution, column j >= 1)
 * concatenates `x<i>_0 .. x<i>_<j-1>` (the encoder's skip is `x<i>_0`;
 * center-cropped with valid padding) and the upsampled `x<i+1>_<j-1>`, then
 * two 3x3 convs with level i's filters; the head reads `x0_<depth>`. Deep
 * supervision (Zhou's: a head on every `x0_<j>`) is a training option: `train(..., { deepSupervision: true })`.
 *
 * @param options - `unet()`'s options (`upsampling` applies to every nested upsampling).
 * @throws {@link SpecError} naming a bad option.
 * @example
 * ```ts
 * const spec = unetPlusPlus({ depth: 3, baseFilters: 16, padding: 'same', batchNorm: true });
 * spec.nodes.some((n) => n.name === 'x0_3_conv2'); // true
 * ```
 */
export function unetPlusPlus(options: UNetOptions = {}): Spec<ResolvedUNetOptions> {
  const o = resolveUNetPlusPlusOptions(options);
  const { nodes, output } = unetPlusPlusNodes(o);
  return graph({ name: o.name, nodes, output, builder: 'unetPlusPlus', options: o });
}

/** The nodes of {@link unetPlusPlus}; deep supervision attaches to the full-resolution nested maps `x0_<depth-1> .. x0_1`. */
export function unetPlusPlusNodes(o: ResolvedUNetOptions): UNetNodes {
  const settings: ConvSettings = { padding: o.padding, activation: o.activation, batchNorm: o.batchNorm, initializer: o.initializer };
  const filters = (level: number) => o.baseFilters * 2 ** level;
  const nodes: SpecNode[] = [{ kind: 'input', name: 'image', channels: o.inChannels }];
  // x[i][j]: the node name carrying block (i, j).
  const x: string[][] = Array.from({ length: o.depth + 1 }, () => []);
  let current = 'image';
  for (let level = 1; level <= o.depth; level++) {
    const block = encoderBlock({ ...settings, level, input: current, filters: filters(level - 1), dropout: level === o.depth ? o.dropout : 0 });
    nodes.push(...block.nodes);
    x[level - 1]![0] = block.skip;
    current = block.output;
  }
  const bottom = bottleneck({ ...settings, input: current, filters: filters(o.depth), dropout: o.dropout });
  nodes.push(...bottom.nodes);
  x[o.depth]![0] = bottom.output;
  for (let j = 1; j <= o.depth; j++) {
    for (let i = 0; i + j <= o.depth; i++) {
      const prefix = `x${i}_${j}`;
      const up = upsample(prefix, x[i + 1]![j - 1]!, filters(i), o.upsampling, settings);
      nodes.push(...up.nodes);
      const parts = x[i]!.slice(0, j).map((name, k) => {
        if (o.padding === 'same') return name;
        const cropped = `${prefix}_crop${k}`;
        nodes.push({ kind: 'crop', name: cropped, input: name, reference: up.output });
        return cropped;
      });
      nodes.push({ kind: 'concat', name: `${prefix}_concat`, inputs: [...parts, up.output] });
      const convs = levelConvs({ ...settings, prefix, input: `${prefix}_concat`, filters: filters(i) });
      nodes.push(...convs.nodes);
      x[i]![j] = convs.output;
    }
  }
  const head = outputBlock({ input: x[0]![o.depth]!, classes: o.classes, activation: o.outputActivation, initializer: o.initializer });
  nodes.push(...head.nodes);
  return { nodes, output: head.output, supervision: x[0]!.slice(1, o.depth).reverse() };
}
