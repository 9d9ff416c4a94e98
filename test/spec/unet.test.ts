import { describe, expect, it } from 'vitest';
import { bottleneck, decoderBlock, encoderBlock, graph, presets, SpecError, unet, type SpecNode } from '../../src/index.js';

const kinds = (nodes: readonly SpecNode[]) => nodes.map((n) => n.kind);
const settings = { padding: 'valid', activation: 'relu', batchNorm: false, initializer: 'heNormal' } as const;

describe('unet()', () => {
  it('builds the paper graph: 23 convolutions, 4 pools, 4 crops', () => {
    const spec = unet();
    const convs = spec.nodes.filter((n) => n.kind === 'conv' || n.kind === 'upconv');
    expect(convs).toHaveLength(23);
    expect(convs.filter((n) => n.kind === 'conv' && n.kernelSize === 3)).toHaveLength(18);
    expect(convs.filter((n) => n.kind === 'upconv')).toHaveLength(4);
    expect(spec.nodes.filter((n) => n.kind === 'pool')).toHaveLength(4);
    expect(spec.nodes.filter((n) => n.kind === 'crop')).toHaveLength(4);
    const filters = convs.map((n) => (n.kind === 'conv' || n.kind === 'upconv' ? n.filters : 0));
    expect(filters).toEqual([64, 64, 128, 128, 256, 256, 512, 512, 1024, 1024, 512, 512, 512, 256, 256, 256, 128, 128, 128, 64, 64, 64, 2]);
    expect(spec.output).toBe('output');
  });

  it('puts drop-out on the deepest encoder level and the bottleneck', () => {
    const dropouts = unet().nodes.filter((n) => n.kind === 'dropout');
    expect(dropouts.map((n) => [n.name, n.kind === 'dropout' && n.rate])).toEqual([
      ['enc4_dropout', 0.5],
      ['bottleneck_dropout', 0.5],
    ]);
    expect(unet({ dropout: 0 }).nodes.some((n) => n.kind === 'dropout')).toBe(false);
    // The deepest skip is the dropped-out map, as in the popular Keras port.
    const crop = unet().nodes.find((n) => n.name === 'dec4_crop');
    expect(crop).toMatchObject({ input: 'enc4_dropout', reference: 'dec4_upconv' });
  });

  it('names layers deterministically', () => {
    const names = unet({ depth: 2 }).nodes.map((n) => n.name);
    expect(names).toEqual([
      'image',
      'enc1_conv1', 'enc1_conv2', 'enc1_pool',
      'enc2_conv1', 'enc2_conv2', 'enc2_dropout', 'enc2_pool',
      'bottleneck_conv1', 'bottleneck_conv2', 'bottleneck_dropout',
      'dec2_upconv', 'dec2_crop', 'dec2_concat', 'dec2_conv1', 'dec2_conv2',
      'dec1_upconv', 'dec1_crop', 'dec1_concat', 'dec1_conv1', 'dec1_conv2',
      'head_conv', 'output',
    ]);
  });

  it('with batch norm: bias-free conv, batch norm, activation', () => {
    const nodes = unet({ depth: 1, batchNorm: true }).nodes;
    expect(kinds(nodes.slice(1, 4))).toEqual(['conv', 'batchNorm', 'activation']);
    expect(nodes[1]).toMatchObject({ useBias: false, activation: 'linear' });
    expect(nodes[3]).toMatchObject({ activation: 'relu', input: 'enc1_conv1_bn' });
  });

  it('same padding has no crops; bilinear valid upsampling is trimmed', () => {
    expect(unet({ padding: 'same' }).nodes.some((n) => n.kind === 'crop' || n.kind === 'trim')).toBe(false);
    const bilinear = unet({ depth: 1, upsampling: 'bilinear' }).nodes.map((n) => n.name);
    expect(bilinear).toContain('dec1_upsample_trim');
    const nearest = unet({ depth: 1, upsampling: 'nearest' }).nodes;
    expect(nearest.some((n) => n.kind === 'trim')).toBe(false);
    expect(nearest.find((n) => n.name === 'dec1_upsample_conv')).toMatchObject({ kind: 'conv', kernelSize: 1, filters: 64 });
  });

  it('returns a deeply frozen, plain-data spec', () => {
    const spec = unet({ depth: 2 });
    expect(Object.isFrozen(spec)).toBe(true);
    expect(Object.isFrozen(spec.nodes)).toBe(true);
    expect(Object.isFrozen(spec.nodes[1])).toBe(true);
    expect(Object.isFrozen(spec.options)).toBe(true);
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  it('presets are data for unet()', () => {
    expect(unet(presets.paper2015)).toEqual(unet());
    expect(unet(presets.small).options.depth).toBe(3);
  });
});

describe('blocks and graph()', () => {
  it('composes a custom graph from blocks', () => {
    const enc = encoderBlock({ ...settings, level: 1, input: 'image', filters: 8 });
    const mid = bottleneck({ ...settings, input: enc.output, filters: 16 });
    const dec = decoderBlock({ ...settings, level: 1, input: mid.output, skip: enc.skip, filters: 8, upsampling: 'transpose' });
    const spec = graph({
      name: 'custom',
      nodes: [{ kind: 'input', name: 'image', channels: 3 }, ...enc.nodes, ...mid.nodes, ...dec.nodes],
      output: dec.output,
    });
    expect(spec.options).toBeNull();
    expect(spec.nodes.at(-1)!.name).toBe('dec1_conv2');
    expect(enc.skip).toBe('enc1_conv2');
  });

  it('rejects malformed graphs with the field and the value', () => {
    const image = { kind: 'input', name: 'image', channels: 1 } as const;
    const conv = { kind: 'conv', name: 'c', input: 'image', filters: 4, kernelSize: 3, padding: 'valid', activation: 'relu', useBias: true, initializer: 'heNormal' } as const;
    const bad = (nodes: unknown[], output = 'c') => () => graph({ name: 'g', nodes: nodes as SpecNode[], output });
    expect(bad([image, { ...conv, input: 'nope' }])).toThrow('`nodes[1] (c) input #1` must name an earlier node. Received: nodes[1] (c) input #1="nope".');
    expect(bad([image, conv, { ...conv }])).toThrow('`nodes[2].name` must be unique within the spec');
    expect(bad([conv, image])).toThrow("`nodes[0].kind` must be 'input' for the first node and only for it");
    expect(bad([image, { ...conv, filters: -3 }])).toThrow('`nodes[1].filters` must be a positive integer. Received: nodes[1].filters=-3.');
    expect(bad([image, { ...conv, kind: 'attention' }])).toThrow(/`nodes\[1\]\.kind` must be one of 'input', 'conv'/);
    expect(bad([image, { ...conv, extra: 1 }])).toThrow('`nodes[1].extra` is not a known field');
    expect(bad([image, conv, { ...conv, name: 'dead' }])).toThrow('`nodes[2]` must contribute to the output node');
    expect(bad([image, conv], 'zzz')).toThrow('`output` must name a node of the spec');
    expect(bad([image, { ...conv, name: 'has space' }])).toThrow(SpecError);
  });
});
