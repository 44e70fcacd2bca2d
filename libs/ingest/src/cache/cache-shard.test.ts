/**
 * Sharded cache builds (`--shard i/n`) and reading the shards as one cache: the assignment (pure), then real
 * builds (ffmpeg-encoded videos, LMDB in a temp dir) of one manifest whole and as 3 shards, compared video by
 * video and frame by frame, and a ClipLoader over the 3 shard caches against one over the whole cache.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IngestError } from '../errors';
import type { Manifest, VideoRecord } from '../manifest/types';
import { ClipLoader, type ClipBatch, type ClipLoaderOptions } from '../pool/clip-loader';
import { encodeVideo, makeTempDir } from '../video/test-videos';
import { buildCache, type BuildReport } from './build';
import { CacheIndex } from './cache-index';
import { cacheShardOf, parseCacheShard, shardRecords, validateCacheShard } from './cache-shard';
import { FrameCache } from './frame-cache';

describe('the shard assignment', () => {
  const ids = Array.from({ length: 1000 }, (_, i) => `yt${(i * 7919).toString(36)}_${String(i % 60).padStart(6, '0')}_000010`);
  const records = ids.map((id) => ({ id }));

  it('parses i/n (0-based) and refuses anything outside 0 <= i < n, saying the valid range', () => {
    expect(parseCacheShard('0/1')).toEqual({ index: 0, count: 1 });
    expect(parseCacheShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseCacheShard(' 1 / 4 ')).toEqual({ index: 1, count: 4 });
    expect(() => parseCacheShard('3/3')).toThrow('--shard 3/3: shard index 3 is out of range: with n = 3, i must be in 0..2 (0-based, like SLURM_PROCID)');
    expect(() => parseCacheShard('1/1')).toThrow(/with n = 1, i must be 0 /);
    expect(() => parseCacheShard('0/0')).toThrow(/--shard 0\/0: the shard count n must be an integer >= 1, got 0/);
    for (const bad of ['-1/3', '1', '1/3/4', 'a/b', '1.5/3', '']) expect(() => parseCacheShard(bad)).toThrow(/expected i\/n, like 0\/4/);
    expect(() => validateCacheShard({ index: 1, count: 1 })).toThrow(IngestError);
  });

  it('puts every video in exactly one shard, by its id alone (not the manifest order), in roughly equal parts', () => {
    const n = 4;
    const parts = Array.from({ length: n }, (_, i) => shardRecords(records, { index: i, count: n }).map((r) => r.id));
    expect(parts.flat().sort()).toEqual([...ids].sort());
    for (const p of parts) expect(p.length).toBeGreaterThan(200); // 250 each on average
    const reversed = [...records].reverse();
    const fewer = records.filter((_, k) => k % 3 !== 0);
    for (let i = 0; i < n; i++) {
      expect(new Set(shardRecords(reversed, { index: i, count: n }).map((r) => r.id))).toEqual(new Set(parts[i]));
      // a manifest that loses lines moves no other video to another shard
      expect(shardRecords(fewer, { index: i, count: n }).every((r) => parts[i].includes(r.id))).toBe(true);
    }
    // the documented rule, pinned: uint32 big-endian of the first 4 bytes of SHA-256(id), mod n
    expect([cacheShardOf('abseiling_0001', 7), cacheShardOf('12345', 4), cacheShardOf('vid00', 3), cacheShardOf('vid01', 3)]).toEqual([6, 2, 0, 2]);
  });
});

describe('a cache built as 3 shards', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let manifest: Manifest;
  let whole: BuildReport;
  let shards: BuildReport[];
  const settings = { shortSide: 40, fps: 30, quality: 90 };
  const shardDirs = (): string[] => shards.map((s) => s.out);

  beforeAll(async () => {
    tmp = makeTempDir('cache-shards');
    // 9 short videos (1.0 .. 1.8 s, different content); their ids fall 4 / 2 / 3 into shards 0, 1, 2 of 3
    const records: VideoRecord[] = await Promise.all(
      Array.from({ length: 9 }, async (_, i) => {
        const id = `vid${String(i).padStart(2, '0')}`;
        const file = await encodeVideo(tmp.dir, {
          name: `${id}.mp4`,
          source: `testsrc=size=64x48:rate=30:duration=${1 + i * 0.1}`,
          encode: ['-vf', `hue=h=${i * 40}`, '-c:v', 'libx264', '-g', '15', '-pix_fmt', 'yuv420p', '-threads', '1'],
        });
        return { id, path: file, label: i % 3, labelName: `c${i % 3}` };
      }),
    );
    manifest = { classes: ['c0', 'c1', 'c2'], records, issues: [] };
    whole = await buildCache({ manifest, out: path.join(tmp.dir, 'whole'), settings, workers: 2 });
    shards = [];
    for (let i = 0; i < 3; i++)
      shards.push(await buildCache({ manifest, out: path.join(tmp.dir, `shard${i}`), settings, shard: { index: i, count: 3 }, workers: 2 }));
  }, 60_000);
  afterAll(() => tmp?.remove());

  it('reports each shard: i of n and how many videos of the manifest it covers', () => {
    expect(whole.shard).toBeUndefined();
    expect(whole.counts).toEqual({ manifest: 9, skippedCached: 0, written: 9, failed: 0, inCache: 9, pending: 0 });
    expect(shards.map((s) => s.shard)).toEqual([
      { index: 0, count: 3, videos: 4, manifestVideos: 9 },
      { index: 1, count: 3, videos: 2, manifestVideos: 9 },
      { index: 2, count: 3, videos: 3, manifestVideos: 9 },
    ]);
    expect(shards.map((s) => s.counts)).toEqual([4, 2, 3].map((n) => ({ manifest: n, skippedCached: 0, written: n, failed: 0, inCache: n, pending: 0 })));
    expect(JSON.parse(fs.readFileSync(path.join(shards[1].out, 'ingest-report.json'), 'utf8')).shard).toEqual(shards[1].shard);
  });

  it('holds together exactly the videos of the unsharded build, each once, with byte-identical frames', async () => {
    const ref = FrameCache.openReader(whole.out);
    const parts = shardDirs().map((d) => FrameCache.openReader(d));
    try {
      expect(parts.map((p) => p.header.shard)).toEqual([0, 1, 2].map((index) => ({ index, count: 3 })));
      expect(ref.header.shard).toBeUndefined();
      const held = parts.flatMap((p) => [...p.ids()]);
      expect(held.length).toBe(9);
      expect([...held].sort()).toEqual([...ref.ids()].sort());
      let frames = 0;
      for (const v of ref.videos()) {
        const holders = parts.filter((p) => p.has(v.id));
        expect(holders.length).toBe(1);
        expect(holders[0].video(v.id)).toEqual(v);
        const all = Array.from({ length: v.frames }, (_, t) => t);
        const a = ref.readJpegs(v.id, all);
        const b = holders[0].readJpegs(v.id, all);
        for (let t = 0; t < v.frames; t++) expect(Buffer.compare(a[t], b[t])).toBe(0);
        frames += v.frames;
      }
      expect(frames).toBeGreaterThan(9 * 30);
    } finally {
      await ref.close();
      for (const p of parts) await p.close();
    }
  });

  it('refuses to resume a shard as another shard or as the whole manifest, and the reverse', async () => {
    await expect(buildCache({ manifest, out: shards[0].out, settings, shard: { index: 1, count: 3 }, workers: 1 })).rejects.toThrow(
      /shard0: this cache holds shard 0\/3, not shard 1\/3 \(use another --out folder, or --shard 0\/3 to resume\)/,
    );
    await expect(buildCache({ manifest, out: shards[0].out, settings, workers: 1 })).rejects.toThrow(/this cache holds shard 0\/3, not the whole manifest/);
    await expect(buildCache({ manifest, out: whole.out, settings, shard: { index: 0, count: 3 }, workers: 1 })).rejects.toThrow(
      /whole: this cache holds the whole manifest, not shard 0\/3 \(use another --out folder, or no --shard to resume\)/,
    );
    const again = await buildCache({ manifest, out: shards[2].out, settings, shard: { index: 2, count: 3 }, workers: 1 });
    expect(again.counts).toMatchObject({ manifest: 3, skippedCached: 3, written: 0 });
  });

  it('is indexed as one cache; caches of other settings, or listed twice, are refused naming the paths', async () => {
    const index = await CacheIndex.open(shardDirs());
    expect(index.size).toBe(9);
    expect(index.overlaps).toBe(0);
    expect(index.shardWarning()).toBeUndefined();
    for (const r of manifest.records) expect(index.dirOf(r.id)).toBe(shardDirs()[cacheShardOf(r.id, 3)]);
    expect(index.dirOf('nope')).toBeUndefined();

    const two = await CacheIndex.open(shardDirs().slice(0, 2));
    expect(two.shardWarning()).toMatch(/^shard 2\/3 not listed \(got .*shard0 \(shard 0\/3\), .*shard1 \(shard 1\/3\)\): their videos are in no cache$/);
    // a video in two caches is read from the first listed
    const overlapping = await CacheIndex.open([shards[1].out, whole.out]);
    expect(overlapping.overlaps).toBe(2);
    expect(overlapping.size).toBe(9);
    expect(manifest.records.map((r) => overlapping.dirOf(r.id) === shards[1].out)).toEqual(manifest.records.map((r) => cacheShardOf(r.id, 3) === 1));
    expect(overlapping.shardWarning()).toMatch(/^the caches are not shards of one split/);

    const other = path.join(tmp.dir, 'other-s48');
    await FrameCache.openWriter(other, { ...settings, shortSide: 48, quality: 80 }).close();
    await expect(CacheIndex.open([shards[0].out, other])).rejects.toThrow(
      `${other}: frame cache built with shortSide 48, quality 80, but ${shards[0].out} with shortSide 40, quality 90 (caches read as one must share --short-side, --fps and --quality: rebuild one of them with the settings of the other)`,
    );
    await expect(CacheIndex.open([shards[0].out, shards[1].out, `${shards[0].out}/`])).rejects.toThrow(
      /shard0\/: this frame cache is listed twice \(also as .*shard0\)/,
    );
    await expect(CacheIndex.open([shards[0].out, path.join(tmp.dir, 'absent')])).rejects.toThrow(/absent: no frame cache here/);
  });

  describe('read by a ClipLoader as one cache', () => {
    async function batches(opts: Partial<ClipLoaderOptions>): Promise<{ batches: ClipBatch[]; failures: ClipLoader['failures'] }> {
      const loader = new ClipLoader({ records: manifest.records, batchSize: 4, seed: 5, workers: 2, ...opts } as ClipLoaderOptions);
      try {
        const out: ClipBatch[] = [];
        for await (const b of loader.epoch(1)) out.push(b);
        return { batches: out, failures: loader.failures };
      } finally {
        await loader.close();
      }
    }
    const same = (a: ClipBatch[], b: ClipBatch[]): void => {
      expect(b.map((x) => x.ids)).toEqual(a.map((x) => x.ids));
      expect(b.map((x) => x.shape)).toEqual(a.map((x) => x.shape));
      a.forEach((x, k) => {
        expect(Array.from(b[k].labels)).toEqual(Array.from(x.labels));
        expect(
          Buffer.from(b[k].data.buffer, b[k].data.byteOffset, b[k].data.byteLength).equals(Buffer.from(x.data.buffer, x.data.byteOffset, x.data.byteLength)),
        ).toBe(true);
      });
    };

    it('yields the same clip data over the 3 shard caches as over the unsharded cache (train and test views)', async () => {
      const train = { jitter: [40, 48] as [number, number], crop: 32, flipP: 0.5 };
      const a = await batches({ cacheDir: whole.out, train });
      const b = await batches({ cacheDir: shardDirs(), train });
      expect(a.batches.flatMap((x) => x.ids).sort()).toEqual(manifest.records.map((r) => r.id).sort());
      same(a.batches, b.batches);
      expect(b.failures).toEqual([]);
      const test = { crop: 32, numClips: 2 };
      const ta = await batches({ cacheDir: whole.out, test });
      const tb = await batches({ cacheDir: [...shardDirs()].reverse(), test });
      expect(ta.batches.reduce((n, x) => n + x.shape[0], 0)).toBe(9 * 2 * 3);
      same(ta.batches, tb.batches);
    });

    it('skips and lists a video in none of the caches, as a video missing from a single cache', async () => {
      const train = { jitter: [40, 48] as [number, number], crop: 32, flipP: 0.5 };
      const listed = await batches({ cacheDir: shardDirs().slice(0, 2), train });
      const single = await batches({ cacheDir: shards[0].out, train });
      const inShard2 = manifest.records.filter((r) => cacheShardOf(r.id, 3) === 2).map((r) => r.id);
      expect(listed.batches.flatMap((x) => x.ids).sort()).toEqual(manifest.records.map((r) => r.id).filter((id) => !inShard2.includes(id)));
      expect(listed.failures.map((f) => f.item).sort()).toEqual(inShard2.map((id) => `${shards[0].out},${shards[1].out}#${id}`));
      expect(listed.failures.every((f) => f.kind === 'cache' && f.reason === 'video is in none of the 2 frame caches')).toBe(true);
      // the single-cache case: the same kind of failure, one per missing video, the rest of the epoch intact
      expect(single.failures.map((f) => f.kind)).toEqual(Array(5).fill('cache'));
      expect(single.batches.flatMap((x) => x.ids).length).toBe(4);
    });

    it('refuses a list of caches built with different settings when the epoch starts', async () => {
      const other = path.join(tmp.dir, 'other-fps');
      await FrameCache.openWriter(other, { ...settings, fps: 0 }).close();
      await expect(batches({ cacheDir: [shards[0].out, other], test: { crop: 32 } })).rejects.toThrow(
        /other-fps: frame cache built with fps 0, but .*shard0 with fps 30/,
      );
    });
  });
});
