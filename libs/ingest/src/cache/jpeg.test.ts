import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { VideoRecord } from '../manifest/types';
import { ffmpegToFile } from '../video/ffmpeg';
import { buildCache } from './build';
import { FrameCache } from './frame-cache';
import {
  decodeJpeg,
  decodeJpegNativeSync,
  decodeJpegSharp,
  decodeJpegWasmSync,
  encodeJpeg,
  encodeJpegSharp,
  jpegDecoderStatus,
  loadNativeJpeg,
  loadWasmJpeg,
  turboJpegAddonPath,
  type RgbImage,
} from './jpeg';

// The benchmark's cache settings: short side 128, 30 fps, JPEG q90 (4:2:0).
const settings = { shortSide: 128, fps: 30, quality: 90 };
// The native addon is optional (built by `npm install` when libturbojpeg0-dev is installed); its tests run when it is.
const nativeBuilt = fs.existsSync(turboJpegAddonPath());
const withNative = nativeBuilt ? it : it.skip;

let dir: string;
let jpegs: Buffer[];

const same = (a: RgbImage | undefined, b: RgbImage): boolean =>
  a !== undefined &&
  a.width === b.width &&
  a.height === b.height &&
  Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data));

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-jpeg-'));
  // Two real videos through the real cache build: a 166x124 one (cached at 171x128: odd width, partial MCUs)
  // and a 340x256 textured one (170x128, like the benchmark's sets and Kinetics after a short-side-256 resize).
  const sources = [
    { id: 'small', input: 'testsrc2=size=166x124:rate=30:duration=1', vf: 'hue=h=40' },
    { id: 'textured', input: 'mandelbrot=size=340x256:rate=30', vf: 'noise=alls=24:allf=t,trim=duration=1' },
  ];
  const records: VideoRecord[] = await Promise.all(
    sources.map(async (s, i) => {
      const file = path.join(dir, `${s.id}.mp4`);
      await ffmpegToFile(
        {
          input: s.input,
          inputOptions: ['-f', 'lavfi'],
          outputOptions: ['-vf', s.vf, '-frames:v', '30', '-c:v', 'libx264', '-g', '15', '-pix_fmt', 'yuv420p', '-threads', '1'],
        },
        file,
      );
      return { id: s.id, path: file, label: i, labelName: `c${i}` };
    }),
  );
  const out = path.join(dir, 'cache');
  const report = await buildCache({ manifest: { classes: ['c0', 'c1'], records, issues: [] }, out, settings, workers: 1 });
  expect(report.failures).toEqual([]);
  const cache = FrameCache.openReader(out);
  try {
    jpegs = [...cache.videos()].flatMap((v) =>
      cache.readJpegs(
        v.id,
        Array.from({ length: v.frames }, (_, i) => i),
      ),
    );
  } finally {
    await cache.close();
  }
  expect(await loadWasmJpeg()).toEqual({ ok: true });
}, 120_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('decodeJpeg', () => {
  it('uses the native addon when it is built, else libjpeg-turbo in WebAssembly, never sharp here', async () => {
    const status = await jpegDecoderStatus();
    if (nativeBuilt) {
      expect(loadNativeJpeg()).toEqual({ ok: true, file: turboJpegAddonPath() });
      expect(status).toEqual({ decoder: 'native', skipped: [] });
    } else {
      expect(status.decoder).toBe('wasm');
      expect(status.skipped).toEqual([expect.stringMatching(/^native: .* is not built \(apt-get install libturbojpeg0-dev/)]);
    }
  });

  it('WebAssembly decoder: exactly the pixels of the sharp fallback on real cache frames', async () => {
    expect(jpegs.length).toBeGreaterThanOrEqual(50);
    const sizes = new Set<string>();
    for (const j of jpegs) {
      const ref = await decodeJpegSharp(j);
      const fast = decodeJpegWasmSync(j);
      expect(fast).toBeDefined();
      sizes.add(`${fast!.width}x${fast!.height}`);
      expect(fast!.data.length).toBe(ref.width * ref.height * 3);
      // Same libjpeg defaults (accurate integer IDCT, fancy upsampling): equal to the last bit, not merely close.
      expect(same(fast, ref)).toBe(true);
      expect(same(await decodeJpeg(j), ref)).toBe(true);
    }
    expect([...sizes].sort()).toEqual(['170x128', '171x128']);
  });

  withNative('native addon: exactly the pixels of the sharp fallback on real cache frames', async () => {
    for (const j of jpegs) {
      const ref = await decodeJpegSharp(j);
      const fast = decodeJpegNativeSync(j);
      expect(fast).toBeDefined();
      expect(fast!.data.length).toBe(ref.width * ref.height * 3);
      expect(same(fast, ref)).toBe(true);
    }
  });

  it('returns a copy that the next decode does not overwrite', async () => {
    const a = await decodeJpeg(jpegs[0]);
    const w = decodeJpegWasmSync(jpegs[0])!;
    const before = Buffer.from(a.data);
    const beforeW = Buffer.from(w.data);
    await decodeJpeg(jpegs[jpegs.length - 1]);
    decodeJpegWasmSync(jpegs[jpegs.length - 1]);
    expect(Buffer.from(a.data).equals(before)).toBe(true);
    expect(Buffer.from(w.data).equals(beforeW)).toBe(true);
  });

  it('falls back to sharp for what the fast decoders reject, and they keep working afterwards', async () => {
    const truncated = jpegs[0].subarray(0, jpegs[0].length >> 1);
    const junk = Buffer.from('not a jpeg');
    for (const bad of [truncated, junk]) {
      expect(decodeJpegWasmSync(bad)).toBeUndefined();
      expect(decodeJpegNativeSync(bad)).toBeUndefined();
    }
    // sharp's own errors, as before the fast decoders existed.
    await expect(decodeJpeg(truncated)).rejects.toThrow(/premature end/i);
    await expect(decodeJpeg(junk)).rejects.toThrow(/unsupported image format/);
    const ref = await decodeJpegSharp(jpegs[1]);
    expect(same(await decodeJpeg(jpegs[1]), ref)).toBe(true);
    expect(same(decodeJpegWasmSync(jpegs[1]), ref)).toBe(true);
    if (nativeBuilt) expect(same(decodeJpegNativeSync(jpegs[1]), ref)).toBe(true);
  });

  it('leaves a greyscale JPEG to sharp, which expands it to RGB as before', async () => {
    const grey = await sharp(Buffer.alloc(16 * 8, 100), { raw: { width: 16, height: 8, channels: 1 } })
      .toColourspace('b-w')
      .jpeg()
      .toBuffer();
    expect((await sharp(grey).metadata()).channels).toBe(1);
    expect(decodeJpegWasmSync(grey)).toBeUndefined();
    expect(decodeJpegNativeSync(grey)).toBeUndefined();
    const d = await decodeJpeg(grey);
    expect([d.width, d.height, d.data.length]).toEqual([16, 8, 16 * 8 * 3]);
    expect(same(d, await decodeJpegSharp(grey))).toBe(true);
  });

  it('round-trips what encodeJpeg writes', async () => {
    const w = 24;
    const h = 16;
    const rgb = new Uint8Array(w * h * 3);
    for (let p = 0; p < w * h; p++) rgb.set([200, 60, 20], p * 3);
    const d = await decodeJpeg(await encodeJpeg(rgb, w, h, 90));
    expect([d.width, d.height]).toEqual([w, h]);
    const c = (h / 2) * w * 3 + (w / 2) * 3;
    expect(Array.from(d.data.subarray(c, c + 3)).map((v, k) => Math.abs(v - [200, 60, 20][k]) <= 3)).toEqual([true, true, true]);
  });

  it("encodes natively when the addon is built: the pixels of sharp's encoder (the same libjpeg-turbo settings)", async () => {
    const w = 64;
    const h = 48;
    const rgb = new Uint8Array(w * h * 3);
    for (let p = 0; p < w * h; p++) rgb.set([(p * 7) % 256, (p * 3) % 256, (p >> 3) % 256], p * 3);
    const native = await encodeJpeg(rgb, w, h, 90);
    const reference = await encodeJpegSharp(rgb, w, h, 90);
    const [a, b] = [await decodeJpegSharp(native), await decodeJpegSharp(reference)];
    expect([a.width, a.height]).toEqual([w, h]);
    let worst = 0;
    for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!));
    expect(worst).toBeLessThanOrEqual(2);
    if (loadNativeJpeg().ok) expect(native.length).toBeGreaterThan(0);
    await expect(encodeJpeg(rgb, w, h + 1, 90)).rejects.toThrow();
  });

  it.each([
    ['wasm', 'wasm', ['native: PVNAS_JPEG_DECODER=wasm']],
    ['sharp', 'sharp', ['native: PVNAS_JPEG_DECODER=sharp', 'wasm: PVNAS_JPEG_DECODER=sharp']],
  ])('PVNAS_JPEG_DECODER=%s picks %s', async (value, decoder, skipped) => {
    const saved = process.env.PVNAS_JPEG_DECODER;
    process.env.PVNAS_JPEG_DECODER = value;
    try {
      let mod!: typeof import('./jpeg');
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module instance per environment
        mod = require('./jpeg');
      });
      expect(await mod.jpegDecoderStatus()).toEqual({ decoder, skipped });
      expect(same(await mod.decodeJpeg(jpegs[0]), await decodeJpegSharp(jpegs[0]))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.PVNAS_JPEG_DECODER;
      else process.env.PVNAS_JPEG_DECODER = saved;
    }
  });

  it('names the missing addon and still decodes when PVNAS_TURBOJPEG_ADDON points nowhere', async () => {
    const saved = process.env.PVNAS_TURBOJPEG_ADDON;
    process.env.PVNAS_TURBOJPEG_ADDON = path.join(dir, 'none.node');
    try {
      let mod!: typeof import('./jpeg');
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module instance per environment
        mod = require('./jpeg');
      });
      expect(mod.loadNativeJpeg()).toEqual({ ok: false, reason: expect.stringContaining(`${path.join(dir, 'none.node')} is not built`) });
      expect((await mod.jpegDecoderStatus()).decoder).toBe('wasm');
      expect(same(await mod.decodeJpeg(jpegs[2]), await decodeJpegSharp(jpegs[2]))).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.PVNAS_TURBOJPEG_ADDON;
      else process.env.PVNAS_TURBOJPEG_ADDON = saved;
    }
  });
});
