/**
 * Decodes one video for the frame cache: the whole video at the cache's short side and frame rate, each
 * frame JPEG-encoded. Runs inside a pool worker; returns one buffer of JPEGs back to back (transferable).
 *
 * In process when the libav addon is built and the probe found a trustworthy index (the window decoder's condition):
 * the frames the `fps` filter would show (fps-resample.ts) are decoded once each, scaled, encoded, and a frame the
 * resampling repeats reuses its JPEG. Frames are scaled to BGR24, not RGB24, on both paths: swscale has SIMD for that
 * output only, half the cost (0.08 vs 0.17 ms a 340x256 frame), and the JPEG encoder takes either order. Otherwise, or when a frame does not come out (damage), the bundled ffmpeg runs
 * the `fps` filter as before, and words the error. Both fill the cache with the same bytes (ingest-video.test.ts).
 */
import type { VideoRecord } from '../manifest/types';
import { IngestError } from '../errors';
import { decodeStream } from '../video/decode';
import { outputSize } from '../video/frame-select';
import { fpsResample } from '../video/fps-resample';
import { decodeEachNative } from '../video/native-decode';
import { probeVideo } from '../video/probe';
import type { VideoInfo } from '../video/types';
import { encodeJpeg } from './jpeg';
import type { CachedVideo, CacheHeader } from './schema';

export interface IngestVideoResult {
  video: CachedVideo;
  /** JPEG frames back to back. */
  jpegs: Uint8Array;
  /** Frame boundaries in `jpegs`, length frames + 1. */
  offsets: number[];
}

/** Frames ffmpeg's fps filter should produce for `srcFrames` at `srcFps` resampled to `fps`. */
export function expectedFrames(srcFrames: number, srcFps: number, fps: number): number {
  return fps > 0 ? Math.round((srcFrames * fps) / srcFps) : srcFrames;
}

export interface IngestVideoOptions {
  /** Videos with fewer frames are refused as too short (default 8). */
  minFrames?: number;
  /** Decode on this device ('cuda': NVDEC) in process; files the addon cannot take are decoded on the CPU. */
  hwaccel?: string;
}

/** Cache builds run so far in this thread, by decoder (the tests check which one served). */
export const ingestRuns = { native: 0, ffmpeg: 0 };

type CacheSettingsOf = Pick<CacheHeader, 'shortSide' | 'fps' | 'quality'>;

/** The JPEGs of every output frame, decoded in process; undefined when the addon is absent or a frame did not come out. */
async function jpegsInProcess(
  file: string,
  info: VideoInfo,
  settings: CacheSettingsOf,
  size: { width: number; height: number },
  hwaccel: string | undefined,
): Promise<Buffer[] | undefined> {
  const pts = info.framePts;
  if (!pts || !info.timeBase || info.seekable === false || (info.rotation ?? 0) !== 0) return undefined;
  const shows = settings.fps > 0 ? fpsResample(pts, info.timeBase, info.formatStartTime ?? 0, settings.fps) : pts.map((_, i) => i);
  const sources = [...new Set(shows)]; // ascending: the resampling never goes back
  const jpegOf = new Map<number, Promise<Buffer>>();
  const got = decodeEachNative(
    file,
    sources.map((i) => pts[i]),
    size.width,
    size.height,
    (bgr, k) => jpegOf.set(sources[k], encodeJpeg(bgr, size.width, size.height, settings.quality, 'bgr')),
    { hwaccel, bgr: true },
  );
  if (!got || got.found.some((f) => !f)) {
    await Promise.allSettled(jpegOf.values());
    return undefined;
  }
  const jpegs = new Map<number, Buffer>();
  for (const [i, jpeg] of jpegOf) jpegs.set(i, await jpeg);
  return shows.map((i) => jpegs.get(i) as Buffer);
}

export async function ingestVideo(record: VideoRecord, settings: CacheSettingsOf, opts: IngestVideoOptions = {}): Promise<IngestVideoResult> {
  const minFrames = opts.minFrames ?? 8;
  const info = await probeVideo(record.path, { minFrames });
  const size = { shortSide: settings.shortSide };
  let out = outputSize(size, info.width, info.height);
  let jpegList = await jpegsInProcess(record.path, info, settings, out, opts.hwaccel);
  ingestRuns[jpegList ? 'native' : 'ffmpeg']++;
  if (!jpegList) {
    const pending: Array<Promise<Buffer>> = [];
    out = await decodeStream(record.path, { size, fps: settings.fps > 0 ? settings.fps : undefined, info, bgr: true }, (frame, _index, width, height) => {
      pending.push(encodeJpeg(frame, width, height, settings.quality, 'bgr'));
    });
    jpegList = await Promise.all(pending);
  }
  const expected = expectedFrames(info.frames, info.fps, settings.fps);
  // The fps filter may add or drop a frame at either end; anything beyond that means the file stopped decoding early.
  if (jpegList.length < Math.max(minFrames, expected - 2 - Math.ceil(expected * 0.02))) {
    throw new IngestError(
      'corrupt',
      record.path,
      `decoded only ${jpegList.length} of ~${expected} frames`,
      'the file is damaged or truncated; re-download or re-encode it',
    );
  }
  const offsets = [0];
  for (const j of jpegList) offsets.push(offsets[offsets.length - 1] + j.length);
  const jpegs = new Uint8Array(offsets[offsets.length - 1]);
  jpegList.forEach((j, i) => jpegs.set(j, offsets[i]));
  return {
    video: {
      id: record.id,
      frames: jpegList.length,
      fps: settings.fps > 0 ? settings.fps : info.fps,
      width: out.width,
      height: out.height,
      label: record.label,
      labelName: record.labelName,
      source: { path: record.path, frames: info.frames, fps: info.fps, width: info.width, height: info.height, codec: info.codec },
      bytes: jpegs.length,
    },
    jpegs,
    offsets,
  };
}
