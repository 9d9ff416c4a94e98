/** `tfjs-unet export`: a saved model directory -> an ONNX file, or a bioimage.io package. */
import { basename, resolve } from 'node:path';
import { loadModel } from '../compile/persist.js';
import { exportOnnx } from '../node/onnx-files.js';
import { exportBioimageio } from '../node/zoo-files.js';
import { modelDirectory } from '../node/model-files.js';
import { readImage } from '../node/images.js';
import { choice, integer, parse, required, UsageError } from './args.js';

export const EXPORT_HELP = `Usage: tfjs-unet export --model DIR --out FILE.onnx [--layout NHWC|NCHW] [--tile N]
       tfjs-unet export --format bioimageio --model DIR --out PACKAGE.zip|DIR --image FILE --author NAME
                        [--author NAME ...] [--name TEXT] [--description TEXT] [--license SPDX] [--tag T ...]

--format onnx (default): the model as a standard ONNX model (opset 13) with its spec in the metadata,
for 'tfjs-unet predict --engine onnx', onnxruntime in any language, or other ONNX tools.
--layout NHWC (default) keeps the tfjs model's input/output layout [batch, H, W, C];
NCHW gives [batch, C, H, W] as PyTorch users expect. Height and width are free (any valid
tile size) unless --tile fixes them.

--format bioimageio: a BioImage Model Zoo package (format 0.5) for Fiji/deepImageJ, napari, ilastik
and bioimage.io's tools: rdf.yaml, ONNX weights (NCHW) and the tfjs model, test tensors and a cover
made from a tile of --image (an image like the training images), README, citations, SHA-256 of
every file. A .zip --out writes one zip, else a folder. --author "Name" (repeat for more; add an
affiliation as "Name; Affiliation"); --name defaults to the model folder's name; --license to MIT.`;

function author(text: string) {
  const [name, affiliation] = text.split(';').map((s) => s.trim());
  if (name === undefined || name === '') throw new UsageError(`--author must be a name ("Name" or "Name; Affiliation"), got ${JSON.stringify(text)}`);
  return affiliation === undefined || affiliation === '' ? { name } : { name, affiliation };
}

export async function exportCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, {
    model: { type: 'string' },
    out: { type: 'string' },
    format: { type: 'string' },
    layout: { type: 'string' },
    tile: { type: 'string' },
    image: { type: 'string' },
    author: { type: 'string', multiple: true },
    name: { type: 'string' },
    description: { type: 'string' },
    license: { type: 'string' },
    tag: { type: 'string', multiple: true },
  }) as Record<string, unknown>;
  if (values.help === true) return print(EXPORT_HELP), 0;
  const format = choice(values, 'format', ['onnx', 'bioimageio'] as const, 'onnx');
  const path = required(values, 'out');
  const modelPath = required(values, 'model');
  if (format === 'bioimageio') {
    const authors = ((values.author as string[] | undefined) ?? []).map(author);
    if (authors.length === 0) throw new UsageError('--author is required for --format bioimageio (the zoo credits who trained the model): --author "Your Name"');
    const sample = await readImage(required(values, 'image'), { argument: 'image' });
    const { model, spec } = await loadModel(modelDirectory(modelPath));
    try {
      const folder = basename(resolve(modelPath)) === 'model' ? basename(resolve(modelPath, '..')) : basename(resolve(modelPath));
      const name = typeof values.name === 'string' ? values.name : `${folder} U-Net (tfjs-unet)`;
      const { files, rdf } = await exportBioimageio(model, spec, {
        path,
        name,
        authors,
        sample,
        ...(typeof values.description === 'string' ? { description: values.description } : {}),
        ...(typeof values.license === 'string' ? { license: values.license } : {}),
        ...(values.tag === undefined ? {} : { tags: values.tag as string[] }),
      });
      const bytes = [...files.values()].reduce((n, f) => n + f.length, 0);
      const input = (rdf.inputs as { axes: { size?: unknown }[] }[])[0]!.axes[2]!.size;
      print(`${path}: bioimage.io package (format ${String(rdf.format_version)}), ${files.size} files, ${(bytes / 2 ** 20).toFixed(1)} MiB; input tiles ${typeof input === 'number' ? input : `${(input as { min: number }).min} + n * ${(input as { step: number }).step}`} px`);
    } finally {
      model.dispose();
    }
    return 0;
  }
  const layout = choice(values, 'layout', ['NHWC', 'NCHW'] as const, 'NHWC');
  const { model, spec } = await loadModel(modelDirectory(modelPath));
  try {
    const bytes = await exportOnnx(model, spec, { path, layout, ...(values.tile === undefined ? {} : { inputSize: integer(values, 'tile', 1) }) });
    print(`${path}: ONNX opset 13, ${layout}, ${(bytes.length / 2 ** 20).toFixed(1)} MiB, ${model.countParams()} parameters`);
  } finally {
    model.dispose();
  }
  return 0;
}
