/**
 * The node kinds a spec graph is made of. Each node is a plain, frozen,
 * JSON-serialisable object discriminated by `kind`; nodes refer to their
 * inputs by `name`. Runtime lists and their types live together here.
 */

/** Padding of 3x3 convolutions: `'valid'` (the paper's, no padding) or `'same'` (zero padding). */
export const PADDINGS = ['valid', 'same'] as const;
/** @see {@link PADDINGS} */
export type Padding = (typeof PADDINGS)[number];

/** How the expanding path doubles the resolution. */
export const UPSAMPLINGS = ['transpose', 'bilinear', 'nearest'] as const;
/** @see {@link UPSAMPLINGS} */
export type Upsampling = (typeof UPSAMPLINGS)[number];

/** Activations allowed after hidden convolutions (tfjs built-in activation names; `sigmoid` for attention gates). */
export const HIDDEN_ACTIVATIONS = ['relu', 'elu', 'selu', 'relu6', 'swish', 'mish', 'gelu', 'tanh', 'sigmoid', 'linear'] as const;
/** @see {@link HIDDEN_ACTIVATIONS} */
export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];

/** Activations allowed on the network output. */
export const OUTPUT_ACTIVATIONS = ['softmax', 'sigmoid', 'linear'] as const;
/** @see {@link OUTPUT_ACTIVATIONS} */
export type OutputActivation = (typeof OUTPUT_ACTIVATIONS)[number];

/** Interpolation of a fixed-factor `upsample` node. */
export const INTERPOLATIONS = ['bilinear', 'nearest'] as const;
/** @see {@link INTERPOLATIONS} */
export type Interpolation = (typeof INTERPOLATIONS)[number];

/**
 * Kernel initialisers. `'heNormal'` is the paper's: an untruncated Gaussian
 * with standard deviation `sqrt(2 / N)`, N = incoming connections of one
 * output unit (kernel area x input channels for a convolution, input channels
 * for a 2x2 stride-2 up-convolution). `'glorotUniform'` is the Keras default.
 */
export const INITIALIZERS = ['heNormal', 'glorotUniform'] as const;
/** @see {@link INITIALIZERS} */
export type Initializer = (typeof INITIALIZERS)[number];

/** Every node kind, in one runtime list. */
export const NODE_KINDS = [
  'input',
  'conv',
  'batchNorm',
  'activation',
  'pool',
  'dropout',
  'upconv',
  'upsample',
  'crop',
  'trim',
  'concat',
  'add',
  'multiply',
  'output',
] as const;
/** @see {@link NODE_KINDS} */
export type NodeKind = (typeof NODE_KINDS)[number];

/** The graph's entry: an image tile with `channels` channels (NHWC). */
export interface InputNode {
  readonly kind: 'input';
  readonly name: string;
  readonly channels: number;
}

/** A stride-1 square convolution. */
export interface ConvNode {
  readonly kind: 'conv';
  readonly name: string;
  readonly input: string;
  readonly filters: number;
  readonly kernelSize: number;
  readonly padding: Padding;
  readonly activation: HiddenActivation;
  readonly useBias: boolean;
  readonly initializer: Initializer;
}

/** Batch normalisation over channels. */
export interface BatchNormNode {
  readonly kind: 'batchNorm';
  readonly name: string;
  readonly input: string;
  readonly momentum: number;
  readonly epsilon: number;
}

/** An element-wise activation (used after batch norm). */
export interface ActivationNode {
  readonly kind: 'activation';
  readonly name: string;
  readonly input: string;
  readonly activation: HiddenActivation;
}

/** Max-pooling with a square window and stride equal to the window: every axis must divide evenly. */
export interface PoolNode {
  readonly kind: 'pool';
  readonly name: string;
  readonly input: string;
  readonly size: number;
}

/** Drop-out with rate `rate` during training; identity at inference. */
export interface DropoutNode {
  readonly kind: 'dropout';
  readonly name: string;
  readonly input: string;
  readonly rate: number;
}

/** The paper's "up-convolution": a transposed convolution with kernel = stride = `factor`. */
export interface UpconvNode {
  readonly kind: 'upconv';
  readonly name: string;
  readonly input: string;
  readonly filters: number;
  readonly factor: number;
  readonly initializer: Initializer;
}

/** Fixed upsampling by an integer factor (tfjs `UpSampling2D`). */
export interface UpsampleNode {
  readonly kind: 'upsample';
  readonly name: string;
  readonly input: string;
  readonly factor: number;
  readonly interpolation: Interpolation;
}

/** Center crop of `input` to the spatial size of `reference` (the skip connection crop). */
export interface CropNode {
  readonly kind: 'crop';
  readonly name: string;
  readonly input: string;
  readonly reference: string;
}

/** Removes `pixels` rows/columns on every side. */
export interface TrimNode {
  readonly kind: 'trim';
  readonly name: string;
  readonly input: string;
  readonly pixels: number;
}

/** Channel concatenation of same-sized inputs. */
export interface ConcatNode {
  readonly kind: 'concat';
  readonly name: string;
  readonly inputs: readonly string[];
}

/** Element-wise sum of same-shaped inputs (residual connections). */
export interface AddNode {
  readonly kind: 'add';
  readonly name: string;
  readonly inputs: readonly string[];
}

/**
 * Element-wise product of `input` and `gate` (same size); a one-channel gate
 * scales every channel of `input` (an attention gate's coefficients).
 */
export interface MultiplyNode {
  readonly kind: 'multiply';
  readonly name: string;
  readonly input: string;
  readonly gate: string;
}

/** The output activation over the class channels. */
export interface OutputNode {
  readonly kind: 'output';
  readonly name: string;
  readonly input: string;
  readonly activation: OutputActivation;
}

/** Any node of a spec graph. */
export type SpecNode =
  | InputNode
  | ConvNode
  | BatchNormNode
  | ActivationNode
  | PoolNode
  | DropoutNode
  | UpconvNode
  | UpsampleNode
  | CropNode
  | TrimNode
  | ConcatNode
  | AddNode
  | MultiplyNode
  | OutputNode;
