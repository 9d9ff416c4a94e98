/** Pictures of label images for the docs: object ids as distinct colours. */
import sharp from 'sharp';
import { readImage } from '../src/node/index.js';

/** A label image file as RGB PNG bytes: each object id a golden-angle hue, background black. */
export async function colouredLabels(path: string): Promise<Buffer> {
  const labels = await readImage(path);
  const rgb = new Uint8Array(labels.width * labels.height * 3);
  labels.data.forEach((id, i) => {
    if (id === 0) return;
    const hue = (id * 137.508) % 360;
    const [r, g, b] = [0, 8, 4].map((n) => {
      const k = (n + hue / 30) % 12;
      return Math.round(255 * (0.55 - 0.45 * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
    });
    rgb.set([r!, g!, b!], 3 * i);
  });
  return sharp(rgb, { raw: { width: labels.width, height: labels.height, channels: 3 } }).png().toBuffer();
}
