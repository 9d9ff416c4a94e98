/** `tfjs-unet app`: serves the web app on this machine. */
import { serveApp } from '../node/app-server.js';
import { integer, parse } from './args.js';

export const APP_HELP = `Usage: tfjs-unet app [--port N] [--host ADDRESS]

Serves the web app (predict images with a model, in the browser, on WebGPU, WebGL, WebAssembly or
ONNX Runtime Web) and prints its address. Images and models never leave the browser: this server
only hands out the app's own files. Stop it with Ctrl-C.

  --port N          the port (default 8080; 0 picks a free one)
  --host ADDRESS    the address to listen on (default 127.0.0.1: this machine only;
                    0.0.0.0 to let other machines on the network open it)`;

export async function appCommand(argv: readonly string[], print: (line: string) => void): Promise<number> {
  const values = parse(argv, { port: { type: 'string' }, host: { type: 'string' } });
  if (values.help === true) return print(APP_HELP), 0;
  const port = integer(values, 'port', 8080, 0, 65535);
  const host = typeof values.host === 'string' ? values.host : undefined;
  const { server, url } = await serveApp({ port, ...(host === undefined ? {} : { host }) });
  print(`tfjs-unet app: open ${url} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
