/**
 * Optional peers (sharp, onnxruntime-node, cli-progress) are imported on
 * first use, so `tfjs-unet/node` loads without them and a missing one is
 * named, with what needs it and how to install it.
 */

/**
 * Thrown when an optional peer a feature needs is not installed.
 *
 * @example
 * ```ts
 * try {
 *   await readImage('cells.png');
 * } catch (e) {
 *   if (e instanceof MissingPeerError) console.log(`install ${e.peer}`); // "install sharp"
 * }
 * ```
 */
export class MissingPeerError extends Error {
  /** The npm package that is missing. */
  readonly peer: string;

  constructor(peer: string, purpose: string, hint: string) {
    super(`tfjs-unet: ${purpose} needs ${peer}, which is not installed: ${hint}`);
    this.name = 'MissingPeerError';
    this.peer = peer;
  }
}

const NOT_FOUND = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

/**
 * Imports the optional peer `name`: its module namespace (a CommonJS
 * package's `module.exports` is under `default`).
 *
 * @param name - the npm package.
 * @param purpose - what needs it, for the error message ("reading image files").
 * @param hint - how to install it. Default `npm install NAME`.
 * @throws {@link MissingPeerError} when the package is not installed; other import errors as they are.
 * @example
 * ```ts
 * const ort = await importOptional<typeof import('onnxruntime-node')>('onnxruntime-node', 'ONNX inference');
 * ```
 */
export async function importOptional<T>(name: string, purpose: string, hint = `npm install ${name}`): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ name)) as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const missingItself = typeof code === 'string' && NOT_FOUND.has(code) && String((error as Error).message).includes(`'${name}'`);
    if (missingItself) throw new MissingPeerError(name, purpose, hint);
    throw error;
  }
}
