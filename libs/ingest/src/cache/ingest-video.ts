/**
 * Decodes one video for the frame cache: the whole video at the cache's short side and frame rate, each
 * frame JPEG-encoded. Runs inside a pool worker; returns one buffer of JPEGs back to back (transferable).
 */
import type { VideoRecord } from '../manifest/types';
import { IngestError } from '../errors';
import { decodeStream } from '../video/decode';
import { probeVideo } from '../video/probe';
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

export async function ingestVideo(
  record: VideoRecord,
  settings: Pick<CacheHeader, 'shortSide' | 'fps' | 'quality'>,
  minFrames = 8,
): Promise<IngestVideoResult> {
  const info = await probeVideo(record.path, { minFrames });
  const pending: Array<Promise<Buffer>> = [];
  const out = await decodeStream(
    record.path,
    { size: { shortSide: settings.shortSide }, fps: settings.fps > 0 ? settings.fps : undefined },
    (frame, _index, width, height) => {
      pending.push(encodeJpeg(frame, width, height, settings.quality));
    },
  );
  const jpegList = await Promise.all(pending);
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
