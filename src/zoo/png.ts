/**
 * A minimal PNG writer (8-bit gray or RGB, no filtering) for the pictures a
 * package carries, so packages can be built where no image codec is at hand
 * (a browser worker, Node without sharp). Compression is fflate's zlib.
 */
import { zlibSync } from 'fflate';
import { ArgumentError } from '../core/errors.js';
import type { ImageArray } from '../core/image.js';

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encodes an 8-bit gray (1 channel) or RGB (3 channels) image as PNG.
 *
 * @example
 * ```ts
 * const bytes = encodePng({ data: new Uint8Array(64 * 64 * 3), width: 64, height: 64, channels: 3 });
 * ```
 */
export function encodePng(image: ImageArray<Uint8Array>): Uint8Array {
  const channels = image.channels ?? 1;
  if (channels !== 1 && channels !== 3) throw new ArgumentError('image.channels', 'must be 1 (gray) or 3 (RGB)', channels);
  const { width, height } = image;
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bit depth
  header[9] = channels === 1 ? 0 : 2; // colour type: gray or RGB
  const row = width * channels;
  const raw = new Uint8Array((row + 1) * height);
  for (let y = 0; y < height; y++) raw.set(image.data.subarray(y * row, (y + 1) * row), y * (row + 1) + 1); // filter byte 0
  const parts = [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), chunk('IHDR', header), chunk('IDAT', zlibSync(raw, { level: 6 })), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}
