import { describe as group, expect, it } from 'vitest';
import { ArgumentError, describe } from '../../src/core/errors.js';

group('ArgumentError', () => {
  it('reads as one sentence: the argument, the rule, what was received', () => {
    expect(new ArgumentError('depth', 'must be an integer from 1 to 6', 9).message).toBe('`depth` must be an integer from 1 to 6. Received: depth=9.');
  });

  it("keeps a long path's beginning and its end (the file name), up to 120 characters", () => {
    const path = `/home/someone/${'nested/'.repeat(20)}images/slice-0042.png`;
    const shown = JSON.parse(describe(path)) as string;
    expect(shown.length).toBe(120);
    expect(shown.startsWith(path.slice(0, 40))).toBe(true);
    expect(shown.endsWith('images/slice-0042.png')).toBe(true);
    expect(describe('runs/unet')).toBe('"runs/unet"');
  });
});
