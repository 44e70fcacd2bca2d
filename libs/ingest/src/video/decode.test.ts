/**
 * Frame exactness: decodeFrames (seek + select) must return, byte for byte, the frames a full decode (decodeAll) has
 * at the same indices, for every codec/container/rate/start-time case below. Real ffmpeg on videos encoded here.
 */
import { decodeAll, decodeFrames, decodeRuns, decodeStream } from './decode';
import { decoderStatus } from './native-decode';
import { probeVideo } from './probe';
import { encodeVideo, firstMismatch, frameOf, makeTempDir, remux } from './test-videos';
import type { FrameBatch, VideoInfo } from './types';
import { createRng } from '@pvnas/base';

const SRC30 = 'testsrc=size=64x48:rate=30:duration=3';

interface Case {
  label: string;
  make: (dir: string) => Promise<string>;
  /** false: the container's index is not trusted and decodeFrames decodes from the start. */
  seekable: boolean;
}

const CASES: Case[] = [
  {
    label: 'h264 mp4 keyint 250 (B-frames) 30 fps',
    seekable: true,
    make: (d) => encodeVideo(d, { name: 'h264-g250.mp4', source: SRC30, encode: ['-c:v', 'libx264', '-g', '250', '-pix_fmt', 'yuv420p'] }),
  },
  {
    label: 'h264 mp4 keyint 12 at 30000/1001 fps',
    seekable: true,
    make: (d) =>
      encodeVideo(d, {
        name: 'h264-g12-ntsc.mp4',
        source: 'testsrc=size=64x48:rate=30000/1001:duration=3',
        encode: ['-c:v', 'libx264', '-g', '12', '-pix_fmt', 'yuv420p'],
      }),
  },
  {
    label: 'vp9 webm 30 fps',
    seekable: true,
    make: (d) =>
      encodeVideo(d, {
        name: 'vp9.webm',
        source: SRC30,
        encode: ['-c:v', 'libvpx-vp9', '-g', '30', '-b:v', '200k', '-deadline', 'realtime', '-cpu-used', '8'],
      }),
  },
  {
    label: 'vp8 webm 25 fps with alt-ref frames',
    seekable: true,
    make: (d) =>
      encodeVideo(d, {
        name: 'vp8.webm',
        source: 'testsrc=size=64x48:rate=25:duration=3',
        encode: ['-c:v', 'libvpx', '-g', '30', '-b:v', '200k', '-auto-alt-ref', '1', '-lag-in-frames', '16'],
      }),
  },
  {
    label: 'mpeg4 (xvid) avi 30 fps',
    seekable: true,
    make: (d) => encodeVideo(d, { name: 'xvid.avi', source: SRC30, encode: ['-c:v', 'libxvid', '-g', '30'] }),
  },
  {
    label: 'mpeg4 avi with B-frames (no stored pts: decoded from the start)',
    seekable: false,
    make: (d) => encodeVideo(d, { name: 'mpeg4-bf.avi', source: SRC30, encode: ['-c:v', 'mpeg4', '-bf', '2', '-g', '12', '-vtag', 'DX50'] }),
  },
  { label: 'mjpeg mkv 30 fps', seekable: true, make: (d) => encodeVideo(d, { name: 'mjpeg.mkv', source: SRC30, encode: ['-c:v', 'mjpeg', '-q:v', '5'] }) },
  {
    label: 'hevc (x265) mp4 30 fps',
    seekable: true,
    make: (d) =>
      encodeVideo(d, {
        name: 'hevc.mp4',
        source: SRC30,
        encode: ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error:keyint=20:crf=18', '-pix_fmt', 'yuv420p'],
      }),
  },
  {
    label: 'h264 mp4 starting at 1.5 s (-output_ts_offset)',
    seekable: true,
    make: (d) => encodeVideo(d, { name: 'offset.mp4', source: SRC30, encode: ['-c:v', 'libx264', '-g', '15', '-output_ts_offset', '1.5'] }),
  },
  {
    label: 'vp9 webm starting at 1.5 s',
    seekable: true,
    make: (d) =>
      encodeVideo(d, {
        name: 'offset.webm',
        source: SRC30,
        encode: ['-c:v', 'libvpx-vp9', '-g', '20', '-b:v', '200k', '-deadline', 'realtime', '-cpu-used', '8', '-output_ts_offset', '1.5'],
      }),
  },
  {
    label: 'h264 mpeg-ts (start 1.4 s + B-frame delay; no index: decoded from the start)',
    seekable: false,
    make: (d) => encodeVideo(d, { name: 'h264.ts', source: SRC30, encode: ['-c:v', 'libx264', '-g', '20'] }),
  },
  {
    label: 'h264 mp4 cut with -ss 1 -c copy (edit list starting mid-GOP)',
    seekable: true,
    make: async (d) => {
      const src = await encodeVideo(d, {
        name: 'cut-src.mp4',
        source: 'testsrc=size=64x48:rate=30000/1001:duration=3',
        encode: ['-c:v', 'libx264', '-g', '12'],
      });
      return remux(d, src, 'cut.mp4', ['-ss', '1.0'], []);
    },
  },
  {
    label: 'h264 mp4 with variable frame rate',
    seekable: true,
    make: (d) =>
      encodeVideo(d, { name: 'vfr.mp4', source: SRC30, encode: ['-vf', "setpts='(N+floor(N/7)*2)/30/TB'", '-vsync', '0', '-c:v', 'libx264', '-g', '20'] }),
  },
  {
    label: 'h264 mp4 with frames alternately 0.55 and 1.45 frame periods apart',
    seekable: true,
    make: (d) =>
      encodeVideo(d, {
        name: 'uneven.mp4',
        source: SRC30,
        encode: ['-vf', "settb=1/3000,setpts='(N+0.45*mod(N\\,2))/30/TB'", '-vsync', '0', '-enc_time_base', '1:3000', '-c:v', 'libx264', '-g', '20'],
      }),
  },
];

