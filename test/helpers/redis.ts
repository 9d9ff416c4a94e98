/** A throwaway redis-server for tests: on 127.0.0.1, a free port, no persistence; stopped by `stop()`. */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/** The redis-server executable, or undefined when it is not installed (`apt-get install redis-server`). */
export const REDIS_SERVER = ['redis-server', '/usr/bin/redis-server'].find((bin) => spawnSync(bin, ['--version']).status === 0);

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (REDIS_SERVER === undefined) throw new Error('redis-server is not installed');
  const port = await freePort();
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${log}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${log}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
