/**
 * The README's quickstart as a newcomer runs it, on the packed package: a fresh project, the
 * install line, then each command line, with two substitutions (the demo's own images stand in
 * for "my-data" and "new-images", and one minute for ten). Ends with the masks on disk.
 *
 *   npx tsx scripts/quickstart-check.ts [--keep]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

/** The shell lines of the README's quickstart block. */
export function quickstartLines(readme: string): string[] {
  const section = readme.slice(readme.indexOf('## Quickstart'));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error('README.md has no sh block under "## Quickstart"');
  return block[1]!.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lines = quickstartLines(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  const project = mkdtempSync(join(tmpdir(), 'tfjs-unet-quickstart-'));
  const run = (line: string) => {
    console.log(`$ ${line}`);
    execFileSync('sh', ['-c', line], { cwd: project, stdio: 'inherit' });
  };
  const tarball = execFileSync('npm', ['pack', '--pack-destination', project, '--silent'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').at(-1)!;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'quickstart', version: '1.0.0', private: true, type: 'module' }));
  // As docs/install.md says for machines without internet access beyond the npm registry.
  writeFileSync(join(project, '.npmrc'), 'onnxruntime-node-install=skip\n');
  for (const line of lines) {
    const substituted = line
      .replace(/^npm install tfjs-unet /, `npm install --no-audit --no-fund ./${tarball} `)
      .replace('my-data/images', 'tfjs-unet-demo/data/train/images')
      .replace('my-data/masks', 'tfjs-unet-demo/data/train/masks')
      .replace('new-images', 'tfjs-unet-demo/data/test/images')
      .replace('--minutes 10', '--minutes 1');
    run(substituted);
  }
  const expected = ['masks/0-mask.png', 'masks/0-probability.png', 'masks/0-overlay.png', 'masks/0-instances.png', 'runs/exp1/model/model.json'];
  const missing = expected.filter((file) => !existsSync(join(project, file)));
  if (missing.length > 0) {
    console.error(`quickstart check: missing after the quickstart: ${missing.join(', ')} (in ${project})`);
    process.exit(1);
  }
  console.log(`quickstart check: the README's ${lines.length} lines ran on the packed package and wrote ${expected.join(', ')}`);
  if (!process.argv.includes('--keep')) rmSync(project, { recursive: true, force: true });
}