/** Edge and random index sets for a video of n frames (what samplers send: sorted windows, clamped duplicates). */
function indexSets(n: number, seed: number): number[][] {
  const sets = [
    [0],
    [1],
    [n - 1],
    [n - 2, n - 1],
    [0, n - 1],
    [n - 1, 0],
    [10, 11, 12, 13, 14, 15, 16, 17],
    [11, 12, 13, 23, 24, 25],
    [30, 30, 29, 31, 31, 31],
    [n - 3, n - 2, n - 1, n - 1, n - 1, n - 1, n - 1, n - 1],
    [50, 3, 27, 3, n - 1, 0, 49],
  ];
  const rng = createRng(seed);
  for (let s = 0; s < 6; s++) {
    const start = rng.int(0, n - 1);
    sets.push(Array.from({ length: 8 }, (_, k) => Math.min(n - 1, start + Math.floor((k * 63) / 7))));
  }
  for (let s = 0; s < 4; s++) sets.push(Array.from({ length: 8 }, () => rng.int(0, n - 1)));
  return sets;
}

function expectAdjacentFramesDiffer(all: FrameBatch): void {
  for (let t = 1; t < all.frames; t++) {
    expect(Buffer.compare(Buffer.from(frameOf(all, t - 1)), Buffer.from(frameOf(all, t)))).not.toBe(0);
  }
}

describe('decodeFrames equals decodeAll, frame for frame', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    tmp = makeTempDir('decode');
  });
  afterAll(() => tmp?.remove());

  describe.each(CASES)('$label', (c) => {
    let file = '';
    let info: VideoInfo;
    let all: FrameBatch;
    beforeAll(async () => {
      file = await c.make(tmp.dir);
      info = await probeVideo(file);
      all = await decodeAll(file, { info });
    });

    it('probes the frame count a full decode shows, and every frame differs from the next', () => {
      expect(all.frames).toBe(info.frames);
      expect(info.frames).toBeGreaterThanOrEqual(60);
      expect([all.width, all.height]).toEqual([info.width, info.height]);
      expect(info.seekable).toBe(c.seekable);
      expectAdjacentFramesDiffer(all); // so an off-by-one frame cannot pass
    });

    // files with a trustworthy index: all in process; the others (frames named by the timestamps ffmpeg's command line
    // makes up, or by decode order): ffmpeg, as before
    (decoderStatus().decoder === 'native' ? it : it.skip)('the in-process decoder alone returns them when the file has a trustworthy index', async () => {
      const before = { ...decodeRuns };
      for (const indices of indexSets(info.frames, info.frames * 11 + c.label.length)) {
        const got = await decodeFrames(file, indices, { info, seek: c.seekable ? 'always' : 'auto' });
        expect({ indices, mismatchAt: firstMismatch(got, all, indices) }).toEqual({ indices, mismatchAt: -1 });
      }
      const runs = { native: decodeRuns.native - before.native, ffmpeg: decodeRuns.ffmpeg - before.ffmpeg };
      if (info.framePts && info.seekable !== false) expect(runs).toEqual({ native: expect.any(Number), ffmpeg: 0 });
      else expect(runs).toEqual({ native: 0, ffmpeg: expect.any(Number) });
      expect(runs.native + runs.ffmpeg).toBeGreaterThan(0);
    });

    it('returns the same bytes for edge, duplicate, unsorted and random index sets', async () => {
      // 'always' proves the seek path itself (no silent fallback to decoding from the start).
      const seek = c.seekable ? 'always' : 'auto';
      for (const indices of indexSets(info.frames, info.frames * 7 + c.label.length)) {
        const got = await decodeFrames(file, indices, { info, seek });
        expect({ indices, mismatchAt: firstMismatch(got, all, indices) }).toEqual({ indices, mismatchAt: -1 });
      }
    });
  });
});

