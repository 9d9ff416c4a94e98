import { bottleneck, decoderBlock, encoderBlock, outputBlock, type Block, type ConvSettings, type ConvUnitKind } from './blocks.js';
import { graph, type Spec } from './graph.js';
import type { SpecNode } from './nodes.js';
import { resolveUNetOptions, type ResolvedUNetOptions, type UNetOptions } from './options.js';

/** The spec type `unet()` returns: a {@link Spec} whose `options` keep the caller's literal types. */
export type UNetSpec<O extends UNetOptions = UNetOptions> = Spec<ResolvedUNetOptions<O>>;

/**
 * Builds the spec of a U-Net. With no options it is the paper's network
 * (Ronneberger et al. 2015): 1 input channel, 2 classes, depth 4, 64 base
 * filters, unpadded 3x3 convs, 2x2 up-convolutions, drop-out 0.5 on the
 * deepest encoder level and the bottleneck, He-normal init, softmax output:
 * 23 conv layers, 31,030,658 parameters, 572x572 in -> 388x388 out.
 *
 * The result is plain data: frozen, JSON-serialisable, and free of tfjs.
 * Compile it with `buildModel`, ask its tile sizes with `outputSize` and
 * `validInputSizes`.
 *
 * @param options - see {@link UNetOptions}; literal types are kept in the spec's type.
 * @returns the frozen spec.
 * @throws {@link SpecError} with the option's name, the rule and the value received.
 * @example
 * ```ts
 * import { unet, outputSize } from 'tfjs-unet';
 *
 * const paper = unet();
 * outputSize(paper, 572); // 388
 *
 * const small = unet({ depth: 3, baseFilters: 16, padding: 'same', batchNorm: true });
 * small.options.padding; // type 'same'
 * ```
 */
export function unet<const O extends UNetOptions = {}>(options?: O): UNetSpec<O> {
  const o = resolveUNetOptions(options ?? {});
  const { nodes, output } = unetNodes(o, PLAIN_UNET);
  return graph({ name: o.name, nodes, output, builder: 'unet', options: o }) as unknown as UNetSpec<O>;
}

/** How a member of the U-Net family differs from the paper's: the encoder's and decoder's level units, attention on the skips. */
export interface UNetVariant {
  readonly encoder: ConvUnitKind;
  readonly decoder: ConvUnitKind;
  readonly attention: boolean;
}

/** The nodes of a U-Net, and its decoder's maps where deep-supervision heads attach. */
export interface UNetNodes extends Block {
  /** The decoder's level outputs below full resolution, finest first (levels 2..depth, scales 2..2^(depth-1)). */
  readonly supervision: readonly string[];
}

/** The nodes of a U-Net with resolved options, in one of the family's variants. */
export function unetNodes(o: ResolvedUNetOptions, variant: UNetVariant): UNetNodes {
  const settings: ConvSettings = {
    padding: o.padding,
    activation: o.activation,
    batchNorm: o.batchNorm,
    initializer: o.initializer,
  };
  const nodes: SpecNode[] = [{ kind: 'input', name: 'image', channels: o.inChannels }];
  const skips: string[] = [];
  let current = 'image';
  for (let level = 1; level <= o.depth; level++) {
    const block = encoderBlock({
      ...settings,
      unit: variant.encoder,
      inChannels: level === 1 ? o.inChannels : o.baseFilters * 2 ** (level - 2),
      level,
      input: current,
      filters: o.baseFilters * 2 ** (level - 1),
      dropout: level === o.depth ? o.dropout : 0,
    });
    nodes.push(...block.nodes);
    skips.push(block.skip);
    current = block.output;
  }
  const bottom = bottleneck({ ...settings, unit: variant.encoder, inChannels: o.baseFilters * 2 ** (o.depth - 1), input: current, filters: o.baseFilters * 2 ** o.depth, dropout: o.dropout });
  nodes.push(...bottom.nodes);
  current = bottom.output;
  const levelOutputs: string[] = [];
  for (let level = o.depth; level >= 1; level--) {
    const block = decoderBlock({
      ...settings,
      level,
      input: current,
      skip: skips[level - 1]!,
      filters: o.baseFilters * 2 ** (level - 1),
      upsampling: o.upsampling,
      unit: variant.decoder,
      attention: variant.attention,
    });
    nodes.push(...block.nodes);
    current = block.output;
    levelOutputs.unshift(block.output);
  }
  const head = outputBlock({
    input: current,
    classes: o.classes,
    activation: o.outputActivation,
    initializer: o.initializer,
  });
  nodes.push(...head.nodes);
  return { nodes, output: head.output, supervision: levelOutputs.slice(1) };
}

/** The variant of the paper's U-Net. */
export const PLAIN_UNET: UNetVariant = Object.freeze({ encoder: 'double', decoder: 'double', attention: false });
