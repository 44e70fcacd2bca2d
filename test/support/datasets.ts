/**
 * Small real datasets for the end-to-end tests: videos encoded with the bundled ffmpeg from lavfi sources
 * (libs/ingest's test-video helpers) and the bad files a real dataset download contains, each made for real.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRng } from '@pvnas/base';
import { encodeVideo } from '@pvnas/ingest/testing';
import { generateSampleDataset } from '@pvnas/sample';

export { makeTempDir } from '@pvnas/ingest/testing';

export const H264 = ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-g', '30'];
export const VP9 = ['-c:v', 'libvpx-vp9', '-pix_fmt', 'yuv420p', '-g', '30', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k'];

/** Encodes `testsrc` (every frame differs: it shows a frame counter) of the given size, rate and length to `file`. */
export async function testsrcVideo(
  file: string,
  o: { width?: number; height?: number; fps?: number; seconds: number; codec?: 'h264' | 'vp9'; faststart?: boolean },
): Promise<string> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const source = `testsrc=size=${o.width ?? 64}x${o.height ?? 48}:rate=${o.fps ?? 30}:duration=${o.seconds}`;
  const encode = [...(o.codec === 'vp9' ? VP9 : H264), ...(o.faststart ? ['-movflags', '+faststart'] : [])];
  return encodeVideo(path.dirname(file), { name: path.basename(file), source, encode });
}

/** An AAC sine wave in an .mp4: a file with no video stream. */
export async function audioOnly(file: string): Promise<string> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return encodeVideo(path.dirname(file), { name: path.basename(file), source: 'sine=frequency=440:duration=1', encode: ['-c:a', 'aac'] });
}

export function writeFile(file: string, bytes: string | Uint8Array): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

/** `n` seeded random bytes. */
export function noise(n: number, seed: number): Buffer {
  const rng = createRng(seed);
  return Buffer.from(Array.from({ length: n }, () => rng.int(0, 255)));
}

/** The first `fraction` of `src`'s bytes (an interrupted download). */
export function truncated(src: string, fraction: number): Buffer {
  const bytes = fs.readFileSync(src);
  return bytes.subarray(0, Math.floor(bytes.length * fraction));
}

/** `src` with `n` random bytes written over its middle (damage inside the stream; the container stays readable). */
export function damagedInTheMiddle(src: string, n: number, seed: number): Buffer {
  const bytes = Buffer.from(fs.readFileSync(src));
  const junk = noise(n, seed);
  junk.copy(bytes, bytes.length >> 1);
  return bytes;
}

/**
 * The tiny generated set of the end-to-end training tests: 2 motion classes, 64x48, 1.2-1.5 s clips, Kinetics layout
 * under `root/kinetics` (annotations/train.csv, validate.csv). Returns that folder and a path helper for its CSVs.
 */
export async function tinyKinetics(root: string, perClass: { train: number; val: number }): Promise<{ k: string; csv: (name: string) => string }> {
  await generateSampleDataset({
    root,
    classes: 2,
    trainPerClass: perClass.train,
    valPerClass: perClass.val,
    width: 64,
    height: 48,
    seconds: [1.2, 1.5],
    layouts: ['kinetics'],
    log: null,
  });
  const k = path.join(root, 'kinetics');
  return { k, csv: (name) => path.join(k, 'annotations', name) };
}
