// The house rules: arrows point one way. spec and geometry import no tfjs;
// nothing imports cli; the browser-safe core never imports io.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function imports(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

const area = (path: string) => relative(root, path).split(/[\\/]/)[0]!;

describe('module boundaries', () => {
  const all = files(root);

  it('spec and geometry import no tfjs and nothing outside spec/geometry', () => {
    for (const file of all.filter((f) => ['spec', 'geometry'].includes(area(f)))) {
      for (const spec of imports(file)) {
        expect(spec, `${relative(root, file)} imports ${spec}`).not.toMatch(/^@tensorflow\//);
        if (spec.startsWith('.')) expect(spec, `${relative(root, file)} imports ${spec}`).not.toMatch(/\.\.\/(compile|train|infer|io|cli|backend)\//);
      }
      if (area(file) === 'spec') {
        for (const spec of imports(file)) expect(spec, `${relative(root, file)} imports ${spec}`).not.toMatch(/geometry/);
      }
    }
  });

  it('nothing imports cli, and the core (all but the node entry) does not import io', () => {
    for (const file of all) {
      for (const spec of imports(file)) {
        if (area(file) !== 'cli') expect(spec, `${relative(root, file)} imports ${spec}`).not.toMatch(/(^|\/)cli\//);
        if (!['cli', 'io', 'node.ts'].includes(area(file))) expect(spec, `${relative(root, file)} imports ${spec}`).not.toMatch(/(^|\/)io\//);
      }
    }
  });

  it('finds the files it checks', () => {
    expect(all.filter((f) => area(f) === 'spec').length).toBeGreaterThan(3);
    expect(imports(join(root, 'compile', 'build.ts'))).toContain('@tensorflow/tfjs');
  });
});
