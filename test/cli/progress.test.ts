import { describe, expect, it } from 'vitest';
import { plainProgress } from '../../src/cli/progress.js';

describe('plainProgress (the bar without cli-progress)', () => {
  it('prints the format with its fields at start, at most every interval, and at stop', () => {
    const lines: string[] = [];
    const bar = plainProgress('training [{bar}] {value}/{total} steps | loss {loss} | left {left}', (line) => lines.push(line), 60_000);
    bar.start(100, 0, { loss: '-', left: '-' });
    bar.update(5, { loss: '0.5000' }); // within the interval: not printed
    bar.update({ left: '1:00' });
    bar.setTotal(120);
    bar.stop();
    expect(lines).toEqual(['training 0/100 steps | loss - | left -', 'training 5/120 steps | loss 0.5000 | left 1:00']);
  });

  it('prints every update when the interval is 0', () => {
    const lines: string[] = [];
    const bar = plainProgress('{value}/{total} {unknown}', (line) => lines.push(line), 0);
    bar.start(3, 1, {});
    bar.update(2);
    expect(lines).toEqual(['1/3 -', '2/3 -']);
  });
});
