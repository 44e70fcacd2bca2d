import { consecutiveRuns, outputSize, seekSeconds, selectByNumber, selectByPts, slotEnd, slotStart } from './frame-select';

describe('outputSize', () => {
  it('follows PySlowFast for shortSide: short side S, long side floor(long * S / short)', () => {
    expect(outputSize({ shortSide: 32 }, 64, 48)).toEqual({ width: 42, height: 32 });
    expect(outputSize({ shortSide: 32 }, 48, 64)).toEqual({ width: 32, height: 42 });
    expect(outputSize({ shortSide: 256 }, 340, 256)).toEqual({ width: 340, height: 256 });
    expect(outputSize({ shortSide: 128 }, 100, 100)).toEqual({ width: 128, height: 128 });
    expect(outputSize(undefined, 64, 48)).toEqual({ width: 64, height: 48 });
    expect(outputSize({ width: 50, height: 30 }, 64, 48)).toEqual({ width: 50, height: 30 });
    expect(() => outputSize({ width: 0, height: 30 }, 64, 48)).toThrow(RangeError);
    expect(() => outputSize({ width: 10.5, height: 30 }, 64, 48)).toThrow(RangeError);
  });
});

describe('frame slots and the select expression', () => {
  const mp4 = [0, 512, 1024, 1536, 2048]; // 30 fps in 1/15360
  const avi = [0, 1, 2, 3, 4]; // the time base is the frame duration

  it('groups consecutive indices', () => {
    expect(consecutiveRuns([0, 1, 2, 5, 7, 8])).toEqual([
      [0, 2],
      [5, 5],
      [7, 8],
    ]);
  });

  it('gives each frame the ticks from just past the midpoint with the previous frame to the midpoint with the next', () => {
    expect([slotStart(mp4, 0), slotStart(mp4, 1), slotStart(mp4, 4)]).toEqual([-Infinity, 257, 1793]);
    expect([slotEnd(mp4, 0), slotEnd(mp4, 3), slotEnd(mp4, 4)]).toEqual([257, 1793, Infinity]);
    // One tick apart, the slot of a frame starts at the frame itself (a midpoint would round to either side).
    expect([slotStart(avi, 1), slotEnd(avi, 1), slotStart(avi, 4)]).toEqual([1, 2, 4]);
  });

  it('seeks to the start of the first frame slot, relative to the container start; frame 0 is not seeked to', () => {
    expect(seekSeconds(mp4, [1, 15360], 0, 0)).toBeUndefined();
    expect(seekSeconds(mp4, [1, 15360], 0, 2)).toBeCloseTo(769 / 15360, 12);
    expect(seekSeconds(mp4, [1, 15360], 1.5, 2)).toBeCloseTo(769 / 15360 - 1.5, 12);
    expect(seekSeconds(avi, [1, 30], 0, 3)).toBeCloseTo(0.1, 12);
  });

  it('selects by timestamp slots and by frame number', () => {
    expect(selectByPts(mp4, [1, 2, 4])).toBe("select='gte(pts,257)*lt(pts,1281)+gte(pts,1793)'");
    expect(selectByPts(mp4, [0])).toBe("select='lt(pts,257)'");
    expect(selectByPts([7], [0])).toBe("select='1'");
    expect(selectByNumber([0, 3, 4, 5, 9])).toBe("select='eq(n,0)+between(n,3,5)+eq(n,9)'");
  });
});
