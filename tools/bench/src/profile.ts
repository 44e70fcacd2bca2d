/**
 * Stage breakdown of one clip, single-threaded in this process, on the first `profileClips` clips of the list
 * (clip order, no pool): where a worker's time goes, per path.
 *  - video path: decodeFrames (spawn + seek + window decode + select + rgb24, the ffmpeg child included),
 *    resizeCropNormalize (the fused transform), transfer (a worker thread posting a clip-sized Float32Array back,
 *    moved, plus the loader's copy of it into the batch).
 *  - cache path: LMDB read of the 8 JPEGs, JPEG decode (sharp, the 8 frames at once as FrameCache.readClip does),
 *    assembling them into one [T, H, W, 3] buffer, the transform, the transfer.
 *  - what-if, frames stored raw (not a path the library has): the same clips' frames, already decoded, written raw
 *    (RGB, 3 bytes a pixel) into a scratch LMDB; stages: LMDB read of the 8 raw frames, assembling, transform, transfer.
 *    It measures what the cache path would cost without JPEG decoding, and at what disk cost.
 * Each stage gets its wall ms per clip (median over clips) and its share of the clip; `ceiling` is what `workers`
 * workers would reach if the stages were all there is (workers * 1000 / total ms), to set against the measured
 * clips/s.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { open as openLmdb } from 'lmdb';
import type { ClipList } from './clip-list';
import { median } from './measure';
import { TEMPORAL, TRAIN } from './options';
import { createRng } from '@pvnas/base';
import { FrameCache, decodeJpeg, drawTrainParams, resizeCropNormalize, sampleTrainIndices, decodeFrames } from '@pvnas/ingest';

export interface StageTimes {
  /** Stage name -> median wall ms per clip. */
  stages: Record<string, number>;
  totalMs: number;
  /** workers * 1000 / totalMs. */
  ceilingClipsPerSec: number;
  clips: number;
  /** CPU ms per clip of this process over the JPEG decode stage (libvips threads included), cache path only. */
  jpegCpuMs?: number;
}

export interface Profile {
  video: StageTimes;
  cache?: StageTimes;
  /** The cache path with frames stored raw instead of JPEG (scratch LMDB), and the bytes per frame of each. */
  rawWhatIf?: StageTimes & { rawBytesPerFrame: number; jpegBytesPerFrame: number };
}

const now = (): number => performance.now();

/** Per-clip transfer: worker round trip with a moved clip-sized buffer, minus an empty round trip, plus the batch copy. */
async function transferMs(floats: number, clips: number): Promise<number> {
  const w = new Worker(path.join(__dirname, 'echo-worker.js'));
  const ask = (n: number): Promise<{ views: Float32Array[] } | null> =>
    new Promise((resolve) => {
      w.once('message', resolve);
      w.postMessage(n);
    });
  try {
    for (let i = 0; i < 5; i++) await ask(floats);
    const empty: number[] = [];
    const full: number[] = [];
    const batch = new Float32Array(floats);
    for (let i = 0; i < Math.max(clips, 10); i++) {
      let t = now();
      await ask(0);
      empty.push(now() - t);
      t = now();
      const r = await ask(floats);
      batch.set(r!.views[0]);
      full.push(now() - t);
    }
    return Math.max(0, median(full) - median(empty));
  } finally {
    await w.terminate();
  }
}

function stageTimes(per: Record<string, number[]>, workers: number, clips: number): StageTimes {
  const stages = Object.fromEntries(Object.entries(per).map(([k, v]) => [k, median(v)]));
  const totalMs = Object.values(stages).reduce((a, b) => a + b, 0);
  return { stages, totalMs, ceilingClipsPerSec: (workers * 1000) / totalMs, clips };
}

