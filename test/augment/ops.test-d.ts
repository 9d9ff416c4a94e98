import { describe, expectTypeOf, it } from 'vitest';
import { AUGMENT_OPS, type AugmentOp } from '../../src/augment/pipeline.js';

describe('the augmentation table', () => {
  it('has exactly one entry per kind of step', () => {
    expectTypeOf<keyof typeof AUGMENT_OPS>().toEqualTypeOf<AugmentOp['kind']>();
  });
});
