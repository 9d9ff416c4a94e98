/**
 * The tile-size calculator: which input tiles a U-Net accepts, what comes
 * out, and what to use instead of a size that does not fit.
 *
 *   npx tsx examples/tile-sizes.ts
 */
import {
  InvalidTileSizeError,
  inputSizeFor,
  margin,
  nearestValidInputSize,
  outputSize,
  unet,
  validInputSizes,
} from 'tfjs-unet';

const spec = unet(); // the paper's network: depth 4, valid padding

console.log(`margin lost per side: ${margin(spec)} px`);
console.log(`valid input tiles in [400, 700]: ${validInputSizes(spec, { min: 400, max: 700 }).join(', ')}`);
console.log(`572 -> ${outputSize(spec, 572)}; a 388 output needs a ${inputSizeFor(spec, 388)} input`);

try {
  outputSize(spec, 512);
} catch (error) {
  if (!(error instanceof InvalidTileSizeError)) throw error;
  console.log(`512 does not fit: ${error.reason}; use ${error.below} or ${error.above}`);
}
console.log(`nearest valid tile at or above 1000: ${nearestValidInputSize(spec, 1000, 'up')}`);

const same = unet({ padding: 'same', depth: 5 });
console.log(`same padding, depth 5: valid tiles are multiples of 32: ${validInputSizes(same, { max: 160 }).join(', ')}`);
