/**
 * One tfjs layer per spec node, chosen by an exhaustive match on the node
 * kind: a new node kind does not compile until it is handled here. Only
 * built-in layers are used, so saved models need no custom objects.
 */
import * as tf from '@tensorflow/tfjs';
import { match } from 'ts-pattern';
import type { SpecNode } from '../spec/nodes.js';
import { kernelInitializer } from './initializers.js';

/** What a layer needs to know beyond its node. */
export interface LayerContext {
  /** Channels of the node's first input. */
  readonly inChannels: number;
  /** Rows and columns to remove from [top, bottom] and [left, right] (crop and trim nodes). */
  readonly cropping: readonly [readonly [number, number], readonly [number, number]];
  /** Seed for this layer's initialiser, or undefined for a random one. */
  readonly seed: number | undefined;
}

/**
 * Creates the tfjs layer for a non-input node.
 *
 * @throws Error for an `input` node (inputs are symbolic tensors, not layers).
 */
export function createLayer(node: SpecNode, context: LayerContext): tf.layers.Layer {
  const { inChannels, cropping, seed } = context;
  return match(node)
    .with({ kind: 'input' }, () => {
      throw new Error('input nodes are not layers');
    })
    .with({ kind: 'conv' }, (n) =>
      tf.layers.conv2d({
        name: n.name,
        filters: n.filters,
        kernelSize: n.kernelSize,
        padding: n.padding,
        activation: n.activation,
        useBias: n.useBias,
        kernelInitializer: kernelInitializer(n.initializer, n.kernelSize * n.kernelSize * inChannels, seed),
      }),
    )
    .with({ kind: 'batchNorm' }, (n) =>
      tf.layers.batchNormalization({ name: n.name, axis: -1, momentum: n.momentum, epsilon: n.epsilon }),
    )
    .with({ kind: 'activation' }, (n) => tf.layers.activation({ name: n.name, activation: n.activation }))
    .with({ kind: 'pool' }, (n) =>
      tf.layers.maxPooling2d({ name: n.name, poolSize: n.size, strides: n.size, padding: 'valid' }),
    )
    .with({ kind: 'dropout' }, (n) => tf.layers.dropout({ name: n.name, rate: n.rate }))
    .with({ kind: 'upconv' }, (n) =>
      tf.layers.conv2dTranspose({
        name: n.name,
        filters: n.filters,
        kernelSize: n.factor,
        strides: n.factor,
        padding: 'valid',
        // kernel = stride: each output pixel sees one tap of every input channel.
        kernelInitializer: kernelInitializer(n.initializer, inChannels, seed),
      }),
    )
    .with({ kind: 'upsample' }, (n) =>
      tf.layers.upSampling2d({ name: n.name, size: [n.factor, n.factor], interpolation: n.interpolation }),
    )
    .with({ kind: 'crop' }, { kind: 'trim' }, (n) =>
      tf.layers.cropping2D({ name: n.name, cropping: [[...cropping[0]], [...cropping[1]]] }),
    )
    .with({ kind: 'concat' }, (n) => tf.layers.concatenate({ name: n.name, axis: -1 }))
    .with({ kind: 'add' }, (n) => tf.layers.add({ name: n.name }))
    // Keras's Multiply broadcasts a one-channel gate over the channels.
    .with({ kind: 'multiply' }, (n) => tf.layers.multiply({ name: n.name }))
    .with({ kind: 'output' }, (n) => tf.layers.activation({ name: n.name, activation: n.activation }))
    .exhaustive();
}
