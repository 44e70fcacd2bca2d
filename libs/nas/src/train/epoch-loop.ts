/**
 * The loop every training phase shares (search and retraining): epochs of batches from a source, one
 * optimisation step per batch, per-step and per-epoch reports, checkpoints every N steps and at each
 * epoch's end, a clean stop on request, and a hard stop on a non-finite loss.
 *
 * Resuming: `start` (from a checkpoint) names the epoch, the loader cursor inside it and the step count;
 * with the same seed the source yields the same remaining batches, and steps derive their randomness from
 * the step number, so a resumed run ends where an uninterrupted one does.
 *
 * Data parallel: every rank runs this loop on its shard of each epoch, in step; `worldSize` makes the counts and
 * rates the whole group's (the step reports the group's correct count and mean loss).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Progress } from './checkpoint';

/** A batch as the loader hands it: normalised clips [N, T, H, W, 3] and labels. */
export interface Batch {
  data: Float32Array;
  shape: [number, number, number, number, number];
  labels: Int32Array;
  /** Milliseconds the consumer waited for it. */
  waitMs: number;
  /** Items of the epoch consumed through this batch (see ClipLoader). */
  cursor: number;
}

export interface BatchSource {
  epoch(epoch: number, from: number): AsyncIterable<Batch>;
}

export interface StepOutcome {
  loss: number;
  /** Top-1 hits in the batch (in the group's batches, data parallel). */
  correct: number;
  alphaLoss?: number;
  gradNorm?: number;
}

export interface StepAt {
  epoch: number;
  step: number;
  /** epoch + fraction of it done before this step (for per-step schedules). */
  epochFraction: number;
}

/** Sums over the current epoch, carried in checkpoints so a resumed epoch reports whole-epoch means. */
export interface EpochTotals {
  steps: number;
  clips: number;
  lossSum: number;
  correct: number;
  waitMs: number;
  wallMs: number;
}

export interface StepReport extends StepOutcome {
  epoch: number;
  /** 0-based index of this step in the run. */
  step: number;
  batch: number;
  /** Clips in the batch. */
  clips: number;
  clipsPerSec: number;
  dataWait: number;
}

export interface EpochReport {
  epoch: number;
  /** Steps done at the end of the epoch. */
  step: number;
  loss: number;
  acc: number;
  clipsPerSec: number;
  dataWait: number;
  clips: number;
}

export interface LoopState extends Progress {
  totals: EpochTotals;
}

export interface EpochLoopOptions {
  epochs: number;
  batchesPerEpoch: number;
  start: LoopState;
  source: BatchSource;
  step(x: tf.Tensor5D, labels: tf.Tensor1D, at: StepAt): StepOutcome;
  /** Checkpoint every this many steps (0: at epoch ends only). */
  checkpointEvery: number;
  onStep?(r: StepReport): void;
  /** After the epoch's last step, before its checkpoint (alpha snapshots, validation...). */
  onEpochEnd?(r: EpochReport): Promise<void>;
  checkpoint(state: LoopState): Promise<void>;
  /** Asked after every step and epoch, on every rank (data parallel: the answer must be the group's). */
  stopRequested(): boolean;
  /** Ranks running this loop in step, each on its own batches (default 1). */
  worldSize?: number;
}

export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly epoch: number,
    readonly loss: number,
  ) {
    super(
      `the loss became ${loss} at step ${step} (epoch ${epoch}): training stopped; the last good checkpoint is kept. Lower the learning rate or enable gradient clipping, then --resume`,
    );
  }
}

export const emptyTotals = (): EpochTotals => ({ steps: 0, clips: 0, lossSum: 0, correct: 0, waitMs: 0, wallMs: 0 });

export async function runEpochs(o: EpochLoopOptions): Promise<{ status: 'done' | 'stopped'; state: LoopState }> {
  let state: LoopState = { ...o.start, totals: { ...o.start.totals } };
  for (let epoch = state.epoch; epoch < o.epochs; epoch++) {
    let batchInEpoch = state.totals.steps;
    let last = performance.now();
    for await (const batch of o.source.epoch(epoch, state.cursor)) {
      const computeStart = performance.now();
      const at = { epoch, step: state.step, epochFraction: epoch + batchInEpoch / o.batchesPerEpoch };
      let out!: StepOutcome;
      tf.tidy(() => {
        out = o.step(tf.tensor5d(batch.data, batch.shape), tf.tensor1d(batch.labels, 'int32'), at);
      });
      if (!Number.isFinite(out.loss) || (out.alphaLoss !== undefined && !Number.isFinite(out.alphaLoss)))
        throw new NonFiniteLossError(state.step, epoch, Number.isFinite(out.loss) ? out.alphaLoss! : out.loss);
      const now = performance.now();
      // wall time of the step: the wait for the batch plus the computation
      const wallMs = Math.max(now - last, now - computeStart + batch.waitMs);
      last = now;
      const n = batch.shape[0] * (o.worldSize ?? 1);
      const t = state.totals;
      state = {
        epoch,
        cursor: batch.cursor,
        step: state.step + 1,
        totals: {
          steps: t.steps + 1,
          clips: t.clips + n,
          lossSum: t.lossSum + out.loss * n,
          correct: t.correct + out.correct,
          waitMs: t.waitMs + batch.waitMs,
          wallMs: t.wallMs + wallMs,
        },
      };
      o.onStep?.({
        ...out,
        epoch,
        step: state.step - 1,
        batch: batchInEpoch,
        clips: n,
        clipsPerSec: (n * 1000) / wallMs,
        dataWait: Math.min(1, batch.waitMs / wallMs),
      });
      batchInEpoch++;
      // one turn of the event loop: a signal (Ctrl-C, SIGTERM) is only delivered there, and with batches already
      // prefetched the loop would otherwise run on promises alone and notice it steps later
      await new Promise((resolve) => setImmediate(resolve));
      if (o.stopRequested()) {
        await o.checkpoint(state);
        return { status: 'stopped', state };
      }
      if (o.checkpointEvery > 0 && state.step % o.checkpointEvery === 0) await o.checkpoint(state);
    }
    const t = state.totals;
    await o.onEpochEnd?.({
      epoch,
      step: state.step,
      loss: t.clips ? t.lossSum / t.clips : NaN,
      acc: t.clips ? t.correct / t.clips : 0,
      clipsPerSec: t.wallMs ? (t.clips * 1000) / t.wallMs : 0,
      dataWait: t.wallMs ? Math.min(1, t.waitMs / t.wallMs) : 0,
      clips: t.clips,
    });
    state = { epoch: epoch + 1, cursor: 0, step: state.step, totals: emptyTotals() };
    await o.checkpoint(state);
    if (o.stopRequested()) return { status: epoch + 1 >= o.epochs ? 'done' : 'stopped', state };
  }
  return { status: 'done', state };
}
