/** probeVideo on real files encoded here: what it reads from ffmpeg's header and packet table, and when it decodes. */
import { decodeAll, decodeFrames } from './decode';
import { decoderStatus } from './native-decode';
import { probeRuns, probeVideo } from './probe';
import { encodeVideo, firstMismatch, makeTempDir, remux } from './test-videos';

describe('probeVideo', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    tmp = makeTempDir('probe');
  });
  afterAll(() => tmp?.remove());
  const h264 = (name: string, source: string, extra: string[] = []): Promise<string> =>
    encodeVideo(tmp.dir, { name, source, encode: ['-c:v', 'libx264', '-g', '12', '-pix_fmt', 'yuv420p', ...extra] });

  it('reads codec, size, rate, duration, start and the exact frame count of an h264 mp4', async () => {
    const file = await h264('a.mp4', 'testsrc=size=64x48:rate=30:duration=2');
    const info = await probeVideo(file);
    expect(info).toMatchObject({ frames: 60, fps: 30, width: 64, height: 48, codec: 'h264', durationSec: 2, startTime: 0 });
    expect(info).toMatchObject({ countedBy: 'packets', seekable: true, formatStartTime: 0, rotation: 0, timeBase: [1, 15360] });
    expect(info.framePts).toEqual(Array.from({ length: 60 }, (_, i) => i * 512)); // 15360 / 30 ticks apart
  });

  it('gives NTSC rates as the exact fraction (30000/1001), other codecs their own names, 25 fps as 25', async () => {
    const ntsc = await probeVideo(await h264('ntsc.mp4', 'testsrc=size=64x48:rate=30000/1001:duration=2'));
    expect(ntsc.fps).toBe(30000 / 1001);
    expect(ntsc.frames).toBe(60);
    const vp8 = await probeVideo(
      await encodeVideo(tmp.dir, { name: 'b.webm', source: 'testsrc=size=80x60:rate=25:duration=2', encode: ['-c:v', 'libvpx', '-b:v', '100k'] }),
    );
    expect(vp8).toMatchObject({ codec: 'vp8', fps: 25, frames: 50, width: 80, height: 60, seekable: true });
    const mjpeg = await probeVideo(await encodeVideo(tmp.dir, { name: 'c.mkv', source: 'testsrc=size=48x64:rate=24:duration=1', encode: ['-c:v', 'mjpeg'] }));
    expect(mjpeg).toMatchObject({ codec: 'mjpeg', fps: 24, frames: 24, width: 48, height: 64 });
  });

  it('reports a non-zero start time (mp4 with -output_ts_offset)', async () => {
    const info = await probeVideo(await h264('offset.mp4', 'testsrc=size=64x48:rate=30:duration=1', ['-output_ts_offset', '1.5']));
    expect(info.startTime).toBeCloseTo(1.5, 6);
    expect(info.formatStartTime).toBeCloseTo(1.5, 6);
    expect(info.frames).toBe(30);
  });

  it('does not count the packets an mp4 edit list hides (a -ss cut starting mid-GOP): the count is what decodes', async () => {
    const src = await h264('cut-src.mp4', 'testsrc=size=64x48:rate=30:duration=3');
    const cut = await remux(tmp.dir, src, 'cut.mp4', ['-ss', '1.0'], []);
    const info = await probeVideo(cut);
    const all = await decodeAll(cut, { info });
    expect(info.countedBy).toBe('packets');
    expect(info.frames).toBe(all.frames);
    expect(info.frames).toBe(60);
  });

  it('counts by decoding when the container stores no presentation times (AVI with B-frames), and marks it unseekable', async () => {
    const file = await encodeVideo(tmp.dir, {
      name: 'bf.avi',
      source: 'testsrc=size=64x48:rate=30:duration=2',
      encode: ['-c:v', 'mpeg4', '-bf', '2', '-vtag', 'DX50'],
    });
    const info = await probeVideo(file);
    expect(info).toMatchObject({ countedBy: 'decode', seekable: false, codec: 'mpeg4' });
    expect(info.frames).toBe((await decodeAll(file, { info })).frames);
  });

  it('countBy decode agrees with the packet count and timestamps on a sound file', async () => {
    const file = await encodeVideo(tmp.dir, {
      name: 'd.webm',
      source: 'testsrc=size=64x48:rate=30:duration=2',
      encode: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8'],
    });
    const byPackets = await probeVideo(file);
    const byDecode = await probeVideo(file, { countBy: 'decode' });
    expect(byDecode.countedBy).toBe('decode');
    expect(byDecode.frames).toBe(byPackets.frames);
    expect(byDecode.framePts).toEqual(byPackets.framePts);
    expect(byDecode.seekable).toBe(true);
  });

  it('gives the displayed size of a rotated video (ffmpeg autorotates when decoding)', async () => {
    const src = await h264('upright.mp4', 'testsrc=size=64x48:rate=30:duration=1');
    const rotated = await remux(tmp.dir, src, 'rotated.mp4', [], ['-metadata:s:v:0', 'rotate=90']);
    const info = await probeVideo(rotated);
    expect([90, 270]).toContain(info.rotation);
    expect([info.width, info.height]).toEqual([48, 64]);
    const all = await decodeAll(rotated, { info });
    expect([all.width, all.height, all.frames]).toEqual([48, 64, 30]);
    // a window comes out upright too (the in-process decoder leaves rotated files to ffmpeg's autorotation)
    expect(firstMismatch(await decodeFrames(rotated, [0, 7, 29], { info }), all, [0, 7, 29])).toBe(-1);
  });

  it('handles a path with a colon and spaces (not read as a protocol)', async () => {
    const file = await h264('odd name:1.mp4', 'testsrc=size=64x48:rate=30:duration=1');
    expect((await probeVideo(file)).frames).toBe(30);
  });

  (decoderStatus().decoder === 'native' ? describe : describe.skip)('in process (the libav addon)', () => {
    /** Probes `file` with ffmpeg (PVNAS_DECODER=ffmpeg) and in process; returns both results and who served the second. */
    async function bothWays(file: string): Promise<{ viaFfmpeg: unknown; inProcess: unknown; served: 'native' | 'ffmpeg' }> {
      process.env.PVNAS_DECODER = 'ffmpeg';
      const viaFfmpeg = await probeVideo(file, { minFrames: 1 }).catch((e: Error) => e.message);
      delete process.env.PVNAS_DECODER;
      const before = probeRuns.native;
      const inProcess = await probeVideo(file, { minFrames: 1 }).catch((e: Error) => e.message);
      return { viaFfmpeg, inProcess, served: probeRuns.native > before ? 'native' : 'ffmpeg' };
    }

    // the file, its source and encoding, and who probes it in process: the addon, or ffmpeg when the demuxer leaves a
    // timestamp out (Matroska and AVI store no dts / no pts with B-frames; ffmpeg then makes them up)
    const kinds: Array<[string, string, string[], 'native' | 'ffmpeg']> = [
      ['h264-bf.mp4', 'testsrc=size=64x48:rate=30:duration=2', ['-c:v', 'libx264', '-g', '12', '-bf', '3', '-pix_fmt', 'yuv420p'], 'native'],
      ['h264-gop250.mp4', 'testsrc=size=64x48:rate=25:duration=3', ['-c:v', 'libx264', '-g', '250', '-pix_fmt', 'yuv420p'], 'native'],
      ['ntsc.mp4', 'testsrc=size=64x48:rate=30000/1001:duration=2', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'], 'native'],
      ['film.mov', 'testsrc=size=64x48:rate=24000/1001:duration=2', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'], 'native'],
      ['half.mp4', 'testsrc=size=64x48:rate=12.5:duration=2', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'], 'native'],
      ['vp8.webm', 'testsrc=size=80x60:rate=25:duration=2', ['-c:v', 'libvpx', '-b:v', '100k'], 'native'],
      ['vp9.webm', 'testsrc=size=64x48:rate=30:duration=2', ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8'], 'native'],
      ['mjpeg.mkv', 'testsrc=size=48x64:rate=24:duration=1', ['-c:v', 'mjpeg'], 'native'],
      ['h264.mkv', 'testsrc=size=64x48:rate=30:duration=2', ['-c:v', 'libx264', '-bf', '2', '-pix_fmt', 'yuv420p'], 'ffmpeg'],
      ['mpeg4.avi', 'testsrc=size=64x48:rate=30:duration=2', ['-c:v', 'mpeg4'], 'native'],
      ['bf.avi', 'testsrc=size=64x48:rate=30:duration=2', ['-c:v', 'mpeg4', '-bf', '2', '-vtag', 'DX50'], 'ffmpeg'],
      ['h264.ts', 'testsrc=size=64x48:rate=30:duration=2', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'], 'native'],
      ['offset.mp4', 'testsrc=size=64x48:rate=30:duration=1', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-output_ts_offset', '1.5'], 'native'],
      [
        'with-audio.mp4',
        'testsrc=size=64x48:rate=30:duration=2[out0];sine=duration=2[out1]',
        ['-c:v', 'libx264', '-c:a', 'aac', '-pix_fmt', 'yuv420p'],
        'native',
      ],
    ];

    it.each(kinds)('%s: the same VideoInfo as through ffmpeg, probed in process by %4$s', async (name, source, encode, who) => {
      const file = await encodeVideo(tmp.dir, { name, source, encode });
      const { viaFfmpeg, inProcess, served } = await bothWays(file);
      expect(inProcess).toEqual(viaFfmpeg);
      expect(served).toBe(who);
    });

    it('edit-list cuts, rotation tags and audio: the same VideoInfo, and sound files are served in process', async () => {
      const src = await h264('x-src.mp4', 'testsrc=size=64x48:rate=30:duration=3');
      const cut = await remux(tmp.dir, src, 'x-cut.mp4', ['-ss', '1.0'], []);
      const rotated = await remux(tmp.dir, src, 'x-rot.mp4', [], ['-metadata:s:v:0', 'rotate=270']);
      for (const file of [src, cut, rotated]) {
        const { viaFfmpeg, inProcess, served } = await bothWays(file);
        expect(inProcess).toEqual(viaFfmpeg);
        if (file === src) expect(served).toBe('native');
      }
    });
  });
});
