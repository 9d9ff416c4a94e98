// Checks the built package as a consumer loads it: ESM import and CJS require of dist/.
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

const esm = await import('../dist/index.js');
const cjs = createRequire(import.meta.url)('../dist/index.cjs');
for (const [format, lib] of [['esm', esm], ['cjs', cjs]]) {
  const spec = lib.unet();
  assert.equal(lib.outputSize(spec, 572), 388, `${format}: outputSize(unet(), 572)`);
  assert.equal(lib.margin(spec), 92, `${format}: margin(unet())`);
  assert.ok(Object.isFrozen(spec), `${format}: spec is frozen`);
}
console.log('dist smoke test: esm and cjs entry points load and agree');

// The node entry shares the core's classes (one chunk), so errors are the same class from both entries.
const nodeEsm = await import('../dist/node.js');
assert.equal(nodeEsm.SpecError, esm.SpecError, 'tfjs-unet/node re-exports the same SpecError class');
assert.equal(typeof nodeEsm.modelDirectory, 'function', 'tfjs-unet/node has modelDirectory');
assert.equal(typeof createRequire(import.meta.url)('../dist/node.cjs').loadModel, 'function', 'tfjs-unet/node (cjs) has loadModel');
console.log('dist smoke test: tfjs-unet/node loads and shares the core');

// The bin runs from dist.
import { execFileSync } from 'node:child_process';
const tilesOut = execFileSync(process.execPath, [new URL('../dist/cli.js', import.meta.url).pathname, 'tiles', '--input', '572'], { encoding: 'utf8' });
assert.match(tilesOut, /input 572 -> output 388/, 'dist/cli.js tiles');
console.log('dist smoke test: the tfjs-unet bin runs');

// The threaded wasm backend loads from the built files (ESM and CJS each in a fresh process).
for (const [format, entry] of [['esm', "await import('./dist/node.js')"], ['cjs', "require('./dist/node.cjs')"]]) {
  const code = `(async () => { const lib = ${entry}; await lib.useBackend('wasm', { threads: 2 }); const tf = require('@tensorflow/tfjs'); const w = require('@tensorflow/tfjs-backend-wasm'); console.log(tf.getBackend(), w.getThreadsCount(), tf.conv2d(tf.ones([1, 5, 5, 1]), tf.ones([3, 3, 1, 1]), 1, 'valid').dataSync()[0]); })()`;
  const out = execFileSync(process.execPath, ['-e', code], { encoding: 'utf8', cwd: new URL('..', import.meta.url).pathname, timeout: 60_000 });
  assert.match(out, /^wasm 2 9$/m, `${format}: threaded wasm from dist (${out.trim()})`);
}
console.log('dist smoke test: tfjs-unet/node runs wasm on 2 threads (esm, cjs)');

// What a browser bundles: dist/index.js and every chunk it reaches import nothing Node-only.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
// The build drops the node: prefix of built-ins ('fs/promises'), so both spellings count.
const nodeOnly = (specifier) => /^(node:|sharp$|cli-progress$|onnxruntime-node$)/.test(specifier) || builtinModules.includes(specifier);
const distDir = new URL('../dist/', import.meta.url).pathname;
const seen = new Set();
const stack = [join(distDir, 'index.js')];
while (stack.length > 0) {
  const file = stack.pop();
  if (seen.has(file)) continue;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:from\s*|import\s*\(?\s*)["']([^"']+)["']/g)) {
    const specifier = m[1];
    if (specifier.startsWith('.')) stack.push(join(dirname(file), specifier));
    else assert.ok(!nodeOnly(specifier), `${file} (reached from dist/index.js) imports ${specifier}`);
  }
}
assert.ok(seen.size > 1, 'the root entry reaches its chunks');
// The check sees what it must refuse: the node entry's chunks import built-ins.
assert.ok(/from ['"](node:)?fs\/promises['"]/.test(readdirSync(distDir).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(distDir, f), 'utf8')).join('\n')), 'the node chunks import fs/promises');
console.log(`dist smoke test: the root entry and its ${seen.size - 1} chunks import nothing Node-only`);
