import { describe, expect, it } from 'vitest';
import {
  checkInputSize,
  defaultInputSize,
  graph,
  inputSizeFor,
  InvalidTileSizeError,
  isValidInputSize,
  margin,
  nearestValidInputSize,
  outputSize,
  unet,
  validInputSizes,
  type Depth,
} from '../../src/index.js';

/**
 * Closed-form reference for a valid-padding, transposed-conv U-Net, written
 * from the paper's arithmetic (two 3x3 valid convs lose 4 px, pools halve an
 * even size, up-convs double), independent of the graph walk.
 */
function paperArithmetic(depth: number, n: number): number | undefined {
  let s = n;
  for (let level = 0; level < depth; level++) {
    s -= 4;
    if (s < 1 || s % 2 !== 0) return undefined;
    s /= 2;
  }
  s -= 4;
  if (s < 1) return undefined;
  for (let level = 0; level < depth; level++) {
    s = 2 * s - 4;
    if (s < 1) return undefined;
  }
  return s;
}

describe('tile geometry of the paper network', () => {
  const paper = unet();

  it('maps 572 -> 388 and 188 -> 4 with a 92 px margin', () => {
    expect(outputSize(paper, 572)).toBe(388);
    expect(outputSize(paper, 188)).toBe(4);
    expect(outputSize(paper, [572, 188])).toEqual([388, 4]);
    expect(margin(paper)).toBe(92);
    expect(inputSizeFor(paper, 388)).toBe(572);
    expect(inputSizeFor(paper, 4)).toBe(188);
    expect(defaultInputSize(paper)).toBe(572);
  });

  it('has valid sizes 16k + 188', () => {
    const sizes = validInputSizes(paper, { min: 1, max: 2000 });
    const expected = Array.from({ length: 200 }, (_, k) => 16 * k + 188).filter((s) => s <= 2000);
    expect(sizes).toEqual(expected);
    for (const s of sizes) expect(outputSize(paper, s)).toBe(s - 184);
  });

  it('names the nearest valid sizes, as data and in the message', () => {
    let error: InvalidTileSizeError | undefined;
    try {
      outputSize(paper, 512);
    } catch (e) {
      error = e as InvalidTileSizeError;
    }
    expect(error).toBeInstanceOf(InvalidTileSizeError);
    expect(error!.below).toBe(508);
    expect(error!.above).toBe(524);
    expect(error!.size).toBe(512);
    expect(error!.message).toBe(
      '`inputSize` must be a valid input tile size for this network: 2x2 max-pool `enc3_pool` would see an odd size (121). ' +
        'Received: inputSize=512. Nearest valid input tile sizes: 508 (below) and 524 (above).',
    );
    expect(() => outputSize(paper, 108)).toThrow(/valid 3x3 conv `bottleneck_conv2` would shrink a 1-pixel map to -1.*Nearest valid input tile sizes: 188 \(above\)\.$/);
    expect(() => outputSize(paper, [572, 573])).toThrow('for this network (width): 2x2 max-pool `enc1_pool` would see an odd size (569)');
    expect(() => checkInputSize(paper, 0)).toThrow('`inputSize` must be an integer between 1 and 262144. Received: inputSize=0.');
    expect(() => outputSize(paper, 57.2)).toThrow('Received: inputSize=57.2.');
  });

  it('finds the nearest valid size in each direction', () => {
    expect(nearestValidInputSize(paper, 512, 'up')).toBe(524);
    expect(nearestValidInputSize(paper, 512, 'down')).toBe(508);
    expect(nearestValidInputSize(paper, 512)).toBe(508);
    expect(nearestValidInputSize(paper, 516)).toBe(524); // tie goes up
    expect(nearestValidInputSize(paper, 572, 'down')).toBe(572);
    expect(nearestValidInputSize(paper, 100, 'down')).toBeUndefined();
  });

  it('rejects output sizes no tile produces, naming the neighbours', () => {
    expect(() => inputSizeFor(paper, 390)).toThrow(InvalidTileSizeError);
    try {
      inputSizeFor(paper, 390);
    } catch (e) {
      expect((e as InvalidTileSizeError).below).toBe(388);
      expect((e as InvalidTileSizeError).above).toBe(404);
      expect((e as Error).message).toMatch(/^`outputSize` must be a valid output size for this network/);
    }
  });
});

describe('tile geometry of other specs', () => {
  it.each([1, 2, 3, 4, 5] as Depth[])('valid depth %i agrees with the closed form', (depth) => {
    const spec = unet({ depth, baseFilters: 1 });
    for (let n = 1; n <= 700; n++) {
      const expected = paperArithmetic(depth, n);
      expect(isValidInputSize(spec, n)).toBe(expected !== undefined);
      if (expected !== undefined) expect(outputSize(spec, n)).toBe(expected);
    }
    expect(margin(spec)).toBe(marginClosedForm(depth));
  });

  it.each([1, 2, 3, 4, 5, 6] as Depth[])('same padding depth %i: valid sizes are the multiples of 2^depth', (depth) => {
    const spec = unet({ depth, baseFilters: 1, padding: 'same' });
    const step = 2 ** depth;
    expect(validInputSizes(spec, { max: 512 })).toEqual(Array.from({ length: Math.floor(512 / step) }, (_, i) => (i + 1) * step));
    expect(margin(spec)).toBe(0);
    expect(outputSize(spec, 5 * step)).toBe(5 * step);
  });

  it('walks hand-built graphs too', () => {
    const spec = graph({
      name: 'pool3',
      nodes: [
        { kind: 'input', name: 'image', channels: 1 },
        { kind: 'conv', name: 'c', input: 'image', filters: 2, kernelSize: 5, padding: 'valid', activation: 'relu', useBias: true, initializer: 'heNormal' },
        { kind: 'pool', name: 'p', input: 'c', size: 3 },
        { kind: 'upconv', name: 'u', input: 'p', filters: 2, factor: 3, initializer: 'heNormal' },
      ],
      output: 'u',
    });
    expect(validInputSizes(spec, { max: 20 })).toEqual([7, 10, 13, 16, 19]);
    expect(margin(spec)).toBe(2);
    const downsampler = graph({
      name: 'down',
      nodes: [
        { kind: 'input', name: 'image', channels: 1 },
        { kind: 'pool', name: 'p', input: 'image', size: 2 },
      ],
      output: 'p',
    });
    expect(() => margin(downsampler)).toThrow('`spec` must produce an output equal to its input minus a constant border');
    expect(() => outputSize(spec, 8)).toThrow('3x3 max-pool `p` would see an indivisible size (4)');
  });
});

/** Margin of a depth-d valid U-Net from the recursion in the paper's arithmetic: m(0) = 2 (bottleneck), m(d) = 2 m(d-1) + 4. */
function marginClosedForm(depth: number): number {
  let m = 2;
  for (let level = 0; level < depth; level++) m = 2 * m + 4;
  return m;
}

describe('alignment', () => {
  it('is 2^depth for U-Nets and 1 without pooling', async () => {
    const { alignment } = await import('../../src/index.js');
    for (const depth of [1, 2, 3, 4, 5] as Depth[]) expect(alignment(unet({ depth, baseFilters: 1 }))).toBe(2 ** depth);
    expect(alignment(graph({ name: 'flat', nodes: [{ kind: 'input', name: 'image', channels: 1 }, { kind: 'conv', name: 'c', input: 'image', filters: 1, kernelSize: 3, padding: 'same', activation: 'relu', useBias: true, initializer: 'heNormal' }], output: 'c' }))).toBe(1);
  });
});
