import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCache } from '../cache/build';
import type { VideoRecord } from '../manifest/types';
import { ffmpegToFile } from '../video/ffmpeg';
import { ClipLoader, type ClipBatch, type ClipLoaderOptions } from './clip-loader';

const train = { jitter: [40, 52] as const, crop: 32, flipP: 0.5 };

let dir: string;
let records: VideoRecord[];
let bad: VideoRecord[];

async function collect(loader: ClipLoader, epoch = 0): Promise<ClipBatch[]> {
  const out: ClipBatch[] = [];
  for await (const b of loader.epoch(epoch)) out.push(b);
  return out;
}

async function withLoader<T>(opts: Partial<ClipLoaderOptions>, fn: (l: ClipLoader) => Promise<T>): Promise<T> {
  const loader = new ClipLoader({ records, batchSize: 3, seed: 11, workers: 2, train, ...opts });
  try {
    return await fn(loader);
  } finally {
    await loader.close();
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvnas-loader-'));
  // Six short clips with different content and lengths (2.0 .. 3.0 s at 30 fps, 64x48).
  records = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const file = path.join(dir, `v${i}.mp4`);
      await ffmpegToFile(
        {
          input: `testsrc2=size=64x48:rate=30:duration=${2 + i * 0.2}`,
          inputOptions: ['-f', 'lavfi'],
          outputOptions: ['-vf', `hue=h=${i * 60}`, '-c:v', 'libx264', '-g', '15', '-pix_fmt', 'yuv420p', '-threads', '1'],
        },
        file,
      );
      return { id: `v${i}`, path: file, label: i % 3, labelName: `c${i % 3}` };
    }),
  );
  const empty = path.join(dir, 'empty.mp4');
  fs.writeFileSync(empty, '');
  const text = path.join(dir, 'text.mp4');
  fs.writeFileSync(text, 'this is not a video\n'.repeat(100));
  bad = [
    { id: 'empty', path: empty, label: 0, labelName: 'c0' },
    { id: 'text', path: text, label: 1, labelName: 'c1' },
    { id: 'missing', path: path.join(dir, 'missing.mp4'), label: 2, labelName: 'c2' },
  ];
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ClipLoader', () => {
  it('yields normalised [B, 8, S, S, 3] batches with labels, whole epoch', async () => {
    const batches = await withLoader({}, collect);
    expect(batches.map((b) => b.shape)).toEqual([
      [3, 8, 32, 32, 3],
      [3, 8, 32, 32, 3],
    ]);
    const ids = batches.flatMap((b) => b.ids).sort();
    expect(ids).toEqual(records.map((r) => r.id).sort());
    for (const b of batches) {
      b.ids.forEach((id, k) => expect(b.labels[k]).toBe(records.find((r) => r.id === id)!.label));
      // (x/255 - 0.45)/0.225 lies in [-2, 2.45]
      const min = b.data.reduce((m, v) => Math.min(m, v), Infinity);
      const max = b.data.reduce((m, v) => Math.max(m, v), -Infinity);
      expect(min).toBeGreaterThanOrEqual(-2.0001);
      expect(max).toBeLessThanOrEqual(2.4445);
      expect(max - min).toBeGreaterThan(1);
    }
  });

  it('gives the same batches for a seed whatever the worker count, and others for another epoch', async () => {
    const one = await withLoader({ workers: 1 }, collect);
    const two = await withLoader({ workers: 2, prefetchBatches: 3 }, collect);
    expect(two.map((b) => b.ids)).toEqual(one.map((b) => b.ids));
    two.forEach((b, i) => expect(Buffer.from(b.data.buffer).equals(Buffer.from(one[i].data.buffer))).toBe(true));
    const next = await withLoader({ workers: 2 }, (l) => collect(l, 1));
    expect(next.map((b) => b.ids)).not.toEqual(one.map((b) => b.ids));
    const other = await withLoader({ seed: 12 }, collect);
    expect(Buffer.from(other[0].data.buffer).equals(Buffer.from(one[0].data.buffer))).toBe(false);
  });

  it('continues an epoch from a batch cursor with exactly the batches that followed it, bad videos included', async () => {
    const all = [...records.slice(0, 2), bad[0], ...records.slice(2, 4), bad[1], ...records.slice(4)];
    const opts = { records: all, batchSize: 2 };
    const whole = await withLoader(opts, (l) => collect(l, 1));
    expect(whole.map((b) => b.cursor).at(-1)).toBe(all.length);
    for (const k of [0, 1]) {
      const rest: ClipBatch[] = [];
      await withLoader(opts, async (l) => {
        for await (const b of l.epoch(1, whole[k].cursor)) rest.push(b);
      });
      expect(rest.map((b) => b.ids)).toEqual(whole.slice(k + 1).map((b) => b.ids));
      rest.forEach((b, i) => expect(Buffer.from(b.data.buffer).equals(Buffer.from(whole[k + 1 + i].data.buffer))).toBe(true));
    }
    await withLoader(opts, async (l) => {
      await expect(l.epoch(0, all.length + 1).next()).rejects.toThrow(/epoch start 9 is outside 0\.\.8/);
    });
  });

  it('skips bad videos, reports each once, fills batches from the rest and does not retry them', async () => {
    const all = [...records.slice(0, 2), ...bad, ...records.slice(2)];
    const loader = new ClipLoader({ records: all, batchSize: 3, seed: 1, workers: 2, train });
    try {
      const batches = await collect(loader);
      expect(batches.map((b) => b.shape[0])).toEqual([3, 3]);
      const failures = loader.failures.sort((a, b) => a.item.localeCompare(b.item));
      expect(failures.map((f) => [path.basename(f.item), f.kind])).toEqual([
        ['empty.mp4', 'empty-file'],
        ['missing.mp4', 'missing-file'],
        ['text.mp4', 'not-a-video'],
      ]);
      const again = await collect(loader, 1);
      expect(again.flatMap((b) => b.ids).sort()).toEqual(records.map((r) => r.id).sort());
      expect(loader.failures).toHaveLength(3);
    } finally {
      await loader.close();
    }
  });

  it('decodes no more than the prefetch bound ahead of the consumer', async () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ ...records[i % records.length], id: `r${i}` }));
    const loader = new ClipLoader({ records: many, batchSize: 2, seed: 3, workers: 2, prefetchBatches: 1, train });
    try {
      const it = loader.epoch(0);
      await it.next();
      await new Promise((r) => setTimeout(r, 600));
      // 2 consumed + at most 1 batch (2 clips) in flight
      expect(loader.stats().submitted).toBeLessThanOrEqual(4);
      await it.return(undefined);
    } finally {
      await loader.close();
    }
  });

  it('shards an epoch by rank: equal counts, every video once across the ranks, the same clip data as unsharded', async () => {
    const whole = await withLoader({ batchSize: 2 }, collect);
    const byId = new Map(
      whole.flatMap((b) => b.ids.map((id, k) => [id, b.data.subarray(k * (b.data.length / b.ids.length), (k + 1) * (b.data.length / b.ids.length))])),
    );
    const ranks = await Promise.all(
      [0, 1, 2, 3].map((rank) =>
        withLoader({ batchSize: 2, train: { ...train, shard: { rank, worldSize: 4 } } }, async (l) => {
          expect(l.batchesPerEpoch()).toBe(1); // ceil(6 / 4) = 2 clips a rank
          return (await collect(l)).flatMap((b) =>
            b.ids.map((id, k) => ({ id, data: b.data.subarray(k * (b.data.length / b.ids.length), (k + 1) * (b.data.length / b.ids.length)) })),
          );
        }),
      ),
    );
    expect(ranks.map((r) => r.length)).toEqual([2, 2, 2, 2]);
    expect(new Set(ranks.flat().map((c) => c.id))).toEqual(new Set(records.map((r) => r.id)));
    for (const c of ranks.flat())
      expect(
        Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength).equals(
          Buffer.from(byId.get(c.id)!.buffer, byId.get(c.id)!.byteOffset, byId.get(c.id)!.byteLength),
        ),
      ).toBe(true);
  });

  it('gives 10 clips x 3 crops per video in test mode', async () => {
    const loader = new ClipLoader({ records: records.slice(0, 2), batchSize: 10, seed: 0, workers: 2, test: { crop: 32 } });
    try {
      const batches = await collect(loader);
      expect(batches.map((b) => b.shape)).toEqual([
        [30, 8, 32, 32, 3],
        [30, 8, 32, 32, 3],
      ]);
      expect(Array.from(batches[0].view!)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      expect(Array.from(batches[1].videoIndex)).toEqual(Array(30).fill(1));
    } finally {
      await loader.close();
    }
  });

  it('reads the same clips shape from the LMDB frame cache', async () => {
    const cacheDir = path.join(dir, 'cache');
    const report = await buildCache({
      manifest: { classes: ['c0', 'c1', 'c2'], records, issues: [] },
      out: cacheDir,
      settings: { shortSide: 40, fps: 30, quality: 90 },
      workers: 2,
    });
    expect(report.counts.written).toBe(records.length);
    const fromCache = await withLoader({ cacheDir }, collect);
    expect(fromCache.map((b) => b.shape)).toEqual([
      [3, 8, 32, 32, 3],
      [3, 8, 32, 32, 3],
    ]);
    const again = await withLoader({ cacheDir, workers: 1 }, collect);
    expect(Buffer.from(again[1].data.buffer).equals(Buffer.from(fromCache[1].data.buffer))).toBe(true);
  });

  it('refuses bad settings with the key named', () => {
    expect(() => new ClipLoader({ records, batchSize: 0, seed: 0, workers: 1, train })).toThrow(/batchSize/);
    expect(() => new ClipLoader({ records, batchSize: 2, seed: 0, workers: 1, train: { ...train, crop: 64 } })).toThrow(/crop/);
    expect(() => new ClipLoader({ records, batchSize: 2, seed: 0, workers: 1 })).toThrow(/train.*test/);
  });
});
