/**
 * The parts of tfjs-backend-wasm's `BackendWasm` and of tfjs's gradient-kernel
 * attributes that this library's kernels use (the package exports neither as
 * types the kernels can name without importing it).
 */
import type * as tf from '@tensorflow/tfjs';

/** `BackendWasm` methods used by the kernels. */
export interface WasmBackend {
  /** A new tensor buffer in the wasm heap (uninitialised). */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A view of a tensor's buffer; views move when the heap grows, so take them after every allocation. */
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  /** Drops one reference to a buffer, freeing it at zero. */
  disposeData(dataId: tf.DataId): boolean;
  /** Adds one reference to a buffer. */
  incRef(dataId: tf.DataId): void;
}

/** Attributes tfjs passes to its convolution and pooling gradient kernels. */
export interface WindowAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Attributes of `Conv2DBackpropFilter` and `Conv2DBackpropInput`. */
export interface ConvGradientAttrs extends WindowAttrs {
  dataFormat: 'NHWC' | 'NCHW';
}
