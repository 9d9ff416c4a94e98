import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { engineNameOf, registerOnnxRuntime, resolveEngine, unsupported } from '../../src/train/engines.js';

describe('engine choices', () => {
  it('resolves tfjs, a given ONNX Runtime module with its session settings, and names each choice', async () => {
    expect(await resolveEngine(undefined)).toEqual({ name: 'tfjs' });
    expect(await resolveEngine('tfjs')).toEqual({ name: 'tfjs' });
    const given = await resolveEngine({ onnx: ort, threads: 1, executionProviders: ['cpu'] });
    expect(given).toEqual({ name: 'onnx', runtime: ort, threads: 1, executionProviders: ['cpu'] });
    expect([undefined, 'tfjs', 'onnx', { onnx: ort }, { onnx: 'onnxruntime-node' }].map((c) => engineNameOf(c as never))).toEqual(['tfjs', 'tfjs', 'onnx', 'onnx', 'onnx']);
  });

  it("refuses 'onnx' before any runtime is registered, then loads the registered one by name or as the default, on use", async () => {
    await expect(resolveEngine('onnx')).rejects.toThrow('`engine` must name a registered ONNX Runtime (none is: import tfjs-unet/node, or pass { onnx: ort }). Received: engine="onnx".');
    let loads = 0;
    registerOnnxRuntime('first', async () => {
      loads++;
      return ort;
    });
    registerOnnxRuntime('second', async () => ort);
    expect(loads).toBe(0);
    expect(await resolveEngine('onnx')).toEqual({ name: 'onnx', runtime: ort });
    expect(loads).toBe(1);
    expect(await resolveEngine({ onnx: 'first', threads: 2 })).toEqual({ name: 'onnx', runtime: ort, threads: 2 });
    expect(loads).toBe(2);
    await expect(resolveEngine({ onnx: 'onnxruntime-web' })).rejects.toThrow('`engine` must name a registered ONNX Runtime (first, second). Received: engine="onnxruntime-web".');
  });

  it('says what an engine cannot do, naming the engine that can', () => {
    expect(unsupported('onnx', { loss: 'focal' })?.reason).toBe('the onnx engine computes crossEntropy and dice terms; focal runs on tfjs');
    expect(unsupported('tfjs', { loss: 'focal' })).toBeUndefined();
    expect(unsupported('onnx', { loss: 'diceCrossEntropy', optimizer: 'adam' })).toBeUndefined();
  });
});
