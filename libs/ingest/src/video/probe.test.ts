/** probeVideo on real files encoded here: what it reads from ffmpeg's header and packet table, and when it decodes. */
import { decodeAll } from './decode';
import { probeVideo } from './probe';
import { encodeVideo, makeTempDir, remux } from './test-videos';

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
  });

  it('handles a path with a colon and spaces (not read as a protocol)', async () => {
    const file = await h264('odd name:1.mp4', 'testsrc=size=64x48:rate=30:duration=1');
    expect((await probeVideo(file)).frames).toBe(30);
  });
});
