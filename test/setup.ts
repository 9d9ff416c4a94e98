// Every test runs on the tfjs cpu backend (with this library's kernels) unless it selects another one itself.
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/index.js';

tf.env().set('IS_TEST', true);
await useBackend('cpu');
