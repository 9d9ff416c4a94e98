/**
 * An independent, naive evaluator of a spec on plain arrays: direct loops for
 * every operation, written from the definitions (no tfjs ops). Used to check
 * the compiled tfjs model numerically on tiny inputs.
 */
import type { Spec, SpecNode } from '../../src/index.js';

/** A feature map in HWC layout, float64. */
export interface Map3 {
  h: number;
  w: number;
  c: number;
  data: Float64Array;
}

export type Weights = Map<string, Float32Array[]>;

const at = (m: Map3, y: number, x: number, ch: number) => m.data[(y * m.w + x) * m.c + ch]!;
const make = (h: number, w: number, c: number): Map3 => ({ h, w, c, data: new Float64Array(h * w * c) });

function activate(m: Map3, activation: string): Map3 {
  const out = make(m.h, m.w, m.c);
  const f: Record<string, (v: number) => number> = {
    linear: (v) => v,
    relu: (v) => Math.max(0, v),
    elu: (v) => (v > 0 ? v : Math.exp(v) - 1),
    tanh: Math.tanh,
    sigmoid: (v) => 1 / (1 + Math.exp(-v)),
  };
  if (activation === 'softmax') {
    for (let p = 0; p < m.h * m.w; p++) {
      let max = -Infinity;
      for (let k = 0; k < m.c; k++) max = Math.max(max, m.data[p * m.c + k]!);
      let sum = 0;
      for (let k = 0; k < m.c; k++) sum += Math.exp(m.data[p * m.c + k]! - max);
      for (let k = 0; k < m.c; k++) out.data[p * m.c + k] = Math.exp(m.data[p * m.c + k]! - max) / sum;
    }
    return out;
  }
  const fn = f[activation];
  if (fn === undefined) throw new Error(`reference: no activation ${activation}`);
  for (let i = 0; i < m.data.length; i++) out.data[i] = fn(m.data[i]!);
  return out;
}

/** Direct 2-D convolution (cross-correlation), stride 1, kernel [k, k, cin, cout]. */
export function conv(m: Map3, kernel: Float32Array, bias: Float32Array | undefined, k: number, cout: number, padding: string): Map3 {
  const pad = padding === 'same' ? Math.floor((k - 1) / 2) : 0;
  const oh = padding === 'same' ? m.h : m.h - k + 1;
  const ow = padding === 'same' ? m.w : m.w - k + 1;
  const out = make(oh, ow, cout);
  for (let y = 0; y < oh; y++)
    for (let x = 0; x < ow; x++)
      for (let co = 0; co < cout; co++) {
        let s = bias === undefined ? 0 : bias[co]!;
        for (let i = 0; i < k; i++)
          for (let j = 0; j < k; j++) {
            const yy = y + i - pad;
            const xx = x + j - pad;
            if (yy < 0 || xx < 0 || yy >= m.h || xx >= m.w) continue;
            for (let ci = 0; ci < m.c; ci++) s += at(m, yy, xx, ci) * kernel[((i * k + j) * m.c + ci) * cout + co]!;
          }
        out.data[(y * ow + x) * cout + co] = s;
      }
  return out;
}

