import { describe, expect, it } from 'vitest';
import { importOptional, MissingPeerError } from '../../src/node/optional.js';

describe('importOptional', () => {
  it('names a missing peer, what needs it and how to install it', async () => {
    const error = await importOptional('tfjs-unet-no-such-peer', 'reading image files').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingPeerError);
    expect((error as MissingPeerError).peer).toBe('tfjs-unet-no-such-peer');
    expect((error as Error).message).toBe('tfjs-unet: reading image files needs tfjs-unet-no-such-peer, which is not installed: npm install tfjs-unet-no-such-peer');
  });

  it('returns an installed peer, its CommonJS exports under default', async () => {
    const sharp = await importOptional<{ default: (...args: unknown[]) => unknown }>('sharp', 'reading image files');
    expect(typeof sharp.default).toBe('function');
    const bar = await importOptional<{ SingleBar?: unknown; default?: { SingleBar: unknown } }>('cli-progress', 'the progress bar');
    expect(typeof (bar.SingleBar ?? bar.default?.SingleBar)).toBe('function');
  });

  it('passes on errors other than the peer itself missing', async () => {
    // A relative specifier that does not exist is not an optional peer: its error is not a MissingPeerError.
    const error = await importOptional('./no-such-file.js', 'a test').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(MissingPeerError);
  });
});
