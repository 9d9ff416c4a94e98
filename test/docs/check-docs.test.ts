import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, checkPage, markdownFiles, slug, withoutExamples } from '../../scripts/check-docs.js';

describe('the docs check', () => {
  it("makes GitHub's heading anchors", () => {
    expect(slug('`train --out OUT`')).toBe('train---out-out');
    expect(slug('GPUs: tfjs-node and tfjs-node-gpu')).toBe('gpus-tfjs-node-and-tfjs-node-gpu');
    expect(slug("1. The fingerprint and the kind of data")).toBe('1-the-fingerprint-and-the-kind-of-data');
    expect([...anchors('# A\n## B\n## B\n```\n# not a heading\n```\n')]).toEqual(['a', 'b', 'b-1']);
  });

  it('finds broken links, missing headings and notebook prose, not flags in code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tfjs-unet-docs-'));
    await writeFile(join(dir, 'other.md'), '# Other\n## A section\n');
    const page = join(dir, 'page.md');
    await writeFile(
      page,
      [
        '# Page',
        'See [other](other.md#a-section) and [here](#page).', // fine
        'See [missing](nothing.md) and [gone](other.md#no-such).',
        'On 2026-11-28 with seed 3 on this 2-core machine.',
        'Run `train --seed 1` as usual.', // a flag, not a result
        '```sh',
        'tfjs-unet train --seed 2 # [x](broken.md)',
        '```',
      ].join('\n'),
    );
    const problems = checkPage(page);
    expect(problems.filter((p) => p.includes('nothing.md names a file that does not exist'))).toHaveLength(1);
    expect(problems.filter((p) => p.includes('other.md#no-such names a heading'))).toHaveLength(1);
    expect(problems.filter((p) => p.includes(':4: a guide states'))).toHaveLength(3); // date, seed, machine
    expect(problems).toHaveLength(5);
  });

  it('names public functions and classes without an example, not their methods', () => {
    const example = { blockTags: [{ tag: '@example' }] };
    const api = {
      name: 'tfjs-unet',
      kind: 1,
      children: [
        { name: 'index', kind: 2, children: [
          { name: 'unet', kind: 64, signatures: [{ name: 'unet', kind: 4096, comment: example }] },
          { name: 'bare', kind: 64, signatures: [{ name: 'bare', kind: 4096, comment: {} }] },
          { name: 'Random', kind: 128, comment: example, children: [{ name: 'next', kind: 2048 }] },
          { name: 'Plain', kind: 128 },
          { name: 'Options', kind: 256 },
        ] },
      ],
    };
    expect(withoutExamples(api)).toEqual(['tfjs-unet/index/bare (function)', 'tfjs-unet/index/Plain (class)']);
  });

  it("passes on this repository's pages", () => {
    expect(markdownFiles().length).toBeGreaterThan(10);
    expect(markdownFiles().flatMap(checkPage)).toEqual([]);
  });
});
