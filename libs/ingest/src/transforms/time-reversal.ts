/**
 * Time-reversal augmentation, for datasets with classes that are each other's time reversal (SSv2 has
 * such pairs: "Opening something" / "Closing something", "Pushing something from left to right" / "... from
 * right to left"). A training clip of a paired class is played backwards with probability p and relabelled as
 * its partner. Off unless the config names the pairs (`clips.timeReversal: { p, pairs }`); never on by default,
 * for real datasets or for the sample set (whose clips need no help).
 */
import { deriveSeed, unitFloat } from '@pvnas/base';
import type { ClipBatch } from '../pool/clip-loader';
import { reverseClipFrames } from './reorder-frames';

/** What a loader offers a training loop: the batches of an epoch, from an item cursor on. */
export interface ClipBatchSource {
  epoch(epoch: number, from: number): AsyncIterable<ClipBatch>;
}

/**
 * Index of each class's time-reversed partner, or -1 for a class without one; throws naming a class of a pair
 * that is not among the dataset's classes, or a class named in two pairs.
 */
export function reversalPartners(classes: readonly string[], pairs: ReadonlyArray<readonly [string, string]>): number[] {
  const partners = classes.map(() => -1);
  const index = (name: string): number => {
    const i = classes.indexOf(name);
    if (i < 0)
      throw new Error(
        `clips.timeReversal.pairs: class "${name}" is not one of the dataset's ${classes.length} classes (e.g. ${classes
          .slice(0, 3)
          .map((c) => `"${c}"`)
          .join(', ')})`,
      );
    return i;
  };
  for (const [a, b] of pairs) {
    const [i, j] = [index(a), index(b)];
    for (const k of [i, j]) if (partners[k] >= 0) throw new Error(`clips.timeReversal.pairs: class "${classes[k]}" is in two pairs`);
    [partners[i], partners[j]] = [j, i];
  }
  return partners;
}

/** The loader's batches with each clip reversed and relabelled with probability p, seeded by (seed, epoch, video). */
export function withTimeReversal(source: ClipBatchSource, partners: readonly number[], p: number, seed: number): ClipBatchSource {
  return {
    async *epoch(epoch: number, from: number): AsyncIterable<ClipBatch> {
      for await (const b of source.epoch(epoch, from)) {
        const flip = Array.from(b.videoIndex, (v, k) => partners[b.labels[k]] >= 0 && unitFloat(deriveSeed(seed, 'time-reversal', epoch, v)) < p);
        if (!flip.some(Boolean)) yield b;
        else yield { ...b, data: reverseClipFrames(b.data, b.shape, flip), labels: Int32Array.from(b.labels, (l, k) => (flip[k] ? partners[l] : l)) };
      }
    },
  };
}
