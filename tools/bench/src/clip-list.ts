/**
 * The fixed list of train clips every method of a set works on, derived with the clip loader's own recipe
 * (libs/ingest/src/pool/clip-task.ts `loadClip`): clip i of epoch 0 has seed `deriveSeed(seed, 0, i)`,
 * `rng = createRng(seed)`, then the window (1 draw, `sampleTrainIndices`) and the view (4 draws, `drawTrainParams`
 * on the video's native frame size). The loader is given one record per clip (clip i = video i mod V), so its
 * epoch 0 makes exactly these clips; `order` is the loader's epoch-0 order, which the peers follow too.
 */
import { TEMPORAL, TRAIN } from './options';
import { createRng, deriveSeed, permutation } from '@pvnas/base';
import { type VideoRecord, sampleTrainIndices, drawTrainParams, type CropParams, seekSeconds, probeVideo, type VideoInfo } from '@pvnas/ingest';

export interface BenchClip {
  /** Sample index in the epoch (= index of its record). */
  n: number;
  record: VideoRecord;
  seed: number;
  /** The 8 source frame indices. */
  indices: number[];
  params: CropParams;
  info: VideoInfo;
  /** Frames from the first to the last index, both included: what a window decode must get through. */
  windowFrames: number;
  /** `-ss` of the window's first frame (decodeFrames' seek point); undefined when the window starts at frame 0. */
  seekSec?: number;
}

export interface ClipList {
  clips: BenchClip[];
  /** One record per clip, for the loader. */
  records: VideoRecord[];
  /** The distinct videos the clips use, for the cache build. */
  videos: VideoRecord[];
  /** The loader's epoch-0 order of the clips. */
  order: number[];
  infos: Map<string, VideoInfo>;
}

/** Probes every video once, `concurrency` at a time. */
export async function probeAll(videos: readonly VideoRecord[], concurrency: number): Promise<Map<string, VideoInfo>> {
  const infos = new Map<string, VideoInfo>();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < videos.length) {
      const v = videos[next++];
      infos.set(v.path, await probeVideo(v.path, { minFrames: TEMPORAL.numFrames }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return infos;
}

export async function deriveClipList(videos: readonly VideoRecord[], count: number, seed: number, concurrency: number): Promise<ClipList> {
  const used = videos.slice(0, Math.min(count, videos.length));
  return clipListFromInfos(videos, count, seed, await probeAll(used, concurrency));
}

/** The clip list for probe results already at hand (`infos` by video path): pure, deterministic. */
export function clipListFromInfos(videos: readonly VideoRecord[], count: number, seed: number, infos: Map<string, VideoInfo>): ClipList {
  const records = Array.from({ length: count }, (_, i) => videos[i % videos.length]);
  const used = videos.slice(0, Math.min(count, videos.length));
  const clips = records.map((record, n): BenchClip => {
    const info = infos.get(record.path);
    if (!info) throw new Error(`no probe result for ${record.path}`);
    const s = deriveSeed(seed, 0, n);
    const rng = createRng(s);
    const indices = sampleTrainIndices(info.frames, info.fps, rng, TEMPORAL);
    const params = drawTrainParams(rng, { height: info.height, width: info.width }, TRAIN);
    const first = Math.min(...indices);
    const last = Math.max(...indices);
    const seekSec =
      info.framePts && info.timeBase
        ? seekSeconds(info.framePts, info.timeBase, info.formatStartTime ?? 0, first)
        : first > 0
          ? (first - 0.5) / info.fps
          : undefined;
    return { n, record, seed: s, indices, params, info, windowFrames: last - first + 1, seekSec };
  });
  return { clips, records, videos: used, order: permutation(count, deriveSeed(seed, 'order', 0)), infos };
}
