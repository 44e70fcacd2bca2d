/**
 * ingestVideo in process (the libav addon) against the bundled ffmpeg (PVNAS_DECODER=ffmpeg): the same JPEG bytes for
 * every frame of every kind of file, resampled or not; damaged files still refused; `hwaccel` checked up front.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRng } from '@pvnas/base';
import { IngestError } from '../errors';
import { decoderStatus } from '../video/native-decode';
import { encodeVideo, makeTempDir } from '../video/test-videos';
import { buildCache } from './build';
import { ingestRuns, ingestVideo, type IngestVideoResult } from './ingest-video';

const record = (file: string) => ({ id: path.basename(file), path: file, label: 0, labelName: 'a' });

/** ingestVideo through ffmpeg, then in process; with who served the second. */
async function bothWays(file: string, fps: number): Promise<{ viaFfmpeg: IngestVideoResult; inProcess: IngestVideoResult; served: string }> {
  const settings = { shortSide: 32, fps, quality: 90 };
  process.env.PVNAS_DECODER = 'ffmpeg';
  const viaFfmpeg = await ingestVideo(record(file), settings).finally(() => delete process.env.PVNAS_DECODER);
  const before = { ...ingestRuns };
  const inProcess = await ingestVideo(record(file), settings);
  return { viaFfmpeg, inProcess, served: ingestRuns.native > before.native ? 'native' : 'ffmpeg' };
}

(decoderStatus().decoder === 'native' ? describe : describe.skip)('ingestVideo in process', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    tmp = makeTempDir('ingest-video');
  });
  afterAll(() => tmp?.remove());

  const x264 = ['-c:v', 'libx264', '-g', '30', '-bf', '2', '-pix_fmt', 'yuv420p'];
  const kinds: Array<[string, string, string[]]> = [
    ['k25.mp4', 'testsrc=size=80x60:rate=25:duration=2', x264],
    ['ntsc.mp4', 'testsrc=size=80x60:rate=30000/1001:duration=2', x264],
    ['k60.webm', 'testsrc=size=60x80:rate=60:duration=1', ['-c:v', 'libvpx', '-b:v', '300k']],
    ['offset.mp4', 'testsrc=size=80x60:rate=30:duration=1', [...x264, '-output_ts_offset', '1.5']],
  ];

  it.each(kinds)('%s: the same cache entry as through ffmpeg, at 30 fps and at its own rate', async (name, source, encode) => {
    const file = await encodeVideo(tmp.dir, { name, source, encode });
    for (const fps of [30, 0]) {
      const { viaFfmpeg, inProcess, served } = await bothWays(file, fps);
      expect(served).toBe('native');
      expect(inProcess.video).toEqual(viaFfmpeg.video);
      expect(inProcess.offsets).toEqual(viaFfmpeg.offsets);
      expect(Buffer.compare(Buffer.from(inProcess.jpegs), Buffer.from(viaFfmpeg.jpegs))).toBe(0);
    }
  });

  it('a file whose frames stop decoding half-way goes to ffmpeg and is refused as before, not cached short', async () => {
    const sound = await encodeVideo(tmp.dir, {
      name: 'sound.mp4',
      source: 'testsrc=size=160x120:rate=30:duration=4',
      encode: [...x264, '-movflags', '+faststart'],
    });
    const bytes = Buffer.from(readFileSync(sound));
    const rng = createRng(2024);
    for (let i = 0; i < 4000; i++) bytes[(bytes.length >> 1) + i] = rng.int(0, 255);
    const damaged = path.join(tmp.dir, 'damaged.mp4');
    writeFileSync(damaged, bytes);
    const before = { ...ingestRuns };
    const err = await ingestVideo(record(damaged), { shortSide: 32, fps: 30, quality: 90 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect((err as IngestError).item).toBe(damaged);
    expect((err as IngestError).message).toMatch(/decoded \d+ of the 120 frames/);
    expect(ingestRuns.ffmpeg).toBe(before.ffmpeg + 1);
  });

  it('--hwaccel cuda on a machine without a usable CUDA device is refused before anything is written', async () => {
    const file = await encodeVideo(tmp.dir, { name: 'hw.mp4', source: 'testsrc=size=80x60:rate=30:duration=1', encode: x264 });
    const out = path.join(tmp.dir, 'hw-cache');
    const run = buildCache({
      manifest: { classes: ['a'], records: [record(file)], issues: [] },
      out,
      settings: { shortSide: 32, fps: 30, quality: 90 },
      workers: 1,
      hwaccel: 'cuda',
    });
    const err = await run.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    if (err === undefined) return; // a machine with a GPU and NVDEC: the build ran on it (tools/device checks that)
    expect(err.message).toMatch(/^--hwaccel cuda: cannot open the device: .+; drop --hwaccel to decode on the CPU$/);
    expect(existsSync(out)).toBe(false);
  });
});
