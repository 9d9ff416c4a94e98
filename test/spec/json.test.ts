import { describe, expect, it } from 'vitest';
import { graph, registerBuilder, registeredBuilders, specBuilder, SpecError, specFromJSON, specToJSON, unet, type Spec, type UNetOptions } from '../../src/index.js';

/** The Keras-style round-trip check: from_config(get_config()) equals the original. */
function expectRoundTrip(spec: Spec): void {
  const again = specFromJSON(specToJSON(spec));
  expect(again).toEqual(spec);
  expect(specToJSON(again)).toBe(specToJSON(spec));
  expect(Object.isFrozen(again.nodes[1])).toBe(true);
}

const variants: UNetOptions[] = [
  {},
  { padding: 'same' },
  { depth: 1, baseFilters: 4, batchNorm: true },
  { depth: 6, baseFilters: 8, upsampling: 'bilinear' },
  { upsampling: 'nearest', activation: 'elu', outputActivation: 'sigmoid', classes: 3, dropout: 0 },
  { inChannels: 3, initializer: 'glorotUniform', name: 'rgb' },
];

describe('spec JSON', () => {
  it.each(variants.map((v) => [JSON.stringify(v), v] as const))('round-trips %s exactly', (_, options) => {
    expectRoundTrip(unet(options));
  });

  it('round-trips hand-built graphs', () => {
    expectRoundTrip(
      graph({
        name: 'tiny',
        nodes: [
          { kind: 'input', name: 'image', channels: 1 },
          { kind: 'conv', name: 'c', input: 'image', filters: 2, kernelSize: 1, padding: 'same', activation: 'linear', useBias: true, initializer: 'heNormal' },
          { kind: 'output', name: 'out', input: 'c', activation: 'softmax' },
        ],
        output: 'out',
      }),
    );
  });

  const good = JSON.parse(specToJSON(unet({ depth: 1, baseFilters: 2 }))) as Record<string, unknown>;
  const mutate = (f: (s: Record<string, any>) => void) => {
    const copy = structuredClone(good) as Record<string, any>;
    f(copy);
    return copy;
  };

  it('rejects untrusted input with a clear error', () => {
    expect(() => specFromJSON('{not json')).toThrow(/^`json` must be valid JSON/);
    expect(() => specFromJSON('[1,2]')).toThrow('`spec` must be an object. Received: spec=array(length 2).');
    expect(() => specFromJSON(mutate((s) => (s.format = 'keras')))).toThrow("`spec.format` must be 'tfjs-unet/spec'");
    expect(() => specFromJSON(mutate((s) => (s.version = 3)))).toThrow('`spec.version` must be 1 or 2 (the spec versions this library reads). Received: spec.version=3.');
    expect(() => specFromJSON(mutate((s) => (s.builder = 'resnet50')))).toThrow("`spec.builder` must name a registered builder (unet");
    expect(() => specFromJSON(mutate((s) => (s.nodes[1].kind = 'lstm')))).toThrow(/`nodes\[1\]\.kind` must be one of/);
    expect(() => specFromJSON(mutate((s) => (s.nodes[1].filters = '64')))).toThrow('`nodes[1].filters` must be a positive integer. Received: nodes[1].filters="64".');
    expect(() => specFromJSON(mutate((s) => (s.nodes[1].filters = 1e9)))).toThrow('`nodes[1].filters` must be at most 16384. Received: nodes[1].filters=1000000000.');
    expect(() => specFromJSON(mutate((s) => (s.nodes[1].kernelSize = 1001)))).toThrow('`nodes[1].kernelSize` must be an integer between 1 and 31');
    expect(() => specFromJSON(mutate((s) => delete s.nodes[1].padding))).toThrow("`nodes[1].padding` is required for a 'conv' node");
    expect(() => specFromJSON(mutate((s) => (s.nodes = [])))).toThrow('`nodes` must be an array of 2 to 4096 nodes');
    expect(() => specFromJSON(mutate((s) => (s.nodes = Array(5000).fill(s.nodes[1]))))).toThrow('`nodes` must be an array of 2 to 4096 nodes');
    expect(() => specFromJSON(mutate((s) => (s.options.depth = 9)))).toThrow('`spec.options.depth` must be an integer between 1 and 6. Received: spec.options.depth=9.');
    expect(() => specFromJSON(mutate((s) => (s.__proto__polluted = 1)))).toThrow('`spec.__proto__polluted` is not a known field');
    expect(() => specFromJSON('x'.repeat(5_000_000))).toThrow('`json` must be at most 4000000 characters');
  });

  it('rejects nodes that disagree with the options that claim to build them', () => {
    const tampered = mutate((s) => (s.nodes[1].filters = 3));
    expect(() => specFromJSON(tampered)).toThrow('`spec.nodes` must be exactly the graph that spec.options builds');
    // The same nodes are accepted as a custom graph.
    expect(() => specFromJSON({ ...tampered, builder: null })).toThrow('`spec.options` must be null when spec.builder is null');
    const custom = specFromJSON({ ...tampered, builder: null, options: null });
    expect(custom.nodes[1]).toMatchObject({ filters: 3 });
    expect(custom.options).toBeNull();
  });

  it('records the builder, and reads version 1 specs (no builder field: unet options or none)', () => {
    const spec = unet({ depth: 2, baseFilters: 4 });
    expect(spec.builder).toBe('unet');
    expect(spec.version).toBe(2);
    expect(JSON.parse(specToJSON(spec))).toMatchObject({ version: 2, builder: 'unet' });
    const { builder: _builder, ...v1 } = { ...JSON.parse(specToJSON(spec)), version: 1 };
    expect(specFromJSON(v1)).toEqual(spec);
    const { builder: _b, ...v1Hand } = { ...JSON.parse(specToJSON(spec)), version: 1, options: null };
    expect(specFromJSON(v1Hand).builder).toBeNull();
    expect(() => specFromJSON({ ...v1, builder: 'unet' })).toThrow('`spec.builder` must be absent in a version 1 spec');
  });

  it("dispatches through the registry: a registered builder's specs round-trip and tampering is caught", () => {
    interface ChainOptions {
      readonly width: number;
    }
    const chain = (o: ChainOptions): Spec<ChainOptions> =>
      graph({
        name: 'chain',
        builder: 'testChain',
        options: o,
        nodes: [
          { kind: 'input', name: 'image', channels: 1 },
          { kind: 'conv', name: 'c', input: 'image', filters: o.width, kernelSize: 3, padding: 'same', activation: 'relu', useBias: true, initializer: 'heNormal' },
          { kind: 'output', name: 'out', input: 'c', activation: 'softmax' },
        ],
        output: 'out',
      }) as Spec<ChainOptions>;
    const builder = {
      name: 'testChain',
      resolve: (o: unknown): ChainOptions => {
        const width = (o as { width?: unknown }).width;
        if (typeof width !== 'number' || !Number.isInteger(width) || width < 1) throw new SpecError('width', 'must be a positive integer', width);
        return { width };
      },
      build: chain,
    };
    expect(() => specFromJSON(specToJSON(chain({ width: 3 })))).toThrow("`spec.builder` must name a registered builder (unet, resUnet, attentionUnet, unetPlusPlus; see registerBuilder). Received: spec.builder=\"testChain\".");
    registerBuilder(builder);
    registerBuilder(builder); // the same builder again is harmless
    expect(registeredBuilders()).toContain('testChain');
    expect(specBuilder('testChain')).toBe(builder);
    expectRoundTrip(chain({ width: 3 }));
    const tampered = JSON.parse(specToJSON(chain({ width: 3 })));
    tampered.nodes[1].filters = 4;
    expect(() => specFromJSON(tampered)).toThrow("`spec.nodes` must be exactly the graph that spec.options builds with builder 'testChain'");
    expect(() => specFromJSON({ ...tampered, options: { width: 0 } })).toThrow('`spec.options.width` must be a positive integer');
    expect(() => registerBuilder({ ...builder })).toThrow('`builder.name` must not be the name of another registered builder');
  });

  it('throws SpecError instances', () => {
    expect(() => specFromJSON(42)).toThrow(SpecError);
  });
});
