// Every test runs on the tfjs cpu backend unless it selects another one itself.
import * as tf from '@tensorflow/tfjs';

tf.env().set('IS_TEST', true);
await tf.setBackend('cpu');
await tf.ready();
