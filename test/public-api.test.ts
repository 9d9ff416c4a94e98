// The public API is a contract: every runtime export of `tfjs-unet`,
// `tfjs-unet/node` and `tfjs-unet/browser` listed in test/fixtures/public-exports.json stays exported
// (removing one means deprecating it first; adding one means adding it here).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as root from '../src/index.js';
import * as node from '../src/node/index.js';
import * as browser from '../src/browser/index.js';

const recorded = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'public-exports.json'), 'utf8')) as { root: string[]; node: string[]; browser: string[] };

describe('public API', () => {
  it.each([
    ['tfjs-unet', root, recorded.root],
    ['tfjs-unet/node', node, recorded.node],
    ['tfjs-unet/browser', browser, recorded.browser],
  ] as const)('%s exports every recorded name, and records every export', (_, module, names) => {
    const exported = Object.keys(module).sort();
    expect(names.filter((n) => !exported.includes(n)), 'removed without deprecation').toEqual([]);
    expect(exported.filter((n) => !names.includes(n)), 'new exports to record in test/fixtures/public-exports.json').toEqual([]);
    expect(names.length).toBeGreaterThan(module === browser ? 5 : 150);
  });

  it('the node entry is a superset of the root entry', () => {
    expect(recorded.root.filter((n) => !recorded.node.includes(n))).toEqual([]);
  });
});
