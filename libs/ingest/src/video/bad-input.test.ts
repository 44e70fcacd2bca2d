/**
 * Bad input, each made for real: probeVideo and the decoders refuse it with an IngestError of the right kind whose
 * message names the file; damaged-but-readable files either decode or name the frames that do not. Never a hang.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { IngestError, type IngestErrorKind } from '../errors';
import { decodeAll, decodeFrames, decodeStream } from './decode';
import { probeVideo } from './probe';
import { encodeVideo, firstMismatch, makeTempDir } from './test-videos';
import { createRng } from '@pvnas/base';

async function failure(p: Promise<unknown>): Promise<IngestError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof IngestError)) throw new Error(`expected an IngestError, got ${err === undefined ? 'success' : String(err)}`);
  return err;
}

/** Every entry point refuses `file` with `kind`, and says which file. */
async function expectRefused(file: string, kind: IngestErrorKind, reason?: RegExp): Promise<IngestError> {
  const errs = [
    await failure(probeVideo(file)),
    await failure(decodeFrames(file, [0])),
    await failure(decodeAll(file)),
    await failure(decodeStream(file, {}, () => undefined)),
  ];
  for (const e of errs) {
    expect({ kind: e.kind, item: e.item }).toEqual({ kind, item: file });
    expect(e.message).toContain(file);
    if (reason) expect(e.message).toMatch(reason);
  }
  return errs[0];
}

