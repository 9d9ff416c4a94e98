// Every test runs on the tfjs cpu backend (with this library's kernels) unless it selects another one itself.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useBackend } from '../src/index.js';

// The planner's step-time cache of each test file lives in a fresh folder, never in the user's ~/.cache.
process.env.TFJS_UNET_CACHE = mkdtempSync(join(tmpdir(), 'tfjs-unet-cache-'));

tf.env().set('IS_TEST', true);
await useBackend('cpu');
