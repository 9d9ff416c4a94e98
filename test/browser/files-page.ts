/**
 * What the file-reading test runs inside Chromium: `tfjs-unet/browser` bundled for the page.
 * `window.unetFiles` decodes files the test serves under /files/ and returns plain values.
 */
import { decodeImage, encodePng, imagePages, loadDatasetFiles } from 'tfjs-unet/browser';

const bytesOf = async (name: string) => new Uint8Array(await (await fetch(`/files/${name}`)).arrayBuffer());

/** A decoded image as plain values. */
export interface PlainImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly type: string;
  readonly data: number[];
}

const plain = (image: { data: ArrayLike<number>; width: number; height: number; channels?: number }): PlainImage => ({
  width: image.width,
  height: image.height,
  channels: image.channels ?? 1,
  type: image.data.constructor.name,
  data: Array.from(image.data),
});

/** The error message of a call, or 'no error'. */
const messageOf = async (run: () => Promise<unknown>): Promise<string> => {
  try {
    await run();
    return 'no error';
  } catch (error) {
    return (error as Error).message;
  }
};

const unetFiles = {
  async decode(name: string, page?: number): Promise<PlainImage> {
    return plain(await decodeImage(await bytesOf(name), { name, ...(page === undefined ? {} : { page }) }));
  },
  async decodeFile(name: string): Promise<PlainImage> {
    // As a page gets it from <input type="file">: a File carrying its name.
    return plain(await decodeImage(new File([await bytesOf(name)], name)));
  },
  async pages(name: string): Promise<number> {
    return imagePages(await bytesOf(name), { name });
  },
  async refusal(name: string): Promise<string> {
    return messageOf(async () => decodeImage(new File([await bytesOf(name)], name)));
  },
  async roundTrip(name: string): Promise<PlainImage> {
    const image = await decodeImage(await bytesOf(name), { name });
    return plain(await decodeImage(encodePng(image), { name: `${name} again` }));
  },
  async dataset(images: string[], masks: string[], maskType?: 'binary' | 'classes' | 'instances') {
    const files = async (names: string[]) => Promise.all(names.map(async (n) => new File([await bytesOf(n)], n.split('/').at(-1)!)));
    const data = await loadDatasetFiles(await files(images), await files(masks), maskType === undefined ? {} : { maskType });
    return {
      names: data.names,
      maskType: data.maskType,
      classes: data.classes,
      masks: data.masks.map(plain),
      instances: data.instances?.map(plain),
    };
  },
  async datasetRefusal(images: string[], masks: string[]): Promise<string> {
    const files = async (names: string[]) => Promise.all(names.map(async (n) => new File([await bytesOf(n)], n.split('/').at(-1)!)));
    return messageOf(async () => loadDatasetFiles(await files(images), await files(masks)));
  },
};

export type UnetFiles = typeof unetFiles;
(window as unknown as { unetFiles: UnetFiles }).unetFiles = unetFiles;
