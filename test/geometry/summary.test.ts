import { describe, expect, it } from 'vitest';
import { buildModel, countParams, layerTable, summary, unet } from '../../src/index.js';

describe('summary and layer table', () => {
  it('matches the compiled model (trainable and non-trainable counts)', () => {
    const spec = unet({ depth: 2, baseFilters: 4, batchNorm: true, upsampling: 'bilinear' });
    const model = buildModel(spec, { inputSize: 116 });
    const nonTrainable = model.nonTrainableWeights.reduce((a, w) => a + w.shape.reduce<number>((x, y) => x * (y ?? 1), 1), 0);
    expect(countParams(spec)).toEqual({
      total: model.countParams(),
      trainable: model.countParams() - nonTrainable,
      nonTrainable,
    });
    const text = summary(spec, { inputSize: 116 });
    expect(text).toContain(`Total params: ${model.countParams().toLocaleString('en-US')}`);
    expect(text).toContain(`Non-trainable params: ${nonTrainable.toLocaleString('en-US')}`);
    // By hand: 116 -conv-> 112 -pool-> 56 -conv-> 52 -pool-> 26 -conv-> 22 (bottleneck),
    // x2 = 44, trim 42, convs 38; x2 = 76, trim 74, convs 70. Margin (116 - 70) / 2 = 23.
    expect(text).toContain('Tile: input 116x116 -> output 70x70, margin 23 px per side');
    model.dispose();
  });

  it('reports per-layer output shapes for the paper tile', () => {
    const rows = layerTable(unet(), 572);
    const byName = new Map(rows.map((r) => [r.name, r]));
    // Figure 1 of the paper: 570, 568 after the first convs; 30x30x1024 at the bottom; 388x388 out.
    expect(byName.get('enc1_conv1')).toMatchObject({ height: 570, width: 570, channels: 64 });
    expect(byName.get('enc1_conv2')).toMatchObject({ height: 568, channels: 64 });
    expect(byName.get('bottleneck_conv2')).toMatchObject({ height: 28, channels: 1024 });
    expect(byName.get('dec4_upconv')).toMatchObject({ height: 56, channels: 512 });
    expect(byName.get('dec4_crop')).toMatchObject({ height: 56, channels: 512 });
    expect(byName.get('dec1_conv2')).toMatchObject({ height: 388, channels: 64 });
    expect(rows.at(-1)).toMatchObject({ name: 'output', height: 388, width: 388, channels: 2 });
  });

  it('passes each line to printFn and prints nothing itself', () => {
    const lines: string[] = [];
    const text = summary(unet({ depth: 1, baseFilters: 2 }), { printFn: (l) => lines.push(l) });
    expect(lines.join('\n')).toBe(text);
    expect(lines[0]).toBe('Model: "unet"');
  });
});
