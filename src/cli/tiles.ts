/** `tfjs-unet tiles`: the tile-size calculator. */
import { unet } from '../spec/unet.js';
import { DEPTHS } from '../spec/options.js';
import { PADDINGS, UPSAMPLINGS } from '../spec/nodes.js';
import { InvalidTileSizeError } from '../geometry/errors.js';
import { alignment, inputSizeFor, margin, outputSize, validInputSizes } from '../geometry/tiles.js';
import { choice, integer, parse } from './args.js';

export const TILES_HELP = `Usage: tfjs-unet tiles [--depth 4] [--padding valid|same] [--upsampling transpose|bilinear|nearest]
                      [--min 400 --max 700 | --input 512 | --output 388] [--json]

Valid input tile sizes of a U-Net, the output size for an input, the input for an output,
and the margin lost per side. With no size flags: the valid sizes up to 1024.`;

export function tiles(argv: readonly string[], print: (line: string) => void): number {
  const values = parse(argv, {
    depth: { type: 'string' },
    padding: { type: 'string' },
    upsampling: { type: 'string' },
    min: { type: 'string' },
    max: { type: 'string' },
    input: { type: 'string' },
    output: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help === true) return print(TILES_HELP), 0;
  const spec = unet({
    depth: integer(values, 'depth', 4, 1, 6) as (typeof DEPTHS)[number],
    padding: choice(values, 'padding', PADDINGS, 'valid'),
    upsampling: choice(values, 'upsampling', UPSAMPLINGS, 'transpose'),
    baseFilters: 1,
  });
  const info: Record<string, unknown> = { depth: spec.options.depth, padding: spec.options.padding, margin: margin(spec), alignment: alignment(spec) };
  let status = 0;
  try {
    if (values.input !== undefined) {
      const input = integer(values, 'input', 0);
      info.input = input;
      info.output = outputSize(spec, input);
    } else if (values.output !== undefined) {
      const output = integer(values, 'output', 0);
      info.output = output;
      info.input = inputSizeFor(spec, output);
    } else {
      const min = integer(values, 'min', 1);
      const max = integer(values, 'max', Math.max(min, 1024));
      info.validInputSizes = validInputSizes(spec, { min, max }).map((s) => ({ input: s, output: outputSize(spec, s) }));
    }
  } catch (error) {
    if (!(error instanceof InvalidTileSizeError)) throw error;
    Object.assign(info, { error: error.message, below: error.below ?? null, above: error.above ?? null });
    status = 1;
  }
  if (values.json === true) print(JSON.stringify(info, null, 2));
  else {
    print(`U-Net depth ${String(info.depth)}, ${String(info.padding)} padding: margin ${String(info.margin)} px per side, tiles align to ${String(info.alignment)} px`);
    if (info.error !== undefined) print(String(info.error));
    else if (info.validInputSizes !== undefined) for (const { input, output } of info.validInputSizes as { input: number; output: number }[]) print(`  input ${input} -> output ${output}`);
    else print(`  input ${String(info.input)} -> output ${String(info.output)}`);
  }
  return status;
}