export async function profileSet(list: ClipList, cacheDir: string | undefined, workers: number, count: number, scratchDir?: string): Promise<Profile> {
  const clips = list.clips.slice(0, Math.min(count, list.clips.length));
  const floats = TEMPORAL.numFrames * TRAIN.crop * TRAIN.crop * 3;
  const transfer = await transferMs(floats, clips.length);

  const v: Record<string, number[]> = { decode: [], transform: [], transfer: [] };
  await decodeFrames(clips[0].record.path, clips[0].indices, { info: clips[0].info }); // warm: page cache, binary
  for (const c of clips) {
    let t = now();
    const frames = await decodeFrames(c.record.path, c.indices, { info: c.info });
    v.decode.push(now() - t);
    t = now();
    resizeCropNormalize(frames, { ...c.params, mean: TRAIN.mean, std: TRAIN.std });
    v.transform.push(now() - t);
    v.transfer.push(transfer);
  }
  const profile: Profile = { video: stageTimes(v, workers, clips.length) };

  if (cacheDir) {
    const cache = FrameCache.openReader(cacheDir);
    try {
      const k: Record<string, number[]> = { 'lmdb read': [], 'jpeg decode': [], assemble: [], transform: [], transfer: [] };
      let cpu = 0;
      const rawFrames = new Map<string, { id: string; index: number; data: Uint8Array; width: number; height: number }>();
      let jpegBytes = 0;
      let jpegCount = 0;
      const run = async (record: boolean): Promise<void> => {
        for (const c of clips) {
          const meta = cache.video(c.record.id);
          if (!meta) throw new Error(`${c.record.id} is not in the cache ${cacheDir}`);
          // The clip as the loader makes it from the cache: indices and view drawn on the cached video.
          const rng = createRng(c.seed);
          const indices = sampleTrainIndices(meta.frames, meta.fps, rng, TEMPORAL);
          let t = now();
          const jpegs = cache.readJpegs(c.record.id, indices);
          const tRead = now() - t;
          t = now();
          const u0 = process.cpuUsage();
          const decoded = await Promise.all(jpegs.map((j) => decodeJpeg(j)));
          const u1 = process.cpuUsage(u0);
          const tJpeg = now() - t;
          t = now();
          const { width, height } = decoded[0];
          const data = new Uint8Array(width * height * 3 * decoded.length);
          decoded.forEach((f, i) => data.set(f.data, i * width * height * 3));
          const tAsm = now() - t;
          const batch = { data, frames: decoded.length, width, height };
          const params = drawTrainParams(rng, batch, TRAIN);
          t = now();
          resizeCropNormalize(batch, { ...params, mean: TRAIN.mean, std: TRAIN.std });
          const tTf = now() - t;
          if (!record) continue;
          decoded.forEach((d, t) => rawFrames.set(`${c.record.id}#${indices[t]}`, { id: c.record.id, index: indices[t], ...d }));
          jpegBytes += jpegs.reduce((a, j) => a + j.length, 0);
          jpegCount += jpegs.length;
          k['lmdb read'].push(tRead);
          k['jpeg decode'].push(tJpeg);
          k.assemble.push(tAsm);
          k.transform.push(tTf);
          k.transfer.push(transfer);
          cpu += (u1.user + u1.system) / 1000;
        }
      };
      await run(false); // warm-up: sharp/libvips start, LMDB pages
      await run(true);
      profile.cache = { ...stageTimes(k, workers, clips.length), jpegCpuMs: cpu / clips.length };
      if (scratchDir)
        profile.rawWhatIf = {
          ...(await rawWhatIf(clips, cache, rawFrames, scratchDir, k.transform, transfer, workers)),
          jpegBytesPerFrame: jpegBytes / jpegCount,
        };
    } finally {
      await cache.close();
    }
  }
  return profile;
}

/** The cache path's stages with the frames stored raw in a scratch LMDB (see the file comment). */
async function rawWhatIf(
  clips: ClipList['clips'],
  cache: FrameCache,
  frames: Map<string, { id: string; index: number; data: Uint8Array; width: number; height: number }>,
  dir: string,
  transformMs: number[],
  transfer: number,
  workers: number,
): Promise<StageTimes & { rawBytesPerFrame: number }> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const env = openLmdb({ path: dir, compression: false });
  const db = env.openDB<Buffer, [string, number]>({ name: 'frames', encoding: 'binary' });
  try {
    await env.transaction(() => {
      for (const f of frames.values()) db.put([f.id, f.index], Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength));
    });
    const k: Record<string, number[]> = { 'lmdb read': [], assemble: [], transform: transformMs, transfer: [] };
    let bytes = 0;
    for (let pass = 0; pass < 2; pass++) {
      for (const c of clips) {
        const meta = cache.video(c.record.id)!;
        const indices = sampleTrainIndices(meta.frames, meta.fps, createRng(c.seed), TEMPORAL);
        let t = now();
        const bufs = indices.map((i) => db.getBinary([c.record.id, i]) as Buffer);
        const tRead = now() - t;
        t = now();
        const fb = meta.width * meta.height * 3;
        const data = new Uint8Array(fb * bufs.length);
        bufs.forEach((b, i) => data.set(b, i * fb));
        const tAsm = now() - t;
        if (pass === 0) continue;
        bytes = fb;
        k['lmdb read'].push(tRead);
        k.assemble.push(tAsm);
        k.transfer.push(transfer);
      }
    }
    return { ...stageTimes(k, workers, clips.length), rawBytesPerFrame: bytes };
  } finally {
    await env.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
