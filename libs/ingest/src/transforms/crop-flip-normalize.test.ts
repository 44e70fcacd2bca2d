import { IngestError } from '../errors';
import { crop } from './crop';
import { flipHorizontal } from './flip';
import { normalize, normalizeTable } from './normalize';
import { batchOf, coordinateBatch, pixel } from './test-frames';

describe('crop', () => {
  it('takes the h x w window at (y, x) of every frame', () => {
    const src = coordinateBatch(2, 5, 6); // pixel (t, y, x) = [y, x, t]
    const out = crop(src, 1, 2, 3, 4);
    expect(out).toMatchObject({ frames: 2, height: 3, width: 4 });
    expect(pixel(out, 0, 0, 0)).toEqual([1, 2, 0]);
    expect(pixel(out, 0, 2, 3)).toEqual([3, 5, 0]);
    expect(pixel(out, 1, 1, 2)).toEqual([2, 4, 1]);
    expect(out.data.length).toBe(2 * 3 * 4 * 3);
  });
  it('of the whole frame is a copy', () => {
    const src = coordinateBatch(1, 3, 4);
    expect(crop(src, 0, 0, 3, 4).data).toEqual(src.data);
  });
  it('refuses windows outside the frame', () => {
    const src = coordinateBatch(1, 5, 6);
    expect(() => crop(src, 3, 0, 3, 3)).toThrow(IngestError);
    expect(() => crop(src, 0, -1, 2, 2)).toThrow(/does not fit in a 5x6 image/);
    expect(() => crop(src, 0, 0, 0, 2)).toThrow(/crop height/);
  });
});

describe('flipHorizontal', () => {
  it('mirrors columns, keeps rows, channels and frames', () => {
    const src = coordinateBatch(2, 2, 3);
    const out = flipHorizontal(src);
    expect(pixel(out, 0, 0, 0)).toEqual([0, 2, 0]);
    expect(pixel(out, 0, 1, 1)).toEqual([1, 1, 0]);
    expect(pixel(out, 1, 1, 2)).toEqual([1, 0, 1]);
    expect(flipHorizontal(out).data).toEqual(src.data);
  });
});

describe('normalize', () => {
  it('maps (x / 255 - 0.45) / 0.225 to float32', () => {
    const out = normalize(batchOf([[[[0, 255, 51]]]]));
    expect(out).toBeInstanceOf(Float32Array);
    expect(out[0]).toBe(Math.fround(-2)); // -0.45 / 0.225
    expect(out[1]).toBeCloseTo(0.55 / 0.225, 6); // 2.4444
    expect(out[2]).toBeCloseTo((0.2 - 0.45) / 0.225, 6); // 51 / 255 = 0.2 -> -1.1111
  });
  it('takes per-channel statistics', () => {
    const out = normalize(batchOf([[[[255, 255, 255]]]]), [0.5, 0, 1], [0.5, 1, 2]);
    expect(Array.from(out)).toEqual([1, 1, 0]);
  });
  it('builds one table entry per value and channel', () => {
    const table = normalizeTable();
    expect(table.length).toBe(768);
    expect(table[114 * 3 + 1]).toBe(Math.fround((114 / 255 - 0.45) / 0.225));
  });
  it('refuses a zero std or a malformed mean', () => {
    expect(() => normalizeTable(0.45, 0)).toThrow(IngestError);
    expect(() => normalizeTable([0.4, 0.5] as unknown as [number, number, number])).toThrow(/three/);
    expect(() => normalizeTable(Number.NaN)).toThrow(/finite/);
  });
});
