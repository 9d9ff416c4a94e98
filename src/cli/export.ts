/** `tfjs-unet export`: a saved model directory -> an ONNX file. */
import { loadModel } from '../compile/persist.js';
import { exportOnnx } from '../node/onnx-files.js';
import { modelDirectory } from '../node/model-files.js';
import { choice, integer, parse, required } from './args.js';

export const EXPORT_HELP = `Usage: tfjs-unet export --model DIR --out FILE.onnx [--layout NHWC|NCHW] [--tile N]

Writes the model as a standard ONNX model (opset 13) with its spec in the metadata, for
'tfjs-unet predict --engine onnx', onnxruntime in any language, or other ONNX tools.
--layout NHWC (default) keeps the tfjs model's input/output layout [batch, H, W, C];
NCHW gives [batch, C, H, W] as PyTorch users expect. Height and width are free (any valid
tile size) unless --tile fixes them.`;

export async function exportCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, { model: { type: 'string' }, out: { type: 'string' }, layout: { type: 'string' }, tile: { type: 'string' } });
  if (values.help === true) return print(EXPORT_HELP), 0;
  const path = required(values, 'out');
  const layout = choice(values, 'layout', ['NHWC', 'NCHW'] as const, 'NHWC');
  const { model, spec } = await loadModel(modelDirectory(required(values, 'model')));
  try {
    const bytes = await exportOnnx(model, spec, { path, layout, ...(values.tile === undefined ? {} : { inputSize: integer(values, 'tile', 1) }) });
    print(`${path}: ONNX opset 13, ${layout}, ${(bytes.length / 2 ** 20).toFixed(1)} MiB, ${model.countParams()} parameters`);
  } finally {
    model.dispose();
  }
  return 0;
}
