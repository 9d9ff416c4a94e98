/** `tfjs-unet models`: the ready-made models installed with tfjs-unet-models. */
import { READY_MADE_PACKAGE, readyMadeModels } from '../node/ready-made.js';
import { parse } from './args.js';
import { table } from './render.js';

export const MODELS_HELP = `Usage: tfjs-unet models [--json]

Lists the ready-made models: bioimage.io packages trained by tfjs-unet on public data, in the
optional package ${READY_MADE_PACKAGE} (npm install ${READY_MADE_PACKAGE}; nothing is downloaded at run time).
Give a name where a model is asked for: predict --model NAME, evaluate --model NAME, train --from NAME.
--json prints the list as JSON (name, file, description, data, license, command, scores).`;

export async function modelsCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, { json: { type: 'boolean' } });
  if (values.help === true) {
    print(MODELS_HELP);
    return 0;
  }
  const found = await readyMadeModels();
  if (found === undefined) {
    print(`no ready-made models: the ${READY_MADE_PACKAGE} package is not installed (npm install ${READY_MADE_PACKAGE})`);
    return 1;
  }
  if (values.json === true) {
    print(JSON.stringify(found.models, null, 2));
    return 0;
  }
  const score = (scores: Readonly<Record<string, number>>) =>
    Object.entries(scores)
      .map(([k, v]) => `${k} ${v.toFixed(3)}`)
      .join(', ');
  print(table(found.models.map((m) => ({ name: m.name, segments: m.description, 'held-out scores': score(m.scores) }))));
  print(`\nfrom ${found.root}; each package's README.md says how it was trained (also: tfjs-unet models --json)`);
  return 0;
}
