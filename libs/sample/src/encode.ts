/**
 * Encodes rendered frames `[T, H, W, 3]` (RGB uint8) to a video file through the workspace's ffmpeg
 * wrapper, the frames piped on stdin as rawvideo.
 *
 * Both encoders run single-threaded with bit-exact muxing, so the same frames give byte-identical files:
 *   mp4  — libx264, yuv420p, keyframe every `gop` frames (no scene-cut keyframes), +faststart (Kinetics).
 *   webm — libvpx-vp9 in realtime mode at its fastest speed (SSv2 is VP9 webm).
 */
import { Readable } from 'node:stream';
import { ffmpegToFile } from '@pvnas/ingest';

export type SampleVideoFormat = 'mp4' | 'webm';

export interface EncodeOptions {
  width: number;
  height: number;
  fps: number;
  /** Keyframe interval, frames. */
  gop: number;
}

/** The ffmpeg output options of one format (exported for the record in `sample.json`). */
export function encoderOptions(format: SampleVideoFormat, gop: number): string[] {
  const common = ['-an', '-pix_fmt', 'yuv420p', '-threads', '1', '-fflags', '+bitexact', '-flags:v', '+bitexact', '-g', String(gop)];
  if (format === 'mp4') {
    return [
      ...common,
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-keyint_min', String(gop), '-sc_threshold', '0'],
      ...['-movflags', '+faststart', '-f', 'mp4'],
    ];
  }
  return [...common, ...['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '0', '-b:v', '0', '-crf', '30', '-f', 'webm']];
}

/** Writes `frames` (`[T, H, W, 3]`) to `outPath` in `format`. Rejects with ffmpeg's own words on failure. */
export async function encodeFrames(frames: Uint8Array, format: SampleVideoFormat, o: EncodeOptions, outPath: string): Promise<void> {
  const frameBytes = o.width * o.height * 3;
  if (frames.length === 0 || frames.length % frameBytes !== 0) {
    throw new RangeError(`encodeFrames: ${frames.length} bytes is not a whole number of ${o.width}x${o.height} RGB frames`);
  }
  const count = frames.length / frameBytes;
  const chunks = function* (): Generator<Buffer> {
    for (let t = 0; t < count; t++) yield Buffer.from(frames.buffer, frames.byteOffset + t * frameBytes, frameBytes);
  };
  await ffmpegToFile(
    {
      input: Readable.from(chunks()),
      inputOptions: ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${o.width}x${o.height}`, '-r', String(o.fps)],
      outputOptions: encoderOptions(format, o.gop),
    },
    outPath,
  );
}
