/**
 * Benchmark of the spatial path (a script, not a test). Run:
 *   node -e "require('/work/main/libs/runtime/register.js'); require('/work/main/libs/ingest/src/transforms/resize.bench.ts')"
 *
 * Per case, 8 RGB uint8 frames -> short side random in the jitter range -> random crop -> flip (p = 0.5) ->
 * normalised float32 `[8, S, S, 3]`, three ways, on the same params:
 *   fused   `resizeCropNormalize` (only the crop window is interpolated)
 *   unfused `resizeBilinear` -> `crop` -> `flipHorizontal` -> `normalize`
 *   sharp   per frame `resize(kernel 'linear', fit 'fill')` -> `extract` -> `flop`, raw in / raw out, then the same
 *           normalisation table in JS; awaited frame by frame ("seq") and all 8 at once with Promise.all ("all",
 *           which spreads over libuv's thread pool: less wall time, same or more CPU time).
 * Reports median wall ms per clip, CPU ms per clip (process.cpuUsage, all threads) and ratios against fused,
 * and how far sharp's output is from the reference (sharp's 'linear' reduce is a triangle filter that widens
 * when shrinking, i.e. antialiased, so it is not the PySlowFast/torch convention).
 * BENCH_MS (default 600) sets the time budget per path and case.
 */
import sharp from 'sharp';
import type { FrameBatch } from '../video/types';
import { crop } from './crop';
import { flipHorizontal } from './flip';
import { resizeCropNormalize } from './fused';
import { normalize, normalizeTable } from './normalize';
import { drawTrainParams } from './params';
import { resizeBilinear } from './resize';
import type { CropParams, TrainTransformConfig } from './types';
import { createRng, type Rng } from '@pvnas/base';

interface Case {
  name: string;
  height: number;
  width: number;
  cfg: TrainTransformConfig;
}

const T = 8;
const BUDGET_MS = Number(process.env.BENCH_MS ?? 600);
const SEARCH: TrainTransformConfig = { jitter: [128, 164], crop: 112, flipP: 0.5 };
const RETRAIN: TrainTransformConfig = { jitter: [256, 320], crop: 224, flipP: 0.5 };
const CASES: Case[] = [
  { name: 'search  160x120 -> [128,164] -> 112', height: 120, width: 160, cfg: SEARCH },
  { name: 'retrain 340x256 -> [256,320] -> 224', height: 256, width: 340, cfg: RETRAIN },
  { name: '720p   1280x720 -> [128,164] -> 112', height: 720, width: 1280, cfg: SEARCH },
  { name: '720p   1280x720 -> [256,320] -> 224', height: 720, width: 1280, cfg: RETRAIN },
];

/** Smooth-ish frames (gradients plus noise) so that no path benefits from constant data. */
function makeFrames(rng: Rng, height: number, width: number): FrameBatch {
  const data = new Uint8Array(T * height * width * 3);
  let i = 0;
  for (let t = 0; t < T; t++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        data[i++] = (x + t * 7) & 255;
        data[i++] = (y * 2 + rng.int(0, 15)) & 255;
        data[i++] = ((x ^ y) + t) & 255;
      }
    }
  }
  return { data, frames: T, height, width };
}

function unfused(b: FrameBatch, p: CropParams): Float32Array {
  const c = crop(resizeBilinear(b, p.scaleH, p.scaleW), p.cropY, p.cropX, p.size, p.size);
  return normalize(p.flip ? flipHorizontal(c) : c);
}

const TABLE = normalizeTable();

function sharpFrame(b: FrameBatch, t: number, p: CropParams): Promise<Buffer> {
  const bytes = b.height * b.width * 3;
  const input = Buffer.from(b.data.buffer, b.data.byteOffset + t * bytes, bytes);
  let img = sharp(input, { raw: { width: b.width, height: b.height, channels: 3 } })
    .resize(p.scaleW, p.scaleH, { kernel: 'linear', fit: 'fill' })
    .extract({ left: p.cropX, top: p.cropY, width: p.size, height: p.size });
  if (p.flip) img = img.flop();
  return img.raw().toBuffer();
}