describe('decodeFrames options, scaling, decodeStream and fps resampling', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let file = '';
  let info: VideoInfo;
  let all: FrameBatch;
  beforeAll(async () => {
    tmp = makeTempDir('decode-opts');
    file = await encodeVideo(tmp.dir, { name: 'ntsc.mp4', source: 'testsrc=size=64x48:rate=30000/1001:duration=3', encode: ['-c:v', 'libx264', '-g', '15'] });
    info = await probeVideo(file);
    all = await decodeAll(file, { info });
  });
  afterAll(() => tmp?.remove());

  it('seeks without being given the probe result, and decodes from the start when told to, with the same bytes', async () => {
    const indices = [40, 47, 41, 89, 89];
    expect(firstMismatch(await decodeFrames(file, indices), all, indices)).toBe(-1);
    expect(firstMismatch(await decodeFrames(file, indices, { info, seek: 'never' }), all, indices)).toBe(-1);
    expect(firstMismatch(await decodeFrames(file, indices, { info, threads: 0 }), all, indices)).toBe(-1);
  });

  it.each([
    ['short side 32 (PySlowFast: 64x48 -> 42x32)', { shortSide: 32 }, 42, 32],
    ['short side 100 (upscale -> 133x100)', { shortSide: 100 }, 133, 100],
    ['explicit 50x30', { width: 50, height: 30 }, 50, 30],
  ])('scales to %s like decodeAll with the same size', async (_label, size, w, h) => {
    const scaled = await decodeAll(file, { info, size });
    expect([scaled.width, scaled.height, scaled.frames]).toEqual([w, h, info.frames]);
    for (const indices of [
      [0, 1, 2],
      [33, 20, 20, 89],
      [60, 61, 62, 63, 64, 65, 66, 67],
    ]) {
      const got = await decodeFrames(file, indices, { info, size, seek: 'always' });
      expect([got.width, got.height]).toEqual([w, h]);
      expect(firstMismatch(got, scaled, indices)).toBe(-1);
    }
  });

  it('returns an empty batch for no indices and refuses indices past the end, naming them and the file', async () => {
    const empty = await decodeFrames(file, [], { info });
    expect([empty.frames, empty.data.length, empty.width, empty.height]).toEqual([0, 0, 64, 48]);
    const err = await decodeFrames(file, [3, info.frames, info.frames + 5], { info }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'decode-failed', item: file });
    expect(String((err as Error).message)).toContain(`${info.frames}, ${info.frames + 5}`);
    await expect(decodeFrames(file, [-1], { info })).rejects.toThrow(RangeError);
    await expect(decodeFrames(file, [1.5], { info })).rejects.toThrow(RangeError);
  });

  it('decodeStream delivers the same frames one at a time, across pipe chunks not aligned to frames', async () => {
    for (const size of [undefined, { shortSide: 32 }]) {
      const ref = size ? await decodeAll(file, { info, size }) : all;
      const kept: Uint8Array[] = [];
      const seen: number[] = [];
      const res = await decodeStream(file, { size, info }, (frame, index, width, height) => {
        expect([width, height]).toEqual([ref.width, ref.height]);
        seen.push(index);
        kept.push(frame);
      });
      expect(res).toEqual({ frames: info.frames, width: ref.width, height: ref.height });
      expect(seen).toEqual(Array.from({ length: info.frames }, (_, i) => i));
      // Frames handed out are kept intact after later chunks arrived.
      kept.forEach((f, i) => expect(Buffer.compare(Buffer.from(f), Buffer.from(frameOf(ref, i)))).toBe(0));
    }
  });

  it('decodeStream stops ffmpeg and rejects with the callback error when the callback throws', async () => {
    let calls = 0;
    const stop = new Error('stop here');
    await expect(
      decodeStream(file, { info }, () => {
        calls++;
        if (calls === 5) throw stop;
      }),
    ).rejects.toBe(stop);
    expect(calls).toBe(5);
  });

  it('resamples with fps: every output frame is a source frame, in order, at the new rate', async () => {
    const half = await decodeAll(file, { info, fps: 15 });
    expect(Math.abs(half.frames - Math.round((info.frames * 15) / info.fps))).toBeLessThanOrEqual(1);
    const sourceIndex = (t: number): number => {
      for (let i = 0; i < all.frames; i++) if (Buffer.compare(Buffer.from(frameOf(half, t)), Buffer.from(frameOf(all, i))) === 0) return i;
      return -1;
    };
    const picked = Array.from({ length: half.frames }, (_, t) => sourceIndex(t));
    expect(picked).not.toContain(-1);
    for (let t = 1; t < picked.length; t++) expect(picked[t] - picked[t - 1]).toBeGreaterThanOrEqual(1);
    expect(picked[picked.length - 1] - picked[0]).toBeGreaterThan(info.frames - 6);
    const streamed = await decodeStream(file, { info, fps: 15 }, () => undefined);
    expect(streamed.frames).toBe(half.frames);
  });
});
