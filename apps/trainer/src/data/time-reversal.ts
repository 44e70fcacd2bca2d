/**
 * Time-reversal augmentation for data whose classes come in time-reversed pairs (the bundled sample set:
 * each "negative" class is its partner played backwards). A training clip is played backwards with
 * probability p and relabelled as its partner: the two classes of a pair then share every appearance, so
 * a model can only separate them by the order of frames, instead of memorising each video's look
 * (with 12 clips a class, it otherwise does exactly that and validates at chance).
 */
import { reverseClipFrames, stripTemplateBrackets, type ClipBatch } from '@pvnas/ingest';
import { stepSeed, type Batch, type BatchSource } from '@pvnas/nas';
import { SAMPLE_CLASSES, timeReversedClass } from '@pvnas/sample';

/** Index of each class's time-reversed partner; throws naming a class without one. */
export function reversalPartners(classes: readonly string[]): number[] {
  const sampleName = (c: string) => SAMPLE_CLASSES.find((s) => s.name === c || stripTemplateBrackets(s.template) === c)?.name;
  const names = classes.map(sampleName);
  return classes.map((c, i) => {
    const own = names[i];
    if (own === undefined) throw new Error(`clips.timeReversal needs classes in time-reversed pairs (the bundled sample set); class "${c}" is not one of them: set clips.timeReversal to 0`);
    const partner = names.indexOf(timeReversedClass(own).name);
    if (partner < 0) throw new Error(`clips.timeReversal: class "${c}" has its partner "${timeReversedClass(own).name}" missing from the dataset's classes`);
    return partner;
  });
}

/** The loader's batches with each clip reversed and relabelled with probability p, seeded by (seed, epoch, video). */
export function withTimeReversal(source: { epoch(e: number, from: number): AsyncIterable<ClipBatch> }, partners: readonly number[], p: number, seed: number): BatchSource {
  return {
    async *epoch(epoch: number, from: number): AsyncIterable<Batch> {
      for await (const b of source.epoch(epoch, from)) {
        const flip = Array.from(b.videoIndex, (v) => stepSeed(seed ^ 0x5eed, epoch * 1_000_003 + v) / 2 ** 32 < p);
        if (!flip.some(Boolean)) yield b;
        else yield { ...b, data: reverseClipFrames(b.data, b.shape, flip), labels: Int32Array.from(b.labels, (l, k) => (flip[k] ? partners[l] : l)) };
      }
    },
  };
}
