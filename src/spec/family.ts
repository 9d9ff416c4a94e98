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
import { unetNodes } from './unet.js';

/** Options of {@link resUnet}: every `unet()` option, plus where the residual units go. */
export interface ResUNetOptions extends UNetOptions {
  /** Residual units in the decoder too (ResUNet, default true), or only in the encoder and bottleneck (nnU-Net's ResEnc U-Net). */
  readonly residualDecoder?: boolean;
}

/** The options a {@link resUnet} spec records. */
export type ResolvedResUNetOptions = ResolvedUNetOptions & { readonly residualDecoder: boolean };

/**
 * Checks {@link ResUNetOptions} of untrusted origin and fills in the defaults (`unet()`'s, name `'resunet'`).
 *
 * @throws {@link SpecError} naming the option.
 * @example
 * ```ts
 * resolveResUNetOptions({ depth: 3 }).residualDecoder; // true
 * ```
 */
export function resolveResUNetOptions(options: unknown = {}): ResolvedResUNetOptions {
  const { residualDecoder = true, ...rest } = checkRecord('options', options);
  const base = resolveUNetOptions({ ...rest, name: rest.name ?? 'resunet' });
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
 * spec.builder; // 'resunet'
 * ```
 */
export function resUnet(options: ResUNetOptions = {}): Spec<ResolvedResUNetOptions> {
  const o = resolveResUNetOptions(options);
  const { nodes, output } = unetNodes(o, { encoder: 'residual', decoder: o.residualDecoder ? 'residual' : 'double', attention: false });
  return graph({ name: o.name, nodes, output, builder: 'resunet', options: o });
}

/**
 * Checks `unet()` options of untrusted origin for {@link attentionUnet} and fills in the defaults (name `'attention_unet'`).
 *
 * @throws {@link SpecError} naming the option.
 * @example
 * ```ts
 * resolveAttentionUNetOptions({}).name; // 'attention_unet'
 * ```
 */
export function resolveAttentionUNetOptions(options: unknown = {}): ResolvedUNetOptions {
  const rest = checkRecord('options', options);
  return resolveUNetOptions({ ...rest, name: rest.name ?? 'attention_unet' });
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
  const { nodes, output } = unetNodes(o, { encoder: 'double', decoder: 'double', attention: true });
  return graph({ name: o.name, nodes, output, builder: 'attention_unet', options: o });
}
