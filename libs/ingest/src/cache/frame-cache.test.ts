import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IngestError } from '../errors';
import { FrameCache } from './frame-cache';
import { encodeJpeg } from './jpeg';
import type { CachedVideo } from './schema';

const W = 32;
const H = 24;
const settings = { shortSide: 24, fps: 30, quality: 95 };

/** A flat-colour frame whose red value encodes the frame index (JPEG keeps flat colours within a few levels). */
function frame(i: number): Uint8Array {
  const f = new Uint8Array(W * H * 3);
  for (let p = 0; p < W * H; p++) {
    f[p * 3] = (i * 20) % 256;
    f[p * 3 + 1] = 128;
    f[p * 3 + 2] = 255 - ((i * 20) % 256);
  }
  return f;
}

async function videoBlob(id: string, n: number): Promise<{ video: CachedVideo; jpegs: Uint8Array; offsets: number[] }> {
  const list = await Promise.all(Array.from({ length: n }, (_, i) => encodeJpeg(frame(i), W, H, settings.quality)));
  const offsets = [0];
  for (const j of list) offsets.push(offsets[offsets.length - 1] + j.length);
  const jpegs = new Uint8Array(offsets[n]);
  list.forEach((j, i) => jpegs.set(j, offsets[i]));
  const video: CachedVideo = {
    id,
    frames: n,
    fps: 30,
    width: W,
    height: H,
    label: 1,
    labelName: 'b',
    source: { path: `/x/${id}.mp4`, frames: n, fps: 30, width: W, height: H, codec: 'h264' },
    bytes: jpegs.length,
  };
  return { video, jpegs, offsets };
}

describe('FrameCache', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-cache-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('stores a video and reads any frames back in the asked order', async () => {
    const w = FrameCache.openWriter(dir, settings);
    const v = await videoBlob('vid-a', 12);
    await w.putVideo(v.video, v.jpegs, v.offsets);
    expect(w.has('vid-a')).toBe(true);
    expect(w.has('vid-b')).toBe(false);
    await w.close();

    const r = FrameCache.openReader(dir);
    expect(r.header).toMatchObject(settings);
    expect(r.video('vid-a')).toEqual(v.video);
    const clip = await r.readClip('vid-a', [11, 0, 5, 5]);
    expect([clip.frames, clip.height, clip.width]).toEqual([4, H, W]);
    [11, 0, 5, 5].forEach((idx, t) => {
      const red = clip.data[t * W * H * 3 + (H / 2) * W * 3 + (W / 2) * 3];
      expect(Math.abs(red - ((idx * 20) % 256))).toBeLessThanOrEqual(3);
    });
    expect(() => r.readJpegs('vid-a', [12])).toThrow(/out of range/);
    expect(() => r.readJpegs('nope', [0])).toThrow(IngestError);
    await r.close();
  });

  it('refuses to mix settings into an existing cache', async () => {
    const w = FrameCache.openWriter(dir, settings);
    await w.close();
    expect(() => FrameCache.openWriter(dir, { ...settings, shortSide: 128 })).toThrow(/built with shortSide 24, not shortSide 128/);
  });

  it('names a folder that is not a cache', () => {
    expect(() => FrameCache.openReader(path.join(dir, 'none'))).toThrow(/no frame cache here/);
  });

  it('makes a video visible to a reader only once all its frames are committed, in one transaction', async () => {
    const w = FrameCache.openWriter(dir, settings);
    const r = FrameCache.openReader(dir);
    const v = await videoBlob('vid-c', 30);
    const first = await videoBlob('vid-first', 3);
    await w.putVideo(first.video, first.jpegs, first.offsets);
    // Before the commit the reader sees neither the record nor any frame (the frames are written first, the record
    // last, in one synchronous transaction: a reader never sees a record without all its frames)
    expect(r.has('vid-c')).toBe(false);
    expect(r.readJpegs('vid-first', [2])).toHaveLength(1);
    expect(() => r.readJpegs('vid-c', [0])).toThrow();
    await w.putVideo(v.video, v.jpegs, v.offsets);
    expect(r.has('vid-c')).toBe(true);
    expect((await r.readClip('vid-c', [29])).frames).toBe(1);
    await r.close();
    await w.close();
  });
});

describe('FrameCache on a damaged data.mdb (LMDB itself would die with SIGBUS or SIGSEGV)', () => {
  let dir: string;
  let size: number;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-cache-damaged-'));
    const w = FrameCache.openWriter(dir, settings);
    for (let k = 0; k < 40; k++) {
      const v = await videoBlob(`vid-${k}`, 12);
      await w.putVideo(v.video, v.jpegs, v.offsets);
    }
    await w.close();
    size = fs.statSync(path.join(dir, 'data.mdb')).size;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A copy of the cache whose data.mdb `damage` rewrote. */
  function damaged(damage: (bytes: Buffer) => Buffer): string {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-cache-copy-'));
    fs.writeFileSync(path.join(copy, 'data.mdb'), damage(fs.readFileSync(path.join(dir, 'data.mdb'))));
    return copy;
  }

  it('the whole file opens and reads', async () => {
    expect(size).toBeGreaterThan(8 * 4096);
    const r = FrameCache.openReader(dir);
    expect(r.has('vid-39')).toBe(true);
    await r.close();
  });

  it.each([
    [
      'truncated to half (a partial copy)',
      (b: Buffer) => b.subarray(0, Math.floor(b.length / 2)),
      /data\.mdb is truncated: .* of the .* its last transaction wrote/,
    ],
    ['truncated by one page', (b: Buffer) => b.subarray(0, b.length - 4096), /data\.mdb is truncated/],
    ['truncated inside its meta pages', (b: Buffer) => b.subarray(0, 5000), /data\.mdb is truncated: 5000 bytes, less than its two meta pages/],
    ['overwritten with random bytes', (b: Buffer) => Buffer.from(b.map((_, i) => (i * 2654435761) >>> 24)), /no LMDB meta page at byte 0/],
    ['empty', () => Buffer.alloc(0), /data\.mdb is empty/],
  ])('refuses one %s, naming the file and what to do, for readers and writers', (_, damage, message) => {
    const copy = damaged(damage);
    try {
      for (const open of [() => FrameCache.openReader(copy), () => FrameCache.openWriter(copy, settings)]) {
        let err: unknown;
        try {
          open();
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(IngestError);
        expect((err as IngestError).item).toBe(path.join(copy, 'data.mdb'));
        expect((err as Error).message).toMatch(message);
        expect((err as Error).message).toMatch(/copy it again .* or rebuild it/);
      }
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });
});
