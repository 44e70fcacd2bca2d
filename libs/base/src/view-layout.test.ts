import { CENTRE_CROP, centreViewIndex, clipAndCrop, CROP_NAMES, DEFAULT_TEST_VIEWS, viewIndex } from './view-layout';

describe('test-view layout (view = clip * 3 + crop, as the clip loader numbers views)', () => {
  it('numbers views clip-major, crops left/top, centre, right/bottom', () => {
    expect(DEFAULT_TEST_VIEWS).toBe(30);
    expect(viewIndex(0, 0)).toBe(0);
    expect(viewIndex(0, 2)).toBe(2);
    expect(viewIndex(1, 0)).toBe(3);
    expect(viewIndex(9, 2)).toBe(29);
    expect(clipAndCrop(16)).toEqual({ clip: 5, crop: 1 });
    expect(clipAndCrop(29)).toEqual({ clip: 9, crop: 2 });
    expect(CENTRE_CROP).toBe(1);
    expect(CROP_NAMES).toEqual(['left/top', 'centre', 'right/bottom']);
  });

  it('takes the centre crop of clip floor(numClips / 2) as the single view', () => {
    expect(centreViewIndex()).toBe(16); // clip 5 of 10 starts at delta * 5 / 10: the centred window
    expect(centreViewIndex(1)).toBe(1);
    expect(centreViewIndex(3)).toBe(4);
    expect(centreViewIndex(4)).toBe(7);
  });

  it('refuses views and clips out of range', () => {
    expect(() => viewIndex(10, 0)).toThrow(/clip must be an integer in \[0, 9\]/);
    expect(() => viewIndex(0, 3)).toThrow(/crop must be 0, 1 or 2/);
    expect(() => viewIndex(0, 1, 0)).toThrow(RangeError);
    expect(() => clipAndCrop(-1)).toThrow(/non-negative/);
    expect(() => centreViewIndex(2.5)).toThrow(/numClips/);
  });
});
