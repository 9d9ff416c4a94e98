// The bioimage.io spec's JSON schema (shared data), as a validator of model descriptions.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** Where the shared schema lives (absent on machines without the shared data). */
export const SCHEMA = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'bioimageio', 'bioimageio_schema_latest.json');

/** The schema errors of a model description of format `version` ('0_4' or '0_5'); undefined when the schema is absent. */
export function schemaErrors(description: unknown, version: '0_4' | '0_5'): unknown[] | undefined {
  if (!existsSync(SCHEMA)) return undefined;
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema(JSON.parse(readFileSync(SCHEMA, 'utf8')) as Record<string, unknown>, 'bioimageio');
  const validate = ajv.getSchema(`bioimageio#/$defs/bioimageio__spec__model__v${version}__ModelDescr`)!;
  const ok = validate(description);
  return ok ? [] : [...(validate.errors ?? [{ message: 'invalid' }])];
}
