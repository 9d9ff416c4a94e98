import { describe, expect, it } from 'vitest';
import { resolveUNetOptions, SpecError, unet, UNET_DEFAULTS } from '../../src/index.js';

const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a throw');
};

describe('unet options', () => {
  it('defaults to the paper network', () => {
    expect(unet().options).toEqual({
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
    });
    expect(resolveUNetOptions({})).toEqual(UNET_DEFAULTS);
  });

  it('explains bad values the Keras way', () => {
    expect(message(() => unet({ baseFilters: 0 }))).toBe('`baseFilters` must be a positive integer. Received: baseFilters=0.');
    expect(message(() => unet({ baseFilters: 2.5 }))).toBe('`baseFilters` must be a positive integer. Received: baseFilters=2.5.');
    expect(message(() => unet({ depth: 7 as 4 }))).toBe('`depth` must be an integer between 1 and 6. Received: depth=7.');
    expect(message(() => unet({ padding: 'full' as 'same' }))).toBe(
      "`padding` must be one of 'valid', 'same'. Received: padding=\"full\".",
    );
    expect(message(() => unet({ dropout: 1 }))).toBe('`dropout` must be a number in [0, 1). Received: dropout=1.');
    expect(message(() => unet({ dropout: Number.NaN }))).toBe('`dropout` must be a number in [0, 1). Received: dropout=NaN.');
    expect(message(() => unet({ batchNorm: 'yes' as unknown as boolean }))).toBe(
      '`batchNorm` must be a boolean. Received: batchNorm="yes".',
    );
    expect(message(() => unet({ classes: 1 }))).toMatch(
      /^`classes` must be >= 2 with outputActivation 'softmax' .*Received: classes=1\.$/,
    );
    expect(message(() => unet({ dept: 3 } as never))).toMatch(/^`dept` is not a known option \(known: inChannels, .*\)\. Received: dept=3\.$/);
    expect(message(() => unet({ baseFilters: 1024, depth: 6 }))).toBe(
      '`baseFilters` times 2^depth (the bottleneck width) must be at most 16384 (depth=6 gives 65536). Received: baseFilters=1024.',
    );
    expect(message(() => unet({ name: 'my model' }))).toMatch(/^`name` must be letters/);
  });

  it('throws SpecError carrying the argument and value', () => {
    try {
      unet({ inChannels: -1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SpecError);
      expect((e as SpecError).argument).toBe('inChannels');
      expect((e as SpecError).received).toBe(-1);
    }
  });

  it('allows one sigmoid channel', () => {
    expect(unet({ classes: 1, outputActivation: 'sigmoid' }).options.classes).toBe(1);
  });
});
