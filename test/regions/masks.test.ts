import { describe, expect, it } from 'vitest';
import { labelComponents } from '../../src/core/components.js';
import { classTable, colorIds, decideMaskType, fileStem, maskEvidence, maskLabels, pairMasks, separateInstances } from '../../src/regions/masks.js';

/** 25 square cells of 6x6 px on a 5x5 grid, each touching its neighbours, numbered 1..25. */
function touchingCells(): { data: Uint16Array; width: number; height: number } {
  const width = 32;
  const data = new Uint16Array(width * width);
  for (let y = 1; y < 31; y++) for (let x = 1; x < 31; x++) data[y * width + x] = 1 + Math.floor((y - 1) / 6) * 5 + Math.floor((x - 1) / 6);
  return { data, width, height: width };
}

/** A 3-class mask: class 1 in 8 separate dots, class 2 in 6 separate bars. */
function threeClasses(): { data: Uint8Array; width: number; height: number } {
  const width = 40;
  const data = new Uint8Array(width * 20);
  for (let k = 0; k < 8; k++) for (let y = 2; y < 5; y++) for (let x = 2 + 5 * k; x < 5 + 5 * k; x++) data[y * width + x] = 1;
  for (let k = 0; k < 6; k++) for (let y = 8; y < 18; y++) data[y * width + 3 + 6 * k] = 2;
  return { data, width, height: 20 };
}

describe('mask types', () => {
  it('counts values and the regions each forms (8-connected)', () => {
    expect(maskEvidence(touchingCells())).toEqual({ values: 25, maxValue: 25, regions: 25, singleRegionValues: 25 });
    expect(maskEvidence(threeClasses())).toEqual({ values: 2, maxValue: 2, regions: 14, singleRegionValues: 0 });
    // A diagonal step is one region under 8-connectivity.
    expect(maskEvidence({ data: [3, 0, 0, 3], width: 2, height: 2 })).toEqual({ values: 1, maxValue: 3, regions: 1, singleRegionValues: 1 });
  });

  it('reads 25 touching cells as 25 objects, never 26 classes', () => {
    const decision = decideMaskType([maskEvidence(touchingCells())], ['cells.png']);
    expect(decision.type).toBe('instances');
    expect(decision.reason).toContain('25 (mask, value) pairs over 1 mask(s), 100% of them one connected region');
    const labels = maskLabels(touchingCells(), 'instances');
    expect(Math.max(...labels.data)).toBe(1);
    // The gaps keep the cells apart: the labels' 4-connected regions are the 25 cells.
    expect(labelComponents(labels, { connectivity: 4 }).count).toBe(25);
  });

  it('reads a 3-class mask whose classes form many regions as classes, binary masks as binary', () => {
    expect(decideMaskType([maskEvidence(threeClasses())], ['a.png'], { distinctValues: 2 }).type).toBe('classes');
    expect(Array.from(maskLabels(threeClasses(), 'classes').data)).toEqual(Array.from(threeClasses().data));
    const binary = [maskEvidence({ data: [0, 255, 255, 0], width: 2, height: 2 }), maskEvidence({ data: [1, 0, 0, 0], width: 2, height: 2 })];
    expect(decideMaskType(binary, ['a', 'b'])).toEqual({ type: 'binary', reason: 'every mask holds one foreground value (2 mask(s))' });
    expect(Array.from(maskLabels({ data: [0, 255, 7, 0], width: 2, height: 2 }, 'binary').data)).toEqual([0, 1, 1, 0]);
  });

  it('numbers gray class values in increasing order only when they are not class indices', () => {
    expect(classTable([1, 2, 3])).toBeUndefined();
    expect(classTable([255, 128])).toEqual([0, 128, 255]);
    expect(Array.from(maskLabels({ data: [0, 128, 255, 128], width: 2, height: 2 }, 'classes', [0, 128, 255]).data)).toEqual([0, 1, 2, 1]);
  });

  it('refuses a mask that fits no rule, naming the file and what was found; a stated type wins', () => {
    // Stripes of 39 gray values (an anti-aliased drawing): every value forms many regions, too many values for classes.
    const stripes = { data: Uint8Array.from({ length: 400 }, (_, i) => (i % 20) * 3 + ((i / 20) % 2 < 1 ? 0 : 1)), width: 20, height: 20 };
    expect(maskEvidence(stripes)).toMatchObject({ values: 39, singleRegionValues: 0 });
    expect(() => decideMaskType([maskEvidence(stripes)], ['masks/photo.png'], { distinctValues: 39 })).toThrow(
      '`masks/photo.png` must be a binary mask, a class mask (at most 31 classes) or an instance label mask (each value one object); its values fit none (anti-aliased or a photo?): ' +
        '39 (mask, value) pairs over 1 mask(s), 0% of them one connected region, up to 39 values in a mask. Give --mask-type if it is one of them. Received: masks/photo.png="39 values in 390 regions".',
    );
    expect(decideMaskType([maskEvidence(touchingCells())], ['cells.png'], { given: 'binary' })).toMatchObject({ type: 'binary', reason: expect.stringMatching(/^as stated/) });
    expect(() => decideMaskType([maskEvidence(stripes)], ['p.png'], { given: 'classes', distinctValues: 39 })).toThrow("`maskType` 'classes' allows at most 31 foreground classes");
  });

  it('separates touching objects by one pixel of the larger id, keeping the rest', () => {
    // Objects 1 | 2 side by side, and a 3 below touching both.
    const instances = { data: [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3], width: 4, height: 3 };
    const { labels, instances: kept } = separateInstances(instances);
    expect(Array.from(labels.data)).toEqual([1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0]);
    expect(Array.from(kept.data)).toEqual([1, 1, 0, 2, 1, 1, 0, 2, 0, 0, 0, 0]);
  });

  it('maps RGB colours to ids, black first, by a given or the sorted table', () => {
    const rgb = { data: Uint8Array.from([0, 0, 0, 255, 0, 0, 0, 255, 0, 255, 0, 0]), width: 2, height: 2, channels: 3 };
    const sorted = colorIds([rgb]);
    expect(sorted.table).toEqual([[0, 0, 0], [0, 255, 0], [255, 0, 0]]);
    expect(Array.from(sorted.ids[0]!.data)).toEqual([0, 2, 1, 2]);
    const given = colorIds([rgb], [[0, 0, 0], [255, 0, 0], [0, 255, 0]]);
    expect(Array.from(given.ids[0]!.data)).toEqual([0, 1, 2, 1]);
    expect(() => colorIds([rgb], [[0, 0, 0], [255, 0, 0]])).toThrow('`masks[0]` must use the colours of the table (0,0,0; 255,0,0). Received: masks[0]="0,255,0".');
  });
});

