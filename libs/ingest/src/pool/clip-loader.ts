/**
 * Batches of clips from a pool of workers, in a reproducible order, with bounded prefetch.
 *
 * - Reproducible: the epoch's order is a permutation seeded by (seed, epoch); clip `i` of the manifest in epoch
 *   `e` is drawn from seed (seed, e, i). Results are consumed in order, so the same seed gives the same batches
 *   whatever the worker count and whichever worker finishes first.
 * - Backpressure: at most `prefetchBatches * batchSize` clips are in flight; nothing more is decoded until
 *   the consumer takes a batch.
 * - Bad clips: a clip that fails is skipped (the batch is filled from the following clips), listed in
 *   `failures` once, and not tried again in later epochs.
 * - Train batches hold `batchSize` clips `[B, T, S, S, 3]`. Test batches hold the 3 crops of each of `batchSize`
 *   (video, temporal clip) items: `B = 3 * batchSize` views, with `videoIndex` and `view` (clip * 3 + crop).
 * - Several caches (`cacheDir` a list, e.g. the shards of a `--shard i/n` build): indexed once at the first epoch
 *   (cache/cache-index.ts); each video is read from the first cache holding it, and one in none of them fails
 *   as a video missing from a single cache does (skipped, listed in `failures`).
 */
import { CacheIndex } from '../cache/cache-index';
import type { FailedItem } from '../errors';
import { IngestError } from '../errors';
import type { VideoRecord } from '../manifest/types';
import { shardOrder, shardSize, type Shard } from '../sampling/shard';
import { DEFAULT_TEMPORAL, validateTemporalConfig, type TemporalConfig } from '../sampling/temporal';
import { validateTrainConfig } from '../transforms/params';
import type { TestTransformConfig, TrainTransformConfig } from '../transforms/types';
import type { ClipResult, ClipTask } from './clip-task';
import type { TaskResult } from './worker';
import { createWorkerPool, type Piscina } from './worker-pool';
import { centreClip, DEFAULT_TEST_CLIPS, deriveSeed, permutation, viewIndex } from '@pvnas/base';

export interface ClipLoaderOptions {
  records: readonly VideoRecord[];
  /**
   * Read frames from this LMDB frame cache (ids = record ids) instead of decoding the videos; or from a list of
   * caches read as one (built with the same settings: refused otherwise), each video from the first that holds it.
   */
  cacheDir?: string | readonly string[];
  batchSize: number;
  seed: number;
  /** Worker threads (ignored when `pool` is given). */
  workers: number;
  /** Batches decoded ahead of the consumer (default 2). */
  prefetchBatches?: number;
  temporal?: TemporalConfig;
  minFrames?: number;
  /** Train clips (one random view each); give this or `test`. */
  /** `shard`: this rank's share of each epoch's order (data parallel; sampling/shard.ts). */
  train?: TrainTransformConfig & { shuffle?: boolean; dropLast?: boolean; shard?: Shard };
  /**
   * Test views: `numClips` windows x 3 crops per video; with `singleView` only the centre crop of window
   * `floor(numClips / 2)` (the middle window: the single view of a 30-view evaluation), one clip a video.
   */
  test?: TestTransformConfig & { numClips?: number; singleView?: boolean };
  /** Share a pool with other loaders; the loader then leaves it open on close(). */
  pool?: Piscina;
}

export interface ClipBatch {
  /** float32 `[B, T, S, S, 3]`, normalised. */
  data: Float32Array;
  shape: [number, number, number, number, number];
  labels: Int32Array;
  ids: string[];
  /** Index into the loader's `records` of each clip. */
  videoIndex: Int32Array;
  /** Test only: `clip * 3 + crop` of each view. */
  view?: Int32Array;
  /** Milliseconds the consumer waited for this batch after asking for it (0 when it was ready). */
  waitMs: number;
  /**
   * Items of the epoch consumed up to and including this batch (train: clips in epoch order; test:
   * (video, clip) pairs). `epoch(e, cursor)` continues right after this batch: how a resumed run
   * gets exactly the batches it would have had.
   */
  cursor: number;
}

