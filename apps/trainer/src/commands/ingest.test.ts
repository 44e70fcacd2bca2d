/**
 * `pvnas ingest <dataset> --shard i/n`, parsed in process: bad values are refused with the valid range, and a
 * sharded build of a small Kinetics-layout set says which shard it is and how many videos it covers.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { cacheShardOf, FrameCache, type BuildReport } from '@pvnas/ingest';
import { encodeVideo, makeTempDir } from '@pvnas/ingest/testing';
import { addIngestCommands } from './ingest';

/** Runs `pvnas ingest ...` in this process; resolves with what it wrote to stderr, rejects with commander's error. */
async function ingest(...args: string[]): Promise<string> {
  const cli = new Command('pvnas').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  addIngestCommands(cli);
  const err: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  try {
    await cli.parseAsync(['node', 'pvnas', 'ingest', ...args]);
  } finally {
    write.mockRestore();
  }
  return err.join('');
}

describe('ingest --shard', () => {
  it.each([
    ['3/3', "option '--shard <i/n>' argument '3/3' is invalid. shard index 3 is out of range: with n = 3, i must be in 0..2 (0-based, like SLURM_PROCID)"],
    ['1/1', 'with n = 1, i must be 0 (0-based'],
    ['0/0', 'the shard count n must be an integer >= 1, got 0'],
    ['2', 'expected i/n, like 0/4 (shard i of n, 0-based, like SLURM_PROCID)'],
  ])('refuses --shard %s, saying why', async (value, message) => {
    await expect(ingest('kinetics', '--shard', value, '--root', 'nowhere', '--csv', 'none.csv')).rejects.toMatchObject({
      code: 'commander.invalidArgument',
      message: expect.stringContaining(message),
    });
  });

  describe('on a small Kinetics-layout set', () => {
    let tmp: ReturnType<typeof makeTempDir>;
    let args: string[];
    const ids = Array.from({ length: 6 }, (_, i) => `clip${String(i).padStart(7, '0')}_000000_000001`);

    beforeAll(async () => {
      tmp = makeTempDir('ingest-shard-cli');
      const root = path.join(tmp.dir, 'k');
      const source = await encodeVideo(tmp.dir, {
        name: 'src.mp4',
        source: 'testsrc=size=64x48:rate=30:duration=0.5',
        encode: ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-threads', '1'],
      });
      fs.mkdirSync(path.join(root, 'train', 'abseiling'), { recursive: true });
      for (const id of ids) fs.copyFileSync(source, path.join(root, 'train', 'abseiling', `${id}.mp4`));
      const csv = path.join(root, 'train.csv');
      fs.writeFileSync(csv, ['label,youtube_id,time_start,time_end,split', ...ids.map((id) => `abseiling,${id.slice(0, 11)},0,1,train`)].join('\n') + '\n');
      args = ['kinetics', '--root', root, '--csv', csv, '--workers', '1', '--short-side', '32'];
    }, 30_000);
    afterAll(() => tmp?.remove());

    it('fills the cache with that shard only, and says so in the output, the report and the header', async () => {
      const out = path.join(tmp.dir, 'cache-1of2');
      const stderr = await ingest(...args, '--shard', '1/2', '--out', out);
      const mine = ids.filter((id) => cacheShardOf(id, 2) === 1);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.length).toBeLessThan(ids.length);
      expect(stderr).toContain(`shard 1/2 (0-based): ${mine.length} of the manifest's 6 videos -> ${out}`);
      expect(stderr).toContain(`shard 1/2 (0-based): ${mine.length} of the manifest's 6 videos; the other shards go to other folders`);
      const report = JSON.parse(fs.readFileSync(path.join(out, 'ingest-report.json'), 'utf8')) as BuildReport;
      expect(report.shard).toEqual({ index: 1, count: 2, videos: mine.length, manifestVideos: 6 });
      expect(report.counts).toMatchObject({ manifest: mine.length, written: mine.length, failed: 0 });
      const cache = FrameCache.openReader(out);
      try {
        expect(cache.header.shard).toEqual({ index: 1, count: 2 });
        expect([...cache.ids()].sort()).toEqual(mine.sort());
      } finally {
        await cache.close();
      }
      process.exitCode = undefined;
    });
  });
});
