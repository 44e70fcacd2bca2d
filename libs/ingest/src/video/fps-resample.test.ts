/** fpsResample against the bundled ffmpeg's `fps` filter on real files: the same source frame for every output frame. */
import { decodeAll } from './decode';
import { fpsResample, rateFraction } from './fps-resample';
import { probeVideo } from './probe';
import { encodeVideo, firstMismatch, makeTempDir, remux } from './test-videos';
import type { VideoInfo } from './types';

/** Checks that ffmpeg's fps filter shows, frame for frame, the source frames fpsResample names. */
async function expectSameAsFfmpeg(file: string, info: VideoInfo, fps: number): Promise<void> {
  const all = await decodeAll(file, { info });
  const resampled = await decodeAll(file, { info, fps });
  const shows = fpsResample(info.framePts as number[], info.timeBase as [number, number], info.formatStartTime ?? 0, fps);
  expect(shows.length).toBe(resampled.frames);
  expect(firstMismatch(resampled, all, shows)).toBe(-1);
}

describe('rateFraction', () => {
  it('keeps integers, finds NTSC rates and refuses what is not a rate', () => {
    expect(rateFraction(30)).toEqual([30, 1]);
    expect(rateFraction(30000 / 1001)).toEqual([30000, 1001]);
    expect(rateFraction(12.5)).toEqual([25, 2]);
    expect(() => rateFraction(0)).toThrow(/positive/);
    expect(() => rateFraction(Number.NaN)).toThrow(/positive/);
  });
});

describe('fpsResample', () => {
  it("repeats and drops frames by rounded time, and ends with the last frame's duration", () => {
    // 25 fps (tb 1/12800) to 30: every fifth output repeats a frame
    const pts = Array.from({ length: 10 }, (_, i) => i * 512);
    expect(fpsResample(pts, [1, 12800], 0, 30)).toEqual([0, 1, 2, 2, 3, 4, 5, 6, 7, 7, 8, 9]);
    // to 10: a tick shows the last frame that rounds to it (frame 5, at 2.0 ticks exactly, is dropped for frame 6)
    expect(fpsResample(pts, [1, 12800], 0, 10)).toEqual([1, 3, 6, 8]);
    // the container start is the origin
    expect(fpsResample([12800, 13312, 13824], [1, 12800], 1, 25)).toEqual([0, 1, 2]);
  });

  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    tmp = makeTempDir('fps');
  });
  afterAll(() => tmp?.remove());

  const x264 = ['-c:v', 'libx264', '-g', '12', '-pix_fmt', 'yuv420p'];
  const kinds: Array<[string, string, string[]]> = [
    ['r30.mp4', 'testsrc=size=64x48:rate=30:duration=2', x264],
    ['r25.mp4', 'testsrc=size=64x48:rate=25:duration=2', x264],
    ['ntsc.mp4', 'testsrc=size=64x48:rate=30000/1001:duration=2', x264],
    ['r12.5.mp4', 'testsrc=size=64x48:rate=12.5:duration=2', x264],
    ['r60.webm', 'testsrc=size=64x48:rate=60:duration=1', ['-c:v', 'libvpx', '-b:v', '300k']],
    ['offset.mp4', 'testsrc=size=64x48:rate=30:duration=1', [...x264, '-output_ts_offset', '1.5']],
    ['r30.ts', 'testsrc=size=64x48:rate=30:duration=2', x264],
    ['r24.mkv', 'testsrc=size=64x48:rate=24:duration=2', ['-c:v', 'mjpeg']],
  ];

  it.each(kinds)('%s at 30, 15, 24 and 29.97 fps: the frames ffmpeg shows', async (name, source, encode) => {
    const file = await encodeVideo(tmp.dir, { name, source, encode });
    const info = await probeVideo(file, { minFrames: 1 });
    for (const fps of [30, 15, 24, 30000 / 1001]) await expectSameAsFfmpeg(file, info, fps);
  });

  it('an mp4 edit-list cut (timestamps before 0 in the file): the frames ffmpeg shows', async () => {
    const src = await encodeVideo(tmp.dir, { name: 'cut-src.mp4', source: 'testsrc=size=64x48:rate=30:duration=3', encode: x264 });
    const cut = await remux(tmp.dir, src, 'cut.mp4', ['-ss', '1.0'], []);
    const info = await probeVideo(cut, { minFrames: 1 });
    for (const fps of [30, 25]) await expectSameAsFfmpeg(cut, info, fps);
  });
});
