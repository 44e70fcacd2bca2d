import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FrameCache } from '@pvnas/ingest';
import { checkCacheResolution, loadSplit, type SplitData } from './datasets';

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

describe('a list of frame caches (--cache a,b,c: the shards of ingest --shard i/n)', () => {
  let dir: string;
  const settings = { shortSide: 128, fps: 30, quality: 90 };
  const at = (name: string): string => path.join(dir, name);
  const split = (cacheDir: string | string[], ids = ['x/v1', 'x/v2']): SplitData => ({
    records: ids.map((id) => ({ id, path: `/videos/${id}.mp4`, label: 0, labelName: 'x' })),
    classes: ['x'],
    cacheDir,
    issues: [],
    describe: 'test',
  });
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-cache-list-'));
    // real LMDB caches with the headers `ingest ... --short-side 128 --shard i/2` (and a 160 one) write
    for (const [name, s, shard] of [
      ['k-s128-shard0of2', settings, { index: 0, count: 2 }],
      ['k-s128-shard1of2', settings, { index: 1, count: 2 }],
      ['k-s160', { ...settings, shortSide: 160 }, undefined],
    ] as const)
      await FrameCache.openWriter(at(name), s, shard).close();
    fs.writeFileSync(at('train.txt'), 'x/v1.mp4 x\nx/v2.mp4 x\n');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('comes from --cache a,b,c as a list (one folder stays a string; an empty entry is refused)', async () => {
    const { program } = await import('../cli/main');
    const resolved = async (...args: string[]): Promise<{ data: { cache?: unknown } }> => {
      const out: string[] = [];
      const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk));
        return true;
      });
      try {
        await program()
          .exitOverride()
          .parseAsync(['node', 'pvnas', 'search', '--manifest', 'train.csv', '--root', 'videos', ...args, '--dry-run']);
      } finally {
        write.mockRestore();
      }
      return JSON.parse(out.join(''));
    };
    expect((await resolved('--cache', '/c/k-shard0of3,/c/k-shard1of3, /c/k-shard2of3')).data.cache).toEqual(['/c/k-shard0of3', '/c/k-shard1of3', '/c/k-shard2of3']);
    expect((await resolved('--cache', '/c/k400')).data.cache).toBe('/c/k400');
    expect((await resolved('--set', 'data.cache=["/c/a","/c/b"]')).data.cache).toEqual(['/c/a', '/c/b']);
    await expect(resolved('--cache', '/c/a,,/c/b')).rejects.toThrow('--cache takes a cache folder or a comma-separated list of them, got "/c/a,,/c/b"');
  });

  it('resolves every cache of the list against the config folder', async () => {
    const data = { source: 'manifest' as const, train: { format: 'list' as const, list: 'train.txt', root: 'videos' } };
    const opts = { workers: 1, log: () => {}, baseDir: dir };
    const two = await loadSplit({ ...data, cache: ['k-s128-shard0of2', 'k-s128-shard1of2'] }, 'train', opts);
    expect(two.cacheDir).toEqual([at('k-s128-shard0of2'), at('k-s128-shard1of2')]);
    expect(two.describe).toBe('list manifest (train), caches k-s128-shard0of2, k-s128-shard1of2');
    expect((await loadSplit({ ...data, cache: ['k-s160'] }, 'train', opts)).cacheDir).toBe(at('k-s160'));
    expect((await loadSplit({ ...data, cache: 'k-s160' }, 'train', opts)).cacheDir).toBe(at('k-s160'));
  });

  it('checks every cache: different settings are refused naming both paths', async () => {
    await expect(checkCacheResolution(split([at('k-s128-shard0of2'), at('k-s160')]), 128, 'clips.jitter [128, 164]', false, () => {})).rejects.toThrow(
      `${at('k-s160')}: frame cache built with shortSide 160, but ${at('k-s128-shard0of2')} with shortSide 128 (caches read as one must share --short-side, --fps and --quality`,
    );
    await expect(checkCacheResolution(split([at('k-s128-shard0of2'), at('missing')]), 128, 'x', false, () => {})).rejects.toThrow(`${at('missing')}: no frame cache here`);
  });

  it('logs videos in none of the caches and a missing shard, and refuses a list whose frames are too small', async () => {
    const log = jest.fn();
    await checkCacheResolution(split([at('k-s128-shard0of2')]), 128, 'clips.jitter [128, 164]', false, log);
    expect(log.mock.calls.map((c) => c[0])).toEqual([
      'frame caches: 1 read as one, 0 videos; 2 of the 2 videos of this split are in none of them (skipped)',
      `WARNING: frame caches: shard 1/2 not listed (got ${at('k-s128-shard0of2')} (shard 0/2)): their videos are in no cache`,
    ]);
    const both = [at('k-s128-shard0of2'), at('k-s128-shard1of2')];
    await expect(checkCacheResolution(split(both, []), 256, 'clips.jitter [256, 320]', false, () => {})).rejects.toThrow(
      `frame caches ${both.join(', ')} hold frames at short side 128, but clips.jitter [256, 320] needs at least 256`,
    );
  });
});
