import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { packagePath, zipPackageSource } from '../../src/index.js';

describe('package paths and zips', () => {
  it('normalises paths inside a package and refuses those that leave it', () => {
    expect(packagePath('weights.onnx')).toBe('weights.onnx');
    expect(packagePath('a/./b//c.npy')).toBe('a/b/c.npy');
    expect(packagePath('a/../b.npy')).toBe('b.npy');
    for (const outside of ['', '/etc/passwd', '../escape', 'a/../../escape', 'C:/x', 'a\\b', '.', 'a/..']) expect(packagePath(outside), outside).toBeUndefined();
  });

  it('reads a zip with the description at its top or one folder down, by normalised paths', async () => {
    const rdf = new TextEncoder().encode('format_version: 0.5.3');
    const weights = Uint8Array.from([1, 2, 3]);
    for (const [bytes, what] of [
      [zipSync({ 'rdf.yaml': rdf, 'w/weights.onnx': weights }), 'top'],
      [zipSync({ pkg: { 'rdf.yaml': rdf, w: { 'weights.onnx': weights } } }), 'a folder down'],
    ] as const) {
      const source = zipPackageSource(bytes, 'p.zip');
      expect(await source.read('rdf.yaml'), what).toEqual(rdf);
      expect(await source.read('w/./weights.onnx'), what).toEqual(weights);
      expect(await source.read('missing.npy'), what).toBeUndefined();
      expect(await source.read('../rdf.yaml'), what).toBeUndefined();
    }
  });

  it('refuses bytes that are not a zip, and an entry that leaves the package, naming the file', () => {
    expect(() => zipPackageSource(Uint8Array.from([1, 2, 3, 4]), 'notes.zip')).toThrow(/`model` must be a readable zip \(a bioimage\.io package\)\. Received: model="notes\.zip \(/);
    expect(() => zipPackageSource(zipSync({ 'rdf.yaml': new Uint8Array(1), '../x': new Uint8Array(1) }), 'evil.zip')).toThrow(/`evil\.zip: \.\.\/x` must be a path inside the package/);
  });
});
