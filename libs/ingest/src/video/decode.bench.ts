/**
 * Benchmark of decodeFrames (a script, not a test). Run:
 *   node -e "require('/work/main/libs/runtime/register.js'); require('/work/main/libs/ingest/src/video/decode.bench.ts')"
 *
 * Encodes testsrc2 clips (h264 yuv420p, 30 fps, 10 s, x264 veryfast) into a temp dir, then for each clip times
 * decodeFrames of 8 frames spread over a random 64-frame window (the PV-NAS train clip), native size:
 *   select   decodeFrames as shipped: seek, `select` keeps the 8 frames, only those are converted to RGB
 *   js-pick  the same seek, every frame of the window converted to RGB and piped out, the 8 picked in JS
 *   threads0 decodeFrames with ffmpeg's own thread count (frame threads) instead of 1
 *   from-0   decodeFrames with seek: 'never' (decodes from frame 0 up to the window)
 * and the per-call floor: spawning the binary (`-version`, raw child_process), and decodeFrames of frame 0 of a
 * 64x48 clip (spawn + open + decode 1 frame through fluent-ffmpeg).
 * Reports wall ms per call (median, 90th percentile) and CPU ms per call (node + ffmpeg, from /proc/self/stat; wall
 * time on a shared machine is noisy, CPU time less so). BENCH_CALLS (default 40) calls per variant.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { decodeFrames } from './decode';
import { FFMPEG_PATH, ffmpegToBuffer, ffmpegToFile } from './ffmpeg';
import { parseShowinfo } from './ffmpeg-log';
import { seekSeconds } from './frame-select';
import { probeVideo } from './probe';
import type { VideoInfo } from './types';
import { createRng } from '@pvnas/base';

const CALLS = Number(process.env.BENCH_CALLS ?? 40);

async function encode(file: string, size: string, keyint: number, seconds = 10): Promise<void> {
  await ffmpegToFile(
    {
      input: `testsrc2=size=${size}:rate=30:duration=${seconds}`,
      inputOptions: ['-f', 'lavfi'],
      outputOptions: ['-c:v', 'libx264', '-preset', 'veryfast', '-g', String(keyint), '-pix_fmt', 'yuv420p', '-loglevel', 'error'],
    },
    file,
  );
}

function windowIndices(frames: number, rng: () => number): number[] {
  const start = Math.floor(rng() * (frames - 64));
  return Array.from({ length: 8 }, (_, k) => start + Math.floor((k * 63) / 7));
}

/** The alternative to `select`: convert the whole window, pick in JS by timestamp. */
async function jsPick(abs: string, info: VideoInfo, indices: number[]): Promise<Uint8Array> {
  const pts = info.framePts as number[];
  const first = indices[0];
  const last = indices[indices.length - 1];
  const ss = seekSeconds(pts, info.timeBase as [number, number], info.formatStartTime ?? 0, first);
  const { stdout, stderr } = await ffmpegToBuffer({
    input: `file:${abs}`,
    inputOptions: ['-nostats', '-threads', '1', '-filter_threads', '1', '-copyts', ...(ss !== undefined ? ['-ss', ss.toFixed(6)] : [])],
    outputOptions: [
      '-map',
      '0:v:0',
      '-vsync',
      '0',
      '-vf',
      `showinfo,scale=${info.width}:${info.height}:flags=bilinear,format=rgb24`,
      '-sws_flags',
      'bilinear',
      '-frames:v',
      String(last - first + 1),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
    ],
    stderrLines: 0,
  });
  const fb = info.width * info.height * 3;
  const byPts = new Map(parseShowinfo(stderr).map((f, k) => [f.pts, k]));
  const out = new Uint8Array(indices.length * fb);
  indices.forEach((i, k) => {
    const at = byPts.get(pts[i]) as number;
    out.set(stdout.subarray(at * fb, (at + 1) * fb), k * fb);
  });
  return out;
}

/** CPU ms of this process plus its waited-for children (ffmpeg), from /proc/self/stat (Linux, 10 ms ticks). */
function cpuMs(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // fields after the command: state=0 ... utime=11 stime=12 cutime=13 cstime=14 (clock ticks, 100 Hz)
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0) * 10;
}

async function time(label: string, run: (k: number) => Promise<unknown>): Promise<void> {
  await run(0); // warm-up
  const ms: number[] = [];
  const cpu0 = cpuMs();
  for (let k = 0; k < CALLS; k++) {
    const t0 = process.hrtime.bigint();
    await run(k);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const cpu = (cpuMs() - cpu0) / CALLS;
  ms.sort((a, b) => a - b);
  const q = (p: number): string => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))].toFixed(1);
  console.log(`  ${label.padEnd(10)} wall median ${q(0.5).padStart(6)} ms  p90 ${q(0.9).padStart(6)} ms   cpu ${cpu.toFixed(1).padStart(6)} ms/call`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pvnas-decode-bench-'));
  try {
    const clips = [
      { name: '160x120 h264 keyint 15', size: '160x120', keyint: 15 },
      { name: '160x120 h264 keyint 250', size: '160x120', keyint: 250 },
      { name: '320x240 h264 keyint 250', size: '320x240', keyint: 250 },
      { name: '320x240 h264 keyint 15', size: '320x240', keyint: 15 },
    ];
    const run = promisify(execFile);
    const tiny = path.join(dir, 'tiny.mp4');
    await encode(tiny, '64x48', 250, 1);
    const tinyInfo = await probeVideo(tiny);
    console.log('per-call floor');
    await time('spawn', () => run(FFMPEG_PATH, ['-version']));
    await time('frame 0', () => decodeFrames(tiny, [0], { info: tinyInfo }));
    for (const c of clips) {
      const file = path.join(dir, `${c.size}-${c.keyint}.mp4`);
      await encode(file, c.size, c.keyint);
      const info = await probeVideo(file);
      console.log(`${c.name} (${info.frames} frames): 8 of a random 64-frame window`);
      const draw = (seed: number): number[] => windowIndices(info.frames, createRng(seed).next);
      await time('select', (k) => decodeFrames(file, draw(k), { info, seek: 'always' }));
      await time('js-pick', (k) => jsPick(file, info, draw(k)));
      await time('threads0', (k) => decodeFrames(file, draw(k), { info, seek: 'always', threads: 0 }));
      await time('from-0', (k) => decodeFrames(file, draw(k), { info, seek: 'never' }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
