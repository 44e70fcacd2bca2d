/**
 * The data path end to end, checked on time itself: a generated video whose frame i shows the grey value 3i must
 * come out of the batches with its frames in increasing order along the time axis: through the h264 encode, the
 * ffmpeg decode, the LMDB frame cache, the worker pool, scale jitter, crop and flip, in train and test mode, and
 * reversed (with the partner's label) by time-reversal augmentation.
 */
import path from 'node:path';
import { buildCache, ClipLoader, DEFAULT_TEMPORAL, DEFAULT_MEAN, DEFAULT_STD, type ClipBatch, type Manifest, withTimeReversal } from '@pvnas/ingest';
import { encodeFrames } from '@pvnas/sample';
import { makeTempDir } from './support/datasets';

const [W, H, FRAMES] = [64, 48, 72];

/** Grey frames, frame i = 3i: every frame differs, and by more than a codec blurs. */
function rampVideo(): Uint8Array {
  const frames = new Uint8Array(FRAMES * H * W * 3);
  for (let i = 0; i < FRAMES; i++) frames.fill(3 * i, i * H * W * 3, (i + 1) * H * W * 3);
  return frames;
}

/** The mean grey value (0..255) of each frame of each clip of a batch. */
function frameMeans(b: ClipBatch): number[][] {
  const [N, T, S, , C] = b.shape;
  const frame = S * S * C;
  return Array.from({ length: N }, (_, n) =>
    Array.from({ length: T }, (_, t) => {
      let sum = 0;
      for (let k = 0; k < frame; k++) sum += b.data[(n * T + t) * frame + k]!;
      return ((sum / frame) * DEFAULT_STD + DEFAULT_MEAN) * 255;
    }),
  );
}

const increasing = (v: number[]) => v.every((x, i) => i === 0 || x > v[i - 1]! + 3);
const decreasing = (v: number[]) => increasing([...v].reverse());

describe('the data path keeps time in order', () => {
  const tmp = makeTempDir('data-path');
  const dir = tmp.dir;
  let manifest: Manifest;
  let cacheDir: string;
  beforeAll(async () => {
    const records = [];
    for (const [i, label] of ['forwards', 'backwards'].entries()) {
      const file = path.join(dir, `${label}.mp4`);
      await encodeFrames(rampVideo(), 'mp4', { width: W, height: H, fps: 30, gop: 15 }, file);
      records.push({ id: label, path: file, label: i, labelName: label });
    }
    manifest = { classes: ['forwards', 'backwards'], records, issues: [] };
    cacheDir = path.join(dir, 'cache');
    const report = await buildCache({ manifest, out: cacheDir, settings: { shortSide: 48, fps: 30, quality: 90 }, workers: 2 });
    expect(report.counts.written).toBe(2);
  }, 60000);
  afterAll(() => tmp.remove());

  const temporal = { ...DEFAULT_TEMPORAL, numFrames: 8, windowFrames: 64 };

  it.each([
    ['the frame cache', true],
    ['decoding the videos', false],
  ])('train clips (jitter, crop, flip) from %s', async (_what, cached) => {
    const loader = new ClipLoader({
      records: manifest.records,
      cacheDir: cached ? cacheDir : undefined,
      batchSize: 2,
      seed: 3,
      workers: 2,
      temporal,
      train: { jitter: [40, 48], crop: 32, flipP: 0.5 },
    });
    try {
      for (let epoch = 0; epoch < 3; epoch++) {
        for await (const b of loader.epoch(epoch)) {
          for (const means of frameMeans(b)) {
            expect(increasing(means)).toBe(true);
            // 8 frames across a 64-frame window: about 3 x 9 grey levels apart
            expect(means[7]! - means[0]!).toBeGreaterThan(3 * 50);
          }
        }
      }
      expect(loader.failures).toEqual([]);
    } finally {
      await loader.close();
    }
  });

  it('test views: 10 windows x 3 crops, and the single view', async () => {
    for (const test of [
      { crop: 32, numClips: 10 },
      { crop: 32, numClips: 2, singleView: true },
    ]) {
      const loader = new ClipLoader({ records: manifest.records, cacheDir, batchSize: 6, seed: 0, workers: 2, temporal, test });
      try {
        let views = 0;
        for await (const b of loader.epoch(0)) {
          for (const means of frameMeans(b)) expect(increasing(means)).toBe(true);
          views += b.shape[0];
        }
        expect(views).toBe(test.singleView ? 2 : 60);
      } finally {
        await loader.close();
      }
    }
  });

  it('time-reversal augmentation plays a clip of a paired class backwards and gives it the partner label', async () => {
    const loader = new ClipLoader({
      records: manifest.records,
      cacheDir,
      batchSize: 2,
      seed: 1,
      workers: 2,
      temporal,
      train: { jitter: [40, 48], crop: 32, flipP: 0 },
    });
    try {
      const reversed = withTimeReversal(loader, [1, 0], 1, 7);
      for await (const b of reversed.epoch(0, 0)) {
        frameMeans(b as ClipBatch).forEach((means, k) => {
          expect(decreasing(means)).toBe(true);
          expect(b.labels[k]).toBe(1 - manifest.records[(b as ClipBatch).videoIndex[k]!]!.label);
        });
      }
    } finally {
      await loader.close();
    }
  });
});