interface Item {
  record: number;
  task: ClipTask;
  /** For test batches: the temporal clip of the item. */
  clip: number;
}

export class ClipLoader {
  private readonly pool: Piscina;
  private readonly ownsPool: boolean;
  private readonly failed = new Map<number, FailedItem>();
  private readonly temporal: TemporalConfig;
  private submitted = 0;
  private readonly pending = new Set<Promise<void>>();
  /** The id index of a list of caches, built at the first epoch. */
  private cacheIndex?: Promise<CacheIndex>;

  constructor(readonly opts: ClipLoaderOptions) {
    if (!!opts.train === !!opts.test) {
      throw new IngestError('bad-config', 'loader', 'give exactly one of `train` or `test` transform settings');
    }
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) {
      throw new IngestError('bad-config', 'batchSize', `must be a positive integer, got ${opts.batchSize}`);
    }
    if (opts.train) validateTrainConfig(opts.train);
    this.temporal = validateTemporalConfig(opts.temporal ?? DEFAULT_TEMPORAL);
    this.pool = opts.pool ?? createWorkerPool(opts.workers);
    this.ownsPool = !opts.pool;
  }

  /** Clips that could not be loaded, one entry per video. */
  get failures(): FailedItem[] {
    return [...this.failed.values()];
  }

  /** Clips handed to workers so far (all epochs). */
  stats(): { submitted: number; failed: number } {
    return { submitted: this.submitted, failed: this.failed.size };
  }

  /** Number of batches an epoch yields at most (fewer if clips fail). */
  batchesPerEpoch(): number {
    const test = this.opts.test;
    const shard = this.opts.train?.shard;
    const n = this.opts.records.length;
    const items = test && !test.singleView ? n * (test.numClips ?? DEFAULT_TEST_CLIPS) : shard ? shardSize(n, shard.worldSize) : n;
    return this.opts.train?.dropLast ? Math.floor(items / this.opts.batchSize) : Math.ceil(items / this.opts.batchSize);
  }

  /**
   * Where each record's frames come from: its file, the cache, or (a list of caches) the first cache holding it.
   * Records in none of a list's caches are marked failed, as a clip missing from a single cache fails.
   */
  private async sources(): Promise<(r: VideoRecord) => ClipTask['source']> {
    const { cacheDir, records } = this.opts;
    if (cacheDir === undefined) return (r) => ({ type: 'video', path: r.path });
    if (typeof cacheDir === 'string') return (r) => ({ type: 'cache', dir: cacheDir, id: r.id });
    this.cacheIndex ??= CacheIndex.open(cacheDir);
    const index = await this.cacheIndex;
    records.forEach((r, i) => {
      if (index.dirOf(r.id) === undefined && !this.failed.has(i))
        this.failed.set(i, { item: `${cacheDir.join(',')}#${r.id}`, kind: 'cache', reason: `video is in none of the ${cacheDir.length} frame caches` });
    });
    // a missing record is never submitted (marked failed above); the first cache stands in for its source
    return (r) => ({ type: 'cache', dir: index.dirOf(r.id) ?? cacheDir[0], id: r.id });
  }

  private async items(epoch: number): Promise<Item[]> {
    const { records, seed, train, test } = this.opts;
    const base = {
      kind: 'clip' as const,
      temporal: this.temporal,
      minFrames: this.opts.minFrames ?? 8,
    };
    const source = await this.sources();
    // what errors name: the video path, or `cacheDir#id`
    const at = (r: VideoRecord): { item: string; source: ClipTask['source'] } => {
      const s = source(r);
      return { item: s.type === 'cache' ? `${s.dir}#${r.id}` : s.path, source: s };
    };
    if (train) {
      const all = train.shuffle === false ? records.map((_, i) => i) : permutation(records.length, deriveSeed(seed, 'order', epoch));
      const order = train.shard ? shardOrder(all, train.shard) : all;
      return order.map((i) => ({
        record: i,
        clip: 0,
        task: { ...base, mode: 'train', ...at(records[i]), seed: deriveSeed(seed, epoch, i), spatial: train },
      }));
    }
    const numClips = test!.numClips ?? DEFAULT_TEST_CLIPS;
    const { singleView, ...spatial } = test!;
    const clips = singleView ? [centreClip(numClips)] : Array.from({ length: numClips }, (_, clip) => clip);
    return records.flatMap((r, i) =>
      clips.map((clip) => ({
        record: i,
        clip,
        task: { ...base, mode: 'test' as const, ...at(r), clip, numClips, spatial, centreOnly: singleView },
      })),
    );
  }

  /**
   * The batches of one epoch, from item `from` on (a batch's `cursor`; 0 = the epoch's start). Breaking
   * out of the loop early is fine.
   */
  async *epoch(epoch = 0, from = 0): AsyncGenerator<ClipBatch> {
    const items = await this.items(epoch);
    if (!Number.isInteger(from) || from < 0 || from > items.length)
      throw new IngestError('bad-config', 'loader', `epoch start ${from} is outside 0..${items.length}`);
    const { batchSize } = this.opts;
    const limit = Math.max(1, (this.opts.prefetchBatches ?? 2) * batchSize);
    const inFlight: Array<{ item: Item; pos: number; result: Promise<TaskResult<ClipResult>> }> = [];
    let next = from;
    const fill = (): void => {
      while (inFlight.length < limit && next < items.length) {
        const pos = next++;
        const item = items[pos];
        if (this.failed.has(item.record)) continue;
        const result = this.pool.run(item.task) as Promise<TaskResult<ClipResult>>;
        // a consumer that stops early (an error, a break) leaves tasks in flight: close() waits for them
        const settled = result.then(
          () => undefined,
          () => undefined,
        );
        this.pending.add(settled);
        void settled.then(() => this.pending.delete(settled));
        inFlight.push({ item, pos, result });
        this.submitted++;
      }
    };
    let batch: Array<{ item: Item; clip: ClipResult }> = [];
    let waitMs = 0;
    let cursor: number;
    fill();
    while (inFlight.length > 0) {
      const head = inFlight.shift()!;
      const t0 = performance.now();
      const res = await head.result;
      waitMs += performance.now() - t0;
      cursor = head.pos + 1;
      fill();
      if (!res.ok) {
        if (!this.failed.has(head.item.record)) this.failed.set(head.item.record, res.failure);
        continue;
      }
      if (this.failed.has(head.item.record)) continue; // another window of this video failed earlier
      batch.push({ item: head.item, clip: res.value });
      if (batch.length === batchSize) {
        yield this.assemble(batch, waitMs, cursor);
        batch = [];
        waitMs = 0;
      }
    }
    if (batch.length > 0 && !this.opts.train?.dropLast) yield this.assemble(batch, waitMs, items.length);
  }

  private assemble(batch: Array<{ item: Item; clip: ClipResult }>, waitMs: number, cursor: number): ClipBatch {
    const { frames, size } = batch[0].clip;
    const viewLen = frames * size * size * 3;
    const views = batch.flatMap((b) => b.clip.views.map((v, k) => ({ b, v, crop: b.clip.crops?.[k] ?? k })));
    const data = new Float32Array(views.length * viewLen);
    const labels = new Int32Array(views.length);
    const videoIndex = new Int32Array(views.length);
    const view = this.opts.test ? new Int32Array(views.length) : undefined;
    const ids: string[] = [];
    views.forEach(({ b, v, crop }, k) => {
      data.set(v, k * viewLen);
      const rec = this.opts.records[b.item.record];
      labels[k] = rec.label;
      videoIndex[k] = b.item.record;
      ids.push(rec.id);
      if (view) view[k] = viewIndex(b.item.clip, crop, this.opts.test!.numClips ?? DEFAULT_TEST_CLIPS);
    });
    return { data, shape: [views.length, frames, size, size, 3], labels, ids, videoIndex, view, waitMs, cursor };
  }

  /** Waits for clips still being decoded (a consumer may have stopped early), then ends the workers. */
  async close(): Promise<void> {
    await Promise.all(this.pending);
    if (this.ownsPool) await this.pool.destroy();
  }
}
