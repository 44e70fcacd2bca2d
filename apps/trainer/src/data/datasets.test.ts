import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FrameCache } from '@pvnas/ingest';
import { checkCacheResolution, type SplitData } from './datasets';

describe('a frame cache smaller than the run scales its frames to', () => {
  let dir: string;
  let split: SplitData;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-cache-res-'));
    // a real LMDB cache with the header `nx run ingest:kinetics -- --short-side 128` writes
    const cache = FrameCache.openWriter(path.join(dir, 'k400-s128'), { shortSide: 128, fps: 30, quality: 90 });
    await cache.close();
    split = { records: [], classes: [], cacheDir: path.join(dir, 'k400-s128'), issues: [], describe: 'test' };
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is refused, naming the cache, both sizes and the ways out', async () => {
    const log = jest.fn();
    await expect(checkCacheResolution(split, 256, 'clips.jitter [256, 320]', false, log)).rejects.toThrow(
      new RegExp(`frame cache ${split.cacheDir} holds frames at short side 128, but clips.jitter \\[256, 320\\] needs at least 256: every frame would be upsampled 2.00x or more. Build a cache at that size \\(nx run ingest:<dataset> -- ... --short-side 256 --out NEW_FOLDER\\), decode the videos instead \\(leave out --cache\\), or accept the blur with --set clips.allowUpsampling=true`),
    );
    expect(log).not.toHaveBeenCalled();
  });

  it('runs with clips.allowUpsampling, saying so loudly', async () => {
    const log = jest.fn();
    await checkCacheResolution(split, 256, 'clips.jitter [256, 320]', true, log);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/^WARNING: frame cache .* upsampled 2\.00x .*clips\.allowUpsampling is set/));
  });

  it('passes a cache at or above the size, and decoded videos (no cache)', async () => {
    const log = jest.fn();
    await checkCacheResolution(split, 128, 'clips.jitter [128, 164]', false, log);
    await checkCacheResolution({ ...split, cacheDir: undefined }, 1000, 'anything', false, log);
    expect(log).not.toHaveBeenCalled();
  });
});
