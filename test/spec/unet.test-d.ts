import { describe, expectTypeOf, it } from 'vitest';
import { unet, validInputSizes, type ValidInputSize, type Spec } from '../../src/index.js';

describe('unet() types', () => {
  it('keeps literal option types', () => {
    expectTypeOf(unet().options.padding).toEqualTypeOf<'valid'>();
    expectTypeOf(unet({ padding: 'same' }).options.padding).toEqualTypeOf<'same'>();
    expectTypeOf(unet({ depth: 3 }).options.depth).toEqualTypeOf<3>();
    expectTypeOf(unet({ upsampling: 'bilinear' }).options.upsampling).toEqualTypeOf<'bilinear'>();
    expectTypeOf(unet({ depth: 2 }).options.upsampling).toEqualTypeOf<'transpose'>();
    expectTypeOf(unet()).toMatchTypeOf<Spec>();
    expectTypeOf(unet({ batchNorm: true }).options.batchNorm).toEqualTypeOf<true>();
  });

  it('rejects invalid literals at compile time', () => {
    // @ts-expect-error 'full' is not a padding
    unet({ padding: 'full' });
    // @ts-expect-error depth is 1..6
    unet({ depth: 7 });
    // @ts-expect-error not an upsampling mode
    unet({ upsampling: 'bicubic' });
    // @ts-expect-error not an output activation
    unet({ outputActivation: 'relu' });
    // @ts-expect-error unknown option
    unet({ dept: 4 });
  });

  it('brands checked tile sizes', () => {
    expectTypeOf(validInputSizes(unet())).toEqualTypeOf<ValidInputSize[]>();
    // @ts-expect-error a plain number is not a checked size
    const size: ValidInputSize = 572;
    void size;
  });
});
