/**
 * `npx pvnas probe | sample | frames` end to end: real processes (`node apps/trainer/bin/pvnas.js`) on videos of
 * known encoding. Results are JSON on stdout; errors go to stderr only, name the file and say what to do.
 * Expected values are computed here independently: the probe from how the videos were encoded, the sampled
 * indices from the PySlowFast formulas, the frames from a plain full decode with the bundled ffmpeg.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_TEMPORAL, FFMPEG_PATH, sampleTrainIndices } from '@pvnas/ingest';
import { PVNAS_BIN, runCli, type CliResult } from './support/cli';
import { makeTempDir, testsrcVideo, writeFile } from './support/datasets';
import { createRng } from '@pvnas/base';

jest.setTimeout(60_000);

describe('pvnas inspection commands (CLI)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let mp4 = ''; // h264, 96x72, 30 fps, 4 s = 120 frames
  let webm = ''; // vp9, 80x64, 25 fps, 2 s = 50 frames
  const pvnas = (...args: string[]): Promise<CliResult> => runCli(PVNAS_BIN, args, { cwd: tmp.dir });
  const json = (r: CliResult): unknown => {
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout.endsWith('\n') && r.stdout.trim().split('\n').length === 1).toBe(true);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    tmp = makeTempDir('e2e-pvnas');
    [mp4, webm] = await Promise.all([
      testsrcVideo(path.join(tmp.dir, 'videos', 'h264 clip.mp4'), { width: 96, height: 72, fps: 30, seconds: 4 }),
      testsrcVideo(path.join(tmp.dir, 'videos', 'vp9-clip.webm'), { width: 80, height: 64, fps: 25, seconds: 2, codec: 'vp9' }),
    ]);
  });
  afterAll(() => tmp?.remove());

  describe('probe', () => {
    it('prints {frames, fps, width, height, codec} of an h264 mp4 (path relative to the cwd, with a space)', async () => {
      expect(json(await pvnas('probe', path.join('videos', 'h264 clip.mp4')))).toEqual({ frames: 120, fps: 30, width: 96, height: 72, codec: 'h264' });
    });

    it('and of a 25 fps vp9 webm', async () => {
      expect(json(await pvnas('probe', webm))).toEqual({ frames: 50, fps: 25, width: 80, height: 64, codec: 'vp9' });
    });
  });

  describe('sample', () => {
    // PySlowFast on a 120-frame 30 fps video: the 64-frame window spans 64 source frames, so the window start runs
    // over [0, 120 - 64] = [0, 56] and the 8 indices are linspace(start, start + 63, 8) = start + 9k, truncated.
    it('--seed N: one train clip of 8 indices, start + 9k with start in [0, 56]; the same for the same seed', async () => {
      const seeds = [3, 3, 4];
      const runs = await Promise.all(seeds.map((seed) => pvnas('sample', mp4, '--seed', String(seed))));
      expect(json(runs[1])).toEqual(json(runs[0]));
      const seen = new Set<string>();
      for (const [n, seed] of seeds.entries()) {
        const a = json(runs[n]) as { indices: number[][] };
        expect(Object.keys(a)).toEqual(['indices']);
        expect(a.indices).toHaveLength(1);
        const [clip] = a.indices;
        expect(clip).toHaveLength(8);
        expect(clip.every(Number.isInteger)).toBe(true);
        expect(clip[0]).toBeGreaterThanOrEqual(0);
        expect(clip[0]).toBeLessThanOrEqual(56);
        expect(clip).toEqual(Array.from({ length: 8 }, (_, k) => clip[0] + 9 * k));
        // The loader's own draw for this seed (the CLI must use the seed as the loader does: createRng(seed)).
        expect(clip).toEqual(sampleTrainIndices(120, 30, createRng(seed), DEFAULT_TEMPORAL));
        seen.add(JSON.stringify(clip));
      }
      expect(seen.size).toBeGreaterThan(1); // the seed matters
    });

    it('--test: the 10 test clips, window starts at 56 * i / 10', async () => {
      const r = json(await pvnas('sample', mp4, '--test', '--seed', '9')) as { indices: number[][] };
      const expected = Array.from({ length: 10 }, (_, i) => Array.from({ length: 8 }, (_, k) => Math.trunc((56 * i) / 10 + 9 * k)));
      expect(r).toEqual({ indices: expected });
      expect(r.indices[0]).toEqual([0, 9, 18, 27, 36, 45, 54, 63]);
      expect(r.indices[9]).toEqual([50, 59, 68, 77, 86, 95, 104, 113]);
    });
  });

  describe('frames', () => {
    let all: Buffer; // every frame, rgb24, from a plain full decode
    const frameBytes = 96 * 72 * 3;
    beforeAll(() => {
      const ff = spawnSync(FFMPEG_PATH, ['-v', 'error', '-i', mp4, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-vsync', '0', '-'], { maxBuffer: 64 << 20 });
      expect(ff.status).toBe(0);
      all = ff.stdout;
      expect(all.length).toBe(120 * frameBytes);
    });
    const cut = (indices: number[]): Buffer => Buffer.concat(indices.map((i) => all.subarray(i * frameBytes, (i + 1) * frameBytes)));

    it.each([
      [[0, 10, 20]],
      [[119, 3, 64, 64, 31]], // any order, repeats, the last frame, a frame right after a keyframe boundary
    ])('--indices %j --out DIR: DIR/frames.rgb = those frames of a full decode, DIR/frames.json {indices, width, height}', async (indices) => {
      const dir = `out-${indices.join('-')}`;
      const res = json(await pvnas('frames', mp4, '--indices', indices.join(','), '--out', dir));
      const out = path.join(tmp.dir, dir);
      expect(res).toEqual({ indices, width: 96, height: 72, out });
      expect(JSON.parse(fs.readFileSync(path.join(out, 'frames.json'), 'utf8'))).toEqual({ indices, width: 96, height: 72 });
      const rgb = fs.readFileSync(path.join(out, 'frames.rgb'));
      expect(rgb.length).toBe(indices.length * frameBytes);
      const wrong = indices.filter((i, k) => !rgb.subarray(k * frameBytes, (k + 1) * frameBytes).equals(all.subarray(i * frameBytes, (i + 1) * frameBytes)));
      expect(wrong).toEqual([]);
      expect(rgb.equals(cut(indices))).toBe(true);
    });
  });

  describe('bad input: non-zero exit, the reason on stderr naming the file and what to do, nothing on stdout', () => {
    const refused = (r: CliResult): string => {
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 1, stdout: '' });
      return r.stderr;
    };

    it.each([['probe'], ['sample'], ['frames']])('%s on a missing file', async (cmd) => {
      const missing = path.join(tmp.dir, 'videos', 'no-such-video.mp4');
      const extra = cmd === 'frames' ? ['--indices', '0', '--out', 'never-made'] : [];
      const stderr = refused(await pvnas(cmd, missing, ...extra));
      expect(stderr).toBe(`pvnas: ${missing}: file does not exist (check the path and the dataset root)\n`);
      expect(fs.existsSync(path.join(tmp.dir, 'never-made'))).toBe(false);
    });

    it('probe on a FIFO named like a video says what it is (and does not block)', async () => {
      const fifo = path.join(tmp.dir, 'videos', 'pipe.mp4');
      execFileSync('mkfifo', [fifo]);
      expect(refused(await pvnas('probe', fifo))).toBe(
        `pvnas: ${fifo}: is a FIFO (named pipe), not a video file (point to the video file itself: ingest reads regular files only)\n`,
      );
    });

    it('probe on an HTML page saved as .mp4', async () => {
      const page = writeFile(path.join(tmp.dir, 'videos', 'page.mp4'), '<!DOCTYPE html><html><body>404</body></html>\n');
      expect(refused(await pvnas('probe', page))).toBe(
        `pvnas: ${page}: file is text, not a video (a failed download often saves an HTML error page; re-download it)\n`,
      );
    });

    it('frames past the end of the video: names the file and the index, writes nothing', async () => {
      const stderr = refused(await pvnas('frames', mp4, '--indices', '5,120', '--out', 'past-end'));
      expect(stderr).toContain(mp4);
      expect(stderr).toMatch(/frame indices 120 are past the last frame \(the video has 120, 0\.\.119\)/);
      expect(fs.existsSync(path.join(tmp.dir, 'past-end'))).toBe(false);
    });

    it('a malformed --indices list is named with an example of the right form', async () => {
      const stderr = refused(await pvnas('frames', mp4, '--indices', '1,x', '--out', 'bad-list'));
      expect(stderr).toMatch(/--indices must be comma-separated frame numbers >= 0, like 0,10,20; got "1,x"/);
      expect(fs.existsSync(path.join(tmp.dir, 'bad-list'))).toBe(false);
    });
  });
});
