import { describe, expect, it } from 'vitest';
import { errorLine } from '../../src/cli/main.js';
import { ArgumentError } from '../../src/index.js';
import { MissingPeerError } from '../../src/node/optional.js';

describe('the line a failed command prints', () => {
  it('is the command and the error in one sentence, the stack only with --verbose', () => {
    const missing = new MissingPeerError('sharp', 'reading image files', 'npm install sharp');
    expect(errorLine('predict', missing)).toBe('tfjs-unet predict: reading image files needs sharp, which is not installed: npm install sharp');
    const wrong = new ArgumentError('model', 'must be a model folder, and nothing exists at this path', 'runs/typo');
    expect(errorLine('predict', wrong)).toBe('tfjs-unet predict: `model` must be a model folder, and nothing exists at this path. Received: model="runs/typo".');
    const verbose = errorLine('predict', wrong, true).split('\n');
    expect(verbose[0]).toBe(errorLine('predict', wrong));
    expect(verbose[1]).toMatch(/^ArgumentError: /);
    expect(verbose.length).toBeGreaterThan(2);
  });
});