describe('pairMasks', () => {
  it('pairs files by name without extension, whatever the folders and extensions', () => {
    expect(pairMasks(['imgs/02.tif', 'imgs/01.png'], ['m/01.png', 'm/02.png'])).toEqual([
      { name: '02', image: 'imgs/02.tif', mask: 'm/02.png' },
      { name: '01', image: 'imgs/01.png', mask: 'm/01.png' },
    ]);
    expect(fileStem('C:\\data\\a.b.png')).toBe('a.b');
  });

  it('pairs two stacks page by page', () => {
    expect(pairMasks(['v.tif'], ['l.tif'], { imagePages: 3, maskPages: 3 }).map((p) => [p.name, p.page])).toEqual([
      ['v-000', 0],
      ['v-001', 1],
      ['v-002', 2],
    ]);
    expect(() => pairMasks(['v.tif'], ['l.tif'], { imagePages: 3, maskPages: 2 })).toThrow('`masks` must have as many pages as v.tif (3). Received: masks="l.tif: 2 pages".');
  });

  it('names what is unpaired', () => {
    expect(() => pairMasks(['a/01.png', 'a/02.png'], ['b/01.png'], { where: { images: 'a', masks: 'b' } })).toThrow('`masks` must contain a mask named like 02.png. Received: masks="b".');
    expect(() => pairMasks(['a/01.png'], ['b/01.png', 'b/03.png'])).toThrow('`images` must contain an image for every mask; none for 03.png. Received: images="the images".');
    expect(() => pairMasks([], [])).toThrow('`images` must hold PNG, JPEG or TIFF images, and there are none');
  });
});
