/**
 * Test fixtures: small real videos encoded on the fly with the bundled ffmpeg from lavfi sources. At 64x48 use
 * `testsrc` (a frame counter and a moving square: every frame differs); `testsrc2` repeats frames at that size.
 * Used by the tests only, through `@pvnas/ingest/testing`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ffmpegToFile } from './ffmpeg';
import type { FrameBatch } from './types';

export interface TestVideo {
  /** File name inside the temp dir (the extension picks the container). */
  name: string;
  /** lavfi source, e.g. `testsrc=size=64x48:rate=30:duration=3`. */
  source: string;
  /** Encoder options (`-c:v libx264 -g 12 ...`). */
  encode: string[];
}

export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `pvnas-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Encodes a lavfi source to `dir/name`; returns the path. */
export async function encodeVideo(dir: string, v: TestVideo): Promise<string> {
  const file = path.join(dir, v.name);
  await ffmpegToFile({ input: v.source, inputOptions: ['-f', 'lavfi'], outputOptions: ['-loglevel', 'error', ...v.encode] }, file);
  return file;
}

/** Re-muxes (stream copy) `src` into `dir/name` with extra options, e.g. an `-ss` cut (mp4 edit list) or a rotation tag. */
export async function remux(dir: string, src: string, name: string, inputOptions: string[], outputOptions: string[]): Promise<string> {
  const file = path.join(dir, name);
  await ffmpegToFile({ input: src, inputOptions, outputOptions: ['-loglevel', 'error', '-c', 'copy', ...outputOptions] }, file);
  return file;
}

/** Bytes of frame `t` of a batch. */
export function frameOf(batch: FrameBatch, t: number): Uint8Array {
  const n = batch.width * batch.height * 3;
  return batch.data.subarray(t * n, (t + 1) * n);
}

/** Index of the first frame of `got` that differs from frame `indices[k]` of `all`, or -1 when all match. */
export function firstMismatch(got: FrameBatch, all: FrameBatch, indices: number[]): number {
  if (got.frames !== indices.length || got.width !== all.width || got.height !== all.height) return 0;
  for (let k = 0; k < indices.length; k++) {
    if (Buffer.compare(Buffer.from(frameOf(got, k)), Buffer.from(frameOf(all, indices[k]))) !== 0) return k;
  }
  return -1;
}