describe('bad input', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const at = (name: string): string => path.join(tmp.dir, name);
  let sound = ''; // 160x120, 4 s, 30 fps, keyint 30, moov at the end
  let faststart = ''; // the same with the moov first
  beforeAll(async () => {
    tmp = makeTempDir('bad-input');
    const source = 'testsrc=size=160x120:rate=30:duration=4';
    const encode = ['-c:v', 'libx264', '-g', '30', '-pix_fmt', 'yuv420p'];
    sound = await encodeVideo(tmp.dir, { name: 'sound.mp4', source, encode });
    faststart = await encodeVideo(tmp.dir, { name: 'faststart.mp4', source, encode: [...encode, '-movflags', '+faststart'] });
  });
  afterAll(() => tmp?.remove());

  it('missing file -> missing-file', async () => {
    await expectRefused(at('nope.mp4'), 'missing-file', /does not exist/);
  });

  it('a directory -> missing-file', async () => {
    mkdirSync(at('dir.mp4'));
    await expectRefused(at('dir.mp4'), 'missing-file', /directory/);
  });

  it('zero-byte file -> empty-file', async () => {
    writeFileSync(at('empty.mp4'), '');
    const e = await expectRefused(at('empty.mp4'), 'empty-file', /0 bytes/);
    expect(e.hint).toMatch(/re-download/);
  });

  it('a text file (an HTML error page) named .mp4 -> not-a-video', async () => {
    writeFileSync(at('page.mp4'), '<!DOCTYPE html><html><body>403 Forbidden</body></html>\n');
    await expectRefused(at('page.mp4'), 'not-a-video', /text/);
    writeFileSync(at('note.mp4'), 'this is not a video\n');
    await expectRefused(at('note.mp4'), 'not-a-video');
  });

  it('random bytes named .mp4 -> not-a-video', async () => {
    const rng = createRng(7);
    writeFileSync(at('noise.mp4'), Buffer.from(Array.from({ length: 20000 }, () => rng.int(0, 255))));
    await expectRefused(at('noise.mp4'), 'not-a-video');
  });

  it('audio-only file (sine in AAC) named .mp4 -> no-video-stream', async () => {
    const file = await encodeVideo(tmp.dir, { name: 'audio.mp4', source: 'sine=frequency=440:duration=1', encode: ['-c:a', 'aac'] });
    await expectRefused(file, 'no-video-stream');
  });

  it('a video of 6 frames -> too-short (default minFrames 8), yet decodable when fewer are allowed', async () => {
    const file = await encodeVideo(tmp.dir, { name: 'short.mp4', source: 'testsrc=size=64x48:rate=30:duration=0.2', encode: ['-c:v', 'libx264'] });
    const e = await failure(probeVideo(file));
    expect({ kind: e.kind, item: e.item }).toEqual({ kind: 'too-short', item: file });
    expect(e.message).toMatch(/6 frames, fewer than the 8/);
    const info = await probeVideo(file, { minFrames: 6 });
    expect(info.frames).toBe(6);
    expect((await decodeFrames(file, [5, 0], { info })).frames).toBe(2);
    expect((await decodeAll(file)).frames).toBe(6);
  });

  it.each([
    ['without faststart (moov at the end: lost)', () => sound],
    ['with faststart (moov first: the data ends early)', () => faststart],
  ])('the first half of an mp4 %s -> corrupt, hint: truncated', async (_label, src) => {
    const bytes = readFileSync(src());
    const file = at(`half-${path.basename(src())}`);
    writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
    const e = await expectRefused(file, 'corrupt');
    expect(e.hint).toBe('file is truncated or not finished downloading; re-download it');
  });

  it('a file truncated after it was probed: the frames past the cut are decode-failed, by index', async () => {
    const info = await probeVideo(faststart);
    const bytes = readFileSync(faststart);
    const file = at('cut-later.mp4');
    writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
    const early = await decodeFrames(file, [0, 10, 20], { info });
    const all = await decodeAll(faststart, { info });
    expect(firstMismatch(early, all, [0, 10, 20])).toBe(-1);
    const e = await failure(decodeFrames(file, [10, 110, 119, 119], { info }));
    expect({ kind: e.kind, item: e.item }).toEqual({ kind: 'decode-failed', item: file });
    expect(e.message).toContain(file);
    expect(e.reason).toMatch(/^frames 110, 119 of 120 did not decode/);
  });

  describe('random bytes written over the middle of an mp4', () => {
    let file = '';
    beforeAll(() => {
      const bytes = Buffer.from(readFileSync(faststart));
      const rng = createRng(2024);
      for (let i = 0; i < 4000; i++) bytes[(bytes.length >> 1) + i] = rng.int(0, 255);
      file = at('damaged.mp4');
      writeFileSync(file, bytes);
    });

    it('probes (the container is intact), but a full decode stops short: decode-failed with the count, never a silent shorter video', async () => {
      const info = await probeVideo(file);
      expect(info.frames).toBe(120);
      for (const run of [() => decodeAll(file, { info }), () => decodeStream(file, { info }, () => undefined)]) {
        const e = await failure(run());
        expect({ kind: e.kind, item: e.item }).toEqual({ kind: 'decode-failed', item: file });
        expect(e.reason).toMatch(/^decoded \d+ of the 120 frames/);
      }
    });

    it('resampled to a frame rate (as the frame cache decodes), it is refused too: the fps filter would fill the gap with copies', async () => {
      const info = await probeVideo(file);
      for (const fps of [30, 24]) {
        for (const run of [() => decodeAll(file, { info, fps }), () => decodeStream(file, { info, fps }, () => undefined)]) {
          const e = await failure(run());
          expect({ kind: e.kind, item: e.item }).toEqual({ kind: 'decode-failed', item: file });
          expect(e.reason).toMatch(/^decoded \d+ of the 120 frames the container holds \(.*Invalid/);
        }
      }
      // A sound file resampled the same way decodes without complaint.
      expect((await decodeAll(faststart, { fps: 24 })).frames).toBe(96);
    });

    it('decodeFrames returns the frames that decode and names the ones that do not', async () => {
      const info = await probeVideo(file);
      const failed: number[] = [];
      for (let i = 0; i < info.frames; i += 1) {
        const got = await decodeFrames(file, [i], { info }).catch((e: unknown) => e);
        if (got instanceof IngestError) {
          expect({ kind: got.kind, item: got.item }).toEqual({ kind: 'decode-failed', item: file });
          expect(got.reason).toBe(`frames ${i} of 120 did not decode`);
          failed.push(i);
        } else {
          expect(got).toMatchObject({ frames: 1, width: 160, height: 120 });
        }
      }
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.length).toBeLessThan(30); // one GOP at most
    });

    it('probed with countBy decode, it is a shorter video that decodes consistently (from the start, no seeking)', async () => {
      const info = await probeVideo(file, { countBy: 'decode' });
      expect(info.frames).toBeLessThan(120);
      expect(info.seekable).toBe(false);
      const all = await decodeAll(file, { info });
      expect(all.frames).toBe(info.frames);
      for (const indices of [
        [0, 1, 2],
        [55, 56, 57, 58, 59, 60, 61, 62],
        [info.frames - 1, 70, 70],
      ]) {
        expect(firstMismatch(await decodeFrames(file, indices, { info }), all, indices)).toBe(-1);
      }
    });
  });
});