function evaluateNode(node: SpecNode, ins: Map3[], weights: Weights, masks?: ReadonlyMap<string, ArrayLike<number>>): Map3 {
  const [m] = ins as [Map3];
  const w = weights.get(node.name);
  switch (node.kind) {
    case 'input':
      throw new Error('unreachable');
    case 'conv':
      return activate(conv(m, w![0]!, node.useBias ? w![1] : undefined, node.kernelSize, node.filters, node.padding), node.activation);
    case 'batchNorm': {
      const [gamma, beta, mean, variance] = w as [Float32Array, Float32Array, Float32Array, Float32Array];
      const out = make(m.h, m.w, m.c);
      for (let i = 0; i < m.data.length; i++) {
        const ch = i % m.c;
        out.data[i] = ((m.data[i]! - mean[ch]!) / Math.sqrt(variance[ch]! + node.epsilon)) * gamma[ch]! + beta[ch]!;
      }
      return out;
    }
    case 'activation':
    case 'output':
      return activate(m, node.activation);
    case 'dropout': {
      // Inference: the identity. With a mask (HWC, 0 or 1 / (1 - rate)): training with that mask.
      const mask = masks?.get(node.name);
      if (mask === undefined) return m;
      const out = make(m.h, m.w, m.c);
      for (let i = 0; i < m.data.length; i++) out.data[i] = m.data[i]! * mask[i]!;
      return out;
    }
    case 'pool': {
      const s = node.size;
      const out = make(Math.floor(m.h / s), Math.floor(m.w / s), m.c);
      for (let y = 0; y < out.h; y++)
        for (let x = 0; x < out.w; x++)
          for (let ch = 0; ch < m.c; ch++) {
            let best = -Infinity;
            for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) best = Math.max(best, at(m, y * s + i, x * s + j, ch));
            out.data[(y * out.w + x) * m.c + ch] = best;
          }
      return out;
    }
    case 'upconv': {
      // Transposed conv, kernel = stride = f: every input pixel paints an f x f block.
      // tfjs stores the kernel as [f, f, filters, inChannels].
      const [kernel, bias] = w as [Float32Array, Float32Array];
      const f = node.factor;
      const out = make(m.h * f, m.w * f, node.filters);
      for (let y = 0; y < m.h; y++)
        for (let x = 0; x < m.w; x++)
          for (let i = 0; i < f; i++)
            for (let j = 0; j < f; j++)
              for (let co = 0; co < node.filters; co++) {
                let s = bias[co]!;
                for (let ci = 0; ci < m.c; ci++) s += at(m, y, x, ci) * kernel[((i * f + j) * node.filters + co) * m.c + ci]!;
                out.data[((y * f + i) * out.w + (x * f + j)) * node.filters + co] = s;
              }
      return out;
    }
    case 'upsample': {
      // tfjs UpSampling2D: resize with alignCorners = false, halfPixelCenters = false,
      // so output pixel i samples input coordinate i / factor.
      const f = node.factor;
      const out = make(m.h * f, m.w * f, m.c);
      for (let y = 0; y < out.h; y++)
        for (let x = 0; x < out.w; x++)
          for (let ch = 0; ch < m.c; ch++) {
            let v: number;
            if (node.interpolation === 'nearest') v = at(m, Math.floor(y / f), Math.floor(x / f), ch);
            else {
              const sy = y / f;
              const sx = x / f;
              const y0 = Math.floor(sy);
              const x0 = Math.floor(sx);
              const y1 = Math.min(y0 + 1, m.h - 1);
              const x1 = Math.min(x0 + 1, m.w - 1);
              const fy = sy - y0;
              const fx = sx - x0;
              const top = at(m, y0, x0, ch) * (1 - fx) + at(m, y0, x1, ch) * fx;
              const bottom = at(m, y1, x0, ch) * (1 - fx) + at(m, y1, x1, ch) * fx;
              v = top * (1 - fy) + bottom * fy;
            }
            out.data[(y * out.w + x) * m.c + ch] = v;
          }
      return out;
    }
    case 'crop': {
      const ref = ins[1]!;
      return slice(m, (m.h - ref.h) / 2, (m.w - ref.w) / 2, ref.h, ref.w);
    }
    case 'trim':
      return slice(m, node.pixels, node.pixels, m.h - 2 * node.pixels, m.w - 2 * node.pixels);
    case 'concat': {
      const c = ins.reduce((a, b) => a + b.c, 0);
      const out = make(m.h, m.w, c);
      for (let p = 0; p < m.h * m.w; p++) {
        let o = 0;
        for (const part of ins) for (let k = 0; k < part.c; k++) out.data[p * c + o++] = part.data[p * part.c + k]!;
      }
      return out;
    }
    case 'add': {
      const out = make(m.h, m.w, m.c);
      for (const part of ins) for (let i = 0; i < out.data.length; i++) out.data[i] = out.data[i]! + part.data[i]!;
      return out;
    }
    case 'multiply': {
      // A one-channel gate scales every channel of the input.
      const gate = ins[1]!;
      const out = make(m.h, m.w, m.c);
      for (let p = 0; p < m.h * m.w; p++)
        for (let k = 0; k < m.c; k++) out.data[p * m.c + k] = m.data[p * m.c + k]! * gate.data[p * gate.c + (gate.c === 1 ? 0 : k)]!;
      return out;
    }
  }
}

/** A window of a map. */
export function slice(m: Map3, top: number, left: number, h: number, w: number): Map3 {
  const out = make(h, w, m.c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ch = 0; ch < m.c; ch++) out.data[(y * w + x) * m.c + ch] = at(m, top + y, left + x, ch);
  return out;
}

/** Evaluates `spec` on `input` with the given per-layer weights (and dropout masks, HWC); returns the output map (or node `at`'s). */
export function evaluate(spec: Spec, input: Map3, weights: Weights, masks?: ReadonlyMap<string, ArrayLike<number>>, at: string = spec.output): Map3 {
  const values = new Map<string, Map3>();
  for (const node of spec.nodes) {
    if (node.kind === 'input') {
      values.set(node.name, input);
      continue;
    }
    const inputNames =
      node.kind === 'concat' || node.kind === 'add' ? node.inputs : node.kind === 'crop' ? [node.input, node.reference] : node.kind === 'multiply' ? [node.input, node.gate] : [node.input];
    values.set(node.name, evaluateNode(node, inputNames.map((n) => values.get(n)!), weights, masks));
  }
  return values.get(at)!;
}