function normalizeFrames(frames: Buffer[], size: number): Float32Array {
  const out = new Float32Array(frames.length * size * size * 3);
  let o = 0;
  for (const f of frames) {
    for (let i = 0; i < f.length; i += 3) {
      out[o++] = TABLE[f[i] * 3];
      out[o++] = TABLE[f[i + 1] * 3 + 1];
      out[o++] = TABLE[f[i + 2] * 3 + 2];
    }
  }
  return out;
}

async function sharpSeq(b: FrameBatch, p: CropParams): Promise<Float32Array> {
  const frames: Buffer[] = [];
  for (let t = 0; t < b.frames; t++) frames.push(await sharpFrame(b, t, p));
  return normalizeFrames(frames, p.size);
}

async function sharpAll(b: FrameBatch, p: CropParams): Promise<Float32Array> {
  const frames = await Promise.all(Array.from({ length: b.frames }, (_, t) => sharpFrame(b, t, p)));
  return normalizeFrames(frames, p.size);
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** Median wall ms and mean CPU ms per clip over as many clips as fit in the budget (at least 5, after 2 warm-ups). */
async function time(run: (p: CropParams) => unknown, params: CropParams[]): Promise<Timing> {
  for (let i = 0; i < 2; i++) await run(params[i % params.length]);
  const walls: number[] = [];
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let i = 0;
  while (walls.length < 5 || performance.now() - start < BUDGET_MS) {
    const t0 = performance.now();
    await run(params[i++ % params.length]);
    walls.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  walls.sort((a, b) => a - b);
  return { wallMs: walls[walls.length >> 1], cpuMs: (cpu.user + cpu.system) / 1000 / walls.length };
}

/** Max and mean |a - b| in uint8 levels (normalised difference * 255 * std). */
function diffLevels(a: Float32Array, b: Float32Array): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) * 255 * 0.225;
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

async function main(): Promise<void> {
  console.log(
    `spatial path benchmark: T=${T}, node ${process.version}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), ` +
      `sharp.concurrency()=${sharp.concurrency()}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 'default (4)'}, budget ${BUDGET_MS} ms/path`,
  );
  for (const c of CASES) {
    const rng = createRng(1);
    const batch = makeFrames(rng, c.height, c.width);
    const params = Array.from({ length: 16 }, () => drawTrainParams(rng, batch, c.cfg));

    // Equality and distance checks on one view first.
    const p0 = { ...params[0], flip: false };
    const ref = unfused(batch, p0);
    const fusedDiff = diffLevels(resizeCropNormalize(batch, p0), ref);
    const sharpDiff = diffLevels(await sharpSeq(batch, p0), ref);

    const fused = await time((p) => resizeCropNormalize(batch, p), params);
    const plain = await time((p) => unfused(batch, p), params);
    const seq = await time((p) => sharpSeq(batch, p), params);
    const all = await time((p) => sharpAll(batch, p), params);
    const f = (t: Timing) => `${t.wallMs.toFixed(2).padStart(7)} ms wall, ${t.cpuMs.toFixed(2).padStart(7)} ms cpu`;
    const r = (t: Timing) => `${(t.wallMs / fused.wallMs).toFixed(1)}x wall, ${(t.cpuMs / fused.cpuMs).toFixed(1)}x cpu`;
    console.log(`\n${c.name}  (8 frames per clip)`);
    console.log(`  fused        ${f(fused)}`);
    console.log(`  unfused JS   ${f(plain)}   unfused / fused = ${r(plain)}`);
    console.log(`  sharp seq    ${f(seq)}   sharp seq / fused = ${r(seq)}`);
    console.log(`  sharp all    ${f(all)}   sharp all / fused = ${r(all)}`);
    console.log(
      `  |fused - reference|: max ${fusedDiff.max} levels; |sharp - reference|: max ${sharpDiff.max.toFixed(0)}, ` +
        `mean ${sharpDiff.mean.toFixed(1)} uint8 levels`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
