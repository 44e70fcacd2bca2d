/**
 * The benchmark's premise: its clip list is exactly the loader's epoch 0 (same videos, same seeds, same order), so
 * every method decodes the same clips. Checked against a real ClipLoader whose pool only records the tasks it gets.
 */
import { clipListFromInfos } from './clip-list';
import { TEMPORAL, TRAIN } from './options';
import { steadyOf, type MethodPass } from './run';
import { type VideoRecord, ClipLoader, type ClipTask, type TrainClipTask, type Piscina, type VideoInfo } from '@pvnas/ingest';

const videos: VideoRecord[] = Array.from(
  { length: 5 },
  (_, i) => ({ id: `v${i}`, path: `/videos/v${i}.mp4`, label: i % 2, labelName: `c${i % 2}` }) as VideoRecord,
);

function info(i: number): VideoInfo {
  const frames = 90 + 40 * i;
  return {
    frames,
    fps: 30,
    width: 340,
    height: 256,
    codec: 'h264',
    durationSec: frames / 30,
    startTime: 0,
    framePts: Array.from({ length: frames }, (_, k) => k * 512),
    timeBase: [1, 15360],
    formatStartTime: 0,
  };
}

const infos = new Map(videos.map((v, i) => [v.path, info(i)]));

describe('bench clip list', () => {
  it('is deterministic and differs with the seed', () => {
    const a = clipListFromInfos(videos, 12, 7, infos);
    const b = clipListFromInfos(videos, 12, 7, infos);
    const c = clipListFromInfos(videos, 12, 8, infos);
    const key = (l: typeof a): string => JSON.stringify(l.clips.map((x) => [x.record.id, x.seed, x.indices, x.params]).concat([l.order]));
    expect(key(a)).toBe(key(b));
    expect(key(a)).not.toBe(key(c));
    expect(a.records.map((r) => r.id)).toEqual(Array.from({ length: 12 }, (_, i) => `v${i % 5}`));
    for (const x of a.clips) {
      expect(x.indices).toHaveLength(TEMPORAL.numFrames);
      expect(x.windowFrames).toBe(Math.max(...x.indices) - Math.min(...x.indices) + 1);
      // The seek point lies inside the slot of the window's first frame (half a frame before it), or there is none.
      const first = Math.min(...x.indices);
      if (first === 0) expect(x.seekSec).toBeUndefined();
      else expect(x.seekSec! * 30).toBeCloseTo(first - 0.5 + 1 / 512, 2);
      expect(x.params.size).toBe(TRAIN.crop);
    }
  });

  it("is the loader's epoch 0: same records, seeds and order", async () => {
    const list = clipListFromInfos(videos, 12, 3, infos);
    const tasks: ClipTask[] = [];
    const pool = { run: async (t: ClipTask) => (tasks.push(t), { ok: false, failure: { item: t.item, kind: 'x', reason: 'recorded' } }) } as unknown as Piscina;
    const loader = new ClipLoader({
      records: list.records,
      batchSize: 4,
      seed: 3,
      workers: 1,
      pool,
      prefetchBatches: 100,
      temporal: TEMPORAL,
      train: { ...TRAIN },
    });
    for await (const b of loader.epoch(0)) void b;
    // The prefetch bound is above the clip count, so every clip is submitted before any result comes back.
    const submitted = tasks as TrainClipTask[];
    expect(submitted).toHaveLength(12);
    submitted.forEach((t, k) => {
      const n = list.order[k];
      expect(t.source).toEqual({ type: 'video', path: list.clips[n].record.path });
      expect(t.seed).toBe(list.clips[n].seed);
    });
  });

  it('leaves the cold round out of the steady state', () => {
    const p = (round: number, clips: number, sec: number): MethodPass => ({ round, clips, sec, clipsPerSec: clips / sec, cpuMsPerClip: 10, otherCores: 0 });
    const s = steadyOf([p(0, 10, 10), p(1, 10, 1), p(2, 10, 1)])!;
    expect(s.clipsPerSec).toBe(10);
    expect(s.coldClipsPerSec).toBe(1);
    expect(s.passes).toBe(2);
  });
});
