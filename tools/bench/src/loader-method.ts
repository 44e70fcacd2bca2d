/**
 * The loader paths: `ClipLoader` over the clip list's records (epoch 0 = exactly the bench clips), either decoding the
 * videos (the pool path) or reading the LMDB frame cache (`cacheDir`). The worker pool is made and warmed up first
 * (worker start-up: tsx, lmdb, sharp), timed on its own, so a pass measures clips and nothing else; the loader runs
 * on that pool and stays open between passes, so the benchmark can interleave its passes with the other methods'.
 * The first pass is cold (each worker probes each video once, or opens the LMDB environment once); later passes replay
 * epoch 0 (the same clips again) on the same pool: the steady state.
 */
import { measure, type Measured } from './measure';
import { TEMPORAL, TRAIN } from './options';
import { type VideoRecord, ClipLoader, createWorkerPool, type Piscina } from '@pvnas/ingest';

export interface PassResult extends Measured {
  clips: number;
  clipsPerSec: number;
  /** Milliseconds the consumer waited for batches (near sec * 1000: the workers are the bottleneck). */
  waitMs: number;
  /** CPU milliseconds per clip (this process: main thread + workers + their ffmpeg children). */
  cpuMsPerClip: number;
}

export interface LoaderRunOptions {
  records: VideoRecord[];
  cacheDir?: string;
  workers: number;
  batchSize: number;
  seed: number;
}

/** Makes a pool and waits until each worker has run a (no-op) task, i.e. has loaded its modules. */
async function warmPool(workers: number): Promise<Piscina> {
  const pool = createWorkerPool(workers);
  // The worker's task switch ignores unknown kinds; several rounds so that every worker gets one.
  for (let round = 0; round < 2; round++) {
    await Promise.all(Array.from({ length: workers * 2 }, () => pool.run({ kind: 'bench-warmup' })));
  }
  return pool;
}

/** A ClipLoader on its own warm pool, kept open for passes over epoch 0. */
export class LoaderRun {
  private constructor(
    private readonly pool: Piscina,
    private readonly loader: ClipLoader,
    /** Seconds to make the pool and load every worker's modules. */
    readonly startSec: number,
  ) {}

  static async open(o: LoaderRunOptions): Promise<LoaderRun> {
    const start = await measure(() => warmPool(o.workers));
    const loader = new ClipLoader({
      records: o.records,
      cacheDir: o.cacheDir,
      batchSize: o.batchSize,
      seed: o.seed,
      workers: o.workers,
      pool: start.value,
      temporal: TEMPORAL,
      train: { ...TRAIN },
    });
    return new LoaderRun(start.value, loader, start.m.sec);
  }

  get failures(): Array<{ item: string; reason: string }> {
    return this.loader.failures.map((f) => ({ item: f.item, reason: f.reason }));
  }

  /** One pass over epoch 0: every clip of the list, batched, consumed in order. */
  async pass(): Promise<PassResult> {
    let clips = 0;
    let waitMs = 0;
    const { m } = await measure(async () => {
      for await (const b of this.loader.epoch(0)) {
        clips += b.shape[0];
        waitMs += b.waitMs;
      }
    });
    return toPass(m, clips, waitMs);
  }

  async close(): Promise<void> {
    await this.loader.close();
    await this.pool.destroy();
  }
}

function toPass(m: Measured, clips: number, waitMs: number): PassResult {
  return { ...m, clips, clipsPerSec: clips / m.sec, waitMs, cpuMsPerClip: (m.cpuSec * 1000) / Math.max(1, clips) };
}

/** Several passes as one figure (total clips over total time; machine load weighted by time). */
export function combinePasses(passes: readonly PassResult[]): PassResult {
  const sum = (f: (p: PassResult) => number): number => passes.reduce((a, p) => a + f(p), 0);
  const sec = sum((p) => p.sec);
  const clips = sum((p) => p.clips);
  const cpuSec = sum((p) => p.cpuSec);
  const w = (f: (p: PassResult) => number): number => sum((p) => f(p) * p.sec) / sec;
  return {
    sec,
    cpuSec,
    clips,
    clipsPerSec: clips / sec,
    waitMs: sum((p) => p.waitMs),
    cpuMsPerClip: (cpuSec * 1000) / clips,
    machineCores: w((p) => p.machineCores),
    otherCores: w((p) => p.otherCores),
    load1: [passes[0].load1[0], passes[passes.length - 1].load1[1]],
  };
}
