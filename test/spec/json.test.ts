import { describe, expect, it } from 'vitest';
import { graph, SpecError, specFromJSON, specToJSON, unet, type Spec, type UNetOptions } from '../../src/index.js';

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
    expect(() => specFromJSON(mutate((s) => (s.version = 2)))).toThrow('`spec.version` must be 1');
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
    const custom = specFromJSON({ ...tampered, options: null });
    expect(custom.nodes[1]).toMatchObject({ filters: 3 });
    expect(custom.options).toBeNull();
  });

  it('throws SpecError instances', () => {
    expect(() => specFromJSON(42)).toThrow(SpecError);
  });
});
