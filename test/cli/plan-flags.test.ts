import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PAGE, withTable } from '../../scripts/cli-flags-doc.js';
import { PLAN_FLAG_TABLE, planFlags, planFlagsHelp } from '../../src/cli/plan-flags.js';
import { TRAIN_HELP } from '../../src/cli/train.js';

describe('the plan flag table', () => {
  it("is what docs/cli.md's flag table and train --help show", () => {
    const page = readFileSync(PAGE, 'utf8');
    expect(page, 'docs/cli.md differs from the flag table: run npx tsx scripts/cli-flags-doc.ts').toBe(withTable(page));
    expect(TRAIN_HELP).toContain(planFlagsHelp());
    for (const f of PLAN_FLAG_TABLE) expect(page).toContain(`\`--${f.flag}`);
  });

  it('parses each flag into its checked value and refuses what spans flags', () => {
    const flags = planFlags({ 'base-filters': '8', weights: 'border-unbalanced', ema: 'off', tta: 'calibrate', 'batch-norm': true });
    expect(Object.fromEntries([...flags].map(([f, v]) => [f.flag, v]))).toEqual({ 'base-filters': 8, 'batch-norm': true, ema: 0, tta: 'calibrate', weights: 'borderUnbalanced' });
    expect(() => planFlags({ scale: '1.5' })).toThrow('--scale must be a number in (0, 1], got 1.5');
    expect(() => planFlags({ engine: 'onnx', loss: 'focal' })).toThrow('--engine onnx cannot train --loss focal: the onnx engine computes crossEntropy and dice terms; focal runs on tfjs');
  });
});
